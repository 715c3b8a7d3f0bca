//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// archKernels: our AVX2+FMA assembly for the matrix products, the Langevin,
// Axpy and leapfrog updates, Exp, Log and the mixture kernels; vek's AVX2
// code for Dot and Scale; a fused Go loop for AddScaled.
func archKernels() []*kernels {
	ok, missing := cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3), ""
	if !ok {
		missing = "CPU lacks AVX2/FMA"
	}
	return []*kernels{{
		name: "avx2", available: ok, missing: missing,
		dot: dotAVX2, sumSq: sumSqAVX2,
		axpy: axpyAVX2Go, scale: scaleAVX2, addScaled: addScaledFused,
		langevin: langevinAVX2Go, langevinRows: langevinRowsAVX2,
		axpyRows: axpyRowsAVX2, position: positionAVX2Go, positionRows: positionRowsAVX2,
		matMul: matMulAVX2, matMulAT: matMulATAVX2, exp: expAVX2Go, log: logAVX2Go,
		gaussLogits: gaussLogitsAVX2Go, expSubAcc: expSubAccAVX2Go, addWeightedDiffs: addWeightedDiffsAVX2Go,
	}}
}
