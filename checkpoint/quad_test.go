package checkpoint

import (
	"errors"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
)

// quad is a test-only trainable: E(x) = Σ_j ½·a_j·x_j² + b_j·x_j with the
// parameter vector (a_1 … a_d, b_1 … b_d), initialized to a = 1, b = 0.
type quad struct {
	D int `toml:"dim"`
	p []float64
}

func init() { energies.Register("quadtest", func() energies.Energy { return &quad{D: 2} }) }

func (q *quad) Validate() error {
	if q.D < 1 {
		return errors.New(`key "dim": must be >= 1`)
	}
	q.p = make([]float64, 2*q.D)
	for j := range q.D {
		q.p[j] = 1
	}
	return nil
}

func (q *quad) Dim() int              { return q.D }
func (q *quad) Params() []float64     { return q.p }
func (q *quad) Energy(e, x []float64) { q.Gradient(e, nil, x) }

func (q *quad) Gradient(e, grad, x []float64) {
	d := q.D
	n := energies.CheckBatch(d, e, grad, x)
	for i := range n {
		e[i] = 0
		for j := range d {
			xj := x[i*d+j]
			e[i] += 0.5*q.p[j]*xj*xj + q.p[d+j]*xj
			if grad != nil {
				grad[i*d+j] = q.p[j]*xj + q.p[d+j]
			}
		}
	}
}

func (q *quad) Build(g *autodiff.Graph, x autodiff.Node) (autodiff.Node, []autodiff.Node) {
	a := g.Input(q.p[:q.D], 1, q.D)
	b := g.Input(q.p[q.D:], 1, q.D)
	e := g.Add(g.MatMulBT(g.Scale(g.Square(x), 0.5), a), g.MatMulBT(x, b))
	return e, []autodiff.Node{a, b}
}

var _ energies.Trainable = (*quad)(nil)
