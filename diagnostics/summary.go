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
	MCSESD   float64 // see MCSESD
	Q5       float64 // 5 % quantile of all draws (see Quantile)
	Q50      float64 // median of all draws
	Q95      float64 // 95 % quantile of all draws
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
		MCSESD:   math.NaN(),
		Q5:       math.NaN(),
		Q50:      math.NaN(),
		Q95:      math.NaN(),
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
	// quantiles need.
	sum.Q5, sum.Q50, sum.Q95 = quantile(w.sorted, 0.05), quantile(w.sorted, 0.5), quantile(w.sorted, 0.95)
	ess := w.ess(w.split)
	sum.MCSEMean = sum.SD / math.Sqrt(ess)
	sum.MCSESD = mcseSD(&src, w.work[0].buf, sum.Mean, ess)
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

// MCSESD returns the Monte Carlo standard error of the standard deviation
// of the draws, as ArviZ's mcse(method="sd") (arviz 0.17 and later):
// with μ the mean of all N draws, c_i = (x_i − μ)², Ē = Σc_i/N,
// var(var) = (Σc_i²/N − Ē²)/ESS (Kenney and Keeping's variance of the
// variance estimate) and, to first order, var(sd) = var(var)/(4Ē), so
//
//	MCSESD = √((Σc_i²/N − Ē²) / (4·Ē·ESS)),
//
// where ESS is the plain split-chain ESS of the raw draws (the one of
// MCSEMean). The posterior R package takes the ESS of the c_i instead.
// NaN when the draws cannot be assessed (see the package documentation).
func MCSESD(draws [][]float64) float64 {
	w := newWorkspace(draws)
	if w == nil {
		return math.NaN()
	}
	mu, _ := meanSD(&w.src, w.work[0].buf)
	return mcseSD(&w.src, w.work[0].buf, mu, w.ess(w.split))
}

// Quantile returns the p-quantile of all draws (every chain, middle draws
// included), by linear interpolation between order statistics (R's type 7,
// NumPy's default, as ArviZ's and stansummary's quantile columns). NaN
// when the draws cannot be assessed (see the package documentation).
func Quantile(draws [][]float64, p float64) float64 {
	w := newWorkspace(draws)
	if w == nil || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	return quantile(w.sorted, p)
}

// mcseSD is MCSESD of the draws in src, whose mean is mu and plain ESS ess;
// buf (len ≥ src.n) is scratch.
func mcseSD(src *source, buf []float64, mu, ess float64) float64 {
	s2, s4 := 0.0, 0.0
	for i := range src.c {
		for _, v := range src.span(i, 0, src.n, buf) {
			c := (v - mu) * (v - mu)
			s2 += c
			s4 += c * c
		}
	}
	n := float64(src.c * src.n)
	ev := s2 / n
	return math.Sqrt((s4/n - ev*ev) / ess / ev / 4)
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
