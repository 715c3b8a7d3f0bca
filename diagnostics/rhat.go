package diagnostics

import (
	"math"
	"slices"
)

// RHat returns the improved R-hat of Vehtari et al. (2021): the larger of
// the rank-normalized split R-hat (bulk) and the rank-normalized split R-hat
// of the folded draws |x − median| (tails; it catches chains that agree in
// location but not in scale). Values above 1.01 suggest the chains have not
// mixed. NaN when the draws cannot be assessed (see the package
// documentation); when the folded draws are all equal (the draws take only
// two values, symmetric about the median) the folded term carries no
// information and the bulk value is returned.
func RHat(draws [][]float64) float64 {
	w := newWorkspace(draws)
	if w == nil {
		return math.NaN()
	}
	return w.rhatImproved()
}

// rhatImproved is RHat on a filled workspace. It leaves the folded split
// draws, sorted, in w.sorted and their normal scores in w.z.
func (w *workspace) rhatImproved() float64 {
	bulk := w.rhat(w.bulk())
	if math.IsNaN(bulk) {
		return bulk
	}
	med := quantile(w.sorted, 0.5)
	k, m := w.k, w.m
	fold := func(j int, buf []float64) []float64 {
		x := w.split(j, buf)
		buf = buf[:len(x)]
		for i, v := range x {
			buf[i] = math.Abs(v - med)
		}
		return buf
	}
	w.sorted = w.sorted[:0]
	for j := range k {
		w.sorted = append(w.sorted, fold(j, w.work[0].buf)...)
	}
	slices.Sort(w.sorted)
	if w.sorted[0] == w.sorted[len(w.sorted)-1] {
		return bulk
	}
	r := w.newRanker(w.sorted, nil, k*m)
	w.zBulk = false
	w.parallel(k, func(wk *worker, lo, hi int) {
		for j := lo; j < hi; j++ {
			z := w.z[j*m : (j+1)*m]
			for i, v := range fold(j, wk.buf) {
				z[i] = r.normalScore(v)
			}
		}
	})
	return math.Max(bulk, w.rhat(w.z))
}

// rhat returns the split R-hat of x, w.k chains of w.m draws laid end to
// end (Gelman et al., BDA3, with split chains):
//
//	R̂ = √((m−1)/m + var(means)/W)
//
// with var(means) the variance of the chain means (divisor k−1) and W the
// mean within-chain variance (divisor m−1). NaN if x is constant; +Inf if
// every chain is constant but the chains differ.
func (w *workspace) rhat(x []float64) float64 {
	if !varies(x) {
		return math.NaN()
	}
	k, m := w.k, w.m
	within := 0.0
	for j := range k {
		c := x[j*m : (j+1)*m]
		w.means[j] = mean(c)
		within += sampleVarianceAround(c, w.means[j])
	}
	within /= float64(k)
	return math.Sqrt(float64(m-1)/float64(m) + sampleVariance(w.means)/within)
}

// mean returns the arithmetic mean of x.
func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// sampleVarianceAround returns Σ(x−mu)²/(len(x)−1).
func sampleVarianceAround(x []float64, mu float64) float64 {
	ss := 0.0
	for _, v := range x {
		d := v - mu
		ss += d * d
	}
	return ss / float64(len(x)-1)
}
