package objectives

import (
	"context"
	"fmt"
	"math"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
)

// This file holds what the score-matching objectives (sm, dsm, msdsm, ssm,
// ssm_vr) share: the model checks, the reused autodiff graph, the random
// stream, and the final backward pass to the parameters.
//
// Every one of them differentiates the model's score −∇ₓE, so each Loss
// records E on a graph with the points as an input leaf, takes ∇ₓE with
// createGraph (so that it can be differentiated again), forms its loss from
// ∇ₓE (and Hessian-vector products of it, for sm and ssm), and finally runs
// one backward pass from those nodes to the parameter leaves that
// Trainable.Build returned. The loss is a mean over rows of terms whose
// derivatives with respect to the recorded nodes are known in closed form,
// so that last pass is seeded directly with those derivatives (the
// "seeds" of autodiff.Graph.Grad) rather than recording the loss itself.

// scorer is the per-run state of a score-matching objective.
type scorer struct {
	name  string // the objective's name, for messages
	m     energies.Trainable
	d, np int
	g     *autodiff.Graph
	rng   rng.Stream // the objective's random stream: rng.New(seed, 0)

	x    []float64       // n×d points recorded as the input leaf (a copy of the batch, or its noised version)
	gs   []float64       // seed of the final pass for ∇ₓE (n×d): ∂J/∂(∇ₓE)
	col  []float64       // n×1 constant seed (sm: −1/n for each diagonal entry)
	outs []autodiff.Node // outputs of the final backward pass
	sds  []autodiff.Node // their seeds

	one, in, seed [1]autodiff.Node // one-node arguments of Grad, kept here so calls do not allocate
}

// start prepares a run of m on data for objective name: it validates the
// model and the data and seeds the stream with rng.New(seed, 0).
func (s *scorer) start(name string, m energies.Trainable, data []float64, seed uint64) error {
	if m == nil {
		return fmt.Errorf("%s: no model", name)
	}
	d := m.Dim()
	if d < 1 {
		return fmt.Errorf("%s: the model's dimension is %d; it must be >= 1", name, d)
	}
	if len(data) == 0 || len(data)%d != 0 {
		return fmt.Errorf("%s: the training data (%d values) are not whole rows of the model's dimension %d", name, len(data), d)
	}
	if err := checkSmooth(name, m); err != nil {
		return err
	}
	g := s.g
	if g == nil {
		g = autodiff.New()
	}
	g.Reset()
	*s = scorer{name: name, m: m, d: d, np: len(m.Params()), g: g, rng: rng.New(seed, 0),
		x: s.x, gs: s.gs, col: s.col, outs: s.outs[:0], sds: s.sds[:0]}
	return nil
}

// checkSmooth refuses a model whose second derivatives in x vanish almost
// everywhere (energies.Smooth reporting false): a ReLU network's ∇ₓE is
// piecewise constant, so the Hessian terms of sm and ssm are zero and the
// score that dsm fits cannot follow the data.
func checkSmooth(name string, m energies.Trainable) error {
	sm, ok := m.(energies.Smooth)
	if !ok || sm.Smooth() {
		return nil
	}
	what := "the model is not smooth"
	if a, ok := m.(interface{ Activation() autodiff.Activation }); ok {
		what = fmt.Sprintf("the model's activation %q is not smooth", a.Activation().String())
	}
	return fmt.Errorf("%s: %s: its second derivatives in x vanish almost everywhere, so score matching cannot fit it; use a smooth activation (silu, softplus, tanh, elu, sigmoid or gaussian)", name, what)
}

// check validates a Loss call and returns the batch's row count. It sizes
// the scratch buffers for n rows.
func (s *scorer) check(ctx context.Context, batch, grad []float64) (int, error) {
	if s.m == nil {
		return 0, fmt.Errorf("%s: Loss called before Start", s.nameOr())
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(batch) == 0 || len(batch)%s.d != 0 {
		return 0, fmt.Errorf("%s: the batch (%d values) is not whole rows of dimension %d", s.name, len(batch), s.d)
	}
	if len(grad) != s.np {
		return 0, fmt.Errorf("%s: grad has length %d, want %d (the model's parameters)", s.name, len(grad), s.np)
	}
	n := len(batch) / s.d
	s.x = grow(s.x, n*s.d)
	s.gs = grow(s.gs, n*s.d)
	s.col = grow(s.col, n)
	return n, nil
}

// nameOr is the objective's name, or "score matching" before Start.
func (s *scorer) nameOr() string {
	if s.name == "" {
		return "score matching"
	}
	return s.name
}

// record resets the graph, records the model's energies of the n rows of
// s.x with the points as an input leaf, and returns that leaf, ∇ₓE (n×d,
// recorded with createGraph so it can be differentiated again) and the
// parameter leaves.
func (s *scorer) record(n int) (x, gx autodiff.Node, params []autodiff.Node) {
	g := s.g
	g.Reset()
	s.outs, s.sds = s.outs[:0], s.sds[:0]
	x = g.Input(s.x, n, s.d)
	e, params := s.m.Build(g, x)
	s.one[0], s.in[0] = e, x
	gx = g.Grad(s.one[:], s.in[:], nil, true)[0]
	return x, gx, params
}

// hvp returns the row-wise Hessian-vector products ∇ₓ²E(x_i)·v_i (n×d) for
// the n×d directions v, recorded with createGraph: one backward pass from
// ∇ₓE seeded with v (each row's energy depends on its own row only).
func (s *scorer) hvp(x, gx autodiff.Node, v []float64, n int) autodiff.Node {
	g := s.g
	s.one[0], s.in[0], s.seed[0] = gx, x, g.Const(v, n, s.d)
	return g.Grad(s.one[:], s.in[:], s.seed[:], true)[0]
}

// output adds node out, seeded with the n×cols constant seed, to the final
// backward pass.
func (s *scorer) output(out autodiff.Node, seed []float64, rows, cols int) {
	s.outs = append(s.outs, out)
	s.sds = append(s.sds, s.g.Const(seed, rows, cols))
}

// finish runs the final backward pass from the outputs added with output
// to the parameter leaves and writes the flat gradient into grad.
func (s *scorer) finish(grad []float64, params []autodiff.Node) {
	s.g.Flatten(grad[:s.np], s.g.Grad(s.outs, params, s.sds, false))
	s.outs, s.sds = s.outs[:0], s.sds[:0]
}

// state is the stream's state as a checkpoint stores it.
func (s *scorer) state() State {
	return State{RNG: map[string][]uint64{"rng": streamWords(s.rng)}}
}

// restore sets the stream from a State saved by state.
func (s *scorer) restore(st State) error {
	if s.m == nil {
		return fmt.Errorf("%s: Restore called before Start", s.nameOr())
	}
	r, err := streamFromState(s.name, st, "rng")
	if err != nil {
		return err
	}
	s.rng = r
	return nil
}

// grow returns buf with length n, reallocating only when its capacity is
// too small.
func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}

// positiveKey validates a key that must be finite and > 0.
func positiveKey(key string, v float64) error {
	if !(v > 0) || math.IsInf(v, 1) {
		return fmt.Errorf("key %q: must be finite and > 0, got %v", key, v)
	}
	return nil
}
