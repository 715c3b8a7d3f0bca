package simd

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestTranspose64 checks Transpose64 against the definition on shapes
// with and without edges (rows or columns that are not multiples of 8), in
// every implementation, with guard slots around dst: a failure means the
// 8×8 tiles land in the wrong place or spill past the matrix.
func TestTranspose64(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, rc := range [][2]int{{0, 0}, {0, 5}, {1, 1}, {1, 9}, {9, 1}, {7, 7}, {8, 8}, {8, 9}, {9, 8}, {16, 24},
			{13, 21}, {49, 64}, {64, 196}, {128, 784}, {784, 130}, {64, 48}, {192, 32}, {512, 24}} {
			rows, cols := rc[0], rc[1]
			src := guarded(r, rows*cols)
			dst := guarded(r, rows*cols)
			Transpose64(dst, src, rows, cols)
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					if !same(dst[j*rows+i], src[i*cols+j]) {
						t.Fatalf("%dx%d: dst[%d][%d] = %v, want %v", rows, cols, j, i, dst[j*rows+i], src[i*cols+j])
					}
				}
			}
			checkGuards(t, fmt.Sprintf("Transpose64 %dx%d", rows, cols), dst)
		}
	})
}

// BenchmarkTranspose64 transposes float64 matrices of the shapes the
// products and the convolutions' weight gradients transpose.
func BenchmarkTranspose64(b *testing.B) {
	for _, sz := range [][2]int{{128, 784}, {784, 128}, {512, 784}, {784, 512}, {64, 48}, {192, 32}, {64, 288}, {1152, 64}} {
		r, c := sz[0], sz[1]
		src, dst := make([]float64, r*c), make([]float64, r*c)
		b.Run(fmt.Sprintf("%dx%d", r, c), func(b *testing.B) {
			b.SetBytes(int64(16 * r * c))
			for b.Loop() {
				Transpose64(dst, src, r, c)
			}
		})
	}
}
