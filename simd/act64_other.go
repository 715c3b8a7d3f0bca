//go:build !amd64 || purego

package simd

func sigPre64(u, x []float64, a float64)      { sigPre64Generic(u, x, a) }
func sigPost64(s, u, x []float64)             { sigPost64Generic(s, u, x) }
func siluGrad64(dst, x, s, u, b, c []float64) { siluGrad64Generic(dst, x, s, u, b, c) }
