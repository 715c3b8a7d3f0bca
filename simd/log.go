package simd

// Log sets dst to the natural logarithm of x, element by element:
//
//	for i := range dst {
//		dst[i] = math.Log(x[i])
//	}
//
// The avx2 kernel evaluates the same formula as Go's pure-Go math.Log
// (fdlibm's: x = 2^k·(1+f), log(1+f) from s = f/(2+f) and a degree-7
// polynomial in s², every operation rounded, no fused multiply-add), four
// values at a time, subnormals included, and agrees with it (the tests
// allow 1 ulp). On amd64 math.Log itself is an assembly routine that is
// wrong for subnormal x (it gives −709.09 for 5e-324 instead of −744.44);
// the generic twin inherits that, the avx2 kernel does not.
// Log(+Inf) = +Inf, Log(±0) = −Inf, Log(x < 0) = NaN, Log(NaN) = NaN. Each
// element's value depends only on x[i], never on its position. dst may be
// x; it must not otherwise overlap it. It panics if len(x) != len(dst).
func Log(dst, x []float64) {
	if len(x) != len(dst) {
		mismatch()
	}
	current.log(dst, x)
}
