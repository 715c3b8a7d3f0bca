//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// archKernels: avx2, our AVX2+FMA assembly for the matrix products, the
// Langevin, Axpy and leapfrog updates, Exp, Log and the mixture kernels,
// vek's AVX2 code for Dot and Scale and a fused Go loop for AddScaled; and
// avx512, avx2's table with the families that have AVX-512 kernels
// replaced (see avx512Kernels).
func archKernels() []*kernels {
	ok, missing := cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3), ""
	if !ok {
		missing = "CPU lacks AVX2/FMA"
	}
	avx2 := &kernels{
		name: "avx2", available: ok, missing: missing, auto: ok,
		dot: dotAVX2, sumSq: sumSqAVX2,
		axpy: axpyAVX2Go, scale: scaleAVX2, addScaled: addScaledFused,
		langevin: langevinAVX2Go, langevinRows: langevinRowsAVX2,
		axpyRows: axpyRowsAVX2, position: positionAVX2Go, positionRows: positionRowsAVX2,
		matMul: matMulAVX2, matMulAT: matMulATAVX2, exp: expAVX2Go, log: logAVX2Go,
		gaussLogits: gaussLogitsAVX2Go, expSubAcc: expSubAccAVX2Go, addWeightedDiffs: addWeightedDiffsAVX2Go,
		adam: adamAVX2Go, allFinite: allFiniteAVX2Go,
		nutsFrom: nutsFrom, nutsDrift: nutsDriftAVX2Go, nutsKick: nutsKickAVX2Go, nutsMomentum: nutsMomentumAVX2Go,
		uTurnFree3: uTurnFree3AVX2Go, uTurnFree2: uTurnFree2AVX2Go,
		nutsLaneDrift: nutsLaneDriftAVX2Go, nutsLaneKick: nutsLaneKickAVX2Go,
		nutsLaneUTurn3: nutsLaneUTurn3AVX2Go, nutsLaneUTurn2: nutsLaneUTurn2AVX2Go,
		nutsLaneCopy: nutsLaneCopyAVX2Go, nutsLaneSwap: nutsLaneSwapAVX2Go,
	}
	return []*kernels{avx2, avx512Kernels(avx2)}
}

// avx512Kernels is avx2's table (a copy) with the kernel families that
// have AVX-512 code replaced: the matrix products, the Langevin,
// leapfrog-position and Axpy updates (whole and row-wise), Exp, Log and
// the mixture kernels (GaussLogits, ExpSubAcc, AddWeightedDiffs). A family without
// AVX-512 code runs avx2's kernel, which the avx512 CPU features imply.
// Every AVX-512 kernel computes each element with the same operations in
// the same order as its avx2 twin, so the two implementations give the
// same bits (TestAVX512SameAsAVX2).
func avx512Kernels(avx2 *kernels) *kernels {
	k := *avx2
	k.name = "avx512"
	k.available = avx2.available && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL)
	k.missing = ""
	if !k.available {
		k.missing = "CPU lacks AVX-512F/DQ/BW/VL"
		if !avx2.available {
			k.missing = "CPU lacks AVX2/FMA and AVX-512F/DQ/BW/VL"
		}
	}
	k.auto = k.available && avx512Pays(cpuid.CPU.VendorID, cpuid.CPU.Family, cpuid.CPU.Model)
	k.matMul, k.matMulAT = matMulAVX512, matMulATAVX512
	k.langevin, k.langevinRows = langevinAVX512Go, langevinRowsAVX512
	k.position, k.positionRows = positionAVX512Go, positionRowsAVX512
	k.axpy, k.axpyRows = axpyAVX512Go, axpyRowsAVX512
	k.exp, k.log, k.expSubAcc = expAVX512Go, logAVX512Go, expSubAccAVX512Go
	k.gaussLogits, k.addWeightedDiffs = gaussLogitsAVX512Go, addWeightedDiffsAVX512Go
	k.adam = adamAVX512Go
	k.nutsFrom, k.nutsDrift, k.nutsKick, k.nutsMomentum = nutsFrom, nutsDriftAVX512Go, nutsKickAVX512Go, nutsMomentumAVX512Go
	k.uTurnFree3, k.uTurnFree2 = uTurnFree3AVX512Go, uTurnFree2AVX512Go
	k.nutsLaneDrift, k.nutsLaneKick = nutsLaneDriftAVX512Go, nutsLaneKickAVX512Go
	k.nutsLaneUTurn3, k.nutsLaneUTurn2 = nutsLaneUTurn3AVX512Go, nutsLaneUTurn2AVX512Go
	k.nutsLaneCopy, k.nutsLaneSwap = nutsLaneCopyAVX512Go, nutsLaneSwapAVX512Go
	k.tr8x8 = tr8x8AVX512Go
	if useFMAExp() { // math.Exp's amd64 path that the kernel repeats
		k.expExact = expExactAVX512Go
	}
	return &k
}

// avx512Pays reports whether a CPU with AVX-512F/DQ/BW/VL runs 512-bit
// fused multiply-adds at twice the throughput of 256-bit ones, so that
// avx512 is chosen over avx2 by default:
//
//   - AMD from family 0x1A (Zen 5: four 512-bit-wide FP pipes, two of them
//     FMA; measured here at 62–107 GFLOP/s per core on ZMM against 37–53
//     on YMM). Zen 4 (family 0x19) splits a 512-bit operation over its
//     256-bit units: no gain, so it stays on avx2.
//   - Intel server cores that have two 512-bit FMA units on every model:
//     Ice Lake-SP/D (family 6, models 0x6A, 0x6C), Sapphire Rapids (0x8F),
//     Emerald Rapids (0xCF) and Granite Rapids (0xAD, 0xAE). Skylake-SP
//     and Cascade Lake (0x55) have one or two units depending on the SKU,
//     which cpuid does not tell; client cores with AVX-512 have one. They
//     stay on avx2.
//
// Everything else stays on avx2; EBM_SIMD=avx512 chooses it anyway.
func avx512Pays(vendor cpuid.Vendor, family, model int) bool {
	switch vendor {
	case cpuid.AMD:
		return family >= 0x1A
	case cpuid.Intel:
		if family != 6 {
			return false
		}
		switch model {
		case 0x6A, 0x6C, 0x8F, 0xCF, 0xAD, 0xAE:
			return true
		}
	}
	return false
}
