package objectives

import (
	"context"
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/samplers"
)

func init() { Register("pcd", func() Objective { return NewPCD() }) }

// PCD is maximum likelihood with persistent chains kept in a replay buffer
// (Tieleman 2008, "Training restricted Boltzmann machines using
// approximations to the likelihood gradient"; the buffer and restarts of Du
// and Mordatch 2019, "Implicit generation and modeling with energy-based
// models").
//
// Start fills a buffer of `buffer` points from the noise density of key
// `init`: uniform over the data's bounding box enlarged by 25 % (each side
// moves out by 12.5 % of the box's width) or over the cube `init_box`, or
// the Gaussian fitted to the data. Each training step then
//
//  1. picks batch-size distinct buffer rows uniformly at random;
//  2. replaces each of them, with probability `restart`, by a fresh noise
//     draw (so the buffer keeps exploring and does not collapse onto
//     modes the model has already found);
//  3. runs k steps of the [objective.sampler] sampler from those points,
//     writes the end points back into the buffer, and
//  4. uses them as the negatives of CD's loss
//     mean E(x₊) − mean E(x₋) + α·(mean E(x₊)² + mean E(x₋)²).
//
// The sampler runs as in CD (no warmup; default ULA with exact noise, see
// CD for the defaults' rationale), chain i of a step on its own stream
// derived from a per-step seed, so results do not depend on the number of
// goroutines. PCD is Stateful: the buffer and the master stream are all the
// state, so a run resumed from State continues bit-identically.
//
// The default alpha = 0.01 is smaller than the image-EBM recipe's 1: on
// two-dimensional data the energies span several units, and the
// regularizer's pull toward 0 biases the learned density in proportion to
// α·E².
type PCD struct {
	K        int                                  `toml:"k" doc:"sampler steps per training step for each chain taken from the buffer (>= 1)"`
	Alpha    float64                              `toml:"alpha" doc:"weight of the regularizer α·(mean E(x₊)² + mean E(x₋)²) (Du & Mordatch 2019), >= 0; 0 turns it off"`
	ClipGrad float64                              `toml:"clip_grad" doc:"if > 0, the sampler sees each chain's ∇ₓE clipped to this norm (the energy itself is unchanged); 0 = off"`
	Buffer   int                                  `toml:"buffer" doc:"number of persistent chains in the replay buffer (>= 1, and >= the batch size)"`
	Restart  float64                              `toml:"restart" doc:"probability that a chain taken from the buffer restarts from the noise density, in [0, 1]"`
	InitDist string                               `toml:"init" doc:"noise density of the initial buffer and the restarts: \"uniform\" over the data's bounding box enlarged by 25 %,\nor \"gaussian\" with the data's mean and covariance (plus the smallest ridge that makes it positive definite where it is singular:\nfewer rows than dimensions, or a dimension without spread)"`
	InitBox  []float64                            `toml:"init_box" doc:"[lo, hi], optional, with init = \"uniform\": uniform over [lo, hi] in every coordinate instead of the data's box\n(Du & Mordatch restart from U[0, 1] on images, where border pixels are 0 in every image); lo < hi, both finite"`
	Sampler  registry.Component[samplers.Sampler] `toml:"sampler" doc:"the [objective.sampler] table: any sampler (type plus its keys), run without warmup;\ndefault: type = \"ula\", step_size = 0.005, noise_std = 0 (exact Langevin noise)"`

	c    contrast
	q    *noise
	buf  []float64 // Buffer×d persistent chains
	perm []int     // scratch for drawing rows without replacement
	rows []int     // the rows drawn this step
}

// NewPCD returns a PCD objective with its defaults: k 10, alpha 0.01,
// clip_grad 0, buffer 10000, restart 0.05, init "uniform", the default ULA
// sampler.
func NewPCD() *PCD {
	return &PCD{K: 10, Alpha: 0.01, Buffer: 10000, Restart: 0.05, InitDist: "uniform", Sampler: defaultSampler()}
}

// Description is the one-line summary shown by `ebmrun list`.
func (o *PCD) Description() string {
	return "persistent contrastive divergence with a replay buffer (Tieleman 2008; Du & Mordatch 2019)"
}

// Validate checks the keys. registry.Build builds the sampler before
// Validate runs; Validate builds it only when that has not happened (an
// objective from NewPCD, or decoded without registry.Build), with errors
// naming the table [objective.sampler].
func (o *PCD) Validate() error {
	if err := stepsKey(o.K); err != nil {
		return err
	}
	if err := nonNegKey("alpha", o.Alpha); err != nil {
		return err
	}
	if err := nonNegKey("clip_grad", o.ClipGrad); err != nil {
		return err
	}
	if o.Buffer < 1 {
		return fmt.Errorf("key %q: must be >= 1 (and at least the batch size), got %d", "buffer", o.Buffer)
	}
	if !(o.Restart >= 0 && o.Restart <= 1) {
		return fmt.Errorf("key %q: must be in [0, 1], got %v", "restart", o.Restart)
	}
	if o.InitDist != "uniform" && o.InitDist != "gaussian" {
		return fmt.Errorf("key %q: unknown value %q; want %s", "init", o.InitDist, noiseKinds)
	}
	if err := checkInitBox(o.InitBox, o.InitDist); err != nil {
		return err
	}
	return buildSampler(&o.Sampler)
}

// Start prepares a run of m: it fits the noise density to data and fills
// the buffer from it, drawing from the master stream rng.New(seed, 0).
func (o *PCD) Start(m energies.Trainable, data []float64, seed uint64) error {
	if !o.Sampler.Built() {
		if err := o.Validate(); err != nil {
			return fmt.Errorf("pcd: %w", err)
		}
	}
	if err := o.c.start("pcd", m, data, seed, o.Sampler.Value, o.ClipGrad); err != nil {
		return err
	}
	d := o.c.d
	q, err := boxNoise(o.InitBox, d), error(nil)
	if o.InitBox == nil {
		q, err = fitNoise("init", o.InitDist, data, d)
	}
	if err != nil {
		return fmt.Errorf("pcd: %w", err)
	}
	o.q = q
	o.buf = make([]float64, o.Buffer*d)
	for i := 0; i < o.Buffer; i++ {
		q.sample(o.buf[i*d:(i+1)*d], &o.c.master)
	}
	o.perm = make([]int, o.Buffer)
	return nil
}

// Footprint is the replay buffer Start allocates: buffer rows of the
// data's dimension (ctx.Dim(); 1 when unknown) and a permutation index,
// 8 bytes each.
func (o *PCD) Footprint(ctx registry.Context) registry.Footprint {
	d := int64(max(ctx.Dim(), 1))
	return registry.Footprint{
		Bytes: registry.Bytes(int64(o.Buffer), d+1, 8),
		Keys:  []string{"buffer"},
		What:  fmt.Sprintf("replay buffer: buffer × (dim + 1) × 8 bytes, buffer = %d, dim = %d", o.Buffer, d),
	}
}

// Params is nil: PCD has no parameters of its own.
func (o *PCD) Params() []float64 { return nil }

// Loss takes one chain from the buffer per batch row (restarting some),
// advances them k steps, writes them back, and returns the loss with its
// gradient in grad. Cancelling ctx stops the chains and returns ctx's
// error with the buffer and streams as they were before the call.
func (o *PCD) Loss(ctx context.Context, batch []float64, grad []float64) (float64, error) {
	c := &o.c
	n, err := c.check(ctx, "pcd", batch, grad, 0)
	if err != nil {
		return 0, err
	}
	if n > o.Buffer {
		return 0, fmt.Errorf("pcd: the batch has %d rows but the buffer only %d; set buffer >= the batch size", n, o.Buffer)
	}
	d := c.d
	pos, neg := c.scratch(n, n)
	copy(pos, batch)
	saved := c.master
	r := &c.master
	// n distinct rows by a partial Fisher–Yates shuffle of 0…Buffer−1.
	for i := range o.perm {
		o.perm[i] = i
	}
	o.rows = o.rows[:0]
	for i := 0; i < n; i++ {
		j := i + r.IntN(o.Buffer-i)
		o.perm[i], o.perm[j] = o.perm[j], o.perm[i]
		o.rows = append(o.rows, o.perm[i])
	}
	for i, row := range o.rows {
		x := neg[i*d : (i+1)*d]
		if o.Restart > 0 && r.Float64() < o.Restart {
			o.q.sample(x, r)
		} else {
			copy(x, o.buf[row*d:(row+1)*d])
		}
	}
	if err := c.chains.run(ctx, c.sampler, c.energy, neg, o.K, r.Uint64()); err != nil {
		c.master = saved
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("pcd: negative chains: %w", err)
	}
	for i, row := range o.rows {
		copy(o.buf[row*d:(row+1)*d], neg[i*d:(i+1)*d])
	}
	return c.loss(n, n, o.Alpha, grad), nil
}

// Samples returns the replay buffer (Buffer×Dim rows, aliased: read only):
// the persistent chains, approximate draws from the current model.
func (o *PCD) Samples() []float64 { return o.buf }

// SamplerStats returns the negative chains' counters accumulated since
// Start: transitions, acceptance, divergences, gradient evaluations.
func (o *PCD) SamplerStats() samplers.Stats { return o.c.chains.stats }

// State returns the buffer (array "buffer") and the master stream ("rng").
func (o *PCD) State() State {
	return State{
		Arrays: map[string][]float64{"buffer": append([]float64(nil), o.buf...)},
		RNG:    map[string][]uint64{"rng": streamWords(o.c.master)},
	}
}

// ReplayBuffer returns the buffer's Buffer×d persistent chains (not a
// copy), nil before Start.
func (o *PCD) ReplayBuffer() []float64 { return o.buf }

// Restore sets the buffer and the master stream from a State; call it
// after Start. The buffer must have Buffer×Dim finite values.
func (o *PCD) Restore(st State) error {
	if o.buf == nil {
		return fmt.Errorf("pcd: Restore called before Start")
	}
	b, ok := st.Arrays["buffer"]
	if !ok {
		return fmt.Errorf("pcd: state has no array %q", "buffer")
	}
	if len(b) != len(o.buf) {
		return fmt.Errorf("pcd: state: buffer has %d values, want %d (buffer = %d chains of dimension %d); was the run's buffer or model changed?", len(b), len(o.buf), o.Buffer, o.c.d)
	}
	for i, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("pcd: state: buffer value %d (chain %d) is %v", i, i/o.c.d, v)
		}
	}
	r, err := streamFromState("pcd", st, "rng")
	if err != nil {
		return err
	}
	copy(o.buf, b)
	o.c.master = r
	return nil
}

var (
	_ Objective            = (*PCD)(nil)
	_ Stateful             = (*PCD)(nil)
	_ Replayer             = (*PCD)(nil)
	_ registry.Footprinter = (*PCD)(nil)
)
