//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// ExpExact on AVX-512 (expexact_avx512_amd64.s).

//go:noescape
func expExactAVX512(dst, x *float64, n int)

func expExactAVX512Go(dst, x []float64) {
	if len(x) > 0 {
		expExactAVX512(&dst[0], &x[0], len(x))
	}
}

// useFMAExp reports whether Go's math.Exp takes its FMA path here
// (math/exp_amd64.go: AVX and FMA), the one expExactAVX512 repeats.
func useFMAExp() bool { return cpuid.CPU.Supports(cpuid.AVX, cpuid.FMA3) }
