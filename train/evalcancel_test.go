package train

import (
	"context"
	"errors"
	"testing"
)

// TestEvalCancelled: Ctrl-C while a mid-run evaluation runs abandons that
// evaluation, not the step before it: Loop returns the context's error with
// the step done and no history point for the abandoned evaluation, while
// the evaluation before it is kept. A failure means an interrupted run
// records a half-computed NLL, loses a completed step, or cannot be
// interrupted during evaluation at all.
func TestEvalCancelled(t *testing.T) {
	s := DefaultSettings()
	s.Steps, s.BatchSize, s.LogEvery, s.EvalEvery, s.Seed = 40, 16, 5, 10, 3
	tr := newTrainer(t, map[string]any{"type": "dsm"}, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var evals []int64
	err := tr.Loop(ctx, Hooks{OnEval: func(ctx context.Context, step int64) EvalPoint {
		evals = append(evals, step)
		if step == 20 {
			cancel()
			<-ctx.Done() // an evaluation that notices the cancellation
		}
		return EvalPoint{Step: step, NLL: float64(step)}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Loop returned %v, want context.Canceled", err)
	}
	if tr.Done() != 20 {
		t.Errorf("%d steps done, want 20: the step before the abandoned evaluation is complete", tr.Done())
	}
	h := tr.History()
	if len(h) != 1 || h[0].Step != 10 {
		t.Errorf("history %+v: want only the point of step 10", h)
	}
	if len(evals) != 2 {
		t.Errorf("evaluations at %v, want steps 10 and 20", evals)
	}
}
