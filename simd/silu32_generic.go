//go:build !amd64 || purego

package simd

func siluPre32(z, d, bias []float32)               { siluPre32Generic(z, d, bias) }
func siluPost32(z, d, scale []float32, deriv bool) { siluPost32Generic(z, d, scale, deriv) }

func siluRows32(z, d, bias, scale []float32, deriv bool) int { return 0 }
