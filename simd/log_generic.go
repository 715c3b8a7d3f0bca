package simd

import "math"

// logGeneric is the reference loop of Log.
func logGeneric(dst, x []float64) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = math.Log(v)
	}
}
