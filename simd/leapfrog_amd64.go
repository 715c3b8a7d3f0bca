//go:build !purego

package simd

//go:noescape
func positionAVX2(x, p, minv *float64, n int, h float64)

// positionAVX2Go runs the assembly over the multiple-of-4 prefix and the
// reference expression over the rest.
func positionAVX2Go(x, p, minv []float64, h float64) {
	p, minv = p[:len(x)], minv[:len(x)]
	n := len(x) &^ 3
	if n > 0 {
		positionAVX2(&x[0], &p[0], &minv[0], n, h)
	}
	for i := n; i < len(x); i++ {
		x[i] += float64(h * float64(minv[i]*p[i]))
	}
}

// positionRowsAVX2 calls the assembly once per row from rows of 8 on;
// shorter rows run the reference loop.
func positionRowsAVX2(x, p, minv, h []float64, d int) {
	if d < 8 {
		positionRowsGeneric(x, p, minv, h, d)
		return
	}
	for i, hi := range h {
		lo, up := i*d, (i+1)*d
		positionAVX2Go(x[lo:up], p[lo:up], minv[lo:up], hi)
	}
}
