package simd

// PeakKernel is a tight loop of independent fused multiply-adds written
// for one implementation, to measure that implementation's arithmetic
// peak on one core: the limit that compute-bound kernels (the matrix
// products) are judged against. Its reference loop is
//
//	for range iters {
//		for i := range acc {
//			acc[i] = math.FMA(x, y, acc[i]) // acc[i] += x·y, one rounding
//		}
//	}
//
// where acc holds Accs accumulators of Lanes values each, kept in
// registers for the whole loop: enough independent chains to cover the
// FMA latency times the FMA units of the cores it targets. One call does
// 2·len(acc)·iters flops. The generic loop is the one exception: it runs
//
//	acc[i] = acc[i]*x + y
//
// as Go compiles the generic kernels' multiply-adds (a multiply and an add
// on amd64, one fused FMADD on arm64), which is what those kernels can
// reach; a math.FMA loop is slower on amd64 builds below GOAMD64=v3, where
// every call checks the CPU for FMA and keeps a fallback call that spills
// the accumulators.
type PeakKernel struct {
	Impl string // the implementation it measures: "generic", "avx2", "neon", "avx512"
	// Kernels is true when Impl is in the kernel table (Available lists
	// it); a peak without kernels is a reference only: no kernel row runs
	// on it.
	Kernels bool
	What    string // the instruction and loop shape, e.g. "VFMADD231PD ymm, 12 accumulators"
	Lanes   int    // float64 values per accumulator
	Accs    int    // independent accumulators
	// What32 and Lanes32 describe the float32 loop; Lanes32 is 0 when the
	// implementation has none (generic: Go has no float32 FMA).
	What32  string
	Lanes32 int

	fma64 func(acc []float64, x, y float64, iters int)
	fma32 func(acc []float32, x, y float32, iters int)
}

// Len is the length of the float64 accumulator slice Run takes.
func (p PeakKernel) Len() int { return p.Lanes * p.Accs }

// Len32 is the length of the float32 accumulator slice Run32 takes (0
// when there is no float32 loop).
func (p PeakKernel) Len32() int { return p.Lanes32 * p.Accs }

// Run runs the reference loop above on acc, of length Len, for iters
// rounds (none when iters ≤ 0). It panics on another length: a
// programming error.
func (p PeakKernel) Run(acc []float64, x, y float64, iters int) {
	if len(acc) != p.Len() {
		panic("simd: peak accumulator length mismatch")
	}
	if iters > 0 {
		p.fma64(acc, x, y, iters)
	}
}

// Run32 is Run in float32 (VFMADD231PS, VFMLA .S4) on acc of length
// Len32. It panics when there is no float32 loop or on another length.
func (p PeakKernel) Run32(acc []float32, x, y float32, iters int) {
	if p.Lanes32 == 0 || len(acc) != p.Len32() {
		panic("simd: peak accumulator length mismatch")
	}
	if iters > 0 {
		p.fma32(acc, x, y, iters)
	}
}

// PeakKernels lists the peak loops this machine and build can run: generic
// first, then the architecture's (avx2 and, where the CPU has AVX-512F,
// avx512; neon). Adding an implementation is one entry in its
// architecture's archPeaks (peak_amd64.go, peak_arm64.go).
func PeakKernels() []PeakKernel {
	return append([]PeakKernel{{
		Impl: "generic", Kernels: true,
		What:  "Go a = a*x + y on scalar float64, 12 accumulators",
		Lanes: 1, Accs: 12, fma64: fmaPeakGeneric,
	}}, archPeaks()...)
}

// inTable reports whether name is an available implementation of the
// kernel table.
func inTable(name string) bool {
	k := lookup(name)
	return k != nil && k.available
}

// fmaPeakGeneric is the generic loop on 12 scalar accumulators, held in
// locals so that they stay in registers (14 of amd64's 16 XMM registers
// with x and y).
func fmaPeakGeneric(acc []float64, x, y float64, iters int) {
	_ = acc[11]
	a0, a1, a2, a3, a4, a5 := acc[0], acc[1], acc[2], acc[3], acc[4], acc[5]
	a6, a7, a8, a9, a10, a11 := acc[6], acc[7], acc[8], acc[9], acc[10], acc[11]
	for range iters {
		a0 = a0*x + y
		a1 = a1*x + y
		a2 = a2*x + y
		a3 = a3*x + y
		a4 = a4*x + y
		a5 = a5*x + y
		a6 = a6*x + y
		a7 = a7*x + y
		a8 = a8*x + y
		a9 = a9*x + y
		a10 = a10*x + y
		a11 = a11*x + y
	}
	acc[0], acc[1], acc[2], acc[3], acc[4], acc[5] = a0, a1, a2, a3, a4, a5
	acc[6], acc[7], acc[8], acc[9], acc[10], acc[11] = a6, a7, a8, a9, a10, a11
}
