package diagnostics

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// source is a read-only view of the draws of one quantity: c chains of n
// draws, either rows ([chain][draw]) or a flat array in which draw t of
// chain i is flat[off+(i*n+t)*stride].
type source struct {
	c, n        int
	rows        [][]float64
	flat        []float64
	off, stride int
}

// span returns draws lo…hi−1 of chain i: a subslice of the rows, or the
// strided draws gathered into buf (len(buf) ≥ hi−lo). The result must not
// be written to unless it is buf.
func (s *source) span(i, lo, hi int, buf []float64) []float64 {
	if s.rows != nil {
		return s.rows[i][lo:hi]
	}
	buf = buf[:hi-lo]
	p := s.off + (i*s.n+lo)*s.stride
	for t := range buf {
		buf[t] = s.flat[p]
		p += s.stride
	}
	return buf
}

// workspace holds one quantity's view and the scratch space the
// diagnostics share. It is reused from one quantity to the next (see
// Summarizer), so that summarizing many quantities allocates only when a
// quantity needs more room than the last.
//
// The split chains are never copied: split chain 2i is draws 0…m−1 of
// chain i and split chain 2i+1 its last m draws (for odd n the middle draw
// belongs to neither); split reads them from the source.
type workspace struct {
	src    source
	k, m   int       // split chains, draws per split chain
	sorted []float64 // every draw (middle ones included), sorted; the folded split draws once rhatImproved has run
	mid    []float64 // the middle draws of odd-length chains, sorted
	z      []float64 // k×m rank-normalized split draws, split chain j at [j*m, (j+1)*m)
	zBulk  bool      // z holds the rank-normalized split draws
	acov   []float64 // m: Σ over split chains (in order) of their lag-t autocovariances
	batch  []float64 // autocovariances of a batch of split chains, m each
	means  []float64 // k chain means
	rho    []float64 // m+1 autocorrelations for Geyer's estimator
	bins   []int     // rank lookup table (see ranker)
	work   []worker  // per-goroutine scratch
}

// worker is the scratch space of one goroutine.
type worker struct {
	ac  autocov
	buf []float64 // one chain's draws
}

// checkShape returns the number of chains and of draws per chain, and
// panics if the chains differ in length.
func checkShape(draws [][]float64) (chains, n int) {
	if len(draws) == 0 {
		return 0, 0
	}
	n = len(draws[0])
	for j, d := range draws[1:] {
		if len(d) != n {
			panic(fmt.Sprintf("diagnostics: ragged draws: chain %d has %d draws, chain 0 has %d", j+1, len(d), n))
		}
	}
	return len(draws), n
}

// newWorkspace validates draws and returns a workspace over them (see
// load), or nil when no diagnostic can be computed.
func newWorkspace(draws [][]float64) *workspace {
	c, n := checkShape(draws)
	w := new(workspace)
	if !w.load(source{c: c, n: n, rows: draws}) {
		return nil
	}
	return w
}

// maxWorkerBytes bounds the scratch space of the goroutines that compute
// autocovariances in parallel; one goroutine is always allowed.
const maxWorkerBytes = 256 << 20

// maxBatchBytes bounds the autocovariances kept at once (a variable so
// that tests can make batches small).
var maxBatchBytes = 32 << 20

// load points w at src, sizes the scratch space and fills the sorted draws.
// It reports false when no diagnostic can be computed: no chains, fewer
// than 4 draws per chain, or a non-finite draw.
func (w *workspace) load(src source) bool {
	c, n := src.c, src.n
	if c == 0 || n < 4 {
		return false
	}
	k, m := 2*c, n/2
	w.src, w.k, w.m, w.zBulk = src, k, m, false

	// Goroutines: one per processor, fewer when one chain's FFT scratch
	// (about 12 floats per draw of the padded sequence) is large.
	nw := min(runtime.GOMAXPROCS(0), k, max(1, maxWorkerBytes/(8*(12*m+1))))
	if len(w.work) < nw {
		w.work = append(w.work, make([]worker, nw-len(w.work))...)
	}
	w.work = w.work[:nw]
	for i := range w.work {
		w.work[i].buf = grow(w.work[i].buf, n)
	}
	buf := w.work[0].buf

	// Sized at once: growing by append would leave garbage several times
	// the draws' size.
	w.sorted = grow(w.sorted, c*n)[:0]
	for i := range c {
		d := src.span(i, 0, n, buf)
		for _, v := range d {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
		w.sorted = append(w.sorted, d...)
	}
	slices.Sort(w.sorted)
	w.mid = w.mid[:0]
	if n%2 == 1 {
		for i := range c {
			w.mid = append(w.mid, src.span(i, m, m+1, buf)[0])
		}
		slices.Sort(w.mid)
	}
	w.z = grow(w.z, k*m)
	w.acov = grow(w.acov, m)
	w.batch = grow(w.batch, max(nw, min(k, maxBatchBytes/(8*m)))*m)
	w.means = grow(w.means, k)
	w.rho = grow(w.rho, m+1)
	return true
}

// grow returns s resliced to length n, reallocated if its capacity is
// short. The contents are unspecified.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// split returns split chain j (m draws), reading it from the source; buf
// (len ≥ m) is used when the draws must be gathered.
func (w *workspace) split(j int, buf []float64) []float64 {
	lo := 0
	if j%2 == 1 {
		lo = w.src.n - w.m
	}
	return w.src.span(j/2, lo, lo+w.m, buf)
}

// parallel splits [0, n) into one contiguous range per worker and calls
// f(worker, lo, hi) for each, concurrently; it returns when all are done.
func (w *workspace) parallel(n int, f func(wk *worker, lo, hi int)) {
	nw := min(len(w.work), n)
	if nw <= 1 {
		f(&w.work[0], 0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range nw {
		wg.Go(func() { f(&w.work[i], i*n/nw, (i+1)*n/nw) })
	}
	wg.Wait()
}

// bulk returns the rank-normalized split draws, computing them on first use.
func (w *workspace) bulk() []float64 {
	if !w.zBulk {
		r := w.newRanker(w.sorted, w.mid, w.k*w.m)
		w.parallel(w.k, func(wk *worker, lo, hi int) {
			for j := lo; j < hi; j++ {
				z := w.z[j*w.m : (j+1)*w.m]
				for i, v := range w.split(j, wk.buf) {
					z[i] = r.normalScore(v)
				}
			}
		})
		w.zBulk = true
	}
	return w.z
}
