package mlp

import (
	"fmt"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
)

// Build records E(x) for the rows of x (an n×Dim node) on g, the same
// network Energy computes, and returns the n×1 energy node and the
// parameter leaves: for each layer, Wₗ (inₗ×outₗ) then bₗ (1×outₗ), as
// g.Input leaves aliasing consecutive segments of Params in order, so
// g.Flatten of their gradients is the gradient in Params' layout. Build
// does not start goroutines beyond g's own (see autodiff.Graph.SetWorkers).
// It panics unless x has Dim columns.
func (m *MLP) Build(g *autodiff.Graph, x autodiff.Node) (e autodiff.Node, params []autodiff.Node) {
	m.ready()
	if _, cols := g.Shape(x); cols != m.D {
		panic(fmt.Sprintf("mlp: Build: x has %d columns, the model's dim is %d", cols, m.D))
	}
	nl := len(m.layers) - 1
	params = make([]autodiff.Node, 0, 2*nl)
	h := x
	for l := 1; l <= nl; l++ {
		in, out := m.layers[l-1], m.layers[l]
		o := m.offs[l-1]
		w := g.Input(m.params[o:o+in*out], in, out)
		b := g.Input(m.params[o+in*out:m.offs[l]], 1, out)
		params = append(params, w, b)
		h = g.Affine(h, w, b)
		if l < nl {
			h = g.Act(h, m.adAct)
		}
	}
	if q := m.Quadratic; q != 0 {
		h = g.Add(h, g.Scale(g.SumRows(g.Square(x)), 0.5*q))
	}
	return h, params
}

var (
	_ energies.Trainable   = (*MLP)(nil)
	_ energies.Smooth      = (*MLP)(nil)
	_ registry.Provisioner = (*MLP)(nil)
)
