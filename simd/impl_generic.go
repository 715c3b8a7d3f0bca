package simd

// genericKernels is the pure-Go reference implementation, always available.
func genericKernels() *kernels {
	return &kernels{
		name: "generic", available: true, auto: true,
		dot: dotGeneric, sumSq: sumSqGeneric,
		axpy: axpyGeneric, scale: scaleGeneric, addScaled: addScaledGeneric,
		langevin: langevinGeneric, langevinRows: langevinRowsGeneric,
		axpyRows: axpyRowsGeneric, position: positionGeneric, positionRows: positionRowsGeneric,
		matMul: matMulGeneric, matMulAT: matMulATVia(matMulGeneric), exp: expGeneric, log: logGeneric,
		gaussLogits: gaussLogitsGeneric, expSubAcc: expSubAccGeneric, addWeightedDiffs: addWeightedDiffsGeneric,
	}
}
