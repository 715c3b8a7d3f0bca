package objectives

import (
	"context"
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
)

func init() {
	Register("dsm", func() Objective { return NewDSM() })
	Register("msdsm", func() Objective { return NewMSDSM() })
}

// DSM is denoising score matching (Vincent 2011, "A connection between
// score matching and denoising autoencoders"): each batch
// row x is noised to x̃ = x + σz, z ~ N(0, I), and the model's score is
// regressed onto the noise's,
//
//	J(θ) = mean over the batch of ½‖∇ₓE(x̃) − z/σ‖².
//
// Its minimizer is the score of the data smoothed by N(0, σ²I), not of the
// data itself: a small σ fits the data closely but makes the estimate
// noisy (the target z/σ grows as 1/σ). It needs no second derivatives in
// x, only ∇ₓE and its parameter gradient, so its cost does not grow with
// the dimension.
//
// The noise comes from the objective's stream rng.New(seed, 0), n·d
// normal draws per Loss call.
type DSM struct {
	Sigma float64 `toml:"sigma" doc:"standard deviation σ of the Gaussian noise added to the data, > 0; the model learns the data smoothed by N(0, σ²I)"`

	s scorer
}

// NewDSM returns a denoising score-matching objective with σ = 0.1.
func NewDSM() *DSM { return &DSM{Sigma: 0.1} }

// Description is the one-line summary shown by `ebmrun list`.
func (o *DSM) Description() string {
	return "denoising score matching (Vincent 2011): mean ½‖∇ₓE(x + σz) − z/σ‖²"
}

// Validate checks the keys.
func (o *DSM) Validate() error { return positiveKey("sigma", o.Sigma) }

// Start prepares a run of m; it refuses a model that is not smooth (see
// energies.Smooth). The noise stream is rng.New(seed, 0).
func (o *DSM) Start(m energies.Trainable, data []float64, seed uint64) error {
	if err := o.Validate(); err != nil {
		return fmt.Errorf("dsm: %w", err)
	}
	return o.s.start("dsm", m, data, seed)
}

// Params is nil: DSM has no parameters of its own.
func (o *DSM) Params() []float64 { return nil }

// Loss draws the noise, returns J on the noised batch and writes its
// gradient with respect to the model's parameters into grad.
func (o *DSM) Loss(ctx context.Context, batch []float64, grad []float64) (float64, error) {
	s := &o.s
	if _, err := s.check(ctx, batch, grad); err != nil {
		return 0, err
	}
	z := s.gs // the noise, overwritten by the shards with the seed it determines
	s.rng.FillNorm(z)
	sigma := o.Sigma
	for i, v := range batch {
		s.x[i] = v + sigma*z[i]
	}
	return s.run(o, grad), nil
}

// shardLoss is J's part from the shard's rows (see shardBody).
func (o *DSM) shardLoss(sh *shard) float64 {
	s := sh.s
	_, gx := sh.record()
	gs := sh.span(s.gs, s.d) // the noise z, replaced by the seed
	inv, is := 1/float64(s.n), 1/o.Sigma
	sum := 0.0
	for i, v := range sh.value(gx) {
		r := v - gs[i]*is
		sum += r * r
		gs[i] = r * inv // ∂J/∂(∇ₓE)
	}
	sh.output(gx, gs, s.d)
	sh.finish()
	return 0.5 * sum * inv
}

// State returns the noise stream's state.
func (o *DSM) State() State { return o.s.state() }

// Restore sets the noise stream from a State; call it after Start.
func (o *DSM) Restore(st State) error { return o.s.restore(st) }

// MSDSM is multi-scale denoising score matching (Li, Chen & Sommer 2019,
// "Learning energy-based models in high-dimensional spaces with
// multi-scale denoising score matching", 2019),
// with the σ²-weighting of Song & Ermon (2019, "Generative modeling by
// estimating gradients of the data distribution"). The noise levels are a
// geometric ladder σ_1 = sigma_max > … > σ_L = sigma_min; each batch row
// draws a level k uniformly, is noised to x̃ = x + σ_k z, and contributes
//
//	σ_k²·½‖∇ₓE(x̃) − z/σ_k‖² = ½‖σ_k∇ₓE(x̃) − z‖²,
//
// so every level contributes alike (the unweighted term grows as 1/σ²).
// J is the mean over the batch. One energy serves every level: large σ
// shape it far from the data, small σ near it. A noise-conditional model
// (energies.NoiseConditional, e.g. convnet with noise_conditional = true)
// instead sees each row's σ_k, E(x̃, σ_k), so that each level has its own
// energy; sample it with annealed_langevin_sigma, which moves the chains
// through the same levels.
//
// With sigma0 = σ₀ > 0 the term is instead Li, Chen & Sommer's
// ‖x − x̃ + σ₀²∇ₓE(x̃)‖² (over 2σ₀², a constant that only rescales J):
//
//	½‖σ₀∇ₓE(x̃) − (σ_k/σ₀) z‖²,
//
// whose minimizer at level k is (σ_k²/σ₀²)·(−log p_σk): the σ-smoothed
// data at temperature σ₀²/σ_k², colder (steeper) the farther the level
// from σ₀. Near the data (σ_k ≈ σ₀) the energy is the data smoothed at
// σ₀; far from it, it falls steeply toward the data, which is what lets
// annealed Langevin dynamics find the data from noise. sigma0 = sigma_min
// is the paper's choice.
//
// The matching sampler is annealed Langevin dynamics ("annealed_langevin"
// in the samplers registry), which moves chains through a ladder of
// temperatures down to the model's own density, as the coarse-to-fine
// noise levels shaped it.
//
// The draws come from the objective's stream rng.New(seed, 0): per Loss
// call, n levels (IntN) then n·d normals.
type MSDSM struct {
	SigmaMin float64 `toml:"sigma_min" doc:"smallest noise standard deviation, > 0"`
	SigmaMax float64 `toml:"sigma_max" doc:"largest noise standard deviation, >= sigma_min (equal only with levels = 1)"`
	Levels   int     `toml:"levels" doc:"number of noise levels, >= 1, spaced geometrically from sigma_max down to sigma_min"`
	Sigma0   float64 `toml:"sigma0" doc:"0 (default): every level fits its own smoothed score, σ²-weighted (Song & Ermon); > 0: Li, Chen & Sommer's target ‖x − x̃ + sigma0²∇E(x̃)‖², level σ fitting the σ-smoothed data at temperature sigma0²/σ² (sigma0 = sigma_min as the paper)"`

	sigmas []float64
	level  []int     // per row of the batch
	rowSig []float64 // noise-conditional models: σ of each row of the batch
	s      scorer
}

// NewMSDSM returns a multi-scale DSM objective with 10 levels from 1.0
// down to 0.05.
func NewMSDSM() *MSDSM { return &MSDSM{SigmaMin: 0.05, SigmaMax: 1.0, Levels: 10} }

// Description is the one-line summary shown by `ebmrun list`.
func (o *MSDSM) Description() string {
	return "multi-scale denoising score matching (Li, Chen & Sommer 2019): DSM over a geometric ladder of σ, σ²-weighted or (sigma0) the paper's tempered target; sample with annealed_langevin"
}

// Validate checks the keys and computes the ladder.
func (o *MSDSM) Validate() error {
	if err := positiveKey("sigma_min", o.SigmaMin); err != nil {
		return err
	}
	if err := positiveKey("sigma_max", o.SigmaMax); err != nil {
		return err
	}
	if o.Levels < 1 {
		return fmt.Errorf("key %q: must be >= 1, got %d", "levels", o.Levels)
	}
	if o.Sigma0 != 0 {
		if err := positiveKey("sigma0", o.Sigma0); err != nil {
			return fmt.Errorf("%w (or 0 for the σ²-weighted loss)", err)
		}
	}
	if o.SigmaMax < o.SigmaMin {
		return fmt.Errorf("key %q: must be >= sigma_min = %v, got %v", "sigma_max", o.SigmaMin, o.SigmaMax)
	}
	if o.Levels == 1 && o.SigmaMax != o.SigmaMin {
		return fmt.Errorf("key %q: with levels = 1, sigma_min and sigma_max must be equal (got %v and %v); use more levels or set both", "levels", o.SigmaMin, o.SigmaMax)
	}
	if o.Levels > 1 && o.SigmaMax == o.SigmaMin {
		return fmt.Errorf("key %q: %d levels need sigma_max > sigma_min (both are %v)", "levels", o.Levels, o.SigmaMin)
	}
	o.sigmas = make([]float64, o.Levels)
	for k := range o.sigmas {
		if o.Levels == 1 {
			o.sigmas[k] = o.SigmaMax
			continue
		}
		t := float64(k) / float64(o.Levels-1)
		o.sigmas[k] = o.SigmaMax * math.Pow(o.SigmaMin/o.SigmaMax, t)
	}
	o.sigmas[o.Levels-1] = o.SigmaMin
	return nil
}

// Sigmas returns the noise levels σ_1 = sigma_max > … > σ_L = sigma_min,
// a fresh slice (nil before Init).
func (o *MSDSM) Sigmas() []float64 { return append([]float64(nil), o.sigmas...) }

// Start prepares a run of m; it refuses a model that is not smooth (see
// energies.Smooth). The noise stream is rng.New(seed, 0).
func (o *MSDSM) Start(m energies.Trainable, data []float64, seed uint64) error {
	if err := o.Validate(); err != nil {
		return fmt.Errorf("msdsm: %w", err)
	}
	return o.s.start("msdsm", m, data, seed)
}

// Params is nil: MSDSM has no parameters of its own.
func (o *MSDSM) Params() []float64 { return nil }

// Loss draws a level and the noise for every row, returns J on the noised
// batch and writes its gradient with respect to the model's parameters
// into grad.
func (o *MSDSM) Loss(ctx context.Context, batch []float64, grad []float64) (float64, error) {
	s := &o.s
	n, err := s.check(ctx, batch, grad)
	if err != nil {
		return 0, err
	}
	d := s.d
	if cap(o.level) < n {
		o.level = make([]int, n)
	}
	o.level = o.level[:n]
	for i := range o.level {
		o.level[i] = s.rng.IntN(len(o.sigmas))
	}
	z := s.gs // the noise, overwritten by the shards with the seed it determines
	s.rng.FillNorm(z)
	if s.cond != nil {
		o.rowSig = o.rowSig[:0]
		for _, k := range o.level {
			o.rowSig = append(o.rowSig, o.sigmas[k])
		}
		s.levels = o.rowSig
	}
	for i, k := range o.level {
		sigma := o.sigmas[k]
		for j := i * d; j < (i+1)*d; j++ {
			s.x[j] = batch[j] + sigma*z[j]
		}
	}
	return s.run(o, grad), nil
}

// shardLoss is J's part from the shard's rows (see shardBody).
func (o *MSDSM) shardLoss(sh *shard) float64 {
	s := sh.s
	d := s.d
	_, gx := sh.record()
	gv := sh.value(gx)
	gs := sh.span(s.gs, d) // the noise z, replaced by the seed
	inv := 1 / float64(s.n)
	sum := 0.0
	for i, k := range o.level[sh.r0:sh.r1] {
		sigma := o.sigmas[k]
		if s0 := o.Sigma0; s0 > 0 {
			c := sigma / s0
			for j := i * d; j < (i+1)*d; j++ {
				r := s0*gv[j] - c*gs[j] // σ₀∇ₓE − (σ/σ₀)z
				sum += r * r
				gs[j] = s0 * r * inv // ∂J/∂(∇ₓE) = σ₀·r/n
			}
			continue
		}
		for j := i * d; j < (i+1)*d; j++ {
			r := sigma*gv[j] - gs[j] // σ(∇ₓE − z/σ)
			sum += r * r
			gs[j] = sigma * r * inv // ∂J/∂(∇ₓE) = σ²(∇ₓE − z/σ)/n
		}
	}
	sh.output(gx, gs, d)
	sh.finish()
	return 0.5 * sum * inv
}

// State returns the noise stream's state.
func (o *MSDSM) State() State { return o.s.state() }

// Restore sets the noise stream from a State; call it after Start.
func (o *MSDSM) Restore(st State) error { return o.s.restore(st) }

var (
	_ Objective = (*DSM)(nil)
	_ Stateful  = (*DSM)(nil)
	_ shardBody = (*DSM)(nil)
	_ Objective = (*MSDSM)(nil)
	_ Stateful  = (*MSDSM)(nil)
	_ shardBody = (*MSDSM)(nil)
)
