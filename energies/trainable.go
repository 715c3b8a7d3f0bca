package energies

import "github.com/goebm/ebm/autodiff"

// Trainable is a learnable energy: what objectives and optimizers need.
// Its parameters live in one flat vector that Params exposes; Build records
// the same energy as Energy computes on an autodiff graph, with the
// parameters as leaves, so that an objective can differentiate its loss
// with respect to them (and to x, to any order, for score matching).
type Trainable interface {
	Energy
	// Params is the flat parameter vector, aliased: writing it changes the
	// model at once. Its length never changes.
	Params() []float64
	// Build records the per-row energies of x (an n×Dim node) on g and
	// returns the n×1 energy node and the parameter leaves it read:
	// g.Input leaves aliasing consecutive segments of Params(), in order,
	// covering it exactly (so g.Flatten of their gradients is the flat
	// gradient). The energies equal those of Energy up to rounding.
	Build(g *autodiff.Graph, x autodiff.Node) (e autodiff.Node, params []autodiff.Node)
}

// Smooth is implemented by trainables that know whether their second
// derivatives in x are meaningful; score-matching objectives refuse a
// model whose Smooth() is false (e.g. one with ReLU activations, whose
// Hessian vanishes almost everywhere).
type Smooth interface{ Smooth() bool }
