//go:build !purego

package simd

//go:noescape
func allFiniteAVX2(x *float64, n int) bool

// allFiniteAVX2Go runs the assembly over the multiple-of-16 prefix and
// the generic loop over the rest.
func allFiniteAVX2Go(x []float64) bool {
	n := len(x) &^ 15
	if n > 0 && !allFiniteAVX2(&x[0], n) {
		return false
	}
	return allFiniteGeneric(x[n:])
}
