package simd

// Langevin is the fused Langevin update x += a·g + b·ξ:
//
//	for i := range x {
//		x[i] += float64(a*g[i]) + float64(b*xi[i])
//	}
//
// With a = −η, g = ∇E(x), b = √(2η) and ξ standard normal it is one ULA
// step, in a single pass over memory. It panics unless g and xi have the
// length of x.
func Langevin(x, g, xi []float64, a, b float64) { LangevinTo(x, x, g, xi, a, b) }

// LangevinTo is Langevin into another slice, dst = x + a·g + b·ξ:
//
//	for i := range x {
//		dst[i] = x[i] + (float64(a*g[i]) + float64(b*xi[i]))
//	}
//
// the same bits as Langevin on a copy of x, without the copy. dst may be
// x; it must not overlap g, xi or x otherwise. It panics unless dst, g and
// xi have the length of x.
func LangevinTo(dst, x, g, xi []float64, a, b float64) {
	if len(dst) != len(x) || len(g) != len(x) || len(xi) != len(x) {
		mismatch()
	}
	current.langevin(dst, x, g, xi, a, b)
}

// LangevinRows is Langevin with scalars per row: x, g and xi hold n rows of
// d values (n = len(a)), and row i uses a[i] and b[i]:
//
//	for i := range a {
//		for j := i * d; j < (i+1)*d; j++ {
//			x[j] += float64(a[i]*g[j]) + float64(b[i]*xi[j])
//		}
//	}
//
// It is the update of a batch of chains with per-chain step sizes. It
// panics unless len(b) == len(a) and x, g and xi hold len(a)·d values.
func LangevinRows(x, g, xi, a, b []float64, d int) {
	n := len(a)
	if d < 0 || len(b) != n || len(x) != n*d || len(g) != n*d || len(xi) != n*d {
		mismatch()
	}
	current.langevinRows(x, g, xi, a, b, d)
}
