//go:build !purego

package simd

import "github.com/viterin/vek"

// dotAVX2 is vek's AVX2 dot product (vek panics on empty input).
func dotAVX2(x, y []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return vek.Dot(x, y)
}

func sumSqAVX2(x []float64) float64 { return dotAVX2(x, x) }
