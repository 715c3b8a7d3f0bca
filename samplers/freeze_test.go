package samplers_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// condGauss is a correlated 4-D Gaussian with coordinates 1 and 3 frozen
// at xo: the conditional law of coordinates 0 and 2 is the Gaussian of
// mean μ_f + Σ_fo Σ_oo⁻¹ (x_o − μ_o) and covariance Σ_ff − Σ_fo Σ_oo⁻¹ Σ_of,
// whose precision is the (f, f) block of Σ⁻¹.
type condGauss struct {
	g          *energies.Gaussian
	mask       []bool
	xo         [2]float64 // values of coordinates 1 and 3
	mean       [2]float64 // conditional mean of coordinates 0 and 2
	cov, prec  [2][2]float64
	free, fixd [2]int
}

func newCondGauss(t *testing.T) *condGauss {
	t.Helper()
	mu := []float64{1, -1, 0.5, 0}
	sigma := [][]float64{
		{1.0, 0.6, 0.3, 0.2},
		{0.6, 1.5, -0.4, 0.1},
		{0.3, -0.4, 0.8, 0.35},
		{0.2, 0.1, 0.35, 1.2},
	}
	g := &energies.Gaussian{Mu: mu, Cov: sigma}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	c := &condGauss{g: g, mask: []bool{false, true, false, true}, xo: [2]float64{0.7, -0.4}, free: [2]int{0, 2}, fixd: [2]int{1, 3}}
	blk := func(a, b [2]int) [2][2]float64 {
		return [2][2]float64{{sigma[a[0]][b[0]], sigma[a[0]][b[1]]}, {sigma[a[1]][b[0]], sigma[a[1]][b[1]]}}
	}
	inv := func(m [2][2]float64) [2][2]float64 {
		det := m[0][0]*m[1][1] - m[0][1]*m[1][0]
		return [2][2]float64{{m[1][1] / det, -m[0][1] / det}, {-m[1][0] / det, m[0][0] / det}}
	}
	mul := func(a, b [2][2]float64) (r [2][2]float64) {
		for i := range 2 {
			for j := range 2 {
				r[i][j] = a[i][0]*b[0][j] + a[i][1]*b[1][j]
			}
		}
		return r
	}
	sff, sfo, soo, sof := blk(c.free, c.free), blk(c.free, c.fixd), blk(c.fixd, c.fixd), blk(c.fixd, c.free)
	k := mul(sfo, inv(soo))
	d := [2]float64{c.xo[0] - mu[1], c.xo[1] - mu[3]}
	sub := mul(k, sof)
	for i := range 2 {
		c.mean[i] = mu[c.free[i]] + k[i][0]*d[0] + k[i][1]*d[1]
		for j := range 2 {
			c.cov[i][j] = sff[i][j] - sub[i][j]
		}
	}
	c.prec = inv(c.cov)
	return c
}

// init starts chain i at N(0, I) in the free coordinates and at xo in the
// frozen ones.
func (c *condGauss) init(_ int, r *rng.Stream, x []float64) {
	r.FillNorm(x)
	x[1], x[3] = c.xo[0], c.xo[1]
}

// ulaCov is the stationary covariance of ULA with step eta on the
// conditional Gaussian: S = A S Aᵀ + 2η I with A = I − η P, P the
// conditional precision (the mean stays exact).
func (c *condGauss) ulaCov(eta float64) [2][2]float64 {
	var a, s [2][2]float64
	for i := range 2 {
		for j := range 2 {
			a[i][j] = -eta * c.prec[i][j]
		}
		a[i][i]++
	}
	for range 20000 {
		var n [2][2]float64
		for i := range 2 {
			for j := range 2 {
				for k := range 2 {
					for l := range 2 {
						n[i][j] += a[i][k] * s[k][l] * a[j][l]
					}
				}
			}
			n[i][i] += 2 * eta
		}
		s = n
	}
	return s
}

// check compares the draws' free coordinates with mean and cov within 4.5
// Monte-Carlo standard errors (the draws are independent: one per chain),
// and fails unless every frozen coordinate of every draw is xo bit for bit.
func (c *condGauss) check(t *testing.T, name string, res *samplers.Result, cov [2][2]float64) {
	t.Helper()
	n := res.Chains * res.Draws
	for k := range n {
		x := res.Samples[k*4 : (k+1)*4]
		if math.Float64bits(x[1]) != math.Float64bits(c.xo[0]) || math.Float64bits(x[3]) != math.Float64bits(c.xo[1]) {
			t.Fatalf("%s: draw %d has frozen coordinates (%v, %v), want (%v, %v) bit for bit", name, k, x[1], x[3], c.xo[0], c.xo[1])
		}
	}
	col := func(j int) []float64 {
		v := make([]float64, n)
		for k := range v {
			v[k] = res.Samples[k*4+j]
		}
		return v
	}
	meanSE := func(v []float64) (float64, float64) {
		m := 0.0
		for _, x := range v {
			m += x
		}
		m /= float64(len(v))
		s := 0.0
		for _, x := range v {
			s += (x - m) * (x - m)
		}
		return m, math.Sqrt(s / float64(len(v)-1) / float64(len(v)))
	}
	xs := [2][]float64{col(c.free[0]), col(c.free[1])}
	for i := range 2 {
		m, se := meanSE(xs[i])
		if z := (m - c.mean[i]) / se; math.Abs(z) > 4.5 {
			t.Errorf("%s: conditional mean of coordinate %d: %.4f ± %.4f, want %.4f (z = %.1f)", name, c.free[i], m, se, c.mean[i], z)
		}
	}
	for i := range 2 {
		for j := i; j < 2; j++ {
			prod := make([]float64, n)
			for k := range prod {
				prod[k] = (xs[i][k] - c.mean[i]) * (xs[j][k] - c.mean[j])
			}
			m, se := meanSE(prod)
			z := (m - cov[i][j]) / se
			t.Logf("%s: cov[%d][%d] %.4f ± %.4f, want %.4f (z = %.2f)", name, c.free[i], c.free[j], m, se, cov[i][j], z)
			if math.Abs(z) > 4.5 {
				t.Errorf("%s: conditional covariance (%d, %d): %.4f ± %.4f, want %.4f (z = %.1f)", name, c.free[i], c.free[j], m, se, cov[i][j], z)
			}
		}
	}
}

// TestFreezeConditionalGaussian: on a correlated 4-D Gaussian with two
// coordinates frozen, MALA's draws have the exact conditional mean and
// covariance (HMC too), ULA's and the three annealed Langevin samplers' the
// conditional mean and the covariance of ULA's known stationary law on the
// conditional, within
// Monte-Carlo errors, and the frozen coordinates never change. A failure
// means the frozen coordinates still get drift or noise, or that MALA's
// acceptance ratio counts them.
func TestFreezeConditionalGaussian(t *testing.T) {
	c := newCondGauss(t)
	const eta = 0.1
	for _, tc := range []struct {
		name   string
		s      samplers.Freezer
		warmup int
		cov    [2][2]float64
	}{
		{"mala", samplers.NewMALA(), 300, c.cov},
		{"hmc", &samplers.HMC{StepSize: 0.1, LeapfrogSteps: 4, TargetAccept: 0.8, Adapt: true}, 300, c.cov},
		{"ula", &samplers.ULA{StepSize: eta}, 300, c.ulaCov(eta)},
		{"annealed_langevin", &samplers.AnnealedLangevin{StepSize: eta, TMax: 4, TMin: 1, Levels: 3, StepsPerLevel: 50}, 450, c.ulaCov(eta)},
		// After their ladders both are ULA with step η on this energy,
		// which does not take σ.
		{"annealed_langevin_sigma", &samplers.AnnealedSigma{StepSize: 2 * eta, SigmaMax: 1.5, SigmaMin: 1, Levels: 3, StepsPerLevel: 50}, 450, c.ulaCov(eta)},
		{"predictor_corrector", &samplers.PredictorCorrector{StepSize: 2 * eta, SigmaMax: 1.2, SigmaMin: 1, Levels: 3, CorrectorSteps: 49, DiffuseStart: true}, 450, c.ulaCov(eta)},
	} {
		res, err := samplers.Run(context.Background(), c.g, tc.s.Freeze(c.mask), samplers.Options{
			Chains: 4000, Warmup: tc.warmup, Draws: 1, Seed: 11, Workers: 2, Init: c.init})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		c.check(t, tc.name, res, tc.cov)
	}
}

// TestFreezeBoundsAndCopies: the bounds clamp only the free coordinates (a
// frozen value outside them stays), Freeze leaves the sampler it is called
// on unfrozen, the draws do not depend on the number of workers, and a
// mask of the wrong length is refused.
func TestFreezeBoundsAndCopies(t *testing.T) {
	c := newCondGauss(t)
	c.xo = [2]float64{7.25, -0.4} // coordinate 1 outside the bounds [-3, 3]
	ula := &samplers.ULA{StepSize: 0.05, Bounds: []float64{-3, 3}}
	mala := &samplers.MALA{StepSize: 0.1, TargetAccept: 0.574, Adapt: true, Bounds: []float64{-3, 3}}
	as := &samplers.AnnealedSigma{StepSize: 0.02, SigmaMax: 1, SigmaMin: 0.5, Levels: 3, StepsPerLevel: 10, Bounds: []float64{-3, 3}}
	pc := samplers.NewPredictorCorrector()
	pc.Bounds = []float64{-3, 3}
	for _, s := range []samplers.Freezer{ula, mala, samplers.NewHMC(), as, pc} {
		var first []float64
		for _, w := range []int{1, 3} {
			res, err := samplers.Run(context.Background(), c.g, s.Freeze(c.mask), samplers.Options{
				Chains: 5, Warmup: 20, Draws: 10, Seed: 2, Workers: w, Init: c.init})
			if err != nil {
				t.Fatal(err)
			}
			moved := false
			for k := range res.Chains * res.Draws {
				x := res.Samples[k*4 : (k+1)*4]
				if x[1] != 7.25 || x[3] != -0.4 {
					t.Fatalf("%T: frozen coordinates moved to (%v, %v)", s, x[1], x[3])
				}
				if _, hmc := s.(*samplers.HMC); !hmc && (x[0] < -3 || x[0] > 3 || x[2] < -3 || x[2] > 3) {
					t.Fatalf("%T: free coordinates (%v, %v) outside the bounds", s, x[0], x[2])
				}
				moved = moved || x[0] != res.Samples[0]
			}
			if !moved {
				t.Errorf("%T: the free coordinates never moved", s)
			}
			if first == nil {
				first = res.Samples
			} else {
				for k := range first {
					if math.Float64bits(first[k]) != math.Float64bits(res.Samples[k]) {
						t.Fatalf("%T: draws differ between 1 and 3 workers at %d", s, k)
					}
				}
			}
		}
		// The sampler Freeze was called on is not frozen.
		res, err := samplers.Run(context.Background(), c.g, s, samplers.Options{Chains: 2, Warmup: 5, Draws: 3, Seed: 2, Init: c.init})
		if err != nil {
			t.Fatal(err)
		}
		if res.Samples[len(res.Samples)-3] == 7.25 {
			t.Errorf("%T: Freeze changed the sampler it was called on", s)
		}
		_, err = samplers.Run(context.Background(), c.g, s.Freeze([]bool{true, false}), samplers.Options{Chains: 2, Draws: 1, Seed: 2})
		if err == nil || !strings.Contains(err.Error(), "freeze mask has 2 values, the energy's dimension is 4") {
			t.Errorf("%T: a mask of the wrong length: %v", s, err)
		}
	}
	if _, ok := samplers.Sampler(samplers.NewNUTS()).(samplers.Freezer); ok {
		t.Error("nuts claims to freeze coordinates; the runner would then accept [sample] mask with it")
	}
}
