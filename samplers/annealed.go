package samplers

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// AnnealedLangevin is annealed Langevin dynamics over a geometric ladder of
// temperatures of one energy, as used to sample energies learned by
// (multi-scale) denoising score matching (Song & Ermon 2019; Li, Chen &
// Sommer 2019 anneal the temperature of a single energy).
//
// Level l = 1 … L targets p_l ∝ exp(−E/T_l) with
//
//	T_l = t_max · (t_min/t_max)^((l−1)/(L−1)),   T_1 = t_max > … > T_L = t_min
//
// (L = 1 gives the single level T_1 = t_min). Each level runs the
// unadjusted Langevin step of its own target, whose score is −∇E/T_l, with
// the step η_l = η·T_l/t_min:
//
//	x′ = x − η_l ∇E(x)/T_l + √(2η_l) ξ = x − (η/t_min) ∇E(x) + √(2η T_l/t_min) ξ,  ξ ~ N(0, I).
//
// The step grows in proportion to the temperature, as Song & Ermon scale
// theirs with the noise variance: p_l is T_l/t_min times wider than the last
// level in variance, so every level takes steps of the same size relative to
// its target. The drift is then the same at every level and only the noise
// is heated. On a Gaussian target with variance s² the step is the AR(1)
// recursion x′ = (1 − a)x + √(2η_l) ξ with a = η/(t_min s²), whose
// stationary variance is T_l s²/(1 − a/2): the relative O(η) bias a/2 of
// ULA is the same at every level, and the step is stable when a < 2 at
// every level alike.
//
// The ladder counts the run's iterations from 0, warmup included: iteration
// i is at level min(i/steps_per_level, L−1) (0-based), and every iteration
// from L·steps_per_level on stays at T_L = t_min, where the sampler is plain
// ULA with step η on exp(−E/t_min). A typical run sets warmup =
// levels·steps_per_level and keeps the draws that follow; with the default
// t_min = 1 they target exp(−E) up to ULA's O(η) bias.
type AnnealedLangevin struct {
	StepSize      float64   `toml:"step_size" doc:"step η at the last temperature t_min; level l uses η·T_l/t_min, i.e.\nx' = x - (η/t_min)∇E(x) + sqrt(2η·T_l/t_min)ξ, targeting exp(-E/T_l)"`
	TMax          float64   `toml:"t_max" doc:"first (highest) temperature T_1 of the geometric ladder, ≥ t_min"`
	TMin          float64   `toml:"t_min" doc:"last temperature T_L, > 0; after the ladder the chains sample exp(-E/t_min) with plain ULA"`
	Levels        int       `toml:"levels" doc:"number of temperatures L in the ladder, ≥ 1"`
	StepsPerLevel int       `toml:"steps_per_level" doc:"iterations at each temperature, ≥ 1; the ladder counts iterations from 0 including\nwarmup, so set warmup = levels·steps_per_level to keep only draws at t_min"`
	Bounds        []float64 `toml:"bounds" doc:"[lo, hi], optional: every coordinate is clamped to [lo, hi] after each step (and the start),\nas Du & Mordatch clamp to the data range, e.g. [0.0, 1.0] for images; lo < hi, both finite"`

	frozen []bool // coordinates held fixed (Freeze); nil: none
}

func init() { Register("annealed_langevin", func() Sampler { return NewAnnealedLangevin() }) }

// NewAnnealedLangevin returns an annealed Langevin sampler with its
// defaults: step_size 0.01, t_max 10, t_min 1, levels 10, steps_per_level
// 100 (a ladder of 1000 iterations).
func NewAnnealedLangevin() *AnnealedLangevin {
	return &AnnealedLangevin{StepSize: 0.01, TMax: 10, TMin: 1, Levels: 10, StepsPerLevel: 100}
}

// Description is the one-line summary shown by `ebmrun list`.
func (a *AnnealedLangevin) Description() string {
	return "annealed Langevin dynamics: ULA through a geometric temperature ladder t_max → t_min, then plain ULA at t_min"
}

// Validate checks the keys.
func (a *AnnealedLangevin) Validate() error {
	if !(a.StepSize > 0) || math.IsInf(a.StepSize, 0) {
		return fmt.Errorf("step_size must be > 0 and finite, got %v", a.StepSize)
	}
	if !(a.TMin > 0) || math.IsInf(a.TMin, 0) {
		return fmt.Errorf("t_min must be > 0 and finite, got %v", a.TMin)
	}
	if !(a.TMax >= a.TMin) || math.IsInf(a.TMax, 0) {
		return fmt.Errorf("t_max must be finite and ≥ t_min (%v), got %v", a.TMin, a.TMax)
	}
	if a.Levels < 1 {
		return fmt.Errorf("levels must be ≥ 1, got %d", a.Levels)
	}
	if a.StepsPerLevel < 1 {
		return fmt.Errorf("steps_per_level must be ≥ 1, got %d", a.StepsPerLevel)
	}
	if v := 2 * a.StepSize * a.TMax / a.TMin; math.IsInf(v, 0) {
		return fmt.Errorf("2·step_size·t_max/t_min (the noise variance at the first level) overflows: step_size %v, t_max %v, t_min %v", a.StepSize, a.TMax, a.TMin)
	}
	return checkBounds(a.Bounds)
}

// Temperatures returns the ladder T_1 = t_max > … > T_L = t_min (a fresh
// slice; equal values when t_max = t_min). The last value is exactly t_min.
func (a *AnnealedLangevin) Temperatures() []float64 {
	t := make([]float64, a.Levels)
	for l := range t {
		if a.Levels == 1 {
			t[l] = a.TMin
			continue
		}
		t[l] = a.TMax * math.Pow(a.TMin/a.TMax, float64(l)/float64(a.Levels-1))
	}
	t[len(t)-1] = a.TMin
	return t
}

// Level returns the 0-based ladder level of iteration i (counting warmup):
// min(i/steps_per_level, levels−1).
func (a *AnnealedLangevin) Level(i int) int {
	return min(max(i, 0)/a.StepsPerLevel, a.Levels-1)
}

// LadderIterations is the length of the ladder, levels·steps_per_level
// iterations: the default [sample] warmup of a training run.
func (a *AnnealedLangevin) LadderIterations() int { return a.Levels * a.StepsPerLevel }

// Start validates the keys, computes the initial energies and gradients
// and returns the kernel.
func (a *AnnealedLangevin) Start(c *Chains) (Kernel, error) {
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("samplers: annealed_langevin: %w", err)
	}
	fz, err := newFrozenSet(a.frozen, c.Dim)
	if err != nil {
		return nil, fmt.Errorf("samplers: annealed_langevin: %w", err)
	}
	bx := boxOf(a.Bounds)
	fz.clampStart(bx, c.X, c.Dim)
	c.EvalGradient(c.E, c.Grad, c.X)
	if err := checkStartRows(c, true); err != nil {
		return nil, err
	}
	temps := a.Temperatures()
	drift, noise := make([]float64, len(temps)), make([]float64, len(temps))
	for l, t := range temps {
		drift[l], noise[l] = a.StepSize/a.TMin, math.Sqrt(2*a.StepSize*t/a.TMin)
	}
	return newLadderKernel(c, bx, fz, drift, noise, a.StepsPerLevel), nil
}

// newLadderKernel returns the kernel of a Langevin ladder for the shard c:
// at level l the step x′ = x − drift[l]·∇E(x) + noise[l]·ξ, steps
// iterations per level.
func newLadderKernel(c *Chains, bx box, fz frozenSet, drift, noise []float64, steps int) *annealedKernel {
	nd := c.N * c.Dim
	return &annealedKernel{box: bx, fz: fz, drift: drift, noise: noise, steps: steps,
		proposals: newProposals(c), xi: make([]float64, nd)}
}

// annealedKernel is the kernel of annealed_langevin and
// annealed_langevin_sigma: one Langevin step per iteration, with the drift
// and noise of the ladder level of the iteration. It holds one shard's
// scratch; like ULA it has no per-chain adaptation, and the level depends
// only on the iteration index.
type annealedKernel struct {
	box   box       // bounds: the proposal is clamped to them
	fz    frozenSet // coordinates that keep their values
	drift []float64 // per level: η/t_min (annealed_langevin, the same at every level) or α_l/2
	noise []float64 // per level: √(2η·T_l/t_min) or √α_l
	steps int       // steps per level
	level int       // the level of the last step, for Record
	proposals
	xi []float64 // N×d standard normal noise
	levelEnergies
}

// levelEnergies evaluates the chains of a σ ladder's sampler
// (annealed_langevin_sigma, predictor_corrector).
type levelEnergies struct {
	// levelE, for a noise-conditional energy, is the energy of each level,
	// E(·, σ_l); nil means c.Energy at every level. gradLevel is the level
	// c.E and c.Grad were computed at.
	levelE    []energies.Energy
	gradLevel int
}

// atLevels returns the energies E(·, σ) of a noise-conditional e at the
// levels sigma, or nil when e does not take σ.
func atLevels(e energies.Energy, sigma []float64) []energies.Energy {
	nc := energies.Conditional(e)
	if nc == nil {
		return nil
	}
	levelE := make([]energies.Energy, len(sigma))
	for l, s := range sigma {
		levelE[l] = nc.At(s)
	}
	return levelE
}

// eval computes e and grad at x with the energy of the level (c.Energy
// unless levelE is set) and counts the evaluations.
func (k *levelEnergies) eval(c *Chains, level int, e, grad, x []float64) {
	if k.levelE == nil {
		c.EvalGradient(e, grad, x)
		return
	}
	k.levelE[level].Gradient(e, grad, x)
	c.Stats.GradEvals += int64(len(x) / c.Dim)
	k.gradLevel = level
}

// at makes c.E and c.Grad those of the level, re-evaluating them when they
// were computed at another one (only a noise-conditional energy's levels
// differ).
func (k *levelEnergies) at(c *Chains, level int) {
	if k.levelE != nil && k.gradLevel != level {
		k.eval(c, level, c.E, c.Grad, c.X)
	}
}

// Step moves every chain by one Langevin step at the level of it.I; chain i
// draws d normals from c.Rng[i]. A chain whose new energy or gradient is
// not finite keeps its state and counts a divergence.
func (k *annealedKernel) Step(c *Chains, it Iter) {
	d := c.Dim
	level := min(max(it.I, 0)/k.steps, len(k.noise)-1)
	k.level = level
	k.at(c, level)                   // the ladder may have moved on: E and ∇E at the new level
	rng.FillNormRows(c.Rng, k.xi, d) // row i from c.Rng[i], as FillNorm
	simd.LangevinTo(k.prop, c.X, c.Grad, k.xi, -k.drift[level], k.noise[level])
	k.box.clamp(k.prop)
	k.fz.restore(k.prop, c.X, d)
	k.eval(c, level, k.eProp, k.gProp, k.prop)
	k.take(c)
}

// Record reports each chain's last step as ulaKernel's Record does; the
// step size is the last step's drift coefficient (η/t_min, or α_l/2).
func (k *annealedKernel) Record(c *Chains, st []DrawStats) {
	k.record(c, st, k.drift[k.level])
}

var (
	_ Sampler  = (*AnnealedLangevin)(nil)
	_ Recorder = (*annealedKernel)(nil)
)
