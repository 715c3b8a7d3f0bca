//go:build !purego

package simd

//go:noescape
func positionNEON(x, p, minv *float64, n int, h float64)

func positionNEONGo(x, p, minv []float64, h float64) {
	p, minv = p[:len(x)], minv[:len(x)]
	n := len(x) &^ 3
	if n > 0 {
		positionNEON(&x[0], &p[0], &minv[0], n, h)
	}
	for i := n; i < len(x); i++ {
		x[i] += float64(h * float64(minv[i]*p[i]))
	}
}

func positionRowsNEON(x, p, minv, h []float64, d int) {
	if d < neonRowMin {
		positionRowsGeneric(x, p, minv, h, d)
		return
	}
	for i, hi := range h {
		lo, up := i*d, (i+1)*d
		positionNEONGo(x[lo:up], p[lo:up], minv[lo:up], hi)
	}
}
