package train

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
)

// lossSeq is an objective whose loss at step k (counted from 1) is
// losses[k-1] (the last one after that), with a zero gradient.
type lossSeq struct {
	losses []float64
	k      int
}

func (o *lossSeq) Start(energies.Trainable, []float64, uint64) error { return nil }
func (o *lossSeq) Params() []float64                                 { return nil }
func (o *lossSeq) Loss(_ context.Context, _, grad []float64) (float64, error) {
	clear(grad)
	o.k++
	return o.losses[min(o.k, len(o.losses))-1], nil
}

// TestRunaway: a finite loss far from the median of the steps before stops
// the run as a non-finite one does, at that step; ordinary fluctuations,
// negative losses and losses near 0 do not. A failure means an exploding
// run (Adam with lr = 1e4) ends "successfully", or a healthy one is stopped.
func TestRunaway(t *testing.T) {
	for _, c := range []struct {
		name   string
		losses []float64
		stopAt int64 // 0: never
	}{
		{"explodes", []float64{1, 0.9, 5.6e26}, 3},
		{"explodes negative", []float64{-40, -41, -39, -5e9}, 4},
		{"near zero, then 2e6", []float64{0.01, -0.02, 0.003, 2e6}, 4},
		{"near zero, then 9e5", []float64{0.01, -0.02, 0.003, 9e5, 0.01}, 0},
		{"score matching descends", []float64{-1, -8.6, -20, -50, -120, -300}, 0},
		{"one wild step among many", []float64{2, 2, 2, 2, 2, 2, 2e5, 2, 2, 2}, 0},
		{"a slow climb", []float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _, opt := parts(t, map[string]any{"type": "dsm"})
			tr, err := New(m, &lossSeq{losses: c.losses}, opt, moonsData(t, 50), 2, Settings{Steps: len(c.losses), BatchSize: 8, LogEvery: 2})
			if err != nil {
				t.Fatal(err)
			}
			err = tr.Loop(context.Background(), Hooks{})
			var div *DivergenceError
			switch {
			case c.stopAt == 0 && err != nil:
				t.Fatalf("Loop: %v, want no divergence", err)
			case c.stopAt > 0 && (!errors.As(err, &div) || div.Step != c.stopAt || !strings.Contains(div.What, "ran away")):
				t.Fatalf("Loop: %v, want a runaway loss at step %d", err, c.stopAt)
			case c.stopAt > 0:
				if tr.Done() != c.stopAt-1 {
					t.Errorf("Done() = %d, want %d", tr.Done(), c.stopAt-1)
				}
				if last := tr.Rows()[len(tr.Rows())-1]; last.Step != c.stopAt || last.Loss != c.losses[c.stopAt-1] || !math.IsNaN(last.GradNorm) {
					t.Errorf("last loss row %+v, want the runaway step's raw loss", last)
				}
			}
		})
	}
}
