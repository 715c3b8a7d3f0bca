package samplers_test

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/samplers"
)

// The Langevin samplers and HMC at image scale: a 784-dimensional Gaussian
// (one MNIST image's worth of coordinates) with standard deviations from
// 0.5 to 1.5. Averaged over the 784 coordinates, each sampler's variance
// must match its stationary law within 2 % (ULA's and annealed Langevin's
// exact O(η) bias included; MALA and HMC are exact), and every
// coordinate's mean must be near 0. A sampler whose step size or mass
// adaptation fails in high dimension, or whose update mixes up
// coordinates, misses this by far.
func TestSamplersAtImageDim(t *testing.T) {
	const d = 784
	s := make([]float64, d)
	for j := range s {
		s[j] = 0.5 + float64(j)/(d-1)
	}
	target := diagGauss{s: s}
	const eta = 0.05
	cases := []struct {
		table  map[string]any
		warmup int
		thin   int
		// stationary variance of coordinate j (σ_j²)
		variance func(sj float64) float64
	}{
		{map[string]any{"type": "ula", "step_size": eta}, 1000, 20, ulaVar(eta)},
		{map[string]any{"type": "annealed_langevin", "step_size": eta, "levels": 5, "steps_per_level": 100, "t_max": 4.0}, 1000, 20, ulaVar(eta)},
		{map[string]any{"type": "mala"}, 1500, 10, exactVar},
		{map[string]any{"type": "hmc"}, 1000, 1, exactVar},
	}
	for _, c := range cases {
		name := c.table["type"].(string)
		t.Run(name, func(t *testing.T) {
			sm, err := samplers.FromTable(c.table)
			if err != nil {
				t.Fatal(err)
			}
			const chains, draws = 32, 100
			res, err := samplers.Run(context.Background(), target, sm, samplers.Options{
				Chains: chains, Warmup: c.warmup, Draws: draws, Thin: c.thin, Seed: 11})
			if err != nil {
				t.Fatal(err)
			}
			n := float64(chains * draws)
			ratio, worst := 0.0, 0.0
			for j := range d {
				m, m2 := 0.0, 0.0
				for k := 0; k < chains*draws; k++ {
					v := res.Samples[k*d+j]
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("draw %d, coordinate %d is %v", k, j, v)
					}
					m += v
					m2 += v * v
				}
				m /= n
				want := c.variance(s[j])
				ratio += (m2/n - m*m) / want / d
				worst = max(worst, math.Abs(m)/math.Sqrt(want))
			}
			t.Logf("%s: mean variance ratio %.4f, largest |mean|/σ %.3f", name, ratio, worst)
			if math.Abs(ratio-1) > 0.02 {
				t.Errorf("%s: the variances average %.4f of the stationary law's, want 1 ± 0.02", name, ratio)
			}
			// 3 200 draws per coordinate with an effective size of several
			// hundred (a standard error of about 0.05σ): |mean|/σ beyond
			// 0.35 in any of the 784 coordinates is a bias.
			if worst > 0.35 {
				t.Errorf("%s: a coordinate's mean is %.3f σ from 0", name, worst)
			}
		})
	}
}

// exactVar is the target's own variance.
func exactVar(sj float64) float64 { return sj * sj }

// ulaVar is the stationary variance of ULA with step eta on N(0, σ²):
// x′ = (1 − η/σ²)x + √(2η)ξ has variance 2η/(1 − (1 − η/σ²)²) = σ²/(1 − η/(2σ²)).
func ulaVar(eta float64) func(float64) float64 {
	return func(sj float64) float64 { return sj * sj / (1 - eta/(2*sj*sj)) }
}
