//go:build !amd64 || purego

package simd

func siluGrad32(dst, x, s, u, b, c []float32) { siluGrad32Generic(dst, x, s, u, b, c) }
