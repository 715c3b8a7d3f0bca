//go:build !purego

package simd

//go:noescape
func axpyNEON(y, x *float64, n int, a float64)

// axpyNEONGo runs the assembly over the multiple-of-4 prefix and the
// reference expression over the rest.
func axpyNEONGo(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	n := len(y) &^ 3
	if n > 0 {
		axpyNEON(&y[0], &x[0], n, a)
	}
	for i := n; i < len(y); i++ {
		y[i] += float64(a * x[i])
	}
}

func axpyRowsNEON(y, x, a []float64, d int, neg bool) {
	if d < neonRowMin {
		axpyRowsGeneric(y, x, a, d, neg)
		return
	}
	for i, ai := range a {
		if neg {
			ai = -ai
		}
		axpyNEONGo(y[i*d:(i+1)*d], ai, x[i*d:(i+1)*d])
	}
}

// scaleFused is neon's Scale: the reference loop unrolled by four with the
// bounds checks hoisted, one rounding per element as in the reference.
func scaleFused(x []float64, s float64) {
	n := len(x)
	i := 0
	for ; i+4 <= n; i += 4 {
		xs := x[i : i+4 : i+4]
		xs[0] *= s
		xs[1] *= s
		xs[2] *= s
		xs[3] *= s
	}
	for ; i < n; i++ {
		x[i] *= s
	}
}
