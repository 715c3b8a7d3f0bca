// Package quartic is the custom-energy example of the README ("Adding a
// component"), as real code: an energy a third party writes, registers, and
// checks with ebm's conformance kits (see quartic_test.go).
package quartic

import (
	"fmt"

	"github.com/goebm/ebm/energies"
)

// Quartic is E(x) = Σ x_i⁴ / 4.
type Quartic struct {
	D int `toml:"dim" doc:"dimension, ≥ 1"`
}

func (q *Quartic) Validate() error {
	if q.D < 1 {
		return fmt.Errorf("key \"dim\": must be ≥ 1, got %d", q.D)
	}
	return nil
}
func (q *Quartic) Description() string   { return "Σ x⁴/4" }
func (q *Quartic) Dim() int              { return q.D }
func (q *Quartic) Energy(e, x []float64) { q.Gradient(e, nil, x) }
func (q *Quartic) Gradient(e, g, x []float64) {
	for i := range e[:len(x)/q.D] {
		e[i] = 0
		for j := i * q.D; j < (i+1)*q.D; j++ {
			e[i] += x[j] * x[j] * x[j] * x[j] / 4
			if g != nil {
				g[j] = x[j] * x[j] * x[j]
			}
		}
	}
}

func init() { energies.Register("quartic", func() energies.Energy { return &Quartic{D: 2} }) }
