package optim

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/registry"
)

func init() { Register("sgd", func() Optimizer { return NewSGD() }) }

// SGD is stochastic gradient descent with optional (Nesterov) momentum and
// L2 weight decay, in the convention of PyTorch's torch.optim.SGD without
// dampening. With g the (clipped) gradient and lr the step's scheduled
// learning rate:
//
//	g ← g + weight_decay·θ
//	b ← momentum·b + g                    (b starts at 0; skipped when momentum = 0)
//	θ ← θ − lr·b                          (plain momentum)
//	θ ← θ − lr·(g + momentum·b)           (nesterov)
//
// Without momentum the update is θ ← θ − lr·g.
type SGD struct {
	Common
	Momentum    float64 `toml:"momentum" doc:"momentum coefficient, in [0, 1); 0 = plain gradient descent"`
	Nesterov    bool    `toml:"nesterov" doc:"use Nesterov momentum (needs momentum > 0)"`
	WeightDecay float64 `toml:"weight_decay" doc:"L2 penalty weight_decay·½‖θ‖², added to the gradient as weight_decay·θ, >= 0"`

	buf []float64 // momentum buffer
}

// NewSGD returns an SGD optimizer with its defaults: lr 0.01, no momentum,
// no weight decay, constant schedule, no warmup and no clipping.
func NewSGD() *SGD { return &SGD{Common: defaultCommon(0.01)} }

// Description is the one-line summary shown by `ebmrun list`.
func (o *SGD) Description() string {
	return "stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay"
}

// Init validates the keys; errors name the key.
func (o *SGD) Validate() error {
	if err := o.Common.Validate(); err != nil {
		return err
	}
	if !(o.Momentum >= 0 && o.Momentum < 1) {
		return fmt.Errorf("key %q: must be in [0, 1), got %v", "momentum", o.Momentum)
	}
	if o.Nesterov && o.Momentum == 0 {
		return fmt.Errorf("key %q: Nesterov momentum needs momentum > 0", "nesterov")
	}
	if !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0) {
		return fmt.Errorf("key %q: must be >= 0 and finite, got %v", "weight_decay", o.WeightDecay)
	}
	return nil
}

// Start validates the keys and prepares a run over n parameters and total
// planned steps.
func (o *SGD) Start(n, total int) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := o.start(n, total); err != nil {
		return err
	}
	o.buf = nil
	if o.Momentum > 0 {
		o.buf = make([]float64, n)
	}
	return nil
}

// Step applies one update (see Optimizer.Step).
func (o *SGD) Step(params, grad []float64) (lr, gradNorm float64) {
	lr = o.LRAt(o.step)
	mu, wd, buf := o.Momentum, o.WeightDecay, o.buf
	gradNorm, ok := o.apply("sgd", params, grad, func(lo, hi int) {
		switch {
		case mu == 0:
			for i := lo; i < hi; i++ {
				params[i] -= lr * (grad[i] + wd*params[i])
			}
		case o.Nesterov:
			for i := lo; i < hi; i++ {
				g := grad[i] + wd*params[i]
				buf[i] = mu*buf[i] + g
				params[i] -= lr * (g + mu*buf[i])
			}
		default:
			for i := lo; i < hi; i++ {
				g := grad[i] + wd*params[i]
				buf[i] = mu*buf[i] + g
				params[i] -= lr * buf[i]
			}
		}
	})
	if ok {
		o.step++
	}
	return lr, gradNorm
}

// vectors names the state vectors.
func (o *SGD) vectors() map[string][]float64 {
	if o.buf == nil {
		return map[string][]float64{}
	}
	return map[string][]float64{"momentum": o.buf}
}

// State returns a copy of the step counter and the momentum buffer.
func (o *SGD) State() State { return o.state(o.vectors()) }

// Restore loads a state saved by State, after Start.
func (o *SGD) Restore(st State) error { return o.restore("sgd", st, o.vectors()) }

var (
	_ Optimizer          = (*SGD)(nil)
	_ registry.Validator = (*SGD)(nil)
	_ registry.Describer = (*SGD)(nil)
)
