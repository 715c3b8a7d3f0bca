//go:build !amd64 || purego

package simd

func adam(p, m, v, grad []float64, c *AdamConsts) { adamGeneric(p, m, v, grad, c) }
