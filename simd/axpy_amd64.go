//go:build !purego

package simd

import "github.com/viterin/vek"

// scaleAVX2 is vek's in-place multiply by a number: one pass, one rounding
// per element, so it equals the reference bit for bit.
func scaleAVX2(x []float64, s float64) { vek.MulNumber_Inplace(x, s) }

//go:noescape
func axpyAVX2(y, x *float64, n int, a float64)

// axpyAVX2Go runs the assembly over the multiple-of-4 prefix and the
// reference expression over the rest.
func axpyAVX2Go(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	n := len(y) &^ 3
	if n > 0 {
		axpyAVX2(&y[0], &x[0], n, a)
	}
	for i := n; i < len(y); i++ {
		y[i] += float64(a * x[i])
	}
}

// axpyRowsAVX2 calls the assembly once per row from rows of 8 on; shorter
// rows run the reference loop.
func axpyRowsAVX2(y, x, a []float64, d int, neg bool) {
	if d < 8 {
		axpyRowsGeneric(y, x, a, d, neg)
		return
	}
	for i, ai := range a {
		if neg {
			ai = -ai
		}
		axpyAVX2Go(y[i*d:(i+1)*d], ai, x[i*d:(i+1)*d])
	}
}
