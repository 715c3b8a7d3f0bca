package simd

import "math"

// Leaky32 sets dst[i] to the leaky ReLU of x[i] with the given slope below
// 0 (k = 0: x, or slope·x where x ≤ 0) or to its derivative (k = 1: 1
// where x > 0, slope where x ≤ 0, signed zeros included), a NaN x passing
// through unchanged, bit for bit. Every implementation gives the same bits.
// It panics if the lengths differ or k is neither 0 nor 1.
func Leaky32(dst, x []float32, slope float32, k int) {
	if len(x) != len(dst) {
		mismatch()
	}
	if k != 0 && k != 1 {
		panic("simd: Leaky32: k must be 0 or 1")
	}
	leaky32(dst, x, slope, k)
}

// leaky32Go is Leaky32 in Go, choosing on the bits with masks rather than
// branches (half of a layer's pre-activations are negative, so branches
// would mispredict).
func leaky32Go(dst, x []float32, slope float32, k int) {
	one, sl := math.Float32bits(1), math.Float32bits(slope)
	dst = dst[:len(x)]
	for i, v := range x {
		b := math.Float32bits(v)
		var pos, nan uint32
		if b-1 < 0x7f800000 { // 0 < v ≤ +Inf: b in [1, 0x7f800000]
			pos = 1
		}
		if b&0x7fffffff > 0x7f800000 {
			nan = 1
		}
		var r uint32
		if k == 0 {
			av := math.Float32bits(slope * v)
			r = av ^ (-(pos | nan) & (av ^ b))
		} else {
			r = sl ^ (-pos & (sl ^ one))
			r ^= -nan & (r ^ b)
		}
		dst[i] = math.Float32frombits(r)
	}
}
