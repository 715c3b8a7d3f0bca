//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// archPeaks: VFMADD231PD/PS on 12 YMM accumulators for avx2 (two FMA units
// of latency 4 need 8 in flight), and on 12 ZMM accumulators for avx512
// where the CPU and OS have AVX-512F, so that its peak can be compared with
// avx2's.
func archPeaks() []PeakKernel {
	var out []PeakKernel
	if inTable("avx2") {
		out = append(out, PeakKernel{
			Impl: "avx2", Kernels: true,
			What: "VFMADD231PD ymm, 12 accumulators", Lanes: 4, Accs: 12,
			What32: "VFMADD231PS ymm, 12 accumulators", Lanes32: 8,
			fma64: func(acc []float64, x, y float64, iters int) { fmaPeakAVX2(&acc[0], x, y, iters) },
			fma32: func(acc []float32, x, y float32, iters int) { fmaPeak32AVX2(&acc[0], x, y, iters) },
		})
	}
	if cpuid.CPU.Supports(cpuid.AVX512F) {
		out = append(out, PeakKernel{
			Impl: "avx512", Kernels: inTable("avx512"),
			What: "VFMADD231PD zmm, 12 accumulators", Lanes: 8, Accs: 12,
			What32: "VFMADD231PS zmm, 12 accumulators", Lanes32: 16,
			fma64: func(acc []float64, x, y float64, iters int) { fmaPeakAVX512(&acc[0], x, y, iters) },
			fma32: func(acc []float32, x, y float32, iters int) { fmaPeak32AVX512(&acc[0], x, y, iters) },
		})
	}
	return out
}

// The loops of peak_amd64.s: acc holds 12 vectors, iters > 0.

//go:noescape
func fmaPeakAVX2(acc *float64, x, y float64, iters int)

//go:noescape
func fmaPeak32AVX2(acc *float32, x, y float32, iters int)

//go:noescape
func fmaPeakAVX512(acc *float64, x, y float64, iters int)

//go:noescape
func fmaPeak32AVX512(acc *float32, x, y float32, iters int)
