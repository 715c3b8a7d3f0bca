package diagnostics

import (
	"fmt"
	"math"
	"slices"
)

// workspace holds the split draws of one quantity and the scratch space the
// diagnostics share, so that Summarize allocates a fixed number of times
// whatever the number of draws.
type workspace struct {
	k, m   int       // split chains, draws per split chain
	raw    []float64 // k×m split draws, split chain j at [j*m, (j+1)*m)
	tmp    []float64 // k×m transformed split draws
	z      []float64 // k×m rank-normalized split draws, once bulk is called
	sorted []float64 // every input draw (middle ones included), sorted
	order  []ranked  // k×m scratch for ranking
	acov   []float64 // k×m autocovariances, chain j at [j*m, (j+1)*m)
	means  []float64 // k chain means
	rho    []float64 // m+1 autocorrelations for Geyer's estimator
	ac     autocov
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

// newWorkspace validates draws and fills a workspace with their split
// chains and sorted values. It returns nil when no diagnostic can be
// computed: no chains, fewer than 4 draws per chain, or a non-finite draw.
func newWorkspace(draws [][]float64) *workspace {
	c, n := checkShape(draws)
	if c == 0 || n < 4 {
		return nil
	}
	for _, d := range draws {
		for _, v := range d {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil
			}
		}
	}
	k, m := 2*c, n/2
	w := &workspace{
		k:      k,
		m:      m,
		raw:    make([]float64, k*m),
		tmp:    make([]float64, k*m),
		z:      make([]float64, 0, k*m),
		sorted: make([]float64, 0, c*n),
		order:  make([]ranked, k*m),
		acov:   make([]float64, k*m),
		means:  make([]float64, k),
		rho:    make([]float64, m+1),
	}
	for j, d := range draws {
		// First half d[:m], second half d[n−m:]; for odd n the middle
		// draw d[m] belongs to neither.
		copy(w.raw[2*j*m:], d[:m])
		copy(w.raw[(2*j+1)*m:], d[n-m:])
		w.sorted = append(w.sorted, d...)
	}
	slices.Sort(w.sorted)
	return w
}

// splitInto writes f(x) for every split draw x into dst (k×m).
func (w *workspace) splitInto(dst []float64, f func(float64) float64) {
	for i, v := range w.raw {
		dst[i] = f(v)
	}
}

// bulk returns the rank-normalized split draws, computing them on first use.
func (w *workspace) bulk() []float64 {
	if len(w.z) == 0 {
		w.z = w.z[:len(w.raw)]
		rankNormalize(w.z, w.raw, w.order)
	}
	return w.z
}
