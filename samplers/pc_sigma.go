package samplers

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// PredictorCorrector is the predictor-corrector sampler of Song et al.
// (2021, "Score-based generative modeling through stochastic differential
// equations", Algorithm 2, the variance-exploding SDE) for energies learned
// by multi-scale denoising score matching (objective "msdsm"), above all
// noise-conditional ones E(x, σ).
//
// The noise levels are the geometric ladder σ_1 = sigma_max > … > σ_L =
// sigma_min, spaced as msdsm spaces its levels; a noise-conditional model
// takes any σ, so the ladder may be finer than the training's. Each level
// takes one predictor step into it, then corrector_steps corrector steps at
// it:
//
//	predictor into level l > 1:  x′ = x − Δ_l·∇E(x, σ_(l−1)) + √Δ_l·ξ,  Δ_l = σ_(l−1)² − σ_l²
//	corrector at level l:        x′ = x − ε·∇E(x, σ_l) + √(2ε)·ξ
//
// The predictor is the reverse-time diffusion (ancestral sampling): with
// the exact score it carries the data smoothed by N(0, σ_(l−1)²I) to the
// data smoothed by N(0, σ_l²I), up to its discretization. The corrector is
// a Langevin step on the level's density; with snr > 0 its step is chosen
// per chain from the signal-to-noise ratio r, ε = 2(r‖ξ‖/‖∇E‖)² (Song et
// al.'s rule, per chain rather than over the batch, so that chains stay
// independent: a chain whose gradient is exactly 0 does not move), and with
// snr = 0 it is Song & Ermon's fixed schedule ε = α_l/2, α_l =
// step_size·σ_l²/σ_L², the step of annealed_langevin_sigma. On a Gaussian
// level of variance v in many dimensions the snr corrector settles at
// variance v(1 + r²).
//
// The first level's predictor slot diffuses the start instead: x′ = x +
// σ_1·ξ, so that chains started from the data's range (or the data) begin
// from Song et al.'s prior, the start smoothed by N(0, σ_1²I); with
// diffuse_start = false it is a corrector step at σ_1.
//
// The ladder counts the run's iterations from 0, warmup included:
// iteration i is in block l = i/(corrector_steps+1) (0-based), the
// block's first iteration is level l's predictor and the others its
// correctors; every iteration after the L blocks is a corrector at σ_L.
// The default [sample] warmup of a training run is the whole ladder,
// L·(corrector_steps+1) iterations, so one kept draw is one corrector step
// later. Song et al. end with the predictor to σ = 0 without its noise, the
// Tweedie step x − σ_L²·∇E(x, σ_L): in a training config that is [sample]
// denoise_sigma = sigma_min.
//
// For an energy without σ every level steps on the one energy (as
// annealed_langevin_sigma does), so that the predictor is a Langevin step
// of size Δ_l/2.
type PredictorCorrector struct {
	SigmaMax       float64   `toml:"sigma_max" doc:"largest noise level σ_1 of the geometric ladder, ≥ sigma_min; use the msdsm objective's"`
	SigmaMin       float64   `toml:"sigma_min" doc:"smallest noise level σ_L, > 0; use the msdsm objective's"`
	Levels         int       `toml:"levels" doc:"number of noise levels L, ≥ 1; a noise-conditional model takes a finer ladder than the one it was trained on"`
	CorrectorSteps int       `toml:"corrector_steps" doc:"Langevin corrector steps at each level after its predictor step, ≥ 0 (0: ancestral sampling alone)"`
	SNR            float64   `toml:"snr" doc:"signal-to-noise ratio r of the corrector (Song et al. 2021): step ε = 2(r‖ξ‖/‖∇E‖)² per chain, ≥ 0;\n0: the fixed step ε = step_size·σ_l²/(2σ_L²) of annealed_langevin_sigma"`
	StepSize       float64   `toml:"step_size" doc:"with snr = 0, the corrector's α at the last level (its step is α_l/2 with α_l = step_size·σ_l²/σ_L²), > 0"`
	DiffuseStart   bool      `toml:"diffuse_start" doc:"the first iteration adds σ_1·ξ to the start (Song et al.'s prior: the start smoothed at σ_1); false: a corrector step"`
	Bounds         []float64 `toml:"bounds" doc:"[lo, hi], optional: every coordinate is clamped to [lo, hi] after each step (and the start); lo < hi, both finite"`

	frozen []bool // coordinates held fixed (Freeze); nil: none
}

func init() {
	Register("predictor_corrector", func() Sampler { return NewPredictorCorrector() })
}

// NewPredictorCorrector returns the sampler with Song et al.'s defaults
// for the variance-exploding SDE: one corrector step per level at snr
// 0.16, the start diffused; sigma_max 1, sigma_min 0.01, levels 100,
// step_size 2e-5 (used only with snr = 0).
func NewPredictorCorrector() *PredictorCorrector {
	return &PredictorCorrector{SigmaMax: 1, SigmaMin: 0.01, Levels: 100, CorrectorSteps: 1, SNR: 0.16,
		StepSize: 2e-5, DiffuseStart: true}
}

// Description is the one-line summary shown by `ebmrun list`.
func (p *PredictorCorrector) Description() string {
	return "Song et al.'s predictor-corrector sampler (reverse diffusion + Langevin) over a σ ladder (for msdsm models)"
}

// Validate checks the keys.
func (p *PredictorCorrector) Validate() error {
	if err := checkLadder(p.SigmaMax, p.SigmaMin, p.Levels); err != nil {
		return err
	}
	if math.IsInf(p.SigmaMax*p.SigmaMax, 0) {
		return fmt.Errorf("sigma_max² overflows: sigma_max %v", p.SigmaMax)
	}
	if p.CorrectorSteps < 0 {
		return fmt.Errorf("corrector_steps must be ≥ 0, got %d", p.CorrectorSteps)
	}
	if !(p.SNR >= 0) || math.IsInf(p.SNR, 0) {
		return fmt.Errorf("snr must be ≥ 0 and finite, got %v", p.SNR)
	}
	if p.SNR == 0 {
		if err := checkLadderStep(p.StepSize, p.SigmaMax, p.SigmaMin); err != nil {
			return fmt.Errorf("with snr = 0, %w", err)
		}
	}
	return checkBounds(p.Bounds)
}

// Sigmas returns the ladder σ_1 = sigma_max > … > σ_L = sigma_min (a fresh
// slice), spaced as the msdsm objective spaces its levels.
func (p *PredictorCorrector) Sigmas() []float64 { return sigmaLadder(p.SigmaMax, p.SigmaMin, p.Levels) }

// LadderIterations is the length of the ladder, L·(corrector_steps+1)
// iterations: the default [sample] warmup of a training run.
func (p *PredictorCorrector) LadderIterations() int { return p.Levels * (p.CorrectorSteps + 1) }

// Start validates the keys, clamps the start to the bounds, computes the
// initial energies and gradients (at σ_1) and returns the kernel.
func (p *PredictorCorrector) Start(c *Chains) (Kernel, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("samplers: predictor_corrector: %w", err)
	}
	fz, err := newFrozenSet(p.frozen, c.Dim)
	if err != nil {
		return nil, fmt.Errorf("samplers: predictor_corrector: %w", err)
	}
	bx := boxOf(p.Bounds)
	fz.clampStart(bx, c.X, c.Dim)
	sig := p.Sigmas()
	k := &pcKernel{box: bx, fz: fz, sigma: sig, block: p.CorrectorSteps + 1, snr: p.SNR, diffuse: p.DiffuseStart,
		proposals: newProposals(c), xi: make([]float64, c.N*c.Dim), step: make([]float64, c.N)}
	if p.SNR == 0 {
		k.alpha = ladderSteps(p.StepSize, p.Sigmas())
	}
	k.levelE = atLevels(c.Energy, sig)
	k.eval(c, 0, c.E, c.Grad, c.X)
	if err := checkStartRows(c, true); err != nil {
		return nil, err
	}
	return k, nil
}

// checkLadder checks the keys of a geometric σ ladder.
func checkLadder(hi, lo float64, levels int) error {
	if !(lo > 0) || math.IsInf(lo, 0) {
		return fmt.Errorf("sigma_min must be > 0 and finite, got %v", lo)
	}
	if !(hi >= lo) || math.IsInf(hi, 0) {
		return fmt.Errorf("sigma_max must be finite and ≥ sigma_min (%v), got %v", lo, hi)
	}
	if levels < 1 {
		return fmt.Errorf("levels must be ≥ 1, got %d", levels)
	}
	return nil
}

// sigmaLadder returns the geometric ladder of L levels from hi down to lo,
// the last exactly lo.
func sigmaLadder(hi, lo float64, levels int) []float64 {
	s := make([]float64, levels)
	for l := range s {
		if levels == 1 {
			break
		}
		s[l] = hi * math.Pow(lo/hi, float64(l)/float64(levels-1))
	}
	s[len(s)-1] = lo
	return s
}

// pcKernel holds one shard's scratch for predictor_corrector. Like ULA it
// has no per-chain adaptation; what an iteration does depends only on its
// index.
type pcKernel struct {
	box     box
	fz      frozenSet // coordinates that keep their values
	sigma   []float64 // σ_l
	alpha   []float64 // snr = 0: α_l = step_size·σ_l²/σ_L²; nil otherwise
	block   int       // iterations per level: the predictor and the correctors
	snr     float64
	diffuse bool
	proposals
	xi   []float64 // N×d standard normal noise
	step []float64 // per chain: the last step's size (Δ_l, σ_1², or ε)
	levelEnergies
}

// Step takes iteration it.I's step (see PredictorCorrector); chain i draws d
// normals from c.Rng[i]. A chain whose new energy or gradient is not finite
// keeps its state and counts a divergence.
func (k *pcKernel) Step(c *Chains, it Iter) {
	d := c.Dim
	L := len(k.sigma)
	i := max(it.I, 0)
	level, pos := min(i/k.block, L-1), i%k.block
	if i >= L*k.block {
		pos = 1 // past the ladder: correctors at σ_L
	}
	rng.FillNormRows(c.Rng, k.xi, d) // row i from c.Rng[i], as FillNorm
	switch {
	case pos == 0 && level == 0 && k.diffuse:
		s := k.sigma[0]
		simd.LangevinTo(k.prop, c.X, c.Grad, k.xi, 0, s)
		fill(k.step[:c.N], s*s)
	case pos == 0 && level > 0:
		k.at(c, level-1)
		s0, s1 := k.sigma[level-1], k.sigma[level]
		delta := s0*s0 - s1*s1
		simd.LangevinTo(k.prop, c.X, c.Grad, k.xi, -delta, math.Sqrt(delta))
		fill(k.step[:c.N], delta)
	default:
		k.at(c, level)
		k.correct(c, level)
	}
	k.box.clamp(k.prop)
	k.fz.restore(k.prop, c.X, d)
	k.eval(c, level, k.eProp, k.gProp, k.prop)
	k.take(c)
	if pos == 0 && level > 0 && k.levelE != nil && !k.all {
		// A chain that stayed holds E and ∇E of the level before: bring
		// every row to this level, as the correctors that follow need.
		k.eval(c, level, c.E, c.Grad, c.X)
	}
}

// correct writes the corrector step at the level into k.prop, with each
// chain's step in k.step.
func (k *pcKernel) correct(c *Chains, level int) {
	d := c.Dim
	if k.alpha != nil {
		eps := k.alpha[level] / 2
		simd.LangevinTo(k.prop, c.X, c.Grad, k.xi, -eps, math.Sqrt(2*eps))
		fill(k.step[:c.N], eps)
		return
	}
	for i := 0; i < c.N; i++ {
		lo, hi := i*d, (i+1)*d
		g, z := c.Grad[lo:hi], k.xi[lo:hi]
		var gg, zz float64
		for j := range g {
			if k.fz.mask != nil && k.fz.mask[j] {
				continue // the norms are the free coordinates'
			}
			gg += float64(g[j] * g[j])
			zz += float64(z[j] * z[j])
		}
		eps := 0.0
		if gg > 0 {
			eps = 2 * k.snr * k.snr * zz / gg
		}
		k.step[i] = eps
		simd.LangevinTo(k.prop[lo:hi], c.X[lo:hi], g, z, -eps, math.Sqrt(2*eps))
	}
}

// fill sets every value of s to v.
func fill(s []float64, v float64) {
	for i := range s {
		s[i] = v
	}
}

// Record reports each chain's last step as ulaKernel's Record does, with
// the chain's own step size (Δ_l for a predictor, σ_1² for the diffused
// start, ε for a corrector).
func (k *pcKernel) Record(c *Chains, st []DrawStats) {
	k.record(c, st, 0)
	for i := range st[:c.N] {
		st[i].StepSize = k.step[i]
	}
}

var (
	_ Sampler  = (*PredictorCorrector)(nil)
	_ Recorder = (*pcKernel)(nil)
)
