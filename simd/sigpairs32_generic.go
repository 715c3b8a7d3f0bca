//go:build !amd64 || purego

package simd

func sigPre32(u, x []float32, a float32) { sigPre32Generic(u, x, a) }
func sigPost32(s, u, x []float32)        { sigPost32Generic(s, u, x) }
