package simd

// Transpose64 writes the c×r transpose of the r×c row-major matrix src
// into dst: on AVX-512, 8×8 blocks in registers, a band of eight rows
// per call; elsewhere, and at the edges, loops over cache-sized tiles.
// It panics unless both hold r·c values.
func Transpose64(dst, src []float64, r, c int) {
	if r < 0 || c < 0 || len(dst) != r*c || len(src) != r*c {
		mismatch()
	}
	transpose(dst, src, r, c)
}

// transpose is Transpose64 without the checks (simd's own products use
// it for their transposed copies).
func transpose(dst, src []float64, r, c int) {
	f := current.tr8x8
	r8, c8 := r&^7, c&^7
	if f == nil || r8 == 0 || c8 == 0 {
		transposeOf(dst, src, r, c)
		return
	}
	// Row band i0…i0+7 of src: its c8/8 tiles go to columns i0…i0+7 of
	// dst, tile j to rows 8j…8j+7.
	for i0 := 0; i0 < r8; i0 += 8 {
		f(dst[i0:], r, 8*r, src[i0*c:], c, 8, c8/8)
	}
	for i := 0; i < r8; i++ { // the right edge of the bands
		for j := c8; j < c; j++ {
			dst[j*r+i] = src[i*c+j]
		}
	}
	for i := r8; i < r; i++ { // the bottom rows
		for j, v := range src[i*c : (i+1)*c] {
			dst[j*r+i] = v
		}
	}
}
