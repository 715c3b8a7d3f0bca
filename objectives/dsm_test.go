package objectives

import (
	"math"
	"slices"
	"testing"
)

// smoothedPrec returns (Σ + σ²I)⁻¹ for the d×d covariance cov.
func smoothedPrec(cov []float64, d int, sigma float64) []float64 {
	c := append([]float64(nil), cov...)
	for j := 0; j < d; j++ {
		c[j*d+j] += sigma * sigma
	}
	return invert(c, d)
}

// TestDSMGradientVanishesAtSmoothedTruth checks DSM's known minimizer: for
// Gaussian data N(μ*, Σ*) the score it fits is that of the smoothed density
// N(μ*, Σ* + σ²I), so its gradient vanishes in expectation at μ = μ*,
// P = (Σ* + σ²I)⁻¹ (the mean over 40 independent batches of 500 rows within
// 4 standard errors of 0), and not at the unsmoothed truth P = Σ*⁻¹ (some
// |z| > 10 there, with σ = 0.5). A failure at the smoothed truth means the
// noise, its scale or the target z/σ is wrong; one at the unsmoothed truth
// means the noise is not applied.
func TestDSMGradientVanishesAtSmoothedTruth(t *testing.T) {
	const nb, bs, sigma = 40, 500, 0.5
	x := gaussDraws(nb*bs, smMu, smCov, 51)
	at := newGaussModel(smMu, smoothedPrec(smCov, 3, sigma), false)
	z, mean, se := zScores(batchGradients(t, newObjective(t, "dsm", "sigma", sigma), at, x, nb, bs))
	for p := range z {
		if !(math.Abs(z[p]) < 4) {
			t.Errorf("at the smoothed truth, gradient[%d] = %.4g ± %.2g (z = %.2f), want 0", p, mean[p], se[p], z[p])
		}
	}
	zRaw, _, _ := zScores(batchGradients(t, newObjective(t, "dsm", "sigma", sigma), smTruth(), x, nb, bs))
	big := 0.0
	for _, v := range zRaw {
		big = math.Max(big, math.Abs(v))
	}
	if !(big > 10) {
		t.Errorf("at the unsmoothed truth the largest |z| is %.2f; DSM should fit the smoothed density, not this one", big)
	}
}

// TestMSDSMSigma0GradientVanishesAtTemperedTruth checks the minimizer of
// msdsm with sigma0 (Li, Chen & Sommer's target) on one level σ: for
// Gaussian data N(μ*, Σ*) the fitted energy is the smoothed density at
// temperature σ₀²/σ², the Gaussian with precision (σ²/σ₀²)(Σ* + σ²I)⁻¹,
// where the gradient vanishes in expectation (as in
// TestDSMGradientVanishesAtSmoothedTruth), and not at the untempered
// smoothed truth (some |z| > 10, σ = 0.5, σ₀ = 0.25). A failure means the
// target is not x − x̃ + σ₀²∇E or the levels' scales are wrong.
func TestMSDSMSigma0GradientVanishesAtTemperedTruth(t *testing.T) {
	const nb, bs, sigma, s0 = 40, 500, 0.5, 0.25
	x := gaussDraws(nb*bs, smMu, smCov, 52)
	prec := smoothedPrec(smCov, 3, sigma)
	tempered := make([]float64, len(prec))
	for i, v := range prec {
		tempered[i] = v * sigma * sigma / (s0 * s0)
	}
	o := func() Objective {
		return newObjective(t, "msdsm", "sigma_min", sigma, "sigma_max", sigma, "levels", 1, "sigma0", s0)
	}
	z, mean, se := zScores(batchGradients(t, o(), newGaussModel(smMu, tempered, false), x, nb, bs))
	for p := range z {
		if !(math.Abs(z[p]) < 4) {
			t.Errorf("at the tempered smoothed truth, gradient[%d] = %.4g ± %.2g (z = %.2f), want 0", p, mean[p], se[p], z[p])
		}
	}
	zRaw, _, _ := zScores(batchGradients(t, o(), newGaussModel(smMu, prec, false), x, nb, bs))
	big := 0.0
	for _, v := range zRaw {
		big = math.Max(big, math.Abs(v))
	}
	if !(big > 10) {
		t.Errorf("at the untempered smoothed truth the largest |z| is %.2f; sigma0 should temper it by σ²/σ₀²", big)
	}
	// sigma0 = σ on one level is the σ²-weighted loss itself.
	same := newObjective(t, "msdsm", "sigma_min", sigma, "sigma_max", sigma, "levels", 1, "sigma0", sigma)
	plain := newObjective(t, "msdsm", "sigma_min", sigma, "sigma_max", sigma, "levels", 1)
	m := smTruth()
	for _, ob := range []Objective{same, plain} {
		if err := ob.Start(m, x[:64*3], 9); err != nil {
			t.Fatal(err)
		}
	}
	l1, g1 := lossGrad(t, same, m, x[:64*3])
	l2, g2 := lossGrad(t, plain, m, x[:64*3])
	if l1 != l2 || !slices.Equal(g1, g2) {
		t.Errorf("sigma0 = σ: loss %v, gradient %v; without sigma0: %v, %v", l1, g1, l2, g2)
	}
}

// TestDSMDescentRecoversSmoothedGaussian minimizes dsm over the Gaussian
// family by plain stochastic gradient descent (400 steps of batch 256,
// fresh data and noise each step, step 0.1) from μ = 0, P = I, and averages
// the last 200 iterates. The learned covariance (the inverse of P's
// symmetric part) must be within σ²/4 of Σ* + σ²I in every entry and the
// mean within 0.05 of μ*: the learned Gaussian is the σ-smoothed data,
// closer to it than to the unsmoothed Σ* (which is σ² off on the
// diagonal). A failure means DSM's gradient does not lead to its
// minimizer.
func TestDSMDescentRecoversSmoothedGaussian(t *testing.T) {
	const d, sigma, steps, bs, lr = 2, 0.5, 400, 256, 0.1
	mu := []float64{1, -0.5}
	cov := []float64{0.6, 0.25, 0.25, 0.4}
	x := gaussDraws(steps*bs, mu, cov, 61)
	m := newGaussModel([]float64{0, 0}, []float64{1, 0, 0, 1}, false)
	o := newObjective(t, "dsm", "sigma", sigma)
	if err := o.Start(m, x, 7); err != nil {
		t.Fatal(err)
	}
	avg := make([]float64, len(m.Params()))
	for s := 0; s < steps; s++ {
		_, g := lossGrad(t, o, m, x[s*bs*d:(s+1)*bs*d])
		for i, v := range g {
			m.Params()[i] -= lr * v
		}
		if s >= steps/2 {
			for i, v := range m.Params() {
				avg[i] += v / (steps / 2)
			}
		}
	}
	p := avg[d:]
	sym := []float64{p[0], 0.5 * (p[1] + p[2]), 0.5 * (p[1] + p[2]), p[3]}
	learned := invert(sym, d)
	want := append([]float64(nil), cov...)
	want[0] += sigma * sigma
	want[3] += sigma * sigma
	t.Logf("learned covariance %.4f, Σ* + σ²I %.4f; mean %.4f", learned, want, avg[:d])
	for i := range want {
		if !(math.Abs(learned[i]-want[i]) < sigma*sigma/4) {
			t.Errorf("learned covariance[%d] = %.4f, want Σ* + σ²I = %.4f (unsmoothed %.4f)", i, learned[i], want[i], cov[i])
		}
	}
	for j := range mu {
		if !(math.Abs(avg[j]-mu[j]) < 0.05) {
			t.Errorf("learned mean[%d] = %.4f, want %.4f", j, avg[j], mu[j])
		}
	}
}

// TestMSDSMSigmas checks the noise ladder: sigma_max first, sigma_min
// last, a constant ratio between neighbours. A failure means the levels
// are not the documented geometric ladder.
func TestMSDSMSigmas(t *testing.T) {
	o := newObjective(t, "msdsm", "sigma_min", 0.01, "sigma_max", 2.0, "levels", 6).(*MSDSM)
	s := o.Sigmas()
	if len(s) != 6 || s[0] != 2 || s[5] != 0.01 {
		t.Fatalf("sigmas %v: want 6 levels from 2 down to 0.01", s)
	}
	r := math.Pow(0.01/2, 1.0/5)
	for k := 1; k < len(s); k++ {
		if math.Abs(s[k]/s[k-1]-r) > 1e-12 {
			t.Errorf("sigma[%d]/sigma[%d] = %.15g, want the constant ratio %.15g", k, k-1, s[k]/s[k-1], r)
		}
	}
	one := newObjective(t, "msdsm", "sigma_min", 0.3, "sigma_max", 0.3, "levels", 1).(*MSDSM)
	if s := one.Sigmas(); len(s) != 1 || s[0] != 0.3 {
		t.Errorf("one level: sigmas %v, want [0.3]", s)
	}
}

// TestMSDSMIsWeightedMix checks that msdsm's loss and gradient are, in
// expectation, the σ²-weighted mix of dsm's at each level:
// E[msdsm] = (1/L) Σ_k σ_k² E[dsm_σk]. On one fixed batch at parameters
// away from the truth, msdsm is averaged over 600 calls and dsm over 300
// calls per level; the difference must be within 4 combined standard
// errors for the loss and every gradient component. A failure means the
// levels are not drawn uniformly, or the weights or noise scales are wrong.
func TestMSDSMIsWeightedMix(t *testing.T) {
	m := smOff()
	x := gaussDraws(32, smMu, smCov, 71)
	ms := newObjective(t, "msdsm", "sigma_min", 0.2, "sigma_max", 0.8, "levels", 3)
	sigmas := ms.(*MSDSM).Sigmas()
	np := len(m.Params())
	collect := func(o Objective, calls int) (mean, se []float64) {
		if err := o.Start(m, x, 81); err != nil {
			t.Fatal(err)
		}
		vals := make([][]float64, np+1)
		for k := 0; k < calls; k++ {
			l, g := lossGrad(t, o, m, x)
			vals[0] = append(vals[0], l)
			for p, v := range g {
				vals[p+1] = append(vals[p+1], v)
			}
		}
		mean, se = make([]float64, np+1), make([]float64, np+1)
		for p, vs := range vals {
			mean[p], se[p] = meanSE(vs)
		}
		return mean, se
	}
	msMean, msSE := collect(ms, 600)
	mix, mixVar := make([]float64, np+1), make([]float64, np+1)
	for _, s := range sigmas {
		mean, se := collect(newObjective(t, "dsm", "sigma", s), 300)
		w := s * s / float64(len(sigmas))
		for p := range mix {
			mix[p] += w * mean[p]
			mixVar[p] += w * w * se[p] * se[p]
		}
	}
	for p := range mix {
		se := math.Sqrt(msSE[p]*msSE[p] + mixVar[p])
		if z := (msMean[p] - mix[p]) / se; !(math.Abs(z) < 4) {
			t.Errorf("component %d (0 = loss): msdsm %.5g ± %.2g, weighted dsm mix %.5g ± %.2g (z = %.2f)",
				p, msMean[p], msSE[p], mix[p], math.Sqrt(mixVar[p]), z)
		}
	}
}
