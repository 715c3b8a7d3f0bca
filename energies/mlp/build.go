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
	return buildOn(m, g, x, m.params, "Build")
}

// Float32 reports whether the model computes in float32 (dtype =
// "float32"): score-matching objectives then record it with Build32.
func (m *MLP) Float32() bool { m.ready(); return m.f32 }

// Params32 rounds Params into the model's float32 copy and returns it,
// aliased; Build32 records leaves aliasing that copy. Call it after every
// change of Params and before Build32 (objectives call it once per Loss,
// before recording the batch's shards); it must not run concurrently with
// Build32 or with graphs recorded from the copy.
func (m *MLP) Params32() []float32 {
	m.ready()
	m.p32 = grow(m.p32, len(m.params))
	energies.RoundParams32(m.p32, m.params)
	return m.p32
}

// Build32 is Build on a float32 graph: the parameter leaves alias the
// float32 copy of the last Params32 call, in Params' layout. It panics if
// Params32 was never called. Like Build it is safe for concurrent calls.
func (m *MLP) Build32(g *autodiff.Graph32, x autodiff.Node) (e autodiff.Node, params []autodiff.Node) {
	m.ready()
	if len(m.p32) != len(m.params) {
		panic("mlp: Build32 before Params32")
	}
	return buildOn(m, g, x, m.p32, "Build32")
}

// buildOn records the network on g with the parameters p (Params' layout).
func buildOn[T autodiff.Float](m *MLP, g *autodiff.GraphOf[T], x autodiff.Node, p []T, name string) (e autodiff.Node, params []autodiff.Node) {
	if _, cols := g.Shape(x); cols != m.D {
		panic(fmt.Sprintf("mlp: %s: x has %d columns, the model's dim is %d", name, cols, m.D))
	}
	nl := len(m.layers) - 1
	params = make([]autodiff.Node, 0, 2*nl)
	h := x
	for l := 1; l <= nl; l++ {
		in, out := m.layers[l-1], m.layers[l]
		o := m.offs[l-1]
		w := g.Input(p[o:o+in*out], in, out)
		b := g.Input(p[o+in*out:m.offs[l]], 1, out)
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

// wideDim is the input width from which the score-matching objectives cut
// a batch into shards of wideShardRows rows (ShardRows); below it they
// keep their default of 128.
const (
	wideDim       = 256
	wideShardRows = 64
)

// ShardRows implements energies.ShardRows: on image-sized inputs (dim ≥
// 256) the score-matching objectives record a batch in shards of at most
// 64 rows, so that a batch of 128 runs as two shards side by side, one per
// core, rather than as one whose every product and element-wise pass is
// split over the cores. Smaller inputs (the 2-D models) keep the default,
// and their bits.
func (m *MLP) ShardRows() int {
	if m.D >= wideDim {
		return wideShardRows
	}
	return 0
}

var (
	_ energies.ShardRows   = (*MLP)(nil)
	_ energies.Trainable   = (*MLP)(nil)
	_ energies.Trainable32 = (*MLP)(nil)
	_ energies.Smooth      = (*MLP)(nil)
	_ registry.Provisioner = (*MLP)(nil)
)
