package train

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/checkpoint"
)

// TestBatcher: two passes draw every row exactly twice, the batch of step
// 3 is the same from a fresh batcher as after steps 0…2, and another seed
// gives another order. A failure means batches depend on the history (a
// resumed run would see other data) or rows are drawn with replacement.
func TestBatcher(t *testing.T) {
	const n, dim, bs = 10, 1, 4
	data := make([]float64, n)
	for i := range data {
		data[i] = float64(i)
	}
	walk := NewBatcher(data, dim, 9)
	seen := map[float64]int{}
	batch := make([]float64, bs)
	var steps [][]float64
	for s := int64(0); s < 5; s++ { // 20 rows: passes 0 and 1
		walk.Fill(batch, s)
		steps = append(steps, slices.Clone(batch))
		for _, v := range batch {
			seen[v]++
		}
	}
	for i := range n {
		if seen[float64(i)] != 2 {
			t.Errorf("row %d drawn %d times in two passes, want 2", i, seen[float64(i)])
		}
	}
	for s := int64(4); s >= 0; s-- {
		fresh := NewBatcher(data, dim, 9)
		fresh.Fill(batch, s)
		if !slices.Equal(batch, steps[s]) {
			t.Fatalf("step %d's batch depends on the steps before it: %v vs %v", s, batch, steps[s])
		}
	}
	other := NewBatcher(data, dim, 10)
	other.Fill(batch, 0)
	if slices.Equal(batch, steps[0]) {
		t.Error("seeds 9 and 10 give the same first batch")
	}
}

// TestDivergence: an objective whose loss is NaN at step 7 stops Loop with
// a DivergenceError naming step 7 and the loss, after 6 steps, with the
// parameters of step 6 and a last loss row for step 7. A failure means a
// non-finite loss is applied, skipped or reported at the wrong step.
func TestDivergence(t *testing.T) {
	m, _, opt := parts(t, map[string]any{"type": "dsm"})
	o := &nanAt{bad: 7}
	tr, err := New(m, o, opt, moonsData(t, 50), 2, Settings{Steps: 20, BatchSize: 8, LogEvery: 5})
	if err != nil {
		t.Fatal(err)
	}
	var before []float64
	err = tr.Loop(context.Background(), Hooks{OnStep: func(info StepInfo) {
		if info.Step == 6 {
			before = slices.Clone(m.Params())
		}
	}})
	var div *DivergenceError
	if !errors.As(err, &div) || div.Step != 7 || !strings.Contains(div.What, "loss is NaN") {
		t.Fatalf("Loop: %v, want a divergence at step 7 naming the NaN loss", err)
	}
	if tr.Done() != 6 {
		t.Errorf("Done() = %d after the divergence, want 6", tr.Done())
	}
	if !slices.Equal(m.Params(), before) {
		t.Error("the parameters changed in the step that diverged")
	}
	rows := tr.Rows()
	if len(rows) != 2 || rows[0].Step != 5 || rows[1].Step != 7 || !math.IsNaN(rows[1].Loss) {
		t.Errorf("loss rows %+v, want step 5 and the diverged step 7 with a NaN loss", rows)
	}
}

// TestHooks: with 23 steps, log_every 5, eval_every 4, checkpoint_every
// 10, the hooks are called exactly at the documented steps (evaluations
// and checkpoints only before the last step), the history holds one point
// per evaluation, and a cancelled context stops between steps. A failure
// means the runner's loss.csv, eval history or checkpoints would be
// written at other steps.
func TestHooks(t *testing.T) {
	s := Settings{Steps: 23, BatchSize: 16, LogEvery: 5, EvalEvery: 4, CheckpointEvery: 10}
	tr := newTrainer(t, map[string]any{"type": "dsm"}, s)
	var logs, stepsSeen, evals, ckpts []int64
	err := tr.Loop(context.Background(), Hooks{
		OnLog:  func(r LossRow) { logs = append(logs, r.Step) },
		OnStep: func(i StepInfo) { stepsSeen = append(stepsSeen, i.Step) },
		OnEval: func(_ context.Context, step int64) EvalPoint {
			evals = append(evals, step)
			return EvalPoint{Step: step, NLL: float64(step)}
		},
		OnCheckpoint: func(f *checkpoint.File) error { ckpts = append(ckpts, f.Step); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want []int64) {
		if !slices.Equal(got, want) {
			t.Errorf("%s at steps %v, want %v", what, got, want)
		}
	}
	check("OnLog", logs, []int64{5, 10, 15, 20, 23})
	check("OnEval", evals, []int64{4, 8, 12, 16, 20})
	check("OnCheckpoint", ckpts, []int64{10, 20})
	if len(stepsSeen) != 23 || stepsSeen[0] != 1 || stepsSeen[22] != 23 {
		t.Errorf("OnStep at %v, want 1…23", stepsSeen)
	}
	if h := tr.History(); len(h) != 5 || h[4].Step != 20 || h[4].NLL != 20 {
		t.Errorf("history %+v, want the 5 points OnEval returned", h)
	}

	tr = newTrainer(t, map[string]any{"type": "dsm"}, s)
	ctx, cancel := context.WithCancel(context.Background())
	err = tr.Loop(ctx, Hooks{OnStep: func(i StepInfo) {
		if i.Step == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || tr.Done() != 3 {
		t.Errorf("cancelled at step 3: Loop returned %v after %d steps", err, tr.Done())
	}
}

// TestCheckpointRestore stops runs after 13 of 24 steps (inside a loss
// window, after an evaluation), saves and writes a checkpoint, restores it
// into freshly built components and finishes: parameters, optimizer
// state, loss rows (but seconds), negative-chain counts and history must
// equal an uninterrupted run's bit for bit, for an objective with its own
// parameters (nce), one with a replay buffer and MALA chains (pcd) and a
// stateless one (dsm). A failure means some run state is not in the
// checkpoint and a resumed run silently differs.
func TestCheckpointRestore(t *testing.T) {
	s := Settings{Steps: 24, BatchSize: 16, LogEvery: 5, EvalEvery: 4, Seed: 7}
	eval := func(_ context.Context, step int64) EvalPoint {
		return EvalPoint{Step: step, NLL: float64(step) / 3, NLLStderr: math.NaN(), LogZ: 1, BorderMass: 0}
	}
	for _, obj := range []map[string]any{
		{"type": "dsm", "sigma": 0.2},
		{"type": "nce", "nu": 2.0},
		{"type": "pcd", "buffer": int64(50), "k": int64(3), "sampler": map[string]any{"type": "mala", "step_size": 0.5}},
	} {
		t.Run(obj["type"].(string), func(t *testing.T) {
			straight := newTrainer(t, obj, s)
			if err := straight.Loop(context.Background(), Hooks{OnEval: eval}); err != nil {
				t.Fatal(err)
			}

			first := newTrainer(t, obj, s)
			ctx, cancel := context.WithCancel(context.Background())
			first.Loop(ctx, Hooks{OnEval: eval, OnStep: func(i StepInfo) {
				if i.Step == 13 {
					cancel()
				}
			}})
			cancel()
			resumed, _ := resumeFrom(t, first, obj, s)
			if err := resumed.Loop(context.Background(), Hooks{OnEval: eval}); err != nil {
				t.Fatal(err)
			}

			a, b := straight.Checkpoint(), resumed.Checkpoint()
			same := func(what string, x, y []float64) {
				t.Helper()
				if len(x) != len(y) {
					t.Fatalf("%s: %d vs %d values", what, len(x), len(y))
				}
				for i := range x {
					if math.Float64bits(x[i]) != math.Float64bits(y[i]) && !(math.IsNaN(x[i]) && math.IsNaN(y[i])) {
						t.Fatalf("%s[%d]: %v straight, %v resumed", what, i, x[i], y[i])
					}
				}
			}
			same("params", a.Params, b.Params)
			for k, v := range a.OptState.Vectors {
				same("optimizer "+k, v, b.OptState.Vectors[k])
			}
			for k, v := range a.Arrays {
				if k != ArrayLossRows {
					same(k, v, b.Arrays[k])
				}
			}
			ra, rb := straight.Rows(), resumed.Rows()
			if len(ra) != 5 || len(rb) != 5 {
				t.Fatalf("%d and %d loss rows, want 5", len(ra), len(rb))
			}
			for i := range ra {
				x, y := ra[i], rb[i]
				x.Seconds, y.Seconds = 0, 0
				if x != y {
					t.Errorf("loss row %d: %+v straight, %+v resumed", i, x, y)
				}
			}
			if got := resumed.ResumedAt(); !slices.Equal(got, []int64{13}) {
				t.Errorf("ResumedAt() = %v, want [13]", got)
			}
			if obj["type"] == "pcd" {
				if !resumed.NegStats() || ra[0].NegTransitions != 5*16*3 || !(ra[0].NegAccept() > 0 && ra[0].NegAccept() < 1) {
					t.Errorf("pcd's first row counts %d transitions, acceptance %v; want %d and a rate in (0, 1)", ra[0].NegTransitions, ra[0].NegAccept(), 5*16*3)
				}
			} else if resumed.NegStats() {
				t.Errorf("%s reports negative-chain statistics", obj["type"])
			}
		})
	}
}

// TestRestoreOldCheckpoint: a checkpoint without the negative-chain arrays
// (written before they existed) still restores, with zero counts, and a
// checkpoint of something else than a training run is refused. A failure
// means old runs can no longer be resumed, or any file passes as one.
func TestRestoreOldCheckpoint(t *testing.T) {
	obj := map[string]any{"type": "pcd", "buffer": int64(50), "k": int64(2)}
	s := Settings{Steps: 10, BatchSize: 16, LogEvery: 2}
	tr := newTrainer(t, obj, s)
	ctx, cancel := context.WithCancel(context.Background())
	tr.Loop(ctx, Hooks{OnStep: func(i StepInfo) {
		if i.Step == 5 {
			cancel()
		}
	}})
	f := tr.Checkpoint()
	delete(f.Arrays, ArrayNegRows)
	delete(f.Arrays, ArrayNegWindow)
	r := newTrainer(t, obj, s)
	if err := r.Restore(f); err != nil {
		t.Fatalf("restore without negative-chain arrays: %v", err)
	}
	if rows := r.Rows(); len(rows) != 2 || rows[1].NegTransitions != 0 || !math.IsNaN(rows[1].NegAccept()) {
		t.Errorf("restored rows %+v, want 2 rows with no negative-chain counts", rows)
	}
	if err := r.Loop(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	if last := r.Rows()[len(r.Rows())-1]; last.NegTransitions != 2*16*2 {
		t.Errorf("last row after resuming counts %d transitions, want %d", last.NegTransitions, 2*16*2)
	}

	f.Meta["note"] = "something else"
	if err := newTrainer(t, obj, s).Restore(f); err == nil || !strings.Contains(err.Error(), "not a checkpoint of a training run") {
		t.Errorf("restore of a foreign checkpoint: %v", err)
	}
}
