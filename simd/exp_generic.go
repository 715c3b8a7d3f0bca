package simd

import "math"

// expGeneric is the reference loop of Exp.
func expGeneric(dst, x []float64) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = math.Exp(v)
	}
}
