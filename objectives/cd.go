package objectives

import (
	"context"
	"fmt"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/samplers"
)

func init() { Register("cd", func() Objective { return NewCD() }) }

// CD is contrastive divergence (Hinton 2002, "Training products of experts
// by minimizing contrastive divergence"): maximum likelihood with negatives
// from k sampler steps started at the data batch. The loss is
//
//	mean E(x₊) − mean E(x₋) + α·(mean E(x₊)² + mean E(x₋)²),
//
// x₊ the batch and x₋ the chains' end points, one per batch row. Its
// gradient E_data[∇θE] − E_model[∇θE] is the negative log-likelihood's
// with the model expectation replaced by the short-run chains'; the
// negatives are constants (no gradient flows through the chains). The α term is the energy-magnitude regularizer of Du and
// Mordatch (2019, "Implicit generation and modeling with energy-based
// models"): it keeps energies near 0, where an MLP's otherwise free output
// offset would drift, but it biases the learned density, so keep it small.
//
// # The sampler
//
// The nested [objective.sampler] table picks any registered sampler, run
// with no warmup (Iter.Warmup = 0, so samplers that adapt do not: their
// step is the configured one). The default is ULA with step_size 0.005 and
// the exact Langevin noise √(2η) (noise_std 0), not the decoupled noise
// (noise_std 0.005) of the image-EBM recipe: that chain targets
// exp(−2ηE/noise_std²) rather than exp(−E), so the model would learn a
// tempered density and held-out likelihoods would be off; in two
// dimensions exact Langevin mixes well enough for the likelihood gradient
// to be nearly unbiased. The step 0.005 keeps ULA's O(η) bias small on the
// toy data sets: for a Gaussian feature of precision p the chain's variance
// is 1/(p(1 − ηp/2)), under 7 % too wide for features of standard
// deviation ≥ 0.2 (p ≤ 25); ten such steps move a chain √(2ηk) ≈ 0.3,
// across such a feature. Use mala for an exact chain, or a smaller step for
// sharper data.
//
// Chain i of a training step draws from its own stream derived from a seed
// that the objective's master stream draws once per step, so results are
// reproducible and do not depend on how many goroutines run the chains.
type CD struct {
	K        int                                  `toml:"k" doc:"sampler steps per training step, each chain starting at a data row (>= 1)"`
	Alpha    float64                              `toml:"alpha" doc:"weight of the regularizer α·(mean E(x₊)² + mean E(x₋)²) (Du & Mordatch 2019), >= 0; 0 turns it off"`
	ClipGrad float64                              `toml:"clip_grad" doc:"if > 0, the sampler sees each chain's ∇ₓE clipped to this norm (the energy itself is unchanged); 0 = off"`
	Sampler  registry.Component[samplers.Sampler] `toml:"sampler" doc:"the [objective.sampler] table: any sampler (type plus its keys), run without warmup;\ndefault: type = \"ula\", step_size = 0.005, noise_std = 0 (exact Langevin noise)"`

	c contrast
}

// NewCD returns a CD objective with its defaults: k 10, alpha 0, clip_grad
// 0, the default ULA sampler.
func NewCD() *CD { return &CD{K: 10, Sampler: defaultSampler()} }

// Description is the one-line summary shown by `ebmrun list`.
func (o *CD) Description() string {
	return "contrastive divergence (Hinton 2002): negatives from k sampler steps started at the data"
}

// Validate checks the keys. registry.Build builds the sampler before
// Validate runs; Validate builds it only when that has not happened (an
// objective from NewCD, or decoded without registry.Build), with errors
// naming the table [objective.sampler].
func (o *CD) Validate() error {
	if err := stepsKey(o.K); err != nil {
		return err
	}
	if err := nonNegKey("alpha", o.Alpha); err != nil {
		return err
	}
	if err := nonNegKey("clip_grad", o.ClipGrad); err != nil {
		return err
	}
	return buildSampler(&o.Sampler)
}

// Start prepares a run of m; the master stream is rng.New(seed, 0).
func (o *CD) Start(m energies.Trainable, data []float64, seed uint64) error {
	if !o.Sampler.Built() {
		if err := o.Validate(); err != nil {
			return fmt.Errorf("cd: %w", err)
		}
	}
	return o.c.start("cd", m, data, seed, o.Sampler.Value, o.ClipGrad)
}

// Params is nil: CD has no parameters of its own.
func (o *CD) Params() []float64 { return nil }

// Loss runs one chain per batch row for k steps from that row, then
// returns the loss and writes its gradient into grad. Cancelling ctx stops
// the chains and returns ctx's error, with the objective's state as it was
// before the call.
func (o *CD) Loss(ctx context.Context, batch []float64, grad []float64) (float64, error) {
	c := &o.c
	n, err := c.check(ctx, "cd", batch, grad, 0)
	if err != nil {
		return 0, err
	}
	pos, neg := c.scratch(n, n)
	copy(pos, batch)
	copy(neg, batch)
	saved := c.master
	if err := c.chains.run(ctx, c.sampler, c.energy, neg, o.K, c.master.Uint64()); err != nil {
		c.master = saved
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("cd: negative chains: %w", err)
	}
	return c.loss(n, n, o.Alpha, grad), nil
}

// SamplerStats returns the negative chains' counters accumulated since
// Start: transitions, acceptance, divergences, gradient evaluations.
func (o *CD) SamplerStats() samplers.Stats { return o.c.chains.stats }

// State returns the master stream's state.
func (o *CD) State() State {
	return State{RNG: map[string][]uint64{"rng": streamWords(o.c.master)}}
}

// Restore sets the master stream from a State saved after the same number
// of steps; call it after Start.
func (o *CD) Restore(st State) error {
	r, err := streamFromState("cd", st, "rng")
	if err != nil {
		return err
	}
	o.c.master = r
	return nil
}

var (
	_ Objective = (*CD)(nil)
	_ Stateful  = (*CD)(nil)
)
