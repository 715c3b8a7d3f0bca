package diagnostics

import "math"

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
	s := Summary{
		Mean:     math.NaN(),
		SD:       math.NaN(),
		ESSBulk:  math.NaN(),
		ESSTail:  math.NaN(),
		RHat:     math.NaN(),
		MCSEMean: math.NaN(),
	}
	c, n := checkShape(draws)
	if c*n == 0 {
		return s
	}
	s.Mean, s.SD = meanSD(draws)
	w := newWorkspace(draws)
	if w == nil {
		return s
	}
	s.MCSEMean = s.SD / math.Sqrt(w.ess(w.raw))
	s.ESSBulk = w.essBulk()
	s.ESSTail = w.essTail()
	s.RHat = w.rhatImproved()
	return s
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
	_, sd := meanSD(draws)
	return sd / math.Sqrt(w.ess(w.raw))
}

// meanSD returns the mean and standard deviation (divisor N−1) of all
// draws; the SD is NaN for a single draw.
func meanSD(draws [][]float64) (mu, sd float64) {
	cnt := 0
	for _, d := range draws {
		for _, v := range d {
			mu += v
		}
		cnt += len(d)
	}
	mu /= float64(cnt)
	ss := 0.0
	for _, d := range draws {
		for _, v := range d {
			ss += (v - mu) * (v - mu)
		}
	}
	if cnt < 2 {
		return mu, math.NaN()
	}
	return mu, math.Sqrt(ss / float64(cnt-1))
}
