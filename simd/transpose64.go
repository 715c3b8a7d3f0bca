package simd

import "math/bits"

// Transpose64 writes the c×r transpose of the r×c row-major matrix src
// into dst: on AVX-512, 8×8 blocks in registers; elsewhere, and at the
// edges, loops that read eight rows at a time. It panics unless both hold
// r·c values.
func Transpose64(dst, src []float64, r, c int) {
	if r < 0 || c < 0 || len(dst) != r*c || len(src) != r*c {
		mismatch()
	}
	transpose(dst, src, r, c)
}

// transpose is Transpose64 without the checks (simd's own products use
// it for their transposed copies).
//
// The 8×8 blocks go in bands of eight rows of src (each band written down
// eight columns of dst, r values apart) or of eight columns (read down
// eight rows of src, c values apart). Eight rows at a stride of a large
// power of two share few cache sets, and a band along them ran 2-5×
// slower on matrices beyond the first-level cache (BenchmarkTranspose64,
// AMD EPYC, avx512: 128×784 53 µs by rows of src, 20 by columns; 512×784
// 429 against 80; 784×512 84 against 115), so those go by columns when r
// has more factors of two than c. Smaller ones go by rows (within 10 %
// either way, 64×56 a quarter faster by rows).
func transpose(dst, src []float64, r, c int) {
	f := current.tr8x8
	r8, c8 := r&^7, c&^7
	if f == nil || r8 == 0 || c8 == 0 {
		transposeRows8(dst, src, r, c)
		return
	}
	if r*c <= 4096 || bits.TrailingZeros(uint(r)) <= bits.TrailingZeros(uint(c)) {
		// Bands of src's rows i0…i0+7: tile j to dst's rows 8j…8j+7.
		for i0 := 0; i0 < r8; i0 += 8 {
			f(dst[i0:], r, 8*r, src[i0*c:], c, 8, c8/8)
		}
	} else {
		// Bands of src's columns j0…j0+7: tile i to dst's columns
		// 8i…8i+7 of rows j0…j0+7.
		for j0 := 0; j0 < c8; j0 += 8 {
			f(dst[j0*r:], r, 8, src[j0:], c, 8*c, r8/8)
		}
	}
	for i := 0; i < r8; i++ { // the right edge of the blocks
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

// transposeRows8 transposes in Go: it reads eight rows of src at a time,
// so that each row of dst receives eight consecutive values (a cache line
// of float64s) per pass, about twice as fast as loops over 8×8 tiles. It is
// Transpose64's and Transpose32's loop where there is no vector kernel.
func transposeRows8[T float32 | float64](dst, src []T, r, c int) {
	i := 0
	for ; i+8 <= r; i += 8 {
		s0, s1 := src[i*c:(i+1)*c], src[(i+1)*c:(i+2)*c]
		s2, s3 := src[(i+2)*c:(i+3)*c], src[(i+3)*c:(i+4)*c]
		s4, s5 := src[(i+4)*c:(i+5)*c], src[(i+5)*c:(i+6)*c]
		s6, s7 := src[(i+6)*c:(i+7)*c], src[(i+7)*c:(i+8)*c]
		s1, s2, s3, s4, s5, s6, s7 = s1[:len(s0)], s2[:len(s0)], s3[:len(s0)], s4[:len(s0)], s5[:len(s0)], s6[:len(s0)], s7[:len(s0)]
		for j := range s0 {
			d := dst[j*r+i : j*r+i+8 : j*r+i+8]
			d[0], d[1], d[2], d[3] = s0[j], s1[j], s2[j], s3[j]
			d[4], d[5], d[6], d[7] = s4[j], s5[j], s6[j], s7[j]
		}
	}
	for ; i < r; i++ {
		for j, v := range src[i*c : (i+1)*c] {
			dst[j*r+i] = v
		}
	}
}
