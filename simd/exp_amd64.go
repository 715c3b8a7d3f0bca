//go:build !purego

package simd

// expAVX2 sets dst[i] = e^x[i] for n (a multiple of 4) values, four per
// YMM register: k = round(x·log₂e), r = x − k·ln2 (Cody–Waite with FMA,
// |r| ≤ ½ln2), e^r by a degree-11 polynomial (relative error 4.3·10⁻¹⁸),
// scaled by 2^⌊k/2⌋·2^⌈k/2⌉ so that overflow, subnormal
// results and underflow round once, as the true value would. x is clamped
// to [−746, 710] first (beyond, the result is 0 or +Inf anyway); NaN passes
// the clamp and propagates.
//
//go:noescape
func expAVX2(dst, x *float64, n int)

// expAVX2Go runs the assembly on the multiple-of-4 prefix and on a copy of
// the last 1–3 values padded to four, so that every element takes the same
// path whatever its position.
func expAVX2Go(dst, x []float64) {
	x = x[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		expAVX2(&dst[0], &x[0], n)
	}
	if n < len(dst) {
		var buf [4]float64
		copy(buf[:], x[n:])
		expAVX2(&buf[0], &buf[0], 4)
		copy(dst[n:], buf[:])
	}
}
