//go:build !amd64 || purego

package simd

func hasGaussMix2() bool { return false }

func gaussMix2(e, g, m, s, x, w, p []float64, n, nk int) (ok, far bool) { return false, false }
