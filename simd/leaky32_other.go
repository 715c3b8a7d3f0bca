//go:build (!amd64 && !arm64) || purego

package simd

func leaky32(dst, x []float32, slope float32, k int) { leaky32Go(dst, x, slope, k) }
