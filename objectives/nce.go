package objectives

import (
	"context"
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
)

func init() { Register("nce", func() Objective { return NewNCE() }) }

// NCE is noise-contrastive estimation (Gutmann and Hyvärinen 2010,
// "Noise-contrastive estimation: A new estimation principle for
// unnormalized statistical models"): logistic regression of the data
// against draws from a known noise density q, with the model's log
// normalizer learned as a parameter.
//
// The model's log density is log p(x) = −E(x) − c, with c (an estimate of
// log Z) the objective's one parameter, Params()[0]. With ν noise draws per
// data row and G(x) = log p(x) − log(ν·q(x)), the loss is
//
//	J = −mean log σ(G(x₊)) − ν·mean log(1 − σ(G(x₋)))
//	  = mean softplus(−G(x₊)) + ν·mean softplus(G(x₋)),
//
// x₊ the batch and x₋ fresh noise draws, evaluated in the numerically
// stable softplus form. Its minimizer over a family containing the data
// density is that density, with c = log Z exactly (the logistic loss is
// only minimal when the classifier's log-odds are the true ones), which is
// what makes NCE consistent for unnormalized models.
//
// The noise is fitted to the training data in Start: the Gaussian with the
// data's mean and covariance (default), or the uniform density on the
// data's bounding box enlarged by 25 %. A batch of n rows draws
// round(ν·n) noise points (at least one) from the objective's stream, and
// ν in G is that count over n. NCE needs q to cover the data and to be
// close enough to it that the classification is not trivial; on
// multi-modal data a bigger ν helps.
type NCE struct {
	Noise        string  `toml:"noise" doc:"noise density fitted to the training data: \"gaussian\" (its mean and covariance, plus the smallest ridge that makes it positive definite where it is singular) or \"uniform\" (its bounding box enlarged by 25 %)"`
	Nu           float64 `toml:"nu" doc:"noise draws per data row (ν > 0); each batch of n rows draws round(ν·n) noise points"`
	EstimateLogZ bool    `toml:"estimate_log_z" doc:"start log Z at an importance-sampling estimate log mean exp(−E(y) − log q(y)) over 4096 noise draws y;\nfalse starts it at 0"`

	q      *noise
	c      contrast   // the model, graph and scratch (no sampler)
	logZ   []float64  // Params: [c]
	logQ   []float64  // log q of each row of c.x
	master rng.Stream // noise draws
}

// NewNCE returns an NCE objective with its defaults: noise "gaussian", nu 1,
// estimate_log_z true.
func NewNCE() *NCE { return &NCE{Noise: "gaussian", Nu: 1, EstimateLogZ: true} }

// Description is the one-line summary shown by `ebmrun list`.
func (o *NCE) Description() string {
	return "noise-contrastive estimation (Gutmann & Hyvärinen 2010): logistic loss against fitted noise, log Z learned"
}

// Validate checks the keys.
func (o *NCE) Validate() error {
	if o.Noise != "gaussian" && o.Noise != "uniform" {
		return fmt.Errorf("key %q: unknown value %q; want %s", "noise", o.Noise, noiseKinds)
	}
	if !(o.Nu > 0) || math.IsInf(o.Nu, 1) {
		return fmt.Errorf("key %q: must be finite and > 0, got %v", "nu", o.Nu)
	}
	return nil
}

// logZDraws is the number of noise draws of Start's log Z estimate.
const logZDraws = 4096

// Start fits the noise density to data, seeds the noise stream with
// rng.New(seed, 0) and sets log Z: to the importance-sampling estimate
// (drawn from rng.New(seed, 1)) or to 0.
func (o *NCE) Start(m energies.Trainable, data []float64, seed uint64) error {
	if err := o.Validate(); err != nil {
		return fmt.Errorf("nce: %w", err)
	}
	if err := o.c.start("nce", m, data, seed, nil, 0); err != nil {
		return err
	}
	q, err := fitNoise("noise", o.Noise, data, o.c.d)
	if err != nil {
		return fmt.Errorf("nce: %w", err)
	}
	o.q, o.master = q, o.c.master
	o.logZ = []float64{0}
	if o.EstimateLogZ {
		lz, err := o.estimateLogZ(rng.New(seed, 1))
		if err != nil {
			return err
		}
		o.logZ[0] = lz
	}
	return nil
}

// estimateLogZ returns log mean exp(−E(y) − log q(y)) over logZDraws noise
// draws y, a consistent (for few draws, low) estimate of log Z.
func (o *NCE) estimateLogZ(r rng.Stream) (float64, error) {
	d := o.c.d
	y := make([]float64, logZDraws*d)
	e := make([]float64, logZDraws)
	for i := 0; i < logZDraws; i++ {
		o.q.sample(y[i*d:(i+1)*d], &r)
	}
	o.c.m.Energy(e, y)
	mx := math.Inf(-1)
	for i := range e {
		e[i] = -e[i] - o.q.logPdf(y[i*d:(i+1)*d])
		mx = math.Max(mx, e[i])
	}
	s := 0.0
	for _, v := range e {
		s += math.Exp(v - mx)
	}
	lz := mx + math.Log(s/logZDraws)
	if math.IsNaN(lz) || math.IsInf(lz, 0) {
		return 0, fmt.Errorf("nce: cannot estimate log Z: the model's energy at the noise draws gives %v; set estimate_log_z = false or check the model", lz)
	}
	return lz, nil
}

// Params is [c], the learned log normalizer, aliased.
func (o *NCE) Params() []float64 { return o.logZ }

// noiseRows is the number of noise draws for a batch of n rows.
func (o *NCE) noiseRows(n int) int { return max(1, int(math.Round(o.Nu*float64(n)))) }

// Loss draws fresh noise, evaluates the logistic loss of the batch against
// it, and writes the gradient (the model's parameters, then c) into grad.
func (o *NCE) Loss(ctx context.Context, batch []float64, grad []float64) (float64, error) {
	c := &o.c
	n, err := c.check(ctx, "nce", batch, grad, 1)
	if err != nil {
		return 0, err
	}
	d := c.d
	m := o.noiseRows(n)
	pos, neg := c.scratch(n, m)
	copy(pos, batch)
	for i := 0; i < m; i++ {
		o.q.sample(neg[i*d:(i+1)*d], &o.master)
	}
	if cap(o.logQ) < n+m {
		o.logQ = make([]float64, n+m)
	}
	o.logQ = o.logQ[:n+m]
	for i := range o.logQ {
		o.logQ[i] = o.q.logPdf(c.x[i*d : (i+1)*d])
	}

	g := c.g
	g.Reset()
	x := g.Const(c.x, n+m, d)
	e, params := c.m.Build(g, x)
	ev := g.Value(e)
	// G = −E − c − log ν − log q; ν·(1/m) = 1/n, so every term weighs 1/n.
	off := o.logZ[0] + math.Log(float64(m)/float64(n))
	inv := 1 / float64(n)
	loss, dc := 0.0, 0.0
	for i, v := range ev {
		gi := -v - off - o.logQ[i]
		if i < n {
			loss += logOnePlusExp(-gi)
			c.seeds[i] = logistic(-gi) * inv // ∂J/∂E = −∂J/∂G
		} else {
			loss += logOnePlusExp(gi)
			c.seeds[i] = -logistic(gi) * inv
		}
		dc += c.seeds[i] // ∂G/∂c = ∂G/∂E
	}
	c.grad(grad[:c.np], e, params)
	grad[c.np] = dc
	return loss * inv, nil
}

// logOnePlusExp is log(1 + eˣ) without overflow or cancellation.
func logOnePlusExp(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// logistic is 1/(1 + e⁻ˣ) without overflow.
func logistic(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	z := math.Exp(x)
	return z / (1 + z)
}

// State returns the noise stream's state ("rng"); log Z is Params, saved
// by the caller.
func (o *NCE) State() State {
	return State{RNG: map[string][]uint64{"rng": streamWords(o.master)}}
}

// Restore sets the noise stream from a State; call it after Start.
func (o *NCE) Restore(st State) error {
	r, err := streamFromState("nce", st, "rng")
	if err != nil {
		return err
	}
	o.master = r
	return nil
}

var (
	_ Objective = (*NCE)(nil)
	_ Stateful  = (*NCE)(nil)
)
