package simd

// Exp sets dst to the exponential of x, element by element:
//
//	for i := range dst {
//		dst[i] = math.Exp(x[i])
//	}
//
// Implementations may compute another approximation than math.Exp's: the
// avx2 kernel is within 1 ulp of the correctly rounded e^x over the whole
// range (within 2 ulp of math.Exp, which on amd64 is itself up to 2 ulp off
// and returns +Inf from 1023.5·ln2 ≈ 709.436 on, where e^x is still finite).
// All give +Inf beyond about 709.78, gradual underflow to subnormals and 0
// below about −708.4, Exp(NaN) = NaN, Exp(+Inf) = +Inf, Exp(−Inf) = 0. Each
// element's value depends only on x[i], never on its position or on len(x), so a
// batch split anywhere gives the same bits. dst may be x; it must not
// otherwise overlap it. It panics if len(x) != len(dst).
func Exp(dst, x []float64) {
	if len(x) != len(dst) {
		mismatch()
	}
	current.exp(dst, x)
}
