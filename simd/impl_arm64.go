//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// archKernels: our NEON assembly, and the fused Go loops for Scale and
// AddScaled.
func archKernels() []*kernels {
	ok, missing := cpuid.CPU.Supports(cpuid.ASIMD), ""
	if !ok {
		missing = "CPU lacks ASIMD"
	}
	return []*kernels{{
		name: "neon", available: ok, missing: missing, auto: ok,
		dot: dotNEONGo, sumSq: sumSqNEON,
		axpy: axpyNEONGo, scale: scaleFused, addScaled: addScaledFused,
		langevin: langevinNEONGo, langevinRows: langevinRowsNEON,
		axpyRows: axpyRowsNEON, position: positionNEONGo, positionRows: positionRowsNEON,
		matMul: matMulNEON, matMulAT: matMulATVia(matMulNEON), exp: expGeneric, log: logGeneric,
		gaussLogits: gaussLogitsGeneric, expSubAcc: expSubAccGeneric, addWeightedDiffs: addWeightedDiffsGeneric,
	}}
}

// neonRowMin is the row length from which the row-wise kernels call the
// assembly once per row; shorter rows cost more in calls than they gain.
const neonRowMin = 16
