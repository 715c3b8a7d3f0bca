package simd

// Transpose32 writes the c×r transpose of the r×c row-major matrix src
// into dst: on AVX2 and AVX-512, 8×8 blocks in registers. It panics
// unless both hold r·c values.
func Transpose32(dst, src []float32, r, c int) {
	if r < 0 || c < 0 || len(dst) != r*c || len(src) != r*c {
		mismatch()
	}
	if t := k32(); t.transpose != nil {
		t.transpose(dst, src, r, c)
		return
	}
	transpose32(dst, src, r, c)
}
