// Package bench measures ebm's kernels and samplers for `ebmrun bench`:
// each simd kernel in each implementation at a few sizes, the normal
// generator against math/rand/v2, and end-to-end chain-steps per second of
// ULA, MALA and HMC on an 8-mode 2-D Gaussian mixture.
package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// Row is one measurement; it prints as one JSON object per line.
type Row struct {
	Kernel         string  `json:"kernel"`                      // e.g. "langevin", "matmul_k128_n128", "ula_gmm8"
	Impl           string  `json:"impl"`                        // simd implementation, or "go", "rng", "math/rand"
	N              int     `json:"n"`                           // elements (rows of A for matmul; chains end to end)
	NsPerOp        float64 `json:"ns_per_op"`                   // median time per call (per sample for normals, per chain-step end to end)
	GBps           float64 `json:"gbps,omitempty"`              // bytes moved per second / 1e9
	GFlops         float64 `json:"gflops,omitempty"`            // floating-point operations per second / 1e9
	ChainStepsPerS float64 `json:"chain_steps_per_s,omitempty"` // end-to-end rows only
	GradsPerS      float64 `json:"grads_per_s,omitempty"`       // end-to-end rows: points at which ∇E was evaluated, per second
	Workers        int     `json:"workers,omitempty"`           // end-to-end rows: goroutines of samplers.Run
	Dtype          string  `json:"dtype,omitempty"`             // "float64" or "float32", where a row is one of a pair
	What           string  `json:"what,omitempty"`              // limit rows: what the loop is
	// Limit names the machine limit the row is judged by (LimitFMAPeak,
	// LimitFMAPeak32, LimitCopyBW), Share the row's GFLOP/s or GB/s over it, and Cores
	// how many cores' worth of the per-core FMA peak the limit counts
	// (the goroutines the row's work runs on). See Limits.Annotate.
	Limit string  `json:"limit,omitempty"`
	Share float64 `json:"share,omitempty"`
	Cores int     `json:"cores,omitempty"`
}

// String formats r as one human-readable line.
func (r Row) String() string {
	s := fmt.Sprintf("%-20s %-9s n=%-8d %12.1f ns/op", r.Kernel, r.Impl, r.N, r.NsPerOp)
	switch {
	case r.ChainStepsPerS > 0:
		s += fmt.Sprintf("  %8.2f M chain-steps/s", r.ChainStepsPerS/1e6)
		if r.GradsPerS > 0 {
			s += fmt.Sprintf("  %8.2f M grads/s", r.GradsPerS/1e6)
		}
		if r.Workers > 0 {
			s += fmt.Sprintf("  workers=%d", r.Workers)
		}
	case r.GFlops > 0:
		s += fmt.Sprintf("  %8.2f GFLOP/s", r.GFlops)
		if r.Dtype == "float32" {
			s += " (float32)"
		}
		if r.Workers > 0 {
			s += fmt.Sprintf("  workers=%d", r.Workers)
		}
	case r.GBps > 0:
		s += fmt.Sprintf("  %8.2f GB/s", r.GBps)
	}
	s += r.shareString()
	if r.What != "" {
		s += "  (" + r.What + ")"
	}
	return s
}

// minTime is how long one timing of one row runs at least; each row takes
// the median of reps timings.
// (A variable so that tests can shorten it.)
var minTime = 40 * time.Millisecond

const reps = 3

// timeOp returns the median over reps of the time per call of f, each
// timing doubling its call count until it lasts minTime.
func timeOp(f func()) float64 { return timeReps(f, false) }

// timeBest is timeOp with the fastest of the reps instead of the median:
// for the limits, which are the best the machine has shown, so that a
// neighbour's load during one timing does not lower them.
func timeBest(f func()) float64 { return timeReps(f, true) }

func timeReps(f func(), best bool) float64 {
	f() // warm caches and pools
	var ts []float64
	for r := 0; r < reps; r++ {
		for n := 1; ; n *= 2 {
			start := time.Now()
			for i := 0; i < n; i++ {
				f()
			}
			if el := time.Since(start); el >= minTime {
				ts = append(ts, float64(el.Nanoseconds())/float64(n))
				break
			}
		}
	}
	slices.Sort(ts)
	if best {
		return ts[0]
	}
	return ts[len(ts)/2]
}

// kernel is one benchmarked kernel at one size: setup allocates and
// returns the call, the bytes it moves and the flops it does. A row
// reports GB/s when bytes > 0, else GFLOP/s (the matrix products, and the
// mixture kernels counting an exponential as 20 flops).
type kernel struct {
	name  string
	n     int
	setup func(n int) (call func(), bytes, flops float64)
}

func vec(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i%17)*0.25 - 2
	}
	return s
}

func kernels() []kernel {
	var ks []kernel
	for _, n := range []int{1024, 1 << 20} {
		ks = append(ks,
			kernel{"dot", n, func(n int) (func(), float64, float64) {
				// Like every other kernel here, the call stores its result
				// in memory (out), so its work is never dead code.
				x, y, out := vec(n), vec(n), make([]float64, 1)
				return func() { out[0] = simd.Dot(x, y) }, 16 * float64(n), 2 * float64(n)
			}},
			kernel{"axpy", n, func(n int) (func(), float64, float64) {
				x, y := vec(n), vec(n)
				return func() { simd.Axpy(y, 1e-9, x) }, 24 * float64(n), 2 * float64(n)
			}},
			kernel{"langevin", n, func(n int) (func(), float64, float64) {
				x, g, xi := vec(n), vec(n), vec(n)
				return func() { simd.Langevin(x, g, xi, -1e-9, 1e-9) }, 32 * float64(n), 4 * float64(n)
			}},
			kernel{"position", n, func(n int) (func(), float64, float64) {
				x, p, m := vec(n), vec(n), vec(n)
				return func() { simd.Position(x, p, m, 1e-9) }, 32 * float64(n), 3 * float64(n)
			}},
			kernel{"exp", n, func(n int) (func(), float64, float64) {
				x, y := vec(n), make([]float64, n)
				return func() { simd.Exp(y, x) }, 16 * float64(n), 0
			}},
			kernel{"log", n, func(n int) (func(), float64, float64) {
				x, y := vec(n), make([]float64, n)
				for i := range x {
					x[i] += 3
				}
				return func() { simd.Log(y, x) }, 16 * float64(n), 0
			}},
		)
	}
	ks = append(ks, kernel{"gmm8_logits_d2", 4096, func(n int) (func(), float64, float64) {
		// The isotropic-mixture column kernels for 8 components in 2-D, as
		// the GMM energy's gradient runs them on a block of n points.
		const d, nk = 2, 8
		x, a, m, s, g := vec(d*n), vec(nk*n), vec(n), vec(n), vec(d*n)
		c := []float64{0.5, -1}
		return func() {
			for k := range nk {
				simd.GaussLogits(a[k*n:(k+1)*n], m, x, n, c, 0.1, 0.5)
			}
			for k := range nk {
				ak := a[k*n : (k+1)*n]
				simd.ExpSubAcc(ak, s, ak, m)
			}
			for k := range nk {
				simd.AddWeightedDiffs(g, x, n, c, a[k*n:(k+1)*n], 0.25)
			}
		}, 0, float64(nk*n) * (5*d + 3 + 20 + 3*d + 1)
	}})
	ks = append(ks, kernel{"langevin_rows_d2", 4096, func(n int) (func(), float64, float64) {
		const d = 2
		x, g, xi, a, b := vec(n*d), vec(n*d), vec(n*d), vec(n), vec(n)
		return func() { simd.LangevinRows(x, g, xi, a, b, d) }, 32*float64(n*d) + 16*float64(n), 4 * float64(n*d)
	}})
	for _, m := range []int{64, 1024} {
		ks = append(ks, kernel{"matmul_k128_n128", m, func(m int) (func(), float64, float64) {
			const k, n = 128, 128
			a, b, c := vec(m*k), vec(k*n), make([]float64, m*n)
			return func() { simd.MatMul(c, a, b, m, k, n) }, 0, 2 * float64(m*k*n)
		}})
	}
	ks = append(ks,
		kernel{"matmul_bt_k128_n128", 1024, func(m int) (func(), float64, float64) {
			const k, n = 128, 128
			a, b, c := vec(m*k), vec(n*k), make([]float64, m*n)
			return func() { simd.MatMulBT(c, a, b, m, k, n) }, 0, 2 * float64(m*k*n)
		}},
		kernel{"matmul_at_m128_n128", 1024, func(k int) (func(), float64, float64) {
			const m, n = 128, 128
			a, b, c := vec(k*m), vec(k*n), make([]float64, m*n)
			return func() { simd.MatMulAT(c, a, b, m, k, n) }, 0, 2 * float64(m*k*n)
		}},
	)
	return append(ks, kernels32()...)
}

func vec32(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(i%17)*0.25 - 2
	}
	return s
}

// kernels32 are the float32 matrix products (Row.Dtype "float32") at the
// learnable energies' shapes: the 128-wide hidden layers of the 2-128-128-1
// network on 64 and 1024 points (and their two backward products), and the
// 784→512 layer of the MNIST network on 128.
func kernels32() []kernel {
	var ks []kernel
	for _, m := range []int{64, 1024} {
		ks = append(ks, kernel{"matmul32_k128_n128", m, func(m int) (func(), float64, float64) {
			const k, n = 128, 128
			a, b, c := vec32(m*k), vec32(k*n), make([]float32, m*n)
			return func() { simd.MatMul32(c, a, b, m, k, n) }, 0, 2 * float64(m*k*n)
		}})
	}
	return append(ks,
		kernel{"matmul32_k784_n512", 128, func(m int) (func(), float64, float64) {
			const k, n = 784, 512
			a, b, c := vec32(m*k), vec32(k*n), make([]float32, m*n)
			return func() { simd.MatMul32(c, a, b, m, k, n) }, 0, 2 * float64(m*k*n)
		}},
		kernel{"matmul32_bt_k128_n128", 1024, func(m int) (func(), float64, float64) {
			const k, n = 128, 128
			a, b, c := vec32(m*k), vec32(n*k), make([]float32, m*n)
			return func() { simd.MatMulBT32(c, a, b, m, k, n) }, 0, 2 * float64(m*k*n)
		}},
		kernel{"matmul32_at_m128_n128", 1024, func(k int) (func(), float64, float64) {
			const m, n = 128, 128
			a, b, c := vec32(k*m), vec32(k*n), make([]float32, m*n)
			return func() { simd.MatMulAT32(c, a, b, m, k, n) }, 0, 2 * float64(m*k*n)
		}},
	)
}

// Kernels measures every kernel in each named implementation (all
// available ones when impls is empty), plus two baselines that do not
// depend on it: a plain copy (impl "go", the memory-bandwidth reference
// for the element-wise kernels) and the normal generator (kernel "normal":
// rng.Stream.FillNorm against math/rand/v2's NormFloat64, ns per sample).
// It restores the chosen implementation before returning. An unavailable
// name is an error that lists the available ones.
func Kernels(impls []string) ([]Row, error) {
	if len(impls) == 0 {
		impls = simd.Available()
	}
	saved := simd.Chosen()
	defer simd.Use(saved) //nolint:errcheck // saved was in use, so it is available
	for _, name := range impls {
		if err := simd.Use(name); err != nil {
			return nil, err
		}
	}
	var rows []Row
	for _, n := range []int{1024, 1 << 20} {
		x, y := vec(n), vec(n)
		ns := timeOp(func() { copy(y, x) })
		rows = append(rows, Row{Kernel: "copy", Impl: "go", N: n, NsPerOp: ns, GBps: 16 * float64(n) / ns})
	}
	for _, k := range kernels() {
		for _, name := range impls {
			if err := simd.Use(name); err != nil {
				return nil, err
			}
			call, bytes, flops := k.setup(k.n)
			ns := timeOp(call)
			r := Row{Kernel: k.name, Impl: name, N: k.n, NsPerOp: ns}
			if strings.HasPrefix(k.name, "matmul32") {
				r.Dtype = "float32"
			}
			if bytes > 0 {
				r.GBps = bytes / ns
			} else {
				r.GFlops = flops / ns
			}
			rows = append(rows, r)
		}
	}
	return append(rows, normals()...), nil
}

// normals times the normal generators per sample, in batches of 1024.
func normals() []Row {
	const n = 1024
	buf := make([]float64, n)
	s := rng.New(1, 2)
	fill := timeOp(func() { s.FillNorm(buf) }) / n
	r := rand.New(rand.NewPCG(1, 2))
	pcg := timeOp(func() {
		for i := range buf {
			buf[i] = r.NormFloat64()
		}
	}) / n
	global := timeOp(func() {
		for i := range buf {
			buf[i] = rand.NormFloat64()
		}
	}) / n
	return []Row{
		{Kernel: "normal", Impl: "rng", N: n, NsPerOp: fill, GBps: 8 / fill},
		{Kernel: "normal", Impl: "math/rand", N: n, NsPerOp: global, GBps: 8 / global},
		{Kernel: "normal", Impl: "math/rand+pcg", N: n, NsPerOp: pcg, GBps: 8 / pcg},
	}
}
