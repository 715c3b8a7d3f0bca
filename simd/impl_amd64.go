//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// archKernels: vek's AVX2 code for the single-call jobs, fused Go loops for
// the updates.
func archKernels() []*kernels {
	return []*kernels{{
		name: "avx2", available: cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3),
		dot: dotAVX2, sumSq: sumSqAVX2,
		axpy: axpyFused, scale: scaleAVX2, addScaled: addScaledFused,
		langevin: langevinFused, langevinRows: langevinRowsFused,
		axpyRows: axpyRowsFused, position: positionFused, positionRows: positionRowsFused,
		matMul: matMulAVX2,
	}}
}
