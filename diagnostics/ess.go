package diagnostics

import "math"

// ESS returns the plain split-chain effective sample size of the draws,
// without rank normalization: the ESS that governs the Monte Carlo error
// of the mean when the variance is finite. It is NaN when the draws cannot
// be assessed (see the package documentation).
func ESS(draws [][]float64) float64 {
	w := newWorkspace(draws)
	if w == nil {
		return math.NaN()
	}
	return w.ess(w.split)
}

// ESSBulk returns the bulk effective sample size: the split-chain ESS of
// the rank-normalized draws (Vehtari et al. 2021, §4.2). It is well defined
// even when the draws have no finite mean or variance. NaN when the draws
// cannot be assessed.
func ESSBulk(draws [][]float64) float64 {
	w := newWorkspace(draws)
	if w == nil {
		return math.NaN()
	}
	return w.essBulk()
}

// ESSTail returns the tail effective sample size: the smaller of the
// split-chain ESSs of the indicators I(x ≤ q05) and I(x ≤ q95), where the
// quantiles are those of all draws (type-7 interpolation). It is NaN when
// the draws cannot be assessed, or when an indicator is constant (more than
// 95% of the draws tie at one extreme).
func ESSTail(draws [][]float64) float64 {
	w := newWorkspace(draws)
	if w == nil {
		return math.NaN()
	}
	return w.essTail()
}

// essBulk is ESSBulk on a filled workspace.
func (w *workspace) essBulk() float64 {
	z := w.bulk()
	return w.ess(func(j int, _ []float64) []float64 { return z[j*w.m : (j+1)*w.m] })
}

// essTail is ESSTail on a filled workspace.
func (w *workspace) essTail() float64 {
	e := math.Inf(1)
	for _, p := range [...]float64{0.05, 0.95} {
		q := quantile(w.sorted, p)
		ind := func(j int, buf []float64) []float64 {
			x := w.split(j, buf)
			buf = buf[:len(x)]
			for i, v := range x {
				if v <= q {
					buf[i] = 1
				} else {
					buf[i] = 0
				}
			}
			return buf
		}
		// math.Min keeps a NaN.
		e = math.Min(e, w.ess(ind))
	}
	return e
}

// ess returns the effective sample size of the w.k split chains of w.m
// values that chain(j, buf) returns (buf, of len ≥ w.m, is the caller's
// scratch for chain to fill if it must), by Geyer's initial monotone sequence estimator as Stan and
// Vehtari et al. (2021, §3.2) define it. NaN if x is constant.
//
// With W the mean within-chain variance (divisor m−1), var⁺ = W(m−1)/m + B/m
// (B/m the variance of the chain means) and c̄_t the mean over chains of the
// lag-t autocovariance, the combined autocorrelation is
// ρ_t = 1 − (W − c̄_t)/var⁺. Pairs P_k = ρ_{2k} + ρ_{2k+1} are summed while
// positive (never using the last two lags); the pairs are made monotone;
// τ = −1 + 2 Σ_{k<K} P_k + ρ_{2K}, where K is the last pair evaluated
// (the first non-positive one, or the last the length allows) and ρ_{2K},
// its even member, is taken as 0 when P_K < 0 and ρ_{2K} ≤ 0; this last
// term reduces the variance for antithetic chains. Finally τ ≥ 1/log₁₀(N),
// so ESS = N/τ ≤ N·log₁₀(N) with N = k·m, as Stan and ArviZ: an ESS above
// the number of draws is real for antithetic chains (NUTS often gives
// them), where the mean's error is smaller than that of independent draws.
//
// ESS is NaN, not a number that says nothing, when no split chain varies
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
func (w *workspace) ess(chain func(j int, buf []float64) []float64) float64 {
	k, m := w.k, w.m
	moved := false
	for j := range k {
		if varies(chain(j, w.work[0].buf)) {
			moved = true
			break
		}
	}
	if !moved {
		return math.NaN()
	}
	// The chains' autocovariances are computed a batch at a time, in
	// parallel, and added to w.acov in chain order, lag by lag: the sums
	// are those of a loop over the chains.
	clear(w.acov)
	nb := len(w.batch) / m
	for b0 := 0; b0 < k; b0 += nb {
		b1 := min(b0+nb, k)
		w.parallel(b1-b0, func(wk *worker, lo, hi int) {
			for j := b0 + lo; j < b0+hi; j++ {
				w.means[j] = wk.ac.compute(w.batch[(j-b0)*m:(j-b0+1)*m], chain(j, wk.buf))
			}
		})
		w.parallel(m, func(_ *worker, lo, hi int) {
			acov := w.acov[lo:hi]
			for j := range b1 - b0 {
				for t, c := range w.batch[j*m+lo : j*m+hi] {
					acov[t] += c
				}
			}
		})
	}
	return w.essFromAutocov()
}

// essFromAutocov is the part of ess after w.acov (the sum over chains of
// their autocovariances) and w.means are filled.
func (w *workspace) essFromAutocov() float64 {
	k, m := w.k, w.m
	if m < 6 {
		return math.NaN()
	}
	meanVar := w.acov[0]
	meanVar = meanVar / float64(k) * float64(m) / float64(m-1)
	varPlus := meanVar*float64(m-1)/float64(m) + sampleVariance(w.means)

	rhoAt := func(t int) float64 {
		return 1 - (meanVar-w.acov[t]/float64(k))/varPlus
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

// sampleVariance returns the variance of x with divisor len(x)−1.
func sampleVariance(x []float64) float64 {
	return sampleVarianceAround(x, mean(x))
}
