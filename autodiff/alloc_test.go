package autodiff

import (
	"testing"

	"github.com/goebm/ebm/rng"
)

// TestSteadyStateAllocs replays a training step after Reset — forward
// pass, ∇ₓE with createGraph, a loss on it, parameter gradients, a Hessian
// trace column, every activation once, Flatten — and requires zero
// allocations per step, for Graph and Graph32. The second case is large
// enough for the matrix products and the activation passes to be split
// over two workers. A failure: a buffer that is not reused across Reset,
// or a per-op allocation (garbage in every training step).
func TestSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, tc := range []struct {
		dims    []int
		n       int
		workers int
	}{{[]int{2, 16, 16, 1}, 8, 1}, {[]int{2, 64, 64, 1}, 256, 2}} {
		if a := stepAllocs[float64](tc.dims, tc.n, tc.workers); a != 0 {
			t.Errorf("Graph: dims %v batch %d workers %d: %v allocations per step after Reset, want 0", tc.dims, tc.n, tc.workers, a)
		}
		if a := stepAllocs[float32](tc.dims, tc.n, tc.workers); a != 0 {
			t.Errorf("Graph32: dims %v batch %d workers %d: %v allocations per step after Reset, want 0", tc.dims, tc.n, tc.workers, a)
		}
	}
}

// stepAllocs returns the allocations per replayed step of
// TestSteadyStateAllocs on a graph of element type T.
func stepAllocs[T Float](dims []int, n, workers int) float64 {
	net := newTestNet(dims, SiLU, 1)
	net.affine = workers == 2
	params := toT[T](net.params)
	d := dims[0]
	s := rng.New(5, 0)
	x, target, mask := toT[T](randAway(&s, n*d, 1)), toT[T](randAway(&s, n*d, 1)), make([]T, n*d)
	for i := 0; i < n; i++ {
		mask[i*d] = 1
	}
	grad := make([]T, len(params))
	ps := make([]Node, 0, 2*len(dims))
	outs, ins, seeds := make([]Node, 1), make([]Node, 1), make([]Node, 1)
	g := NewOf[T]()
	g.SetWorkers(workers)
	step := func() {
		g.Reset()
		xn := g.Input(x, n, d)
		var e Node
		e, ps = buildNet(net, g, xn, params, ps[:0])
		outs[0], ins[0] = e, xn
		gx := g.Grad(outs, ins, nil, true)[0]
		outs[0], seeds[0] = gx, g.Const(mask, n, d)
		h0 := g.Col(g.Grad(outs, ins, seeds, true)[0], 0)
		r := g.Sub(gx, g.Const(target, n, d))
		loss := g.Add(g.Scale(g.Mean(g.Square(r)), 0.5), g.Mean(h0))
		for f := Activation(0); f < numActivations; f++ {
			loss = g.Add(loss, g.Mean(g.Act(g.Exp(g.Log(g.Square(h0))), f)))
		}
		outs[0] = loss
		g.Flatten(grad, g.Grad(outs, ps, nil, false))
	}
	step()
	return testing.AllocsPerRun(5, step)
}
