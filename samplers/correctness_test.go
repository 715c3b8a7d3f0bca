package samplers_test

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/samplers/samplertest"
)

// corrTune returns the per-target settings of a sampler for the kit's
// targets: tuned for the known samplers, the kit's defaults for any other
// registered one. It changes b and returns the sampler to use.
func corrTune(t *testing.T, sampler string) func(target string, b *samplertest.Budget) samplers.Sampler {
	return func(target string, b *samplertest.Budget) samplers.Sampler {
		table := map[string]any{"type": sampler}
		switch sampler {
		case "mh":
			b.Thin = 4 // isotropic proposal on an anisotropic target mixes slowly
		case "ula", "annealed_langevin":
			// annealed_langevin is plain ULA once its ladder (1000 iterations
			// by default) is done, well inside this warmup.
			// ULA is biased by O(step_size): small steps, so that the bias in
			// the narrowest direction (variance ≈ 0.17, relative bias
			// ≈ η/(2·0.17) ≈ 0.7%) stays well below the Monte Carlo error.
			table["step_size"] = 0.0025
			b.Warmup, b.Thin = 12000, 15
			if target != "gauss4" {
				table["step_size"] = 0.01
				b.Warmup, b.Thin = 3000, 5
			}
		case "predictor_corrector":
			// With snr = 0 it is plain ULA with step step_size/2 once its
			// ladder (200 iterations by default) is done, as above. Its
			// default corrector (snr 0.16) is biased by design, variance
			// v(1 + r²) on a Gaussian in many dimensions
			// (TestPredictorCorrectorSNR checks that rule).
			// sigma_max 0.05 keeps the ladder's first corrector steps
			// (α_1 = step_size·25) stable on the narrowest target.
			table["snr"], table["step_size"], table["sigma_max"] = 0.0, 0.005, 0.05
			b.Warmup, b.Thin = 12000, 15
			if target != "gauss4" {
				table["step_size"] = 0.02
				b.Warmup, b.Thin = 3000, 5
			}
		}
		s, err := samplers.FromTable(table)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// TestSamplersConformance runs the conformance kit (samplertest) on every
// registered sampler: the mean and variance of every coordinate of each
// target (a correlated 4-D Gaussian, a two-component mixture with unequal
// weights, a banana) must agree with the energy's exact Moments within 4
// Monte Carlo standard errors (from the ESS); draws must be bit-identical
// on 1, 2 and 3 workers; a cancelled run must return its partial draws and
// the context's error without leaving goroutines. A failure means the
// sampler does not leave the target invariant (a wrong acceptance ratio,
// proposal, integrator or adaptation that breaks detailed balance), or for
// ULA that its step bias is larger than expected, or that it breaks the
// reproducibility or cancellation promises of samplers.Run.
func TestSamplersConformance(t *testing.T) {
	chains := 300
	if testing.Short() {
		chains = 60
	}
	for _, name := range samplers.Names() {
		t.Run(name, func(t *testing.T) {
			samplertest.Check(t, sampleOnly(t, name), samplertest.Options{
				Budget: samplertest.Budget{Chains: chains, Warmup: 1000, Draws: 1000, Thin: 1},
				Tune:   corrTune(t, name),
				Seed:   2024,
				MaxZ:   4,
			})
		})
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

// zScores is samplertest.ZScores (used by other tests of this package).
func zScores(res *samplers.Result, mean, cov []float64) (zm, zv []float64) {
	return samplertest.ZScores(res, mean, cov)
}
