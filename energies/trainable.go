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
	// gradient). The energies equal those of Energy up to rounding. The
	// objectives record blocks of a batch on several graphs at once, so
	// Build must be safe for concurrent calls on different graphs while
	// nothing writes Params.
	Build(g *autodiff.Graph, x autodiff.Node) (e autodiff.Node, params []autodiff.Node)
}

// Trainable32 is a Trainable that can compute in float32 (mlp with dtype =
// "float32"). Params stays the float64 master copy that optimizers update;
// when Float32 reports true, the score-matching objectives round it with
// Params32 once per loss evaluation and record the model with Build32 on
// float32 graphs, so the heavy products run in single precision, and widen
// the parameter gradient back to float64.
type Trainable32 interface {
	Trainable
	// Float32 reports whether the model computes in float32.
	Float32() bool
	// Params32 rounds Params into the model's float32 copy and returns it
	// (aliased). Not safe concurrently with Build32.
	Params32() []float32
	// Build32 is Build on a float32 graph, with parameter leaves aliasing
	// the copy of the last Params32 call. Safe for concurrent calls.
	Build32(g *autodiff.Graph32, x autodiff.Node) (e autodiff.Node, params []autodiff.Node)
}

// Smooth is implemented by trainables that know whether their second
// derivatives in x are meaningful; score-matching objectives refuse a
// model whose Smooth() is false (e.g. one with ReLU activations, whose
// Hessian vanishes almost everywhere).
type Smooth interface{ Smooth() bool }

// Pinner is implemented by trainables that derive work from Params for
// their Energy and Gradient calls (mlp's float32 copies and transposed
// weights) and compare Params with what they derived it from at every
// call, since anyone may write Params. Between Pin and the matching Unpin
// the caller promises that nothing writes Params, and the calls skip the
// comparison. Pins nest.
type Pinner interface {
	Pin()
	Unpin()
}
