//go:build !purego

package simd

// archPeaks: VFMLA on 16 accumulators (cores with four FMA pipes of
// latency 4 need 16 in flight).
func archPeaks() []PeakKernel {
	if !inTable("neon") {
		return nil
	}
	return []PeakKernel{{
		Impl: "neon", Kernels: true,
		What: "VFMLA .D2, 16 accumulators", Lanes: 2, Accs: 16,
		What32: "VFMLA .S4, 16 accumulators", Lanes32: 4,
		fma64: func(acc []float64, x, y float64, iters int) { fmaPeakNEON(&acc[0], x, y, iters) },
		fma32: func(acc []float32, x, y float32, iters int) { fmaPeak32NEON(&acc[0], x, y, iters) },
	}}
}

// The loops of peak_arm64.s: acc holds 16 vectors, iters > 0.

//go:noescape
func fmaPeakNEON(acc *float64, x, y float64, iters int)

//go:noescape
func fmaPeak32NEON(acc *float32, x, y float32, iters int)
