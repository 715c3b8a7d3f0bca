package energies

import (
	"runtime"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/internal/team"
	"github.com/goebm/ebm/simd"
)

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

// RoundParams32 rounds params into p32 (the same length) for a
// Trainable32's Params32, split over the cores on the process's shared
// helpers for large models: element-wise, so the same bits under any split.
func RoundParams32(p32 []float32, params []float64) {
	team.ForRanges(len(params), runtime.GOMAXPROCS(0), team.MinRange, func(lo, hi int) {
		simd.ToFloat32(p32[lo:hi], params[lo:hi])
	})
}

// Smooth is implemented by trainables that know whether their second
// derivatives in x are meaningful; score-matching objectives refuse a
// model whose Smooth() is false (e.g. one with ReLU activations, whose
// Hessian vanishes almost everywhere).
type Smooth interface{ Smooth() bool }

// ShardRows is implemented by trainables that train faster on smaller
// shards than the objectives' default: the score-matching objectives cut
// a batch into shards of at most ShardRows() rows, recorded on graphs of
// their own and run side by side on the workers (convnet: 32 images, whose
// activations would otherwise stream from memory in every element-wise
// pass, and whose ops would be split over the cores one by one; mlp: 64
// rows on inputs of 256 values or more). The
// shards' count depends on the batch size and this number only, so the
// results are the same at any worker count; a different number gives
// other bits (the shards' losses and gradients are added in shard order).
type ShardRows interface{ ShardRows() int }

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

// NoiseConditional is implemented by energies conditioned on a noise
// level, E(x, σ): the energy of the data smoothed by N(0, σ²I) at every σ
// of a ladder, as Song & Ermon's noise-conditional score networks are, in
// one model. Energy and Gradient evaluate it at one level, Sigma() (the
// level of the data model: the msdsm objective's sigma_min); the msdsm
// objective trains every level through BuildAt, annealed_langevin_sigma
// samples level l from At(σ_l), and the Tweedie step of denoise_sigma uses
// At(denoise_sigma). A wrapper (a checkpoint's energy) implements it for
// any model and reports through NoiseConditional whether its model takes
// σ.
type NoiseConditional interface {
	Energy
	// NoiseConditional reports whether the energy takes σ; when false, the
	// other methods must not be called.
	NoiseConditional() bool
	// Sigma is the level at which Energy and Gradient evaluate E.
	Sigma() float64
	// At returns x ↦ E(x, σ), for σ > 0, safe for concurrent calls as
	// Energy and Gradient are, and reading the current Params at every call.
	At(sigma float64) Energy
	// BuildAt is Build with row i of x at level sigma[i] (len(sigma) = the
	// rows of x); Build is BuildAt at Sigma() for every row.
	BuildAt(g *autodiff.Graph, x autodiff.Node, sigma []float64) (e autodiff.Node, params []autodiff.Node)
	// BuildAt32 is BuildAt on a float32 graph, as Trainable32's Build32 is
	// Build; only for models whose Float32 reports true.
	BuildAt32(g *autodiff.Graph32, x autodiff.Node, sigma []float64) (e autodiff.Node, params []autodiff.Node)
}

// AtSigma returns E(·, σ) when e is a noise-conditional energy, and e itself
// otherwise.
func AtSigma(e Energy, sigma float64) Energy {
	if c, ok := e.(NoiseConditional); ok && c.NoiseConditional() {
		return c.At(sigma)
	}
	return e
}

// Conditional returns e as a NoiseConditional when it takes σ, and nil
// otherwise.
func Conditional(e Energy) NoiseConditional {
	if c, ok := e.(NoiseConditional); ok && c.NoiseConditional() {
		return c
	}
	return nil
}
