package bench

import (
	"fmt"
	"runtime"

	"github.com/goebm/ebm/simd"
)

// The limits a row's share is taken of (Row.Limit).
const (
	LimitFMAPeak = "fma_peak" // float64 FMA peak per core of the row's implementation, times Row.Cores
	// LimitFMAPeak32 is the float32 FMA peak per core of the row's
	// implementation (the float32 kernel rows, one core).
	LimitFMAPeak32 = "fma_peak_f32"
	LimitCopyBW    = "copy_bw" // the bandwidth of a copy of the same n (copy/go rows), else of copy_64mib
)

// copyN is the float64 length of the limit's copy and read rows: 64 MiB
// per slice, far beyond any cache, so that they measure memory.
// (A variable so that tests can shorten it.)
var copyN = 8 << 20

// peakIters is how many rounds one call of a peak loop runs: some
// hundreds of microseconds, long against the call and short against
// minTime.
const peakIters = 1 << 15

// Limits are the machine's limits as measured by MeasureLimits.
type Limits struct {
	// PeakGFlops is the float64 FMA peak per core of each implementation
	// that has a peak loop, in GFLOP/s.
	PeakGFlops map[string]float64
	// PeakGFlops32 is the float32 FMA peak per core of each implementation
	// that has a peak loop, in GFLOP/s: its fma_peak_f32 row, or for an
	// implementation without a float32 loop (generic: Go has no float32
	// FMA) its float64 peak, since its float32 kernels compile to the same
	// scalar multiplies and adds at the same rate.
	PeakGFlops32 map[string]float64
	// CopyGBps is the bandwidth of copy_64mib: bytes read plus written
	// per second / 1e9.
	CopyGBps float64
}

// MeasureLimits times (fastest of the reps: see timeBest) the peak loops of package simd (simd.PeakKernels:
// rows "fma_peak_f64" and "fma_peak_f32" per implementation, on one
// goroutine, so per core, 2 flops per lane and FMA) and two streams of 64
// MiB (copyN float64s): "copy_64mib" (Go's copy, a memmove; bytes read
// plus written) and "read_64mib" (simd.SumSq in the chosen
// implementation: a read-only stream). avx512 appears where the CPU has
// it even before a kernel table does: the peak it would be judged by.
func MeasureLimits() ([]Row, Limits) {
	lim := Limits{PeakGFlops: map[string]float64{}, PeakGFlops32: map[string]float64{}}
	var rows []Row
	for _, p := range simd.PeakKernels() {
		acc := make([]float64, p.Len())
		for i := range acc {
			acc[i] = float64(i)
		}
		ns := timeBest(func() { p.Run(acc, 1, 1e-9, peakIters) })
		flops := 2 * float64(p.Len()) * peakIters
		lim.PeakGFlops[p.Impl] = flops / ns
		rows = append(rows, Row{Kernel: "fma_peak_f64", Impl: p.Impl, N: peakIters, NsPerOp: ns,
			GFlops: flops / ns, Dtype: "float64", What: p.What})
		if p.Lanes32 == 0 {
			lim.PeakGFlops32[p.Impl] = flops / ns
			continue
		}
		acc32 := make([]float32, p.Len32())
		ns = timeBest(func() { p.Run32(acc32, 1, 1e-9, peakIters) })
		flops = 2 * float64(p.Len32()) * peakIters
		lim.PeakGFlops32[p.Impl] = flops / ns
		rows = append(rows, Row{Kernel: "fma_peak_f32", Impl: p.Impl, N: peakIters, NsPerOp: ns,
			GFlops: flops / ns, Dtype: "float32", What: p.What32})
	}
	x, y := vec(copyN), make([]float64, copyN)
	copy(y, x) // fault the pages in before timing
	ns := timeBest(func() { copy(y, x) })
	lim.CopyGBps = 16 * float64(copyN) / ns
	out := make([]float64, 1)
	nsRead := timeBest(func() { out[0] = simd.SumSq(x) })
	return append(rows,
		Row{Kernel: "copy_64mib", Impl: "go", N: copyN, NsPerOp: ns, GBps: lim.CopyGBps, What: "copy (memmove), read+write bytes"},
		Row{Kernel: "read_64mib", Impl: simd.Chosen(), N: copyN, NsPerOp: nsRead, GBps: 8 * float64(copyN) / nsRead, What: "simd.SumSq, bytes read"},
	), lim
}

// bound says which limit a kernel row is judged by and on how many cores
// it runs; rows of smaller n (in cache) are judged by none.
type bound struct {
	limit string
	minN  int
	cores func() int // nil: one
}

// bounds lists the rows that have a share: the compute-bound ones (the
// matrix products and the MLP workloads, against the FMA peak of their
// implementation times the cores they use) and the memory-bound ones at 1M
// values (against the copy of 1M values in the same rows: slices of 8 MiB
// that a large last-level cache partly holds, which copy_64mib's do not;
// a kernel that mostly reads, like dot, may exceed a copy).
var bounds = map[string]bound{
	"matmul_k128_n128":    {LimitFMAPeak, 1024, nil},
	"matmul_bt_k128_n128": {LimitFMAPeak, 1024, nil},
	"matmul_at_m128_n128": {LimitFMAPeak, 1024, nil},
	// the float32 products, against the float32 peak
	"matmul32_k128_n128":    {LimitFMAPeak32, 1024, nil},
	"matmul32_k784_n512":    {LimitFMAPeak32, 128, nil},
	"matmul32_bt_k128_n128": {LimitFMAPeak32, 1024, nil},
	"matmul32_at_m128_n128": {LimitFMAPeak32, 1024, nil},
	// mlp's Gradient splits 1024 rows over min(GOMAXPROCS, 4) goroutines
	// (energies/mlp: blocks of at least 256 rows).
	"mlp_grad_b1024": {LimitFMAPeak, 0, func() int { return min(runtime.GOMAXPROCS(0), 4) }},
	// the score-matching objectives run shards of 128 rows in parallel.
	"dsm_step_b256":        {LimitFMAPeak, 0, func() int { return min(runtime.GOMAXPROCS(0), 2) }},
	"mlp784_dsm_step_b128": {LimitFMAPeak, 0, nil},
	// pcd's sampler calls mlp's Gradient on 256 rows (one goroutine) and
	// its loss runs on one graph.
	"pcd_step_b256_k20": {LimitFMAPeak, 0, nil},
	// convnet records a chunk of 128 images on one graph whose
	// convolutions and activations are split over GOMAXPROCS goroutines
	// (energies/convnet: from 32 rows on); the DSM step's batch is one
	// objective shard, whose graph splits over the spare cores the same
	// way (objectives' scorer).
	"conv_grad_b128":     {LimitFMAPeak, 0, func() int { return runtime.GOMAXPROCS(0) }},
	"conv_dsm_step_b128": {LimitFMAPeak, 0, func() int { return runtime.GOMAXPROCS(0) }},
	"dot":                {LimitCopyBW, 1 << 20, nil},
	"axpy":               {LimitCopyBW, 1 << 20, nil},
	"langevin":           {LimitCopyBW, 1 << 20, nil},
	"position":           {LimitCopyBW, 1 << 20, nil},
}

// Annotate sets Limit, Share and Cores of the rows judged by a limit (see
// bounds), in place, and returns rows. A memory-bound row is judged by the
// "copy" row of impl "go" and the same n among rows where there is one
// (Kernels has them), else by CopyGBps. A row whose implementation has no
// measured peak, or a limit not measured, keeps no share.
func (l Limits) Annotate(rows []Row) []Row {
	copyAt := map[int]float64{}
	for _, r := range rows {
		if r.Kernel == "copy" && r.Impl == "go" && r.GBps > 0 {
			copyAt[r.N] = r.GBps
		}
	}
	for i := range rows {
		r := &rows[i]
		b, ok := bounds[r.Kernel]
		if !ok || r.N < b.minN {
			continue
		}
		switch b.limit {
		case LimitFMAPeak, LimitFMAPeak32:
			limit := b.limit
			if r.Dtype == "float32" { // a learnable-energy row in float32
				limit = LimitFMAPeak32
			}
			peak, ok := l.PeakGFlops[r.Impl]
			if limit == LimitFMAPeak32 {
				peak, ok = l.PeakGFlops32[r.Impl]
			}
			if !ok || !(peak > 0) || !(r.GFlops > 0) {
				continue
			}
			cores := 1
			if b.cores != nil {
				cores = b.cores()
				if r.Workers > 0 { // timed under GOMAXPROCS = Workers
					cores = min(cores, r.Workers)
				}
			}
			r.Limit, r.Cores, r.Share = limit, cores, r.GFlops/(peak*float64(cores))
		case LimitCopyBW:
			bw, ok := copyAt[r.N]
			if !ok {
				bw = l.CopyGBps
			}
			if !(bw > 0) || !(r.GBps > 0) {
				continue
			}
			r.Limit, r.Cores, r.Share = b.limit, 1, r.GBps/bw
		}
	}
	return rows
}

// shareString is the text table's share column: "83% of fma_peak" (×cores
// when more than one).
func (r Row) shareString() string {
	if r.Limit == "" {
		return ""
	}
	s := fmt.Sprintf("  %4.0f%% of %s", 100*r.Share, r.Limit)
	if r.Cores > 1 {
		s += fmt.Sprintf("×%d", r.Cores)
	}
	return s
}
