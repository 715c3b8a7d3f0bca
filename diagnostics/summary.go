package diagnostics

import (
	"fmt"
	"math"
)

// Summary gathers the usual posterior summary of one scalar quantity.
type Summary struct {
	Mean     float64 // mean of all draws
	SD       float64 // standard deviation of all draws (divisor N−1)
	ESSBulk  float64 // see ESSBulk
	ESSTail  float64 // see ESSTail
	RHat     float64 // see RHat
	MCSEMean float64 // see MCSEMean
}

// Summarize computes every field of Summary in one pass over shared scratch
// space; each diagnostic equals the function of the same name. Mean and SD
// are computed whenever there are draws (SD needs two); the diagnostics are
// NaN under the conditions in the package documentation.
func Summarize(draws [][]float64) Summary {
	var s Summarizer
	return s.Summarize(draws)
}

// A Summarizer computes the Summary of one quantity after another, reusing
// its scratch space (about 16 bytes a draw) from one to the next, and the
// processors to compute autocovariances and ranks; the results do not
// depend on the number of processors. The zero value is ready to use. A
// Summarizer must not be used by several goroutines at once.
type Summarizer struct {
	w workspace
}

// Summarize is the function Summarize, with s's scratch space.
func (s *Summarizer) Summarize(draws [][]float64) Summary {
	c, n := checkShape(draws)
	return s.summarize(source{c: c, n: n, rows: draws})
}

// SummarizeStrided is Summarize of the draws of a quantity that lie in a
// flat array: draw t of chain i is data[offset+(i*draws+t)*stride]. For
// samples in (chain, draw, dim) order, dimension j is
// SummarizeStrided(samples, chains, draws, dim, j). The draws are read in
// place, never copied whole. It panics if the last draw lies beyond data.
func (s *Summarizer) SummarizeStrided(data []float64, chains, draws, stride, offset int) Summary {
	if chains < 0 || draws < 0 || stride < 1 || offset < 0 ||
		chains*draws > 0 && offset+(chains*draws-1)*stride >= len(data) {
		panic(fmt.Sprintf("diagnostics: %d chains of %d draws at stride %d from %d lie beyond %d values",
			chains, draws, stride, offset, len(data)))
	}
	return s.summarize(source{c: chains, n: draws, flat: data, off: offset, stride: stride})
}

// summarize is Summarize of the draws in src.
func (s *Summarizer) summarize(src source) Summary {
	sum := Summary{
		Mean:     math.NaN(),
		SD:       math.NaN(),
		ESSBulk:  math.NaN(),
		ESSTail:  math.NaN(),
		RHat:     math.NaN(),
		MCSEMean: math.NaN(),
	}
	if src.c*src.n == 0 {
		return sum
	}
	w := &s.w
	if len(w.work) == 0 {
		w.work = make([]worker, 1)
	}
	w.work[0].buf = grow(w.work[0].buf, src.n)
	sum.Mean, sum.SD = meanSD(&src, w.work[0].buf)
	if !w.load(src) {
		return sum
	}
	// The order matters: rhatImproved reuses the sorted draws that the
	// tail quantiles need.
	sum.MCSEMean = sum.SD / math.Sqrt(w.ess(w.split))
	sum.ESSBulk = w.essBulk()
	sum.ESSTail = w.essTail()
	sum.RHat = w.rhatImproved()
	return sum
}

// MCSEMean returns the Monte Carlo standard error of the mean of the draws,
// SD/√ESS, with SD over all draws (divisor N−1) and ESS the plain split-chain
// ESS of the raw draws, as ArviZ's mcse(method="mean"). NaN when the draws
// cannot be assessed (see the package documentation).
func MCSEMean(draws [][]float64) float64 {
	w := newWorkspace(draws)
	if w == nil {
		return math.NaN()
	}
	_, sd := meanSD(&w.src, w.work[0].buf)
	return sd / math.Sqrt(w.ess(w.split))
}

// meanSD returns the mean and standard deviation (divisor N−1) of all
// draws; the SD is NaN for a single draw. buf (len ≥ src.n) is scratch.
func meanSD(src *source, buf []float64) (mu, sd float64) {
	cnt := 0
	for i := range src.c {
		d := src.span(i, 0, src.n, buf)
		for _, v := range d {
			mu += v
		}
		cnt += len(d)
	}
	mu /= float64(cnt)
	ss := 0.0
	for i := range src.c {
		for _, v := range src.span(i, 0, src.n, buf) {
			ss += (v - mu) * (v - mu)
		}
	}
	if cnt < 2 {
		return mu, math.NaN()
	}
	return mu, math.Sqrt(ss / float64(cnt-1))
}
