package optim

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/simd"
)

func init() { Register("adam", func() Optimizer { return NewAdam() }) }

// Adam is the optimizer of Kingma & Ba 2015 ("Adam: A Method for Stochastic
// Optimization", Algorithm 1) with bias correction, and with the decoupled
// weight decay of AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay
// Regularization"). With g the (clipped) gradient, lr the step's scheduled
// learning rate and t the step number counted from 1:
//
//	m ← β₁·m + (1 − β₁)·g
//	v ← β₂·v + (1 − β₂)·g²
//	m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)
//	θ ← θ − lr·weight_decay·θ − lr·m̂/(√v̂ + ε)
//
// The decay is applied to θ directly, not through the gradient and so not
// through the moments (that is what "decoupled" means); it follows the
// schedule, as in PyTorch's torch.optim.AdamW: the paper's λ·η_t is
// weight_decay·lr here.
type Adam struct {
	Common
	Beta1       float64 `toml:"beta1" doc:"decay rate of the first-moment estimate, in [0, 1)"`
	Beta2       float64 `toml:"beta2" doc:"decay rate of the second-moment estimate, in [0, 1)"`
	Eps         float64 `toml:"eps" doc:"added to √v̂ in the denominator, > 0"`
	WeightDecay float64 `toml:"weight_decay" doc:"decoupled (AdamW) weight decay: each step θ ← θ − lr·weight_decay·θ, >= 0; 0 = plain Adam"`

	m, v   []float64       // first and second moment estimates
	consts simd.AdamConsts // the factors of the current step
}

// NewAdam returns an Adam optimizer with the defaults of Kingma & Ba: lr
// 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, no weight decay, constant
// schedule, no warmup and no clipping.
func NewAdam() *Adam {
	return &Adam{Common: defaultCommon(1e-3), Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Description is the one-line summary shown by `ebmrun list`.
func (o *Adam) Description() string {
	return "Adam with bias correction and decoupled (AdamW) weight decay"
}

// Init validates the keys; errors name the key.
func (o *Adam) Validate() error {
	if err := o.Common.Validate(); err != nil {
		return err
	}
	if !(o.Beta1 >= 0 && o.Beta1 < 1) {
		return fmt.Errorf("key %q: must be in [0, 1), got %v", "beta1", o.Beta1)
	}
	if !(o.Beta2 >= 0 && o.Beta2 < 1) {
		return fmt.Errorf("key %q: must be in [0, 1), got %v", "beta2", o.Beta2)
	}
	if !(o.Eps > 0) || math.IsInf(o.Eps, 0) {
		return fmt.Errorf("key %q: must be > 0 and finite, got %v", "eps", o.Eps)
	}
	if !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0) {
		return fmt.Errorf("key %q: must be >= 0 and finite, got %v", "weight_decay", o.WeightDecay)
	}
	return nil
}

// Start validates the keys and prepares a run over n parameters and total
// planned steps, with both moments at 0.
func (o *Adam) Start(n, total int) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := o.start(n, total); err != nil {
		return err
	}
	o.m, o.v = make([]float64, n), make([]float64, n)
	return nil
}

// Step applies one update (see Optimizer.Step).
func (o *Adam) Step(params, grad []float64) (lr, gradNorm float64) {
	lr = o.LRAt(o.step)
	t := float64(o.step + 1)
	b1, b2 := o.Beta1, o.Beta2
	// With the bias corrections c₁ = 1 − β₁ᵗ and c₂ = 1 − β₂ᵗ,
	// lr·m̂/(√v̂ + ε) = (lr/c₁)·m/(√v·(1/√c₂) + ε): one square root and
	// one division per parameter, the corrections folded into two
	// per-step factors (PyTorch's form, with a product for its quotient),
	// on simd.Adam's kernels.
	c := &o.consts
	*c = simd.AdamConsts{
		B1: b1, A1: 1 - b1, B2: b2, A2: 1 - b2,
		Step:  lr / (1 - math.Pow(b1, t)),
		ISC2:  1 / math.Sqrt(1-math.Pow(b2, t)),
		Decay: 1 - lr*o.WeightDecay,
		Eps:   o.Eps,
	}
	m, v := o.m, o.v
	// Element-wise, so any split gives the same bits; large models (an
	// MNIST-sized MLP has 665 089 parameters) split over the cores, on the
	// process's shared helpers (team), not goroutines of their own.
	gradNorm, ok := o.apply("adam", params, grad, func(lo, hi int) {
		simd.Adam(params[lo:hi], m[lo:hi], v[lo:hi], grad[lo:hi], c)
	})
	if ok {
		o.step++
	}
	return lr, gradNorm
}

// vectors names the state vectors.
func (o *Adam) vectors() map[string][]float64 { return map[string][]float64{"m": o.m, "v": o.v} }

// State returns a copy of the step counter and both moment estimates.
func (o *Adam) State() State { return o.state(o.vectors()) }

// Restore loads a state saved by State, after Start.
func (o *Adam) Restore(st State) error { return o.restore("adam", st, o.vectors()) }

var (
	_ Optimizer          = (*Adam)(nil)
	_ registry.Validator = (*Adam)(nil)
	_ registry.Describer = (*Adam)(nil)
)
