package simd

import "math"

// ExpExact sets dst[i] = math.Exp(x[i]), bit for bit: unlike Exp, which
// is within 2 ulp of it, its values are math.Exp's own, so code whose
// results must not change with the implementation (NUTS's leaf weights)
// can use it. avx512 computes eight at a time with the operations of Go's
// amd64 math.Exp (expexact_avx512_amd64.s); the other implementations
// call math.Exp. dst may be x; it panics unless dst and x have the same
// length.
func ExpExact(dst, x []float64) {
	if len(dst) != len(x) {
		mismatch()
	}
	if f := current.expExact; f != nil {
		f(dst, x)
		return
	}
	expExactGeneric(dst, x)
}

func expExactGeneric(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = math.Exp(v)
	}
}
