//go:build !amd64 || purego

package simd

func mul32(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] *= x[i]
	}
}
