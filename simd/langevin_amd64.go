//go:build !purego

package simd

//go:noescape
func langevinAVX2(dst, x, grad, xi *float64, n int, a, b float64)

// langevinAVX2Go runs the assembly over the multiple-of-4 prefix and the
// reference expression over the rest.
func langevinAVX2Go(dst, x, g, xi []float64, a, b float64) {
	x, g, xi = x[:len(dst)], g[:len(dst)], xi[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		langevinAVX2(&dst[0], &x[0], &g[0], &xi[0], n, a, b)
	}
	for i := n; i < len(dst); i++ {
		dst[i] = x[i] + (float64(a*g[i]) + float64(b*xi[i]))
	}
}

// langevinRowsAVX2 calls the assembly once per row from rows of 8 on;
// shorter rows run the reference loop.
func langevinRowsAVX2(x, g, xi, a, b []float64, d int) {
	if d < 8 {
		langevinRowsGeneric(x, g, xi, a, b, d)
		return
	}
	for i := range a {
		lo, hi := i*d, (i+1)*d
		langevinAVX2Go(x[lo:hi], x[lo:hi], g[lo:hi], xi[lo:hi], a[i], b[i])
	}
}
