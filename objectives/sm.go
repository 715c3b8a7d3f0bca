package objectives

import (
	"context"
	"fmt"

	"github.com/goebm/ebm/energies"
)

func init() { Register("sm", func() Objective { return NewSM() }) }

// SM is exact score matching (Hyvärinen 2005, "Estimation of
// non-normalized statistical models by score matching", Theorem 1 with
// log p = −E):
//
//	J(θ) = mean over the batch of ½‖∇ₓE(x)‖² − tr ∇ₓ²E(x),
//
// which equals the Fisher divergence ½E‖∇ₓlog p_data − ∇ₓlog p_θ‖² up to a
// constant, so it needs neither the normalizer nor the data's score.
//
// ∇ₓE is one backward pass recorded on the graph; the trace of the Hessian
// takes one more backward pass per input dimension (reverse mode yields a
// Hessian row per pass, of which only the diagonal entry is kept: the cost
// that motivates sliced score matching, Song et al. 2019), and the
// parameter gradient one final pass. The cost grows linearly with the
// dimension, so Start refuses models of more
// than max_dim dimensions: use ssm (one Hessian-vector product per
// projection) or dsm (no second derivatives at all) there.
type SM struct {
	MaxDim int `toml:"max_dim" doc:"largest model dimension accepted (>= 1): the Hessian trace costs one backward pass per dimension; above it use ssm or dsm"`

	s scorer
}

// NewSM returns an exact score-matching objective with max_dim 16.
func NewSM() *SM { return &SM{MaxDim: 16} }

// Description is the one-line summary shown by `ebmrun list`.
func (o *SM) Description() string {
	return "exact score matching (Hyvärinen 2005): mean ½‖∇ₓE‖² − tr ∇ₓ²E, one backward pass per dimension"
}

// Validate checks the keys.
func (o *SM) Validate() error {
	if o.MaxDim < 1 {
		return fmt.Errorf("key %q: must be >= 1, got %d", "max_dim", o.MaxDim)
	}
	return nil
}

// Start prepares a run of m. It refuses a model that is not smooth (see
// energies.Smooth) or whose dimension exceeds max_dim. SM draws no random
// numbers; its stream is seeded all the same, so its State has the same
// shape as the other objectives'.
func (o *SM) Start(m energies.Trainable, data []float64, seed uint64) error {
	if err := o.Validate(); err != nil {
		return fmt.Errorf("sm: %w", err)
	}
	if m != nil && m.Dim() > o.MaxDim {
		return fmt.Errorf("sm: the model's dimension %d exceeds max_dim = %d: exact score matching costs one backward pass per dimension; use ssm (sliced score matching) or dsm (denoising score matching) instead, or raise max_dim", m.Dim(), o.MaxDim)
	}
	return o.s.start("sm", m, data, seed)
}

// Params is nil: SM has no parameters of its own.
func (o *SM) Params() []float64 { return nil }

// Loss returns J on batch and writes its gradient with respect to the
// model's parameters into grad.
func (o *SM) Loss(ctx context.Context, batch []float64, grad []float64) (float64, error) {
	s := &o.s
	n, err := s.check(ctx, batch, grad)
	if err != nil {
		return 0, err
	}
	copy(s.x, batch)
	inv := 1 / float64(n)
	for i := range s.col[:n] {
		s.col[i] = -inv // ∂J/∂(∂²E/∂x_j²) = −1/n
	}
	return s.run(o, grad), nil
}

// shardLoss is J's part from the shard's rows (see shardBody).
func (o *SM) shardLoss(sh *shard) float64 {
	s := sh.s
	d := s.d
	x, gx := sh.record()
	inv := 1 / float64(s.n)
	gs := sh.span(s.gs, d)
	sq := 0.0
	for i, v := range sh.value(gx) {
		sq += v * v
		gs[i] = v * inv // ∂J/∂(∇ₓE) = ∇ₓE/n
	}
	sh.output(gx, gs, d)
	col := sh.span(s.col, 1)
	tr := 0.0
	for j := 0; j < d; j++ {
		hj := sh.grad(sh.col(gx, j), x) // row i: ∇ₓ(∂E/∂x_j)(x_i)
		diag := sh.col(hj, j)           // ∂²E/∂x_j²
		for _, v := range sh.value(diag) {
			tr += v
		}
		sh.output(diag, col, 1)
	}
	sh.finish()
	return (0.5*sq - tr) * inv
}

// State returns the random stream's state.
func (o *SM) State() State { return o.s.state() }

// Restore sets the random stream from a State; call it after Start.
func (o *SM) Restore(st State) error { return o.s.restore(st) }

var (
	_ Objective = (*SM)(nil)
	_ Stateful  = (*SM)(nil)
	_ shardBody = (*SM)(nil)
)
