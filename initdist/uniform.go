package initdist

import (
	"fmt"

	"github.com/goebm/ebm/rng"
)

// Uniform starts chains uniformly in the box [low, high).
type Uniform struct {
	Low  any `toml:"low" doc:"lower corner: a number (every dimension) or one value per dimension"`
	High any `toml:"high" doc:"upper corner: a number or one value per dimension; each > low"`

	low, high vector
	ready     bool      // Init succeeded
	lo, hi    []float64 // expanded by Bind
}

func init() {
	Register("uniform", func() Dist { return &Uniform{Low: -1.0, High: 1.0} })
}

// Description is the one-line summary for `ebmrun list`.
func (u *Uniform) Description() string { return "uniform start distribution on the box [low, high)" }

// Init checks the parameters' types and finiteness.
func (u *Uniform) Validate() error {
	var err error
	if u.low, err = parseVector("low", u.Low); err != nil {
		return err
	}
	if u.high, err = parseVector("high", u.High); err != nil {
		return err
	}
	if !u.low.each(finite) || !u.high.each(finite) {
		return fmt.Errorf("keys \"low\" and \"high\": must be finite, got %v and %v", u.Low, u.High)
	}
	if u.low.vals == nil && u.high.vals == nil && !(u.high.scalar > u.low.scalar) {
		return fmt.Errorf("key \"high\": must be > low = %v, got %v", u.low.scalar, u.high.scalar)
	}
	u.ready = true
	return nil
}

// Bind expands scalar corners to d dimensions, checks array lengths and
// that high > low in every dimension.
func (u *Uniform) Bind(d int) error {
	if !u.ready {
		if err := u.Validate(); err != nil {
			return err
		}
	}
	var err error
	if u.lo, err = u.low.expand("low", d); err != nil {
		return err
	}
	if u.hi, err = u.high.expand("high", d); err != nil {
		return err
	}
	for i := range u.lo {
		if !(u.hi[i] > u.lo[i]) {
			return fmt.Errorf("key \"high\": must be > low in every dimension; dimension %d has low %v, high %v", i, u.lo[i], u.hi[i])
		}
	}
	return nil
}

// Fill writes low + (high − low)·U, U ~ Uniform[0, 1)^d, into x.
func (u *Uniform) Fill(x []float64, r *rng.Stream) {
	if len(x) != len(u.lo) {
		panic(fmt.Sprintf("initdist: Uniform.Fill len(x)=%d, bound to dimension %d", len(x), len(u.lo)))
	}
	for i := range x {
		x[i] = u.lo[i] + (u.hi[i]-u.lo[i])*r.Float64()
	}
}

var _ Dist = (*Uniform)(nil)
