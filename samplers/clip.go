package samplers

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
)

// clipValue is an energy as a Langevin kernel with clip_grad_value sees it:
// the same energy, but every coordinate of ∇ₓE clamped to [−max, max], as
// Du & Mordatch (2019) clip the gradient in their image sampler. A NaN
// stays NaN, so a diverged step still counts as one.
type clipValue struct {
	m   energies.Energy
	max float64
}

// Dim is the energy's dimension.
func (c clipValue) Dim() int { return c.m.Dim() }

// Energy is the energy itself.
func (c clipValue) Energy(e, x []float64) { c.m.Energy(e, x) }

// Gradient computes E and ∇ₓE, then clamps every gradient coordinate.
func (c clipValue) Gradient(e, grad, x []float64) {
	c.m.Gradient(e, grad, x)
	m := c.max
	for i, v := range grad {
		if v > m {
			grad[i] = m
		} else if v < -m {
			grad[i] = -m
		}
	}
}

// checkClipValue validates a clip_grad_value key: 0 (off) or > 0, finite.
func checkClipValue(v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("clip_grad_value must be ≥ 0 and finite (0 means no clipping), got %v", v)
	}
	return nil
}

// withClipValue makes the shard's gradients clipped to ±v (v > 0); a shard
// already wrapped by an earlier Start is unwrapped first.
func withClipValue(c *Chains, v float64) {
	if w, ok := c.Energy.(clipValue); ok {
		c.Energy = w.m
	}
	if v > 0 {
		c.Energy = clipValue{c.Energy, v}
	}
}

var _ energies.Energy = clipValue{}
