//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// archKernels: our NEON assembly, and the fused Go loops for Scale and
// AddScaled.
func archKernels() []*kernels {
	return []*kernels{{
		name: "neon", available: cpuid.CPU.Supports(cpuid.ASIMD),
		dot: dotNEONGo, sumSq: sumSqNEON,
		axpy: axpyNEONGo, scale: scaleFused, addScaled: addScaledFused,
		langevin: langevinNEONGo, langevinRows: langevinRowsNEON,
		axpyRows: axpyRowsNEON, position: positionNEONGo, positionRows: positionRowsNEON,
		matMul: matMulNEON, matMulAT: matMulATVia(matMulNEON), exp: expGeneric, log: logGeneric,
		gaussLogits: gaussLogitsGeneric, expSubAcc: expSubAccGeneric, addWeightedDiffs: addWeightedDiffsGeneric,
	}}
}
