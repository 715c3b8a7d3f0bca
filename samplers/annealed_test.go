package samplers_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/samplers"
)

// TestAnnealedLadderLaw follows the exact law of the chains through the
// ladder on the 1-D target N(μ, s²). Level l's step is the AR(1) recursion
// y′ = (1 − a)y + √(2η T_l/t_min) ξ in y = x − μ, with a = η/(t_min s²), so
// from the N(0, 1) start E[y] and E[y²] follow
//
//	E[y′] = (1 − a) E[y],  E[y′²] = (1 − a)² E[y²] + 2η T_l/t_min
//
// exactly. The 4000 chains are independent, so at each checkpoint the
// sample mean and second moment have iid standard errors. Checkpoints sit
// at the first iteration of a level (a level switched one iteration early
// or late changes that step's noise variance by 2η(T_{l−1} − T_l)/t_min,
// about 6.5 standard errors of E[y²]), 5 steps into a level, at the level
// ends, where the
// chains have equilibrated (2a·60 ≈ 12 relaxation times) at the variance
// T_l s²/(1 − a/2) — T_l σ² up to ULA's O(η) factor, the same 5% at every
// level — and after the ladder, which must stay at t_min. A failure means a
// wrong temperature, step scaling or level index.
func TestAnnealedLadderLaw(t *testing.T) {
	const (
		mu, s      = 0.5, 1.3
		eta, tMin  = 0.17, 1.0
		levels, sp = 3, 60
		chains     = 4000
		draws      = 200
	)
	a := &samplers.AnnealedLangevin{StepSize: eta, TMax: 9, TMin: tMin, Levels: levels, StepsPerLevel: sp}
	temps := a.Temperatures()
	g := newDrvGauss([]float64{mu}, []float64{s})
	res, err := samplers.Run(context.Background(), g, a,
		samplers.Options{Chains: chains, Warmup: 0, Draws: draws, Seed: 31, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Exact moments after each iteration (draw t is the state after iteration t).
	ar := eta / (tMin * s * s)
	ey, ey2 := make([]float64, draws), make([]float64, draws)
	m1, m2 := -mu, 1+mu*mu
	for it := range draws {
		T := temps[a.Level(it)]
		m1, m2 = (1-ar)*m1, (1-ar)*(1-ar)*m2+2*eta*T/tMin
		ey[it], ey2[it] = m1, m2
	}
	for _, it := range []int{4, sp - 1, sp, sp + 4, 2*sp - 1, 2 * sp, 2*sp + 4, 3*sp - 1, draws - 1} {
		if (it+1)%sp == 0 {
			T := temps[a.Level(it)]
			if eq := T * s * s / (1 - ar/2); math.Abs(ey2[it]-eq) > 1e-3*eq {
				t.Fatalf("test setup: iteration %d is not equilibrated (E[y²] %.5f, stationary %.5f)", it, ey2[it], eq)
			}
		}
		my, my2, zMeanV, zVar := momentZ(res.Samples, chains, draws, it, mu, ey[it], ey2[it])
		t.Logf("iteration %3d (level %d, T = %.3f): E[y] %+.4f (exact %+.4f, z %+.2f), E[y²] %.4f (exact %.4f, z %+.2f)",
			it, a.Level(it), temps[a.Level(it)], my, ey[it], zMeanV, my2, ey2[it], zVar)
		if !(math.Abs(zMeanV) < 4) || !(math.Abs(zVar) < 4) {
			t.Errorf("iteration %d: mean z = %.2f, second-moment z = %.2f: want |z| < 4", it, zMeanV, zVar)
		}
	}
}

// TestAnnealedAfterLadderMoments runs the ladder as warmup (warmup =
// levels·steps_per_level) on a 2-D Gaussian at t_min = 0.5 and checks that
// the kept draws have the mean μ and variance t_min·s_j² of exp(−E/t_min),
// each within 4 Monte Carlo standard errors computed from the ESS. The step
// is small enough that ULA's relative variance bias a/2 = η/(2 t_min s²)
// (0.6% and 0.4%) is below 0.2 standard errors, and the last level
// (500 steps, 2a·500 ≥ 8 relaxation times) forgets the hotter ones. A
// failure means the post-ladder chains do not sample exp(−E/t_min): a
// wrong temperature (1 or t_max instead of t_min) changes the variance
// twofold or more.
func TestAnnealedAfterLadderMoments(t *testing.T) {
	mu, sd := []float64{1, -2}, []float64{1, 0.8}
	const tMin = 0.5
	a := &samplers.AnnealedLangevin{StepSize: 0.004, TMax: 8, TMin: tMin, Levels: 4, StepsPerLevel: 500}
	g := newDrvGauss(mu, sd)
	res, err := samplers.Run(context.Background(), g, a, samplers.Options{
		Chains: 100, Warmup: a.Levels * a.StepsPerLevel, Draws: 2000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	cov := []float64{tMin * sd[0] * sd[0], 0, 0, tMin * sd[1] * sd[1]}
	zm, zv := zScores(res, mu, cov)
	t.Logf("mean z %+.2f, variance z %+.2f", zm, zv)
	for j := range zm {
		if !(math.Abs(zm[j]) < 4) || !(math.Abs(zv[j]) < 4) {
			t.Errorf("dim %d: mean z = %.2f, variance z = %.2f: want |z| < 4", j, zm[j], zv[j])
		}
	}
	if res.Sampling.Divergences != 0 || res.Sampling.AcceptanceRate() != 1 {
		t.Errorf("divergences %d, acceptance %v: want 0 and 1 (every finite step is taken)",
			res.Sampling.Divergences, res.Sampling.AcceptanceRate())
	}
}

// TestAnnealedWorkersBitIdentical checks worker-count invariance on a run
// that crosses every level (3 levels of 5 steps inside 10 warmup and 40
// sampling iterations): the draws, energies and counters must be identical
// for 1, 2 and 7 workers, and each chain must take exactly one gradient per
// iteration plus one at the start. A failure means the level or the noise
// depends on the sharding, or gradients are miscounted.
func TestAnnealedWorkersBitIdentical(t *testing.T) {
	g := newDrvGauss([]float64{1, -2, 0.5}, []float64{1, 2, 0.3})
	a := &samplers.AnnealedLangevin{StepSize: 0.01, TMax: 5, TMin: 1, Levels: 3, StepsPerLevel: 5}
	var ref *samplers.Result
	for _, w := range []int{1, 2, 7} {
		res, err := samplers.Run(context.Background(), g, a,
			samplers.Options{Chains: 23, Warmup: 10, Draws: 20, Thin: 2, Seed: 11, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := res.Warmup.GradEvals+res.Sampling.GradEvals, int64(23*(1+50)); got != want {
			t.Errorf("workers=%d: %d gradient evaluations, want %d (one per chain at the start and per step)", w, got, want)
		}
		if ref == nil {
			ref = res
			continue
		}
		if !slices.Equal(res.Samples, ref.Samples) || !slices.Equal(res.Energy, ref.Energy) ||
			res.Warmup != ref.Warmup || res.Sampling != ref.Sampling {
			t.Errorf("workers=%d: draws or counters differ from workers=1", w)
		}
	}
}

// TestAnnealedLadder checks the geometric ladder and the iteration → level
// map, including levels = 1 and t_max = t_min. A failure means the
// temperatures are not T_1 = t_max > … > T_L = t_min with a constant ratio,
// or iterations past the ladder leave the last level.
func TestAnnealedLadder(t *testing.T) {
	a := &samplers.AnnealedLangevin{StepSize: 0.1, TMax: 9, TMin: 1, Levels: 3, StepsPerLevel: 4}
	got := a.Temperatures()
	want := []float64{9, 3, 1}
	for l := range want {
		if math.Abs(got[l]-want[l]) > 1e-12*want[l] {
			t.Errorf("Temperatures() = %v, want %v", got, want)
			break
		}
	}
	for i, w := range map[int]int{0: 0, 3: 0, 4: 1, 7: 1, 8: 2, 11: 2, 12: 2, 1000: 2} {
		if l := a.Level(i); l != w {
			t.Errorf("Level(%d) = %d, want %d", i, l, w)
		}
	}
	one := &samplers.AnnealedLangevin{StepSize: 0.1, TMax: 9, TMin: 2, Levels: 1, StepsPerLevel: 4}
	if got := one.Temperatures(); len(got) != 1 || got[0] != 2 {
		t.Errorf("levels = 1: Temperatures() = %v, want [2] (t_min only)", got)
	}
	flat := &samplers.AnnealedLangevin{StepSize: 0.1, TMax: 2, TMin: 2, Levels: 4, StepsPerLevel: 4}
	for _, v := range flat.Temperatures() {
		if v != 2 {
			t.Errorf("t_max = t_min = 2: Temperatures() = %v, want all 2", flat.Temperatures())
			break
		}
	}
}

// TestAnnealedConfig checks the keys: bad values are errors naming the key,
// both from a config table and from Start on a hand-built value (never a
// panic), and the defaults are valid.
func TestAnnealedConfig(t *testing.T) {
	for _, tc := range []struct {
		table map[string]any
		want  string
	}{
		{map[string]any{"type": "annealed_langevin", "step_size": 0.0}, "step_size"},
		{map[string]any{"type": "annealed_langevin", "step_size": math.Inf(1)}, "step_size"},
		{map[string]any{"type": "annealed_langevin", "t_min": -1.0}, "t_min"},
		{map[string]any{"type": "annealed_langevin", "t_min": math.NaN()}, "t_min"},
		{map[string]any{"type": "annealed_langevin", "t_max": 0.5}, "t_max"},
		{map[string]any{"type": "annealed_langevin", "t_max": math.Inf(1)}, "t_max"},
		{map[string]any{"type": "annealed_langevin", "levels": 0}, "levels"},
		{map[string]any{"type": "annealed_langevin", "steps_per_level": -3}, "steps_per_level"},
		{map[string]any{"type": "annealed_langevin", "step_size": 1e300, "t_max": 1e300}, "overflows"},
		{map[string]any{"type": "annealed_langevin", "temperature": 2.0}, "temperature"},
	} {
		_, err := samplers.FromTable(tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want one naming %q", tc.table, err, tc.want)
		}
	}
	bad := &samplers.AnnealedLangevin{StepSize: 0.1, TMax: 1, TMin: 1, Levels: 2}
	_, err := samplers.Run(context.Background(), newDrvGauss([]float64{0}, []float64{1}), bad,
		samplers.Options{Chains: 2, Draws: 2, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "annealed_langevin") || !strings.Contains(err.Error(), "steps_per_level") {
		t.Errorf("Run with steps_per_level 0: err = %v, want one naming annealed_langevin and steps_per_level", err)
	}
	if err := samplers.NewAnnealedLangevin().Validate(); err != nil {
		t.Errorf("defaults are invalid: %v", err)
	}
}

// The ladder of a typical config: 5 temperatures from 16 down to 1, each
// held for 200 iterations; a run sets warmup = 1000 to keep only draws at
// t_min = 1.
func ExampleAnnealedLangevin_Temperatures() {
	s, err := samplers.FromTable(map[string]any{"type": "annealed_langevin",
		"t_max": 16.0, "levels": 5, "steps_per_level": 200, "step_size": 0.01})
	if err != nil {
		panic(err)
	}
	a := s.(*samplers.AnnealedLangevin)
	fmt.Printf("%.0f\n", a.Temperatures())
	fmt.Println("warmup:", a.Levels*a.StepsPerLevel, "level of iteration 450:", a.Level(450))
	// Output:
	// [16 8 4 2 1]
	// warmup: 1000 level of iteration 450: 2
}

// momentZ takes iteration it of every chain of a 1-D run (samples in
// (chain, draw) order, draws per chain) and returns the mean and second
// moment over the chains of y = x − mu, and their z-scores against the
// exact moments ey and ey2, with the iid standard errors of independent
// chains.
func momentZ(samples []float64, chains, draws, it int, mu, ey, ey2 float64) (my, my2, zm, zv float64) {
	var sy, sy2, sy4 float64
	for c := range chains {
		y := samples[c*draws+it] - mu
		sy += y
		sy2 += y * y
		sy4 += y * y * y * y
	}
	n := float64(chains)
	my, my2 = sy/n, sy2/n
	my4 := sy4 / n
	return my, my2, (my - ey) / math.Sqrt((my2-my*my)/n), (my2 - ey2) / math.Sqrt((my4-my2*my2)/n)
}
