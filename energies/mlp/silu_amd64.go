//go:build !purego

package mlp

import (
	"github.com/goebm/ebm/simd"
	"github.com/klauspost/cpuid/v2"
)

//go:noescape
func siluRows64AVX512(z, d, bias, scale, k *float64, rows, w, ld, mode int) (done int)

// canSiLU64 reports whether siluRows64AVX512 can run: AVX-512F for the
// lanes and the gather, DQ for nothing more but kept with simd's avx512.
var canSiLU64 = cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512DQ)

// siluRowsVector runs siluLayer's fast path on the first w&^7 columns of
// rows of z (w = len(bias) wide) from the first on, where simd's avx512
// implementation is in use, and returns how many rows it finished and how
// many columns of each (0, 0 where it does not run). It stops before a row
// that needs math.Exp.
func siluRowsVector(z, d, bias, scale []float64, deriv bool) (rows, cols int) {
	w := len(bias)
	n := w &^ 7
	if n == 0 || len(z) == 0 || !canSiLU64 || simd.Chosen() != "avx512" {
		return 0, 0
	}
	mode := 0
	var sp *float64
	switch {
	case !deriv:
	case scale == nil:
		mode = 1
	default:
		mode, sp = 2, &scale[0]
	}
	_ = d[len(z)-1]
	return siluRows64AVX512(&z[0], &d[0], &bias[0], sp, &siluConsts[0], len(z)/w, n, w, mode), n
}
