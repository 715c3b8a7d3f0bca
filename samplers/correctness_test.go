package samplers_test

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/diagnostics"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// A correctness target: a registered energy with known moments.
type corrTarget struct {
	name  string
	table map[string]any
}

// corrTargets are the energies every sampler must recover: a correlated,
// anisotropic 4-D Gaussian (stds 0.5…3, correlations −0.5…0.8, eigenvalues
// of the covariance from about 0.17 to 12), an overlapping two-component
// mixture with unequal weights, and a mildly curved banana.
func corrTargets() []corrTarget {
	sd := []float64{0.5, 1, 2, 3}
	corr := [][]float64{
		{1, -0.5, 0, 0},
		{-0.5, 1, 0.3, 0},
		{0, 0.3, 1, 0.8},
		{0, 0, 0.8, 1},
	}
	cov := make([]any, 4)
	for i := range cov {
		row := make([]any, 4)
		for j := range row {
			row[j] = corr[i][j] * sd[i] * sd[j]
		}
		cov[i] = row
	}
	return []corrTarget{
		{"gauss4", map[string]any{"type": "gaussian", "mean": []any{1.0, -1.0, 0.5, 2.0}, "cov": cov}},
		{"gmm2", map[string]any{"type": "gmm", "weights": []any{0.3, 0.7},
			"means": []any{[]any{-1.0, 0.0}, []any{1.0, 0.0}}, "stds": []any{1.0, 1.0}}},
		{"banana", map[string]any{"type": "banana", "dim": 2, "scale": 2.0, "curvature": 0.3}},
	}
}

// corrRun is how one sampler is run on one target.
type corrRun struct {
	table               map[string]any
	warmup, draws, thin int
}

// corrSettings returns the settings of a sampler for a target: tuned for the
// known samplers, defaults (with a long warmup) for any other registered one.
func corrSettings(sampler, target string) corrRun {
	r := corrRun{table: map[string]any{"type": sampler}, warmup: 1000, draws: 1000, thin: 1}
	switch sampler {
	case "mh":
		r.thin = 4 // isotropic proposal on an anisotropic target mixes slowly
	case "ula", "annealed_langevin":
		// annealed_langevin is plain ULA once its ladder (1000 iterations
		// by default) is done, well inside this warmup.
		// ULA is biased by O(step_size): small steps, so that the bias in
		// the narrowest direction (variance ≈ 0.17, relative bias
		// ≈ η/(2·0.17) ≈ 0.7%) stays well below the Monte Carlo error.
		r.table["step_size"] = 0.0025
		r.warmup, r.thin = 12000, 15
		if target != "gauss4" {
			r.table["step_size"] = 0.01
			r.warmup, r.thin = 3000, 5
		}
	}
	return r
}

// zScores returns, for every dimension, the z-scores of the sample mean and
// of the sample variance (mean of the squares centred at the true mean)
// against the true values, each with the MCSE from the ESS of the quantity.
func zScores(res *samplers.Result, mean, cov []float64) (zm, zv []float64) {
	d := res.Dim
	for j := 0; j < d; j++ {
		x := res.Dimension(j)
		zm = append(zm, zMean(x, mean[j]))
		for _, ch := range x {
			for t, v := range ch {
				ch[t] = (v - mean[j]) * (v - mean[j])
			}
		}
		zv = append(zv, zMean(x, cov[j*d+j]))
	}
	return zm, zv
}

// zMean is (mean(x) − want)/MCSE with MCSE = sd(x)/√ESS(x).
func zMean(x [][]float64, want float64) float64 {
	var n, s, s2 float64
	for _, ch := range x {
		for _, v := range ch {
			n++
			s += v
			s2 += v * v
		}
	}
	m := s / n
	sd := math.Sqrt((s2/n - m*m) * n / (n - 1))
	return (m - want) / (sd / math.Sqrt(diagnostics.ESS(x)))
}

// TestSamplersRecoverMoments runs every registered sampler on each target
// and checks that the mean and variance of every coordinate agree with the
// energy's exact Moments within 4 Monte Carlo standard errors. A failure
// means the sampler does not leave the target invariant (a wrong acceptance
// ratio, proposal, integrator or adaptation that breaks detailed balance),
// or for ULA that its step bias is larger than expected.
func TestSamplersRecoverMoments(t *testing.T) {
	chains := 300
	if testing.Short() {
		chains = 60
	}
	for _, tg := range corrTargets() {
		e, err := energies.FromTable(tg.table)
		if err != nil {
			t.Fatalf("target %s: %v", tg.name, err)
		}
		mo, ok := e.(energies.Moments)
		if !ok {
			t.Fatalf("target %s (%T) does not implement energies.Moments", tg.name, e)
		}
		mean, cov := mo.Mean(), mo.Covariance()
		for _, name := range samplers.Names() {
			t.Run(tg.name+"/"+name, func(t *testing.T) {
				set := corrSettings(name, tg.name)
				s, err := samplers.FromTable(set.table)
				if err != nil {
					t.Fatal(err)
				}
				res, err := samplers.Run(context.Background(), e, s, samplers.Options{
					Chains: chains, Warmup: set.warmup, Draws: set.draws, Thin: set.thin, Seed: 2024})
				if err != nil {
					t.Fatal(err)
				}
				zm, zv := zScores(res, mean, cov)
				t.Logf("%s on %s: accept %.3f, divergences %d; mean z %+.2f; variance z %+.2f",
					name, tg.name, res.Sampling.AcceptanceRate(), res.Sampling.Divergences, zm, zv)
				for j := range zm {
					if !(math.Abs(zm[j]) < 4) || !(math.Abs(zv[j]) < 4) {
						t.Errorf("dim %d: mean z = %.2f, variance z = %.2f: want |z| < 4", j, zm[j], zv[j])
					}
				}
			})
		}
	}
}

// wallEnergy is N(0, I) in 2-D cut by non-finite regions: E and ∇E are NaN
// where x₀ > 0.5 and +Inf where x₀ < −1.5.
type wallEnergy struct{}

func (wallEnergy) Dim() int                { return 2 }
func (w wallEnergy) Energy(e, x []float64) { w.Gradient(e, nil, x) }
func (wallEnergy) Gradient(e, grad, x []float64) {
	n := energies.CheckBatch(2, e, grad, x)
	for i := 0; i < n; i++ {
		a, b := x[2*i], x[2*i+1]
		ga, gb, en := a, b, (a*a+b*b)/2
		switch {
		case a > 0.5:
			ga, gb, en = math.NaN(), math.NaN(), math.NaN()
		case a < -1.5:
			ga, gb, en = math.Inf(1), math.Inf(1), math.Inf(1)
		}
		e[i] = en
		if grad != nil {
			grad[2*i], grad[2*i+1] = ga, gb
		}
	}
}

// TestNonFiniteNeverLeaks runs every registered sampler on an energy with
// NaN and +Inf regions, started inside the finite region. Proposals into
// those regions must be rejected and counted as divergences: no draw may lie
// there and no stored energy may be non-finite. A failure means a non-finite
// value leaked into the chain state.
func TestNonFiniteNeverLeaks(t *testing.T) {
	for _, name := range samplers.Names() {
		t.Run(name, func(t *testing.T) {
			s := sampleOnly(t, name)
			res, err := samplers.Run(context.Background(), wallEnergy{}, s, samplers.Options{
				Chains: 20, Warmup: 100, Draws: 200, Seed: 8,
				Init: func(_ int, r *rng.Stream, x []float64) { x[0], x[1] = -0.5+0.2*r.Norm(), r.Norm() }})
			if err != nil {
				t.Fatal(err)
			}
			if res.Warmup.Divergences+res.Sampling.Divergences == 0 {
				t.Error("no divergence counted although chains hit the NaN and Inf regions")
			}
			for i, v := range res.Energy {
				x := res.Samples[2*i]
				if !samplers.Finite(v) || x > 0.5 || x < -1.5 || !samplers.Finite(res.Samples[2*i+1]) {
					t.Fatalf("draw %d = (%v, %v) with E = %v: a non-finite state leaked into the chain", i, x, res.Samples[2*i+1], v)
				}
			}
		})
	}
}
