package objectives

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
)

// scorerOf returns the shared score-matching state of o, so that a test
// can force its worker count and shard size.
func scorerOf(t *testing.T, o Objective) *scorer {
	t.Helper()
	switch o := o.(type) {
	case *DSM:
		return &o.s
	case *MSDSM:
		return &o.s
	case *SM:
		return &o.s
	case *SSM:
		return &o.s
	}
	t.Fatalf("%T is not a score-matching objective", o)
	return nil
}

// shardMLP is a 2-16-16-1 SiLU network: wide enough for the matrix
// kernels' register blocks, small enough to run many batches of 301 rows.
func shardMLP(t *testing.T) energies.Trainable {
	t.Helper()
	e, err := energies.FromTable(map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(16), int64(16)},
		"activation": "silu", "seed": int64(5), "quadratic": 0.1})
	if err != nil {
		t.Fatal(err)
	}
	return e.(energies.Trainable)
}

// shardRun starts objective c with seed 7, forces its worker count and
// shard size (0: the defaults), and returns the losses and gradients of
// two consecutive Loss calls on the two batches.
func shardRun(t *testing.T, typ string, kv []any, m energies.Trainable, b1, b2 []float64, workers, rows int) ([2]float64, [2][]float64) {
	t.Helper()
	o := newObjective(t, typ, kv...)
	if err := o.Start(m, b1, 7); err != nil {
		t.Fatal(err)
	}
	s := scorerOf(t, o)
	s.workers, s.maxRows = workers, rows
	var loss [2]float64
	var grad [2][]float64
	loss[0], grad[0] = lossGrad(t, o, m, b1)
	loss[1], grad[1] = lossGrad(t, o, m, b2)
	return loss, grad
}

// TestScoreShardsWorkerIndependent checks that every score-matching
// objective gives bit-identical losses and gradients whether its shards
// (three of them for a batch of 301 rows) run on one goroutine, two or
// three, over two consecutive calls (the second reusing the shards'
// graphs, on a batch of another size). A failure means a run's result
// depends on the machine's core count or on scheduling: the shards'
// results are not added in a fixed order, or shards share scratch.
func TestScoreShardsWorkerIndependent(t *testing.T) {
	x := gaussDraws(301+160, []float64{0.2, -0.1}, []float64{1, 0.3, 0.3, 0.7}, 11)
	b1, b2 := x[:2*301], x[2*301:]
	for _, c := range scoreCases {
		t.Run(c.name, func(t *testing.T) {
			m := shardMLP(t)
			workerIndependent(t, c.typ, c.kv, func() energies.Trainable { return m }, b1, b2)
		})
	}
}

// TestScoreShardsFloat32WorkerIndependent is TestScoreShardsWorkerIndependent
// for a float32 model large enough (2-256-256-1, 66 561 parameters) that
// sumShards widens and sums the shards' gradients in two ranges at 2 and 3
// workers: the losses and gradients must be the same bits as with 1
// worker. A failure means the widening and summing of float32 gradients
// depends on the split, or reads another range's or shard's values.
func TestScoreShardsFloat32WorkerIndependent(t *testing.T) {
	x := gaussDraws(301+160, []float64{0.2, -0.1}, []float64{1, 0.3, 0.3, 0.7}, 13)
	b1, b2 := x[:2*301], x[2*301:]
	model := func() energies.Trainable {
		e, err := energies.FromTable(map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(256), int64(256)},
			"activation": "silu", "seed": int64(6), "quadratic": 0.1, "dtype": "float32"})
		if err != nil {
			t.Fatal(err)
		}
		return e.(energies.Trainable)
	}
	for _, c := range scoreCases[1:3] { // dsm and msdsm
		t.Run(c.name, func(t *testing.T) { workerIndependent(t, c.typ, c.kv, model, b1, b2) })
	}
}

// workerIndependent runs objective typ on the model that model returns
// (two calls, on b1 and b2) at 1, 2 and 3 workers and fails unless the
// losses and gradients at 2 and 3 are those at 1, bit for bit.
func workerIndependent(t *testing.T, typ string, kv []any, model func() energies.Trainable, b1, b2 []float64) {
	t.Helper()
	wantL, wantG := shardRun(t, typ, kv, model(), b1, b2, 1, 0)
	for _, w := range []int{2, 3} {
		gotL, gotG := shardRun(t, typ, kv, model(), b1, b2, w, 0)
		for call := range gotL {
			if math.Float64bits(gotL[call]) != math.Float64bits(wantL[call]) {
				t.Errorf("%d workers, call %d: loss %v, with 1 worker %v", w, call+1, gotL[call], wantL[call])
			}
			for i, g := range gotG[call] {
				if math.Float64bits(g) != math.Float64bits(wantG[call][i]) {
					t.Errorf("%d workers, call %d: grad[%d] %v, with 1 worker %v", w, call+1, i, g, wantG[call][i])
					break
				}
			}
		}
	}
}

// TestScoreShardsMatchOneShard checks that splitting the batch into shards
// changes the loss and gradient only by rounding: 301 rows as one shard,
// as the default three, and as 43 shards of 7 rows, on two workers, agree
// within 1e-12 relative to the largest gradient entry (the sums merely
// run in another order). A failure means a shard reads or writes rows
// other than its own (its points, noise, levels, projections or seeds),
// or a shard's part is weighted by its own size instead of the batch's.
func TestScoreShardsMatchOneShard(t *testing.T) {
	x := gaussDraws(301+160, []float64{0.2, -0.1}, []float64{1, 0.3, 0.3, 0.7}, 12)
	b1, b2 := x[:2*301], x[2*301:]
	for _, c := range scoreCases {
		t.Run(c.name, func(t *testing.T) {
			m := shardMLP(t)
			wantL, wantG := shardRun(t, c.typ, c.kv, m, b1, b2, 2, 1000)
			for _, rows := range []int{0, 7} {
				gotL, gotG := shardRun(t, c.typ, c.kv, m, b1, b2, 2, rows)
				for call := range gotL {
					if !(math.Abs(gotL[call]-wantL[call]) <= 1e-12*(1+math.Abs(wantL[call]))) {
						t.Errorf("shards of %d rows, call %d: loss %.17g, one shard %.17g", rows, call+1, gotL[call], wantL[call])
					}
					scale := 0.0
					for _, g := range wantG[call] {
						scale = math.Max(scale, math.Abs(g))
					}
					for i, g := range gotG[call] {
						if !(math.Abs(g-wantG[call][i]) <= 1e-12*scale) {
							t.Errorf("shards of %d rows, call %d: grad[%d] %.17g, one shard %.17g", rows, call+1, i, g, wantG[call][i])
							break
						}
					}
				}
			}
		})
	}
}

// rowsHint is a model that asks for shards of rows rows (energies.ShardRows).
type rowsHint struct {
	energies.Trainable
	rows int
}

func (r rowsHint) ShardRows() int { return r.rows }

// TestScoreShardsModelRows checks that a model's ShardRows sets the shards
// when the objective is not told otherwise (a batch of 301 rows in shards
// of at most 50: seven), that the result is then the same bits at 1, 2 and
// 3 workers, and the same bits as shards of 50 rows forced on a model
// without the hint. A failure means the hint is ignored, or makes the
// shards depend on the worker count.
func TestScoreShardsModelRows(t *testing.T) {
	x := gaussDraws(301+160, []float64{0.2, -0.1}, []float64{1, 0.3, 0.3, 0.7}, 14)
	b1, b2 := x[:2*301], x[2*301:]
	for _, c := range scoreCases {
		t.Run(c.name, func(t *testing.T) {
			m := rowsHint{shardMLP(t), 50}
			wantL, wantG := shardRun(t, c.typ, c.kv, shardMLP(t), b1, b2, 1, 50)
			for _, w := range []int{1, 2, 3} {
				o := newObjective(t, c.typ, c.kv...)
				if err := o.Start(m, b1, 7); err != nil {
					t.Fatal(err)
				}
				s := scorerOf(t, o)
				s.workers = w
				for call, b := range [][]float64{b1, b2} {
					l, g := lossGrad(t, o, m, b)
					if want := (len(b)/2 + 49) / 50; s.active != want {
						t.Errorf("%d workers, call %d: %d shards, want %d", w, call+1, s.active, want)
					}
					if math.Float64bits(l) != math.Float64bits(wantL[call]) {
						t.Errorf("%d workers, call %d: loss %v, want %v", w, call+1, l, wantL[call])
					}
					for i := range g {
						if math.Float64bits(g[i]) != math.Float64bits(wantG[call][i]) {
							t.Errorf("%d workers, call %d: grad[%d] %v, want %v", w, call+1, i, g[i], wantG[call][i])
							break
						}
					}
				}
			}
		})
	}
}

// panicky is a model whose Build panics while boom is set.
type panicky struct {
	energies.Trainable
	boom bool
}

func (p *panicky) Build(g *autodiff.Graph, x autodiff.Node) (autodiff.Node, []autodiff.Node) {
	if p.boom {
		panic("panicky: Build")
	}
	return p.Trainable.Build(g, x)
}

// TestScoreShardPanic checks that a panic inside a shard (here the
// model's Build, on every shard of a 3-shard batch run on 2 workers)
// reaches the caller of Loss, after every shard has stopped, and that the
// next Loss works. A failure means a programming error in a model would
// crash the process from a helper goroutine, out of the caller's reach,
// or leave the objective unusable.
func TestScoreShardPanic(t *testing.T) {
	m := &panicky{Trainable: shardMLP(t)}
	x := gaussDraws(301, []float64{0, 0}, []float64{1, 0, 0, 1}, 13)
	o := newObjective(t, "dsm")
	if err := o.Start(m, x, 1); err != nil {
		t.Fatal(err)
	}
	scorerOf(t, o).workers = 2
	m.boom = true
	func() {
		defer func() {
			if r := recover(); r != "panicky: Build" {
				t.Errorf("Loss recovered %v, want the model's panic", r)
			}
		}()
		lossGrad(t, o, m, x)
	}()
	m.boom = false
	if l, _ := lossGrad(t, o, m, x); math.IsNaN(l) || l <= 0 {
		t.Errorf("loss %v after the panic, want a positive number", l)
	}
}

// TestScoreShardsNoSteadyStateAllocation checks that, once warm, a Loss
// split into three shards on two workers allocates no more than the
// model's Build does on the three shards (the shards' graphs, the helper
// requests and the merge allocate nothing). A failure means allocations
// grow with the number of training steps of a sharded batch.
func TestScoreShardsNoSteadyStateAllocation(t *testing.T) {
	if scoreRaceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	m := shardMLP(t)
	x := gaussDraws(301, []float64{0, 0}, []float64{1, 0, 0, 1}, 5)
	g := autodiff.New()
	xs := append([]float64(nil), x...)
	build := testing.AllocsPerRun(20, func() {
		g.Reset()
		m.Build(g, g.Input(xs, 301, 2))
	})
	for _, c := range scoreCases {
		o := newObjective(t, c.typ, c.kv...)
		if err := o.Start(m, x, 1); err != nil {
			t.Fatal(err)
		}
		scorerOf(t, o).workers = 2
		grad := make([]float64, len(m.Params()))
		loss := testing.AllocsPerRun(20, func() {
			if _, err := o.Loss(context.Background(), x, grad); err != nil {
				t.Fatal(err)
			}
		})
		if loss > 3*build {
			t.Errorf("%s: %v allocations per Loss of 3 shards, the model's Build alone makes %v per shard", c.name, loss, build)
		}
	}
}
