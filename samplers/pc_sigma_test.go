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

// TestPredictorCorrectorLaw follows the exact law of the chains through the
// predictor-corrector ladder on the noise-conditional 1-D target whose
// level l is N(μ, s² + σ_l²), as TestAnnealedSigmaConditional does. With
// snr = 0 every step is linear in y = x − μ with Gaussian noise:
//
//	diffused start  y′ = y + σ_1 ξ
//	predictor       y′ = (1 − Δ_l/v_(l−1)) y + √Δ_l ξ,    Δ_l = σ_(l−1)² − σ_l²
//	corrector       y′ = (1 − ε_l/v_l) y + √(2ε_l) ξ,    ε_l = step_size·σ_l²/(2σ_L²)
//
// with v_l = s² + σ_l², so E[y] and E[y²] follow exactly from the N(0, 1)
// start. Every iteration's draws are checked (z-scores of 4000 independent
// chains), through the ladder and the correctors after it, for ancestral
// sampling alone (corrector_steps = 0) and with two correctors per level,
// with and without the diffused start. The model's own level (4) is on no
// rung, and the gradient count shows that no step re-evaluates. A failure
// means a step at the wrong level, a predictor using the new level's score
// instead of the old one's, a wrong variance of the predictor's noise, or
// a wrong schedule of predictors and correctors.
func TestPredictorCorrectorLaw(t *testing.T) {
	const (
		mu, s  = 0.5, 0.4
		chains = 4000
		levels = 4
	)
	for _, tc := range []struct {
		m       int
		diffuse bool
	}{{0, true}, {2, true}, {2, false}} {
		p := &samplers.PredictorCorrector{SigmaMax: 2, SigmaMin: 0.3, Levels: levels, CorrectorSteps: tc.m,
			StepSize: 0.08, DiffuseStart: tc.diffuse}
		sig := p.Sigmas()
		draws := p.LadderIterations() + 6
		res, err := samplers.Run(context.Background(), levelGauss{mu, s, 4}, p,
			samplers.Options{Chains: chains, Draws: draws, Seed: 23, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := res.Warmup.GradEvals+res.Sampling.GradEvals, int64(chains*(1+draws)); got != want {
			t.Errorf("m = %d: %d gradient evaluations, want %d: the start and one per step", tc.m, got, want)
		}
		v := func(l int) float64 { return s*s + sig[l]*sig[l] }
		m1, m2 := -mu, 1+mu*mu
		worst := 0.0
		for it := range draws {
			l, pos := min(it/(tc.m+1), levels-1), it%(tc.m+1)
			if it >= levels*(tc.m+1) {
				pos = 1
			}
			var r, noise float64 // y′ = r·y + noise·ξ
			switch {
			case pos == 0 && l == 0 && tc.diffuse:
				r, noise = 1, sig[0]*sig[0]
			case pos == 0 && l > 0:
				d := sig[l-1]*sig[l-1] - sig[l]*sig[l]
				r, noise = 1-d/v(l-1), d
			default:
				eps := 0.08 * sig[l] * sig[l] / (sig[levels-1] * sig[levels-1]) / 2
				r, noise = 1-eps/v(l), 2*eps
			}
			m1, m2 = r*m1, r*r*m2+noise
			_, _, zm, zv := momentZ(res.Samples, chains, draws, it, mu, m1, m2)
			worst = max(worst, math.Abs(zm), math.Abs(zv))
			if !(math.Abs(zm) < 4.5) || !(math.Abs(zv) < 4.5) {
				t.Errorf("m = %d, diffuse %v, iteration %d (level %d, slot %d): mean z = %.2f, second-moment z = %.2f: want |z| < 4.5",
					tc.m, tc.diffuse, it, l, pos, zm, zv)
			}
		}
		t.Logf("m = %d, diffuse %v: %d iterations, largest |z| %.2f", tc.m, tc.diffuse, draws, worst)
	}
}

// TestPredictorCorrectorSNR checks the corrector's step rule ε =
// 2(r‖ξ‖/‖∇E‖)² on N(0, v·I) in 400 dimensions: the chains settle where
// ε/(2v) = r²(1 − ε/(2v)), i.e. at variance v(1 + r²) per coordinate
// (1.25·v for r = 0.5, about 1 % more at this dimension). A rule without
// the square on r, without the factor 2 or with the norms swapped lands
// at 1.125·v, 1.5·v or far away. One level, the start not diffused: every
// step is a corrector. With 400 more coordinates frozen at 5 (Freeze),
// where the gradient is large, the free coordinates settle alike: the
// norms are the free coordinates' (over all of them the step would be
// ten times smaller, the variance about 1.02·v).
func TestPredictorCorrectorSNR(t *testing.T) {
	const d, v, r = 400, 2.0, 0.5
	for _, frozen := range []bool{false, true} {
		n := d
		if frozen {
			n = 2 * d
		}
		mu, sd := make([]float64, n), make([]float64, n)
		for j := range sd {
			sd[j] = math.Sqrt(v)
		}
		var p samplers.Sampler = &samplers.PredictorCorrector{SigmaMax: 1, SigmaMin: 1, Levels: 1, CorrectorSteps: 1, SNR: r}
		o := samplers.Options{Chains: 20, Warmup: 300, Draws: 300, Seed: 5, Workers: 2}
		if frozen {
			mask := make([]bool, n)
			for j := d; j < n; j++ {
				mask[j] = true
			}
			p = p.(samplers.Freezer).Freeze(mask)
			o.Init = func(_ int, r *rng.Stream, x []float64) {
				for j := range x {
					x[j] = r.Norm()
					if j >= d {
						x[j] = 5
					}
				}
			}
		}
		res, err := samplers.Run(context.Background(), newDrvGauss(mu, sd), p, o)
		if err != nil {
			t.Fatal(err)
		}
		var ss float64
		for k := range len(res.Samples) / n {
			for j, x := range res.Samples[k*n : (k+1)*n] {
				if j >= d {
					if x != 5 {
						t.Fatalf("frozen coordinate %d moved to %v", j, x)
					}
					continue
				}
				ss += x * x
			}
		}
		got := ss / float64(len(res.Samples)/n*d) / v
		t.Logf("frozen %v: variance %.4f·v, want ≈ %.4f·v", frozen, got, 1+r*r)
		if math.Abs(got-(1+r*r)) > 0.03 {
			t.Errorf("frozen %v: variance %.4f·v at snr %v, want %.4f·v within 0.03", frozen, got, r, 1+r*r)
		}
	}
}

// TestPredictorCorrectorConfig checks that bad keys are errors naming the
// key (never a panic), and the defaults.
func TestPredictorCorrectorConfig(t *testing.T) {
	const typ = "predictor_corrector"
	for _, tc := range []struct {
		table map[string]any
		want  string
	}{
		{map[string]any{"type": typ, "sigma_min": 0.0}, "sigma_min"},
		{map[string]any{"type": typ, "sigma_max": 0.001}, "sigma_max"},
		{map[string]any{"type": typ, "sigma_max": math.Inf(1)}, "sigma_max"},
		{map[string]any{"type": typ, "sigma_max": 1e200}, "overflows"},
		{map[string]any{"type": typ, "levels": 0}, "levels"},
		{map[string]any{"type": typ, "corrector_steps": -1}, "corrector_steps"},
		{map[string]any{"type": typ, "snr": -0.1}, "snr"},
		{map[string]any{"type": typ, "snr": math.NaN()}, "snr"},
		{map[string]any{"type": typ, "snr": 0.0, "step_size": 0.0}, "step_size"},
		{map[string]any{"type": typ, "snr": 0.0, "step_size": 1e300, "sigma_min": 1e-10}, "overflows"},
		{map[string]any{"type": typ, "bounds": []any{1.0, 0.0}}, "bounds"},
		{map[string]any{"type": typ, "steps_per_level": 3}, "steps_per_level"},
	} {
		_, err := samplers.FromTable(tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want one naming %q", tc.table, err, tc.want)
		}
	}
	s, err := samplers.FromTable(map[string]any{"type": typ})
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	p := s.(*samplers.PredictorCorrector)
	if p.SNR != 0.16 || p.CorrectorSteps != 1 || !p.DiffuseStart || p.LadderIterations() != 200 {
		t.Errorf("defaults %+v (ladder %d), want snr 0.16, one corrector, the start diffused, 200 iterations", p, p.LadderIterations())
	}
	// snr > 0 ignores step_size, even an invalid one.
	if _, err := samplers.FromTable(map[string]any{"type": typ, "step_size": 0.0}); err != nil {
		t.Errorf("step_size 0 with snr 0.16: %v", err)
	}
	if got := (&samplers.PredictorCorrector{SigmaMax: 3, SigmaMin: 0.5, Levels: 1}).Sigmas(); len(got) != 1 || got[0] != 0.5 {
		t.Errorf("levels = 1: Sigmas() = %v, want [0.5]", got)
	}
}

// levelWall is levelGauss cut by a wall: E and ∇E are NaN where x > 1.
type levelWall struct{ levelGauss }

func (w levelWall) At(s float64) energies.Energy { return levelWall{levelGauss{w.mu, w.s, s}} }
func (w levelWall) Energy(e, x []float64)        { w.Gradient(e, make([]float64, len(x)), x) }
func (w levelWall) Gradient(e, grad, x []float64) {
	w.levelGauss.Gradient(e, grad, x)
	for i, v := range x {
		if v > 1 {
			e[i], grad[i] = math.NaN(), math.NaN()
		}
	}
}

// TestPredictorCorrectorStaysAtLevel checks that a chain whose predictor
// step diverged (it stays) still holds the energy of the new level: after
// every iteration each chain's recorded energy must be E(x, σ_l) of the
// level that iteration ended at, and no non-finite state may leak in. A
// failure means a chain that stayed kept the previous level's energy and
// gradient, which the correctors that follow would step on.
func TestPredictorCorrectorStaysAtLevel(t *testing.T) {
	const chains, levels = 200, 6
	p := &samplers.PredictorCorrector{SigmaMax: 1.5, SigmaMin: 0.2, Levels: levels, CorrectorSteps: 0,
		SNR: 0.16, DiffuseStart: true}
	w := levelWall{levelGauss{0.3, 0.4, 4}}
	draws := levels + 3
	res, err := samplers.Run(context.Background(), w, p, samplers.Options{Chains: chains, Draws: draws, Seed: 3,
		Init: func(_ int, r *rng.Stream, x []float64) { x[0] = 0.3 + 0.2*r.Norm() }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Warmup.Divergences+res.Sampling.Divergences == 0 {
		t.Fatal("test setup: no chain hit the wall")
	}
	sig := p.Sigmas()
	e := make([]float64, 1)
	for c := range chains {
		for it := range draws {
			i := c*draws + it
			x := res.Samples[i]
			w.At(sig[min(it, levels-1)]).Energy(e, []float64{x})
			if !samplers.Finite(res.Energy[i]) || res.Energy[i] != e[0] {
				t.Fatalf("chain %d, iteration %d: x = %v with E = %v recorded, want E(x, σ_%d) = %v",
					c, it, x, res.Energy[i], min(it, levels-1)+1, e[0])
			}
		}
	}
}
