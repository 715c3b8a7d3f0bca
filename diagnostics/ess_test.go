package diagnostics

import (
	"math"
	"testing"
)

// TestESSByHand checks the plain split ESS on 2 chains × 12 draws, split
// into four halves of m = 6 (each mean shown; autocovariances c_t use the
// divisor 6):
//
//	H1 = [ 1  2  1 −1 −2 −1]  mean 0  c0 = 12/6  c1 = 7/6  c2 = −2/6
//	H2 = [ 0 −1  0  2  3  2]  mean 1  (−H1 + 1: same c_t)
//	H3 = [ 2  1 −1 −2 −1  1]  mean 0  c0 = 12/6  c1 = 4/6  c2 = −5/6  c3 = −6/6
//	H4 = [−1  0  2  3  2  0]  mean 1  (−H3 + 1: same c_t)
//
// (H1: c1 = (2+2−1+2+2)/6, c2 = (1−2−2+1)/6, c3 = (−1−4−1)/6.)
// W = mean c0 · 6/5 = 2.4; var(means) of 0 1 0 1 = 1/3;
// var⁺ = W·5/6 + 1/3 = 7/3. Mean c1 = 11/12, c2 = −7/12, c3 = −1.
// ρ1 = 1 − (2.4 − 11/12)/(7/3) = 51/140 = 0.3643;
// ρ2 = 1 − (2.4 + 7/12)·3/7 = −0.2786, ρ3 = 1 − 3.4·3/7 = −0.4571:
// the pair (ρ2, ρ3) is negative, so the sum stops and ρ2 ≤ 0 adds nothing.
// τ = −1 + 2(1 + 51/140) = 121/70, ESS = 24·70/121 = 1680/121 = 13.884.
// A failure means the autocovariances, var⁺ or the truncation are wrong.
func TestESSByHand(t *testing.T) {
	d := [][]float64{
		{1, 2, 1, -1, -2, -1, 0, -1, 0, 2, 3, 2},
		{2, 1, -1, -2, -1, 1, -1, 0, 2, 3, 2, 0},
	}
	if got, want := ESS(d), 1680.0/121; math.Abs(got-want) > 1e-12 {
		t.Errorf("ESS = %.15g, want 1680/121 = %.15g", got, want)
	}
}

// geyerWorkspace returns a workspace of k = 2 chains of m draws whose
// autocovariances give exactly the combined autocorrelations rho (the rest
// zero): equal chain means make var(means) = 0, and with c0 = 1,
// W = m/(m−1) and var⁺ = 1, so ρ_t = c_t − 1/(m−1), i.e. c_t = ρ_t + 1/(m−1).
func geyerWorkspace(m int, rho []float64) *workspace {
	w := &workspace{k: 2, m: m, acov: make([]float64, m), means: make([]float64, 2), rho: make([]float64, m+1)}
	// w.acov is the sum over the two chains.
	for t := range m {
		switch {
		case t == 0:
			w.acov[0] = 2
		case t < len(rho):
			w.acov[t] = 2 * (rho[t] + 1/float64(m-1))
		default:
			w.acov[t] = 2 / float64(m-1)
		}
	}
	return w
}

// TestGeyerSequence feeds prescribed autocorrelations to the estimator and
// checks each documented step; a failure names the step that is wrong.
func TestGeyerSequence(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    int
		rho  []float64
		tau  float64
	}{
		// Pairs: 1.5, 0.4, 0.5, −0.1. The third pair exceeds the second,
		// so the monotone step sets ρ4 = ρ5 = 0.2; the fourth pair is
		// negative and ends the sum; its positive even member ρ6 = 0.1 is
		// added once: τ = −1 + 2(1 + .5 + .3 + .1 + .2 + .2) + .1 = 3.7.
		{"monotone and last term", 10, []float64{1, .5, .3, .1, .3, .2, .1, -.2}, 3.7},
		// Same start but m = 8: the pairs (0,1), (2,3), (4,5) are all
		// evaluated, then the length stops the sum (the last two lags are
		// never used). The last pair (4,5) is not doubled; its even member
		// 0.3 counts once and is not made monotone:
		// τ = −1 + 2(1 + .5 + .3 + .1) + .3 = 3.1.
		{"stopped by length", 8, []float64{1, .5, .3, .1, .3, .2, .1, -.2}, 3.1},
		// A negative even member of a negative pair adds nothing:
		// τ = −1 + 2(1 + .4) + 0 = 1.8.
		{"negative last pair", 10, []float64{1, .4, -.3, -.1}, 1.8},
	} {
		w := geyerWorkspace(tc.m, tc.rho)
		n := float64(2 * tc.m)
		if got, want := w.essFromAutocov(), n/tc.tau; math.Abs(got-want) > 1e-12*want {
			t.Errorf("%s: ESS = %.15g, want N/τ = %g/%g = %.15g", tc.name, got, n, tc.tau, want)
		}
	}
}

// TestESSAntitheticCap: perfectly alternating chains have τ ≤ 0 before the
// cap; ESS must be Stan's and ArviZ's cap N·log₁₀(N) (N = 80 draws), not
// +Inf or negative.
func TestESSAntitheticCap(t *testing.T) {
	d := make([][]float64, 2)
	for j := range d {
		d[j] = make([]float64, 40)
		for i := range d[j] {
			d[j][i] = float64(1 - 2*(i%2))
		}
	}
	want := 80 * math.Log10(80)
	for name, f := range map[string]func([][]float64) float64{"ESS": ESS, "ESSBulk": ESSBulk} {
		if got := f(d); math.Abs(got-want) > 1e-9*want {
			t.Errorf("%s of alternating chains = %v, want N·log₁₀(N) = %v", name, got, want)
		}
	}
}

// TestESSStuckChains: chains that never moved (each constant, at different
// places, as when every proposal diverges) hold no information on mixing:
// every ESS and the MCSE must be NaN, where the estimator used to report
// N·log₁₀(N) = 64 for 4 × 10 draws. One chain that moves makes them
// numbers again.
func TestESSStuckChains(t *testing.T) {
	stuck := make([][]float64, 4)
	for j := range stuck {
		stuck[j] = make([]float64, 10)
		for i := range stuck[j] {
			stuck[j][i] = float64(j) - 1.5
		}
	}
	s := Summarize(stuck)
	for name, v := range map[string]float64{"ESS": ESS(stuck), "ESSBulk": s.ESSBulk, "ESSTail": s.ESSTail, "MCSEMean": s.MCSEMean} {
		if !math.IsNaN(v) {
			t.Errorf("%s of 4 stuck chains × 10 draws = %v, want NaN", name, v)
		}
	}
	long := make([][]float64, 4)
	for j := range long {
		long[j] = make([]float64, 200)
		for i := range long[j] {
			long[j][i] = float64(j)
		}
	}
	if e := ESSBulk(long); !math.IsNaN(e) {
		t.Errorf("ESSBulk of 4 stuck chains × 200 draws = %v, want NaN", e)
	}
	long[0] = normalChains(3, 1, 200)[0]
	for name, f := range map[string]func([][]float64) float64{"ESS": ESS, "ESSBulk": ESSBulk} {
		if e := f(long); math.IsNaN(e) || e <= 0 {
			t.Errorf("%s with one moving chain of four = %v, want a positive number", name, e)
		}
	}
}

// TestESSAntithetic: NUTS-like antithetic AR(1) chains (ρ = −0.5, τ = 1/3
// in theory) have ESS ≈ 3N, which Stan and ArviZ report as such (below
// their cap N·log₁₀(N) ≈ 14400 here): 2.4N…3.6N, or the mean's error of
// antithetic samplers is overstated.
func TestESSAntithetic(t *testing.T) {
	d := ar1Chains(7, 4, 1000, -0.5)
	for name, f := range map[string]func([][]float64) float64{"ESS": ESS, "ESSBulk": ESSBulk} {
		if e := f(d); e < 2.4*4000 || e > 3.6*4000 {
			t.Errorf("%s of antithetic chains = %v, want about 3N = 12000", name, e)
		}
	}
}

// TestESSIID: for 4 × 1000 independent normal draws every ESS estimates
// N = 4000. Over 60 seeds the estimates had sd ≈ 5% of N (mean ≈ 0.98N),
// so 0.8N…1.2N is about ±4 sd; outside it means the autocorrelation sum is biased (for example lags or
// the between-chain term off by one).
func TestESSIID(t *testing.T) {
	d := normalChains(5, 4, 1000)
	const n = 4000
	for name, f := range map[string]func([][]float64) float64{"ESS": ESS, "ESSBulk": ESSBulk, "ESSTail": ESSTail} {
		if e := f(d); e < 0.8*n || e > 1.2*n {
			t.Errorf("%s of i.i.d. draws = %.0f, want within 0.8N…1.2N of N = %d", name, e, n)
		} else {
			t.Logf("%s = %.0f (N = %d)", name, e, n)
		}
	}
}

// TestESSAR1: for an AR(1) chain with ρ = 0.9 the integrated
// autocorrelation time is (1+ρ)/(1−ρ) = 19, so 4 × 5000 draws have
// ESS ≈ 20000/19 ≈ 1053. Over 40 seeds the estimates averaged 1064 with
// sd ≈ 84 (8%), so 15% is about 2 sd; a larger error means Geyer's
// truncation or the pairing is wrong. Bulk ESS of a Gaussian AR(1) is the
// same quantity.
func TestESSAR1(t *testing.T) {
	const rho = 0.9
	d := ar1Chains(6, 4, 5000, rho)
	want := 20000 * (1 - rho) / (1 + rho)
	for name, f := range map[string]func([][]float64) float64{"ESS": ESS, "ESSBulk": ESSBulk} {
		if e := f(d); !near(e, want, 0.15) {
			t.Errorf("%s of AR(1), ρ = 0.9 = %.0f, want %.0f ± 15%%", name, e, want)
		} else {
			t.Logf("%s = %.0f (theory %.0f)", name, e, want)
		}
	}
}

// TestESSTailIndicators checks ESSTail against its definition on a small
// input: the minimum of the plain ESSs of I(x ≤ q05) and I(x ≤ q95), with
// type-7 quantiles over all draws. A failure means the wrong quantiles or
// indicators are used.
func TestESSTailIndicators(t *testing.T) {
	d := ar1Chains(7, 3, 41, 0.5)
	w := newWorkspace(d)
	want := math.Inf(1)
	for _, p := range []float64{0.05, 0.95} {
		q := quantile(w.sorted, p)
		ind := make([][]float64, len(d))
		below := 0
		for j, c := range d {
			ind[j] = make([]float64, len(c))
			for i, v := range c {
				if v <= q {
					ind[j][i] = 1
					below++
				}
			}
		}
		// Type 7 on 123 draws: q05 lies between the 7th and 8th smallest
		// (h = 6.1), q95 between the 116th and 117th (h = 115.9).
		if wantBelow := map[float64]int{0.05: 7, 0.95: 116}[p]; below != wantBelow {
			t.Errorf("%d draws ≤ q%.0f, want %d", below, 100*p, wantBelow)
		}
		want = math.Min(want, ESS(ind))
	}
	if got := ESSTail(d); math.Abs(got-want) > 1e-12*want {
		t.Errorf("ESSTail = %v, want min of indicator ESSs %v", got, want)
	}
}
