package samplers_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/samplers"
)

// TestAnnealedSigmaLaw follows the exact law of the chains through the σ
// ladder on the 1-D target N(μ, s²). At level l the step is the AR(1)
// recursion y′ = (1 − a_l)y + √α_l ξ in y = x − μ, with α_l = ε σ_l²/σ_L²
// and a_l = α_l/(2s²), so from the N(0, 1) start
//
//	E[y′] = (1 − a_l) E[y],  E[y′²] = (1 − a_l)² E[y²] + α_l
//
// exactly. The 4000 chains are independent, so the sample moments have iid
// standard errors. Checkpoints sit 5 steps into each level and at its end;
// the level ends are checked against the stationary variance s²/(1 −
// α_l/(4s²)) too. A failure means a wrong step schedule (annealed_langevin's
// constant drift gives a different mean decay at the hot levels), a wrong
// noise or a wrong level index.
func TestAnnealedSigmaLaw(t *testing.T) {
	const (
		mu, s      = 0.5, 1.3
		chains     = 4000
		levels, sp = 3, 60
		draws      = 200
	)
	a := &samplers.AnnealedSigma{StepSize: 0.1, SigmaMax: 3, SigmaMin: 1, Levels: levels, StepsPerLevel: sp}
	alpha := a.Steps()
	if want := []float64{0.9, 0.3, 0.1}; math.Abs(alpha[0]-want[0]) > 1e-12 || math.Abs(alpha[1]-want[1]) > 1e-12 || alpha[2] != want[2] {
		t.Fatalf("Steps() = %v, want %v", alpha, want)
	}
	res, err := samplers.Run(context.Background(), newDrvGauss([]float64{mu}, []float64{s}), a,
		samplers.Options{Chains: chains, Draws: draws, Seed: 17, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ey, ey2 := make([]float64, draws), make([]float64, draws)
	m1, m2 := -mu, 1+mu*mu
	for it := range draws {
		al := alpha[a.Level(it)]
		r := 1 - al/(2*s*s)
		m1, m2 = r*m1, r*r*m2+al
		ey[it], ey2[it] = m1, m2
	}
	for _, it := range []int{4, sp - 1, sp + 4, 2*sp - 1, 2*sp + 4, draws - 1} {
		if (it+1)%sp == 0 {
			al := alpha[a.Level(it)]
			if eq := s * s / (1 - al/(4*s*s)); math.Abs(ey2[it]-eq) > 1e-3*eq {
				t.Fatalf("test setup: iteration %d is not equilibrated (E[y²] %.5f, stationary %.5f)", it, ey2[it], eq)
			}
		}
		my, my2, zm, zv := momentZ(res.Samples, chains, draws, it, mu, ey[it], ey2[it])
		t.Logf("iteration %3d (level %d, α %.3f): E[y] %+.4f (exact %+.4f, z %+.2f), E[y²] %.4f (exact %.4f, z %+.2f)",
			it, a.Level(it), alpha[a.Level(it)], my, ey[it], zm, my2, ey2[it], zv)
		if !(math.Abs(zm) < 4) || !(math.Abs(zv) < 4) {
			t.Errorf("iteration %d: mean z = %.2f, second-moment z = %.2f: want |z| < 4", it, zm, zv)
		}
	}
}

// TestAnnealedSigmaWorkers checks that the draws and counters do not depend
// on the number of workers, across every level. A failure means the level
// or the noise depends on the sharding.
func TestAnnealedSigmaWorkers(t *testing.T) {
	g := newDrvGauss([]float64{1, -2, 0.5}, []float64{1, 2, 0.3})
	a := &samplers.AnnealedSigma{StepSize: 0.01, SigmaMax: 2, SigmaMin: 1, Levels: 3, StepsPerLevel: 5, Bounds: []float64{-3, 3}}
	var ref *samplers.Result
	for _, w := range []int{1, 2, 7} {
		res, err := samplers.Run(context.Background(), g, a,
			samplers.Options{Chains: 23, Warmup: 10, Draws: 20, Seed: 3, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range res.Samples {
			if v < -3 || v > 3 {
				t.Fatalf("workers=%d: draw %v outside the bounds [-3, 3]", w, v)
			}
		}
		if ref == nil {
			ref = res
			continue
		}
		if !slices.Equal(res.Samples, ref.Samples) || res.Warmup != ref.Warmup || res.Sampling != ref.Sampling {
			t.Errorf("workers=%d: draws or counters differ from workers=1", w)
		}
	}
}

// TestAnnealedSigmaConfig checks that bad keys are errors naming the key
// (never a panic) and that the defaults and levels = 1 are valid.
func TestAnnealedSigmaConfig(t *testing.T) {
	const typ = "annealed_langevin_sigma"
	for _, tc := range []struct {
		table map[string]any
		want  string
	}{
		{map[string]any{"type": typ, "step_size": 0.0}, "step_size"},
		{map[string]any{"type": typ, "step_size": math.NaN()}, "step_size"},
		{map[string]any{"type": typ, "sigma_min": 0.0}, "sigma_min"},
		{map[string]any{"type": typ, "sigma_max": 0.001}, "sigma_max"},
		{map[string]any{"type": typ, "sigma_max": math.Inf(1)}, "sigma_max"},
		{map[string]any{"type": typ, "levels": 0}, "levels"},
		{map[string]any{"type": typ, "steps_per_level": 0}, "steps_per_level"},
		{map[string]any{"type": typ, "step_size": 1e300, "sigma_max": 1e10, "sigma_min": 1e-10}, "overflows"},
		{map[string]any{"type": typ, "bounds": []any{1.0, 0.0}}, "bounds"},
		{map[string]any{"type": typ, "eps": 1.0}, "eps"},
	} {
		_, err := samplers.FromTable(tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want one naming %q", tc.table, err, tc.want)
		}
	}
	if _, err := samplers.FromTable(map[string]any{"type": typ}); err != nil {
		t.Errorf("defaults: %v", err)
	}
	one := &samplers.AnnealedSigma{StepSize: 0.2, SigmaMax: 0.5, SigmaMin: 0.5, Levels: 1, StepsPerLevel: 3}
	if got := one.Steps(); len(got) != 1 || got[0] != 0.2 {
		t.Errorf("levels = 1: Steps() = %v, want [0.2]", got)
	}
	bad := &samplers.AnnealedSigma{StepSize: -1, SigmaMax: 1, SigmaMin: 1, Levels: 1, StepsPerLevel: 1}
	if _, err := samplers.Run(context.Background(), newDrvGauss([]float64{0}, []float64{1}), bad,
		samplers.Options{Chains: 2, Draws: 1, Seed: 1}); err == nil || !strings.Contains(err.Error(), "step_size") {
		t.Errorf("Run with step_size -1: err = %v, want one naming step_size", err)
	}
}

// levelGauss is a noise-conditional 1-D Gaussian: E(x, σ) = (x − μ)²/(2(s² +
// σ²)), the density N(μ, s²) smoothed by N(0, σ²). Energy and Gradient are
// at the level sigma.
type levelGauss struct{ mu, s, sigma float64 }

func (g levelGauss) v() float64                   { return g.s*g.s + g.sigma*g.sigma }
func (g levelGauss) Dim() int                     { return 1 }
func (g levelGauss) NoiseConditional() bool       { return true }
func (g levelGauss) Sigma() float64               { return g.sigma }
func (g levelGauss) At(s float64) energies.Energy { return levelGauss{g.mu, g.s, s} }
func (g levelGauss) Energy(e, x []float64)        { g.Gradient(e, make([]float64, len(x)), x) }
func (g levelGauss) Gradient(e, grad, x []float64) {
	for i, v := range x {
		r := v - g.mu
		e[i], grad[i] = r*r/(2*g.v()), r/g.v()
	}
}
func (levelGauss) BuildAt(*autodiff.Graph, autodiff.Node, []float64) (autodiff.Node, []autodiff.Node) {
	panic("not trainable")
}
func (levelGauss) BuildAt32(*autodiff.Graph32, autodiff.Node, []float64) (autodiff.Node, []autodiff.Node) {
	panic("not trainable")
}

// TestAnnealedSigmaConditional follows the exact law of the chains, as
// TestAnnealedSigmaLaw does, on a noise-conditional target whose level l is
// N(μ, s² + σ_l²): level l's step is y′ = (1 − α_l/(2v_l))y + √α_l ξ with
// v_l = s² + σ_l². The model's own level (Sigma, 4) is on no rung of the
// ladder, so a sampler that stepped on it would miss every checkpoint. The
// gradient count includes one re-evaluation per chain when the ladder moves
// on. A failure means the levels' energies are not used, or are used one
// step late.
func TestAnnealedSigmaConditional(t *testing.T) {
	const (
		mu, s      = 0.5, 0.4
		chains     = 4000
		levels, sp = 3, 60
		draws      = 200
	)
	a := &samplers.AnnealedSigma{StepSize: 0.05, SigmaMax: 1.6, SigmaMin: 0.4, Levels: levels, StepsPerLevel: sp}
	alpha, sig := a.Steps(), a.Sigmas()
	res, err := samplers.Run(context.Background(), levelGauss{mu, s, 4}, a,
		samplers.Options{Chains: chains, Draws: draws, Seed: 19, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Warmup.GradEvals+res.Sampling.GradEvals, int64(chains*(1+draws+levels-1)); got != want {
		t.Errorf("%d gradient evaluations, want %d: the start, one per step, one per chain at each new level", got, want)
	}
	m1, m2 := -mu, 1+mu*mu
	for it := range draws {
		l := a.Level(it)
		v := s*s + sig[l]*sig[l]
		r := 1 - alpha[l]/(2*v)
		m1, m2 = r*m1, r*r*m2+alpha[l]
		if it != 4 && it != sp+1 && it != 2*sp+1 && it != draws-1 {
			continue
		}
		my, my2, zm, zv := momentZ(res.Samples, chains, draws, it, mu, m1, m2)
		t.Logf("iteration %3d (level %d, v %.3f): E[y] %+.4f (exact %+.4f, z %+.2f), E[y²] %.4f (exact %.4f, z %+.2f)",
			it, l, v, my, m1, zm, my2, m2, zv)
		if !(math.Abs(zm) < 4) || !(math.Abs(zv) < 4) {
			t.Errorf("iteration %d: mean z = %.2f, second-moment z = %.2f: want |z| < 4", it, zm, zv)
		}
	}
}
