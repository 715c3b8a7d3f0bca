package simd

// Dot returns the dot product of x and y:
//
//	var s float64
//	for i := range x {
//		s += x[i] * y[i]
//	}
//	return s
//
// Implementations may use fused multiply-adds and several partial sums
// (see the package comment for the tolerance). It panics if len(x) != len(y).
func Dot(x, y []float64) float64 {
	if len(x) != len(y) {
		mismatch()
	}
	return current.dot(x, y)
}

// SumSq returns the sum of squares of x, Dot(x, x):
//
//	var s float64
//	for _, v := range x {
//		s += v * v
//	}
//	return s
func SumSq(x []float64) float64 { return current.sumSq(x) }
