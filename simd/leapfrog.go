package simd

// Momentum is the leapfrog momentum update p −= h·g:
//
//	for i := range p {
//		p[i] -= float64(h * g[i])
//	}
//
// It panics if len(g) != len(p).
func Momentum(p, g []float64, h float64) {
	if len(g) != len(p) {
		mismatch()
	}
	// p − round(h·g) == p + round(−h·g) bit for bit: negation is exact.
	current.axpy(p, -h, g)
}

// MomentumRows is Momentum with a step per row: p and g hold n = len(h)
// rows of d values, and row i uses h[i]:
//
//	for i := range h {
//		for j := i * d; j < (i+1)*d; j++ {
//			p[j] -= float64(h[i] * g[j])
//		}
//	}
func MomentumRows(p, g, h []float64, d int) {
	n := len(h)
	if d < 0 || len(p) != n*d || len(g) != n*d {
		mismatch()
	}
	current.axpyRows(p, g, h, d, true)
}

// Position is the leapfrog position update with a diagonal inverse mass,
// x += h·minv⊙p:
//
//	for i := range x {
//		x[i] += float64(h * float64(minv[i]*p[i]))
//	}
//
// A nil minv is the identity (unit mass): x[i] += float64(h * p[i]), which
// is the same value. It panics unless p (and a non-nil minv) have the
// length of x.
func Position(x, p, minv []float64, h float64) {
	if len(p) != len(x) || (minv != nil && len(minv) != len(x)) {
		mismatch()
	}
	if minv == nil {
		current.axpy(x, h, p)
		return
	}
	current.position(x, p, minv, h)
}

// PositionRows is Position with a step and an inverse mass per row: x, p
// and minv hold n = len(h) rows of d values (minv is per chain), and row i
// uses h[i]:
//
//	for i := range h {
//		for j := i * d; j < (i+1)*d; j++ {
//			x[j] += float64(h[i] * float64(minv[j]*p[j]))
//		}
//	}
//
// A nil minv is the identity. It panics unless x, p (and a non-nil minv)
// hold len(h)·d values.
func PositionRows(x, p, minv, h []float64, d int) {
	n := len(h)
	if d < 0 || len(x) != n*d || len(p) != n*d || (minv != nil && len(minv) != n*d) {
		mismatch()
	}
	if minv == nil {
		current.axpyRows(x, p, h, d, false)
		return
	}
	current.positionRows(x, p, minv, h, d)
}
