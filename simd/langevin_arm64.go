//go:build !purego

package simd

//go:noescape
func langevinNEON(dst, x, grad, xi *float64, n int, a, b float64)

func langevinNEONGo(dst, x, g, xi []float64, a, b float64) {
	x, g, xi = x[:len(dst)], g[:len(dst)], xi[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		langevinNEON(&dst[0], &x[0], &g[0], &xi[0], n, a, b)
	}
	for i := n; i < len(dst); i++ {
		dst[i] = x[i] + (float64(a*g[i]) + float64(b*xi[i]))
	}
}

func langevinRowsNEON(x, g, xi, a, b []float64, d int) {
	if d < neonRowMin {
		langevinRowsGeneric(x, g, xi, a, b, d)
		return
	}
	for i := range a {
		lo, hi := i*d, (i+1)*d
		langevinNEONGo(x[lo:hi], x[lo:hi], g[lo:hi], xi[lo:hi], a[i], b[i])
	}
}
