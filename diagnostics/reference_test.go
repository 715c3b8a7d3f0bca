package diagnostics

// This file keeps the implementation of Summarize as it was before the
// workspace was made reusable and rank normalization stopped sorting
// (value, index) pairs: a straightforward reference that the tests compare
// the real one with, bit for bit.

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/stat/distuv"
)

// refWorkspace holds the split draws of one quantity and the scratch space the
// diagnostics share, so that refSummarize allocates a fixed number of times
// whatever the number of draws.
type refWorkspace struct {
	k, m   int         // split chains, draws per split chain
	raw    []float64   // k×m split draws, split chain j at [j*m, (j+1)*m)
	tmp    []float64   // k×m transformed split draws
	z      []float64   // k×m rank-normalized split draws, once refBulk is called
	sorted []float64   // every input draw (middle ones included), sorted
	order  []refRanked // k×m scratch for ranking
	acov   []float64   // k×m autocovariances, chain j at [j*m, (j+1)*m)
	means  []float64   // k chain means
	rho    []float64   // m+1 autocorrelations for Geyer's estimator
	ac     refAutocov
}

// refCheckShape returns the number of chains and of draws per chain, and
// panics if the chains differ in length.
func refCheckShape(draws [][]float64) (chains, n int) {
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

// refNewWorkspace validates draws and fills a refWorkspace with their split
// chains and sorted values. It returns nil when no diagnostic can be
// computed: no chains, fewer than 4 draws per chain, or a non-finite draw.
func refNewWorkspace(draws [][]float64) *refWorkspace {
	c, n := refCheckShape(draws)
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
	w := &refWorkspace{
		k:      k,
		m:      m,
		raw:    make([]float64, k*m),
		tmp:    make([]float64, k*m),
		z:      make([]float64, 0, k*m),
		sorted: make([]float64, 0, c*n),
		order:  make([]refRanked, k*m),
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

// refSplitInto writes f(x) for every split draw x into dst (k×m).
func (w *refWorkspace) refSplitInto(dst []float64, f func(float64) float64) {
	for i, v := range w.raw {
		dst[i] = f(v)
	}
}

// refBulk returns the rank-normalized split draws, computing them on first use.
func (w *refWorkspace) refBulk() []float64 {
	if len(w.z) == 0 {
		w.z = w.z[:len(w.raw)]
		refRankNormalize(w.z, w.raw, w.order)
	}
	return w.z
}

// refRanked pairs a value with its position, for sorting.
type refRanked struct {
	v float64
	i int
}

// refRankNormalize writes into dst the normal scores of src: each value is
// replaced by its rank r among all of src (1-based; tied values share the
// average of their ranks) and then by Φ⁻¹((r − 3/8)/(S + 1/4)), S = len(src),
// the Blom offset used by Vehtari et al. (2021). order is scratch space of
// len(src). src must hold no NaN.
func refRankNormalize(dst, src []float64, order []refRanked) {
	for i, v := range src {
		order[i] = refRanked{v, i}
	}
	slices.SortFunc(order, func(a, b refRanked) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	s := float64(len(src))
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && order[j].v == order[i].v {
			j++
		}
		// The tied block holds ranks i+1 … j; their average is (i+1+j)/2.
		r := float64(i+1+j) / 2
		z := distuv.UnitNormal.Quantile((r - 0.375) / (s + 0.25))
		for _, o := range order[i:j] {
			dst[o.i] = z
		}
		i = j
	}
}

// refQuantile returns the p-refQuantile of the sorted values by linear
// interpolation between order statistics (R's type 7, NumPy's default):
// h = (n−1)p, q = s[⌊h⌋] + (h − ⌊h⌋)(s[⌊h⌋+1] − s[⌊h⌋]).
func refQuantile(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// refVaries reports whether x holds at least two different values.
func refVaries(x []float64) bool {
	for _, v := range x[1:] {
		if v != x[0] {
			return true
		}
	}
	return false
}

// refEssBulk is ESSBulk on a filled refWorkspace.
func (w *refWorkspace) refEssBulk() float64 {
	return w.refEss(w.refBulk())
}

// refEssTail is ESSTail on a filled refWorkspace.
func (w *refWorkspace) refEssTail() float64 {
	e := math.Inf(1)
	for _, p := range [...]float64{0.05, 0.95} {
		q := refQuantile(w.sorted, p)
		w.refSplitInto(w.tmp, func(v float64) float64 {
			if v <= q {
				return 1
			}
			return 0
		})
		// math.Min keeps a NaN.
		e = math.Min(e, w.refEss(w.tmp))
	}
	return e
}

// refEss returns the effective sample size of x, w.k chains of w.m draws laid
// end to end, by Geyer's initial monotone sequence estimator as Stan and
// Vehtari et al. (2021, §3.2) define it. NaN if x is constant.
//
// With W the refMean within-chain variance (divisor m−1), var⁺ = W(m−1)/m + B/m
// (B/m the variance of the chain means) and c̄_t the refMean over chains of the
// lag-t autocovariance, the combined autocorrelation is
// ρ_t = 1 − (W − c̄_t)/var⁺. Pairs P_k = ρ_{2k} + ρ_{2k+1} are summed while
// positive (never using the last two lags); the pairs are made monotone;
// τ = −1 + 2 Σ_{k<K} P_k + ρ_{2K}, where K is the last pair evaluated
// (the first non-positive one, or the last the length allows) and ρ_{2K},
// its even member, is taken as 0 when P_K < 0 and ρ_{2K} ≤ 0; this last
// term reduces the variance for antithetic chains. Finally τ ≥ 1/log₁₀(N),
// so ESS = N/τ ≤ N·log₁₀(N) with N = k·m, as Stan and ArviZ: an ESS above
// the number of draws is real for antithetic chains (NUTS often gives
// them), where the refMean's error is smaller than that of independent draws.
//
// ESS is NaN, not a number that says nothing, when no split chain refVaries
// (chains that never moved, however their positions differ: all of var⁺ is
// between chains, and nothing is known of the autocorrelation) and when a
// split chain has fewer than 6 draws (Geyer's sequence has no room to
// start).
//
// This is the indexing of the posterior R package and ArviZ. Stan's C++
// (stan/analyze/mcmc) agrees whenever the sum ends on a non-positive pair;
// when it ends on length instead, Stan counts ρ_{2K} three times and
// drops ρ_{2K+1}, and with fewer than six draws per split chain it gives
// τ = 2 where this gives the cap.
func (w *refWorkspace) refEss(x []float64) float64 {
	k, m := w.k, w.m
	moved := false
	for j := range k {
		if refVaries(x[j*m : (j+1)*m]) {
			moved = true
			break
		}
	}
	if !moved {
		return math.NaN()
	}
	for j := range k {
		w.means[j] = w.ac.compute(w.acov[j*m:(j+1)*m], x[j*m:(j+1)*m])
	}
	return w.refEssFromAutocov()
}

// refEssFromAutocov is the part of refEss after w.acov and w.means are filled.
func (w *refWorkspace) refEssFromAutocov() float64 {
	k, m := w.k, w.m
	if m < 6 {
		return math.NaN()
	}
	meanVar := 0.0
	for j := range k {
		meanVar += w.acov[j*m]
	}
	meanVar = meanVar / float64(k) * float64(m) / float64(m-1)
	varPlus := meanVar*float64(m-1)/float64(m) + refSampleVariance(w.means)

	rhoAt := func(t int) float64 {
		s := 0.0
		for j := range k {
			s += w.acov[j*m+t]
		}
		return 1 - (meanVar-s/float64(k))/varPlus
	}
	rho := w.rho
	clear(rho)
	even, odd := 1.0, rhoAt(1)
	rho[0], rho[1] = even, odd
	// Initial positive sequence: add pairs while the previous pair is
	// positive, stopping short of the last two lags. A negative pair is
	// evaluated (it ends the loop) but not stored.
	t := 1
	for t < m-4 && even+odd > 0 {
		even, odd = rhoAt(t+1), rhoAt(t+2)
		if even+odd >= 0 {
			rho[t+1], rho[t+2] = even, odd
		}
		t += 2
	}
	last := t - 1 // lag of the even member of the last pair evaluated
	if even > 0 {
		rho[last] = even
	}
	// Initial monotone sequence over the pairs before the last one.
	for i := 1; i+2 < last; i += 2 {
		if prev := rho[i-1] + rho[i]; rho[i+1]+rho[i+2] > prev {
			rho[i+1], rho[i+2] = prev/2, prev/2
		}
	}
	sum := 0.0
	for _, r := range rho[:last] {
		sum += r
	}
	n := float64(k * m)
	tau := math.Max(-1+2*sum+rho[last], 1/math.Log10(n))
	return n / tau // NaN only if an autocorrelation was NaN
}

// refSampleVariance returns the variance of x with divisor len(x)−1.
func refSampleVariance(x []float64) float64 {
	return refSampleVarianceAround(x, refMean(x))
}

// refRhatImproved is RHat on a filled refWorkspace.
func (w *refWorkspace) refRhatImproved() float64 {
	bulk := w.refRhat(w.refBulk())
	if math.IsNaN(bulk) {
		return bulk
	}
	med := refQuantile(w.sorted, 0.5)
	w.refSplitInto(w.tmp, func(v float64) float64 { return math.Abs(v - med) })
	if !refVaries(w.tmp) {
		return bulk
	}
	refRankNormalize(w.tmp, w.tmp, w.order)
	return math.Max(bulk, w.refRhat(w.tmp))
}

// refRhat returns the split R-hat of x, w.k chains of w.m draws laid end to
// end (Gelman et al., BDA3, with split chains):
//
//	R̂ = √((m−1)/m + var(means)/W)
//
// with var(means) the variance of the chain means (divisor k−1) and W the
// refMean within-chain variance (divisor m−1). NaN if x is constant; +Inf if
// every chain is constant but the chains differ.
func (w *refWorkspace) refRhat(x []float64) float64 {
	if !refVaries(x) {
		return math.NaN()
	}
	k, m := w.k, w.m
	within := 0.0
	for j := range k {
		c := x[j*m : (j+1)*m]
		w.means[j] = refMean(c)
		within += refSampleVarianceAround(c, w.means[j])
	}
	within /= float64(k)
	return math.Sqrt(float64(m-1)/float64(m) + refSampleVariance(w.means)/within)
}

// refMean returns the arithmetic refMean of x.
func refMean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// refSampleVarianceAround returns Σ(x−mu)²/(len(x)−1).
func refSampleVarianceAround(x []float64, mu float64) float64 {
	ss := 0.0
	for _, v := range x {
		d := v - mu
		ss += d * d
	}
	return ss / float64(len(x)-1)
}

// refSummarize computes every field of Summary in one pass over shared scratch
// space; each diagnostic equals the function of the same name. Mean and SD
// are computed whenever there are draws (SD needs two); the diagnostics are
// NaN under the conditions in the package documentation.
func refSummarize(draws [][]float64) Summary {
	s := Summary{
		Mean:     math.NaN(),
		SD:       math.NaN(),
		ESSBulk:  math.NaN(),
		ESSTail:  math.NaN(),
		RHat:     math.NaN(),
		MCSEMean: math.NaN(),
	}
	c, n := refCheckShape(draws)
	if c*n == 0 {
		return s
	}
	s.Mean, s.SD = refMeanSD(draws)
	w := refNewWorkspace(draws)
	if w == nil {
		return s
	}
	s.MCSEMean = s.SD / math.Sqrt(w.refEss(w.raw))
	s.ESSBulk = w.refEssBulk()
	s.ESSTail = w.refEssTail()
	s.RHat = w.refRhatImproved()
	return s
}

// refMeanSD returns the refMean and standard deviation (divisor N−1) of all
// draws; the SD is NaN for a single draw.
func refMeanSD(draws [][]float64) (mu, sd float64) {
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

// refAutocov holds the FFT plan and scratch space for autocovariances of
// sequences of one length, so that repeated calls do not allocate.
type refAutocov struct {
	n    int
	fft  *fourier.FFT
	pad  []float64
	coef []complex128
}

// compute writes the autocovariance of x into dst (len(dst) == len(x) > 0)
// and returns the mean of x.
func (a *refAutocov) compute(dst, x []float64) float64 {
	n := len(x)
	if len(dst) != n {
		panic("diagnostics: autocovariance length mismatch")
	}
	if a.n != n || a.fft == nil {
		l := refNextFFTSize(2 * n)
		a.n = n
		a.fft = fourier.NewFFT(l)
		a.pad = make([]float64, l)
		a.coef = make([]complex128, l/2+1)
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	for i, v := range x {
		a.pad[i] = v - mean
	}
	clear(a.pad[n:])
	coef := a.fft.Coefficients(a.coef, a.pad)
	for i, c := range coef {
		coef[i] = complex(real(c)*real(c)+imag(c)*imag(c), 0)
	}
	seq := a.fft.Sequence(a.pad, coef)
	// The inverse transform is unnormalized (a factor len(pad)); the
	// estimator divides by n.
	scale := 1 / (float64(len(a.pad)) * float64(n))
	for t := range dst {
		dst[t] = seq[t] * scale
	}
	return mean
}

// refNextFFTSize returns the smallest integer ≥ n whose only prime factors
// are 2, 3 and 5, the lengths the FFT handles fastest.
func refNextFFTSize(n int) int {
	if n <= 2 {
		return 2
	}
	for ; ; n++ {
		m := n
		for _, p := range [...]int{2, 3, 5} {
			for m%p == 0 {
				m /= p
			}
		}
		if m == 1 {
			return n
		}
	}
}
