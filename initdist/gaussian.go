package initdist

import (
	"fmt"

	"github.com/goebm/ebm/rng"
)

// Gaussian starts chains from N(mean, diag(std²)).
type Gaussian struct {
	Mean any `toml:"mean" doc:"mean: a number (every dimension) or one value per dimension"`
	Std  any `toml:"std" doc:"standard deviation: a number or one value per dimension; each > 0"`

	mean, std vector
	ready     bool      // Init succeeded
	m, s      []float64 // expanded by Bind
}

func init() {
	Register("gaussian", func() Dist { return &Gaussian{Mean: 0.0, Std: 1.0} })
}

// Description is the one-line summary for `ebmrun list`.
func (g *Gaussian) Description() string {
	return "normal start distribution N(mean, diag(std²)); the default is N(0, I)"
}

// Init checks the parameters' types and that every std is positive.
func (g *Gaussian) Validate() error {
	var err error
	if g.mean, err = parseVector("mean", g.Mean); err != nil {
		return err
	}
	if g.std, err = parseVector("std", g.Std); err != nil {
		return err
	}
	if !g.mean.each(finite) {
		return fmt.Errorf("key \"mean\": must be finite, got %v", g.Mean)
	}
	if !g.std.each(func(s float64) bool { return s > 0 && finite(s) }) {
		return fmt.Errorf("key \"std\": must be > 0, got %v", g.Std)
	}
	g.ready = true
	return nil
}

// Bind expands scalar parameters to d dimensions and checks array lengths.
func (g *Gaussian) Bind(d int) error {
	if !g.ready {
		if err := g.Validate(); err != nil {
			return err
		}
	}
	var err error
	if g.m, err = g.mean.expand("mean", d); err != nil {
		return err
	}
	g.s, err = g.std.expand("std", d)
	return err
}

// Fill writes mean + std·ξ, ξ ~ N(0, I), into x.
func (g *Gaussian) Fill(x []float64, r *rng.Stream) {
	if len(x) != len(g.m) {
		panic(fmt.Sprintf("initdist: Gaussian.Fill len(x)=%d, bound to dimension %d", len(x), len(g.m)))
	}
	for i := range x {
		x[i] = g.m[i] + g.s[i]*r.Norm()
	}
}

var _ Dist = (*Gaussian)(nil)
