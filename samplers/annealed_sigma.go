package samplers

import (
	"fmt"
	"math"
)

// AnnealedSigma is annealed Langevin dynamics with the step schedule of
// Song & Ermon (2019, "Generative modeling by estimating gradients of the
// data distribution", Algorithm 1), for energies learned by multi-scale
// denoising score matching (objective "msdsm").
//
// The noise levels are the geometric ladder σ_1 = sigma_max > … > σ_L =
// sigma_min, as the msdsm objective spaces them. Level l takes
// steps_per_level unadjusted Langevin steps with step α_l = ε·σ_l²/σ_L²:
//
//	x′ = x − (α_l/2)·∇E(x) + √α_l·ξ,  ξ ~ N(0, I).
//
// Each step is ULA with η = α_l/2 on exp(−E): drift and noise grow
// together with the level's variance, unlike annealed_langevin, whose drift
// is the same at every level and whose noise alone is heated. At the last
// level α_L = ε, so the chains end as ULA with step ε/2 on exp(−E). On a
// Gaussian target of variance s² the step at level l is the AR(1) recursion
// x′ = (1 − α_l/(2s²))x + √α_l·ξ, stable while α_l < 4s², with stationary
// variance s²/(1 − α_l/(4s²)).
//
// The ladder counts the run's iterations from 0, warmup included, as
// annealed_langevin's does: iteration i is at level min(i/steps_per_level,
// L−1) (0-based), and every iteration after the ladder stays at σ_L. The
// default [sample] warmup of a training run is the whole ladder. Song &
// Ermon end with one denoising step x ← x − σ_L²·∇E(x) (Tweedie's formula);
// in a training config that is [sample] denoise_sigma = sigma_min.
//
// A noise-conditional energy E(x, σ) (energies.NoiseConditional, e.g. a
// convnet with noise_conditional = true, trained by msdsm) is sampled as
// Song & Ermon sample their noise-conditional network: level l steps on
// E(·, σ_l), and the chains' energies and gradients are recomputed at the
// new level when the ladder moves on (one extra gradient per chain and
// level). The chains' final energies are then E(x, σ_L).
type AnnealedSigma struct {
	StepSize      float64   `toml:"step_size" doc:"ε, the step at the last level: level l steps x' = x - (α/2)∇E(x) + sqrt(α)ξ with α = ε·σ_l²/σ_L² (Song & Ermon 2019), > 0"`
	SigmaMax      float64   `toml:"sigma_max" doc:"largest noise level σ_1 of the geometric ladder, ≥ sigma_min; use the msdsm objective's"`
	SigmaMin      float64   `toml:"sigma_min" doc:"smallest noise level σ_L, > 0; use the msdsm objective's"`
	Levels        int       `toml:"levels" doc:"number of noise levels L, ≥ 1 (L = 1 is plain ULA with step ε/2)"`
	StepsPerLevel int       `toml:"steps_per_level" doc:"iterations at each level, ≥ 1; the ladder counts iterations from 0 including warmup, so warmup =\nlevels·steps_per_level (the default in a training config) keeps only draws at sigma_min"`
	Bounds        []float64 `toml:"bounds" doc:"[lo, hi], optional: every coordinate is clamped to [lo, hi] after each step (and the start); lo < hi, both finite"`

	frozen []bool // coordinates held fixed (Freeze); nil: none
}

func init() { Register("annealed_langevin_sigma", func() Sampler { return NewAnnealedSigma() }) }

// NewAnnealedSigma returns the sampler with Song & Ermon's defaults for
// images in [0, 1]: step_size 2e-5, sigma_max 1, sigma_min 0.01, levels 10,
// steps_per_level 100.
func NewAnnealedSigma() *AnnealedSigma {
	return &AnnealedSigma{StepSize: 2e-5, SigmaMax: 1, SigmaMin: 0.01, Levels: 10, StepsPerLevel: 100}
}

// Description is the one-line summary shown by `ebmrun list`.
func (a *AnnealedSigma) Description() string {
	return "annealed Langevin dynamics over a σ ladder with Song & Ermon's step ε·σ_l²/σ_L² (for msdsm models)"
}

// Validate checks the keys.
func (a *AnnealedSigma) Validate() error {
	if err := checkLadder(a.SigmaMax, a.SigmaMin, a.Levels); err != nil {
		return err
	}
	if err := checkLadderStep(a.StepSize, a.SigmaMax, a.SigmaMin); err != nil {
		return err
	}
	if a.StepsPerLevel < 1 {
		return fmt.Errorf("steps_per_level must be ≥ 1, got %d", a.StepsPerLevel)
	}
	return checkBounds(a.Bounds)
}

// Sigmas returns the ladder σ_1 = sigma_max > … > σ_L = sigma_min (a fresh
// slice), spaced as the msdsm objective spaces its levels.
func (a *AnnealedSigma) Sigmas() []float64 { return sigmaLadder(a.SigmaMax, a.SigmaMin, a.Levels) }

// LadderIterations is the length of the ladder, levels·steps_per_level
// iterations: the default [sample] warmup of a training run.
func (a *AnnealedSigma) LadderIterations() int { return a.Levels * a.StepsPerLevel }

// Steps returns α_l = ε·σ_l²/σ_L² for every level (a fresh slice); the
// last is exactly step_size.
func (a *AnnealedSigma) Steps() []float64 { return ladderSteps(a.StepSize, a.Sigmas()) }

// checkLadderStep checks step, the α at the last level of a σ ladder from
// hi down to lo, and that the first level's α = step·(hi/lo)² is finite.
func checkLadderStep(step, hi, lo float64) error {
	if err := checkStep(step); err != nil {
		return err
	}
	if r := hi / lo; math.IsInf(step*r*r, 0) {
		return fmt.Errorf("the first level's step step_size·(sigma_max/sigma_min)² overflows: step_size %v, sigma_max %v, sigma_min %v", step, hi, lo)
	}
	return nil
}

// ladderSteps returns α_l = step·σ_l²/σ_L² for the ladder sig, in place
// (sig is returned); the last is exactly step.
func ladderSteps(step float64, sig []float64) []float64 {
	lo := sig[len(sig)-1]
	for l, v := range sig {
		r := v / lo
		sig[l] = step * r * r
	}
	sig[len(sig)-1] = step
	return sig
}

// Level returns the 0-based level of iteration i (counting warmup):
// min(i/steps_per_level, levels−1).
func (a *AnnealedSigma) Level(i int) int {
	return min(max(i, 0)/a.StepsPerLevel, a.Levels-1)
}

// Start validates the keys, clamps the start to the bounds, computes the
// initial energies and gradients and returns the kernel.
func (a *AnnealedSigma) Start(c *Chains) (Kernel, error) {
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("samplers: annealed_langevin_sigma: %w", err)
	}
	fz, err := newFrozenSet(a.frozen, c.Dim)
	if err != nil {
		return nil, fmt.Errorf("samplers: annealed_langevin_sigma: %w", err)
	}
	bx := boxOf(a.Bounds)
	fz.clampStart(bx, c.X, c.Dim)
	alpha := a.Steps()
	drift, noise := make([]float64, len(alpha)), make([]float64, len(alpha))
	for l, v := range alpha {
		drift[l], noise[l] = v/2, math.Sqrt(v)
	}
	k := newLadderKernel(c, bx, fz, drift, noise, a.StepsPerLevel)
	k.levelE = atLevels(c.Energy, a.Sigmas())
	k.eval(c, 0, c.E, c.Grad, c.X)
	if err := checkStartRows(c, true); err != nil {
		return nil, err
	}
	return k, nil
}

var _ Sampler = (*AnnealedSigma)(nil)
