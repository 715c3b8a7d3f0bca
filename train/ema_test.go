package train

import (
	"context"
	"math"
	"strings"
	"testing"
)

// TestEMA follows [train] ema = 0.8 step by step: the average must be
// d·avg + (1−d)·θ from the initial parameters, UseAverage(true) must put
// it into the model (and Checkpoint must hold it as Params, the
// optimizer's parameters beside it), and the next Step must put the
// optimizer's parameters back, so that the optimizer's trajectory is bit
// for bit that of a run without an average whose caller never looked. For
// nce (its own parameters beside the model's) and dsm. A failure means
// evaluation sees another model than the average, or looking at the
// average changes the training.
func TestEMA(t *testing.T) {
	const d = 0.8
	for _, obj := range []map[string]any{{"type": "dsm", "sigma": 0.2}, {"type": "nce", "nu": 2.0}} {
		t.Run(obj["type"].(string), func(t *testing.T) {
			s := Settings{Steps: 12, BatchSize: 16, LogEvery: 4, Seed: 3}
			plain := newTrainer(t, obj, s)
			s.EMA = d
			tr := newTrainer(t, obj, s)
			if plain.avg != nil || tr.avg == nil {
				t.Fatalf("an average kept without ema: %v, with: %v", plain.avg != nil, tr.avg != nil)
			}
			want := append([]float64(nil), tr.model.Params()...)
			near := func(what string, got, want []float64) {
				t.Helper()
				for i := range want {
					if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
						t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
					}
				}
			}
			for k := 1; k <= s.Steps; k++ {
				if _, err := plain.Step(context.Background()); err != nil {
					t.Fatal(err)
				}
				if _, err := tr.Step(context.Background()); err != nil {
					t.Fatal(err)
				}
				raw := append([]float64(nil), tr.model.Params()...)
				for i, v := range raw {
					if math.Float64bits(v) != math.Float64bits(plain.model.Params()[i]) {
						t.Fatalf("step %d: parameter %d is %v with an average, %v without", k, i, v, plain.model.Params()[i])
					}
					want[i] = d*want[i] + (1-d)*v
				}
				if k%3 != 0 {
					continue
				}
				tr.UseAverage(true)
				tr.UseAverage(true) // twice is once
				near("the model's parameters under UseAverage(true)", tr.model.Params(), want)
				f := tr.Checkpoint()
				near("Checkpoint().Params", f.Params, want)
				near("Checkpoint() "+ArrayRawParams, f.Arrays[ArrayRawParams], raw)
				if k == 6 {
					tr.UseAverage(false)
					near("the model's parameters after UseAverage(false)", tr.model.Params(), raw)
				}
			}
		})
	}
}

// TestEMARestore: a run with an average, stopped after 9 of 20 steps,
// written, read and resumed, ends with the average and the optimizer's
// parameters of an uninterrupted run, bit for bit; and a checkpoint with an
// average does not restore into a run without one, nor the other way
// round. A failure means --resume drops or mixes up the average.
func TestEMARestore(t *testing.T) {
	obj := map[string]any{"type": "dsm", "sigma": 0.2}
	s := Settings{Steps: 20, BatchSize: 16, LogEvery: 5, Seed: 4, EMA: 0.9}
	straight := newTrainer(t, obj, s)
	if err := straight.Loop(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	first := newTrainer(t, obj, s)
	for range 9 {
		if _, err := first.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	first.UseAverage(true) // as an evaluation leaves it
	resumed, f := resumeFrom(t, first, obj, s)
	if err := resumed.Loop(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	a, b := straight.Checkpoint(), resumed.Checkpoint()
	for _, c := range []struct {
		what string
		x, y []float64
	}{{"Params (the average)", a.Params, b.Params}, {ArrayRawParams, a.Arrays[ArrayRawParams], b.Arrays[ArrayRawParams]}} {
		if len(c.x) == 0 || len(c.x) != len(c.y) {
			t.Fatalf("%s: %d values straight, %d resumed", c.what, len(c.x), len(c.y))
		}
		for i := range c.x {
			if math.Float64bits(c.x[i]) != math.Float64bits(c.y[i]) {
				t.Fatalf("%s[%d]: %v straight, %v resumed", c.what, i, c.x[i], c.y[i])
			}
		}
	}

	off := s
	off.EMA = 0
	if err := newTrainer(t, obj, off).Restore(f); err == nil || !strings.Contains(err.Error(), "the run keeps none") {
		t.Errorf("an averaged checkpoint into a run without ema: %v", err)
	}
	plain := newTrainer(t, obj, off)
	plain.Step(context.Background())
	if err := newTrainer(t, obj, s).Restore(plain.Checkpoint()); err == nil || !strings.Contains(err.Error(), "the checkpoint none") {
		t.Errorf("a checkpoint without an average into a run with ema: %v", err)
	}
	for _, v := range []float64{-0.1, 1, math.NaN()} {
		bad := Settings{Steps: 1, BatchSize: 1, LogEvery: 1, EMA: v}
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), `key "ema"`) {
			t.Errorf("ema = %v: Validate() = %v, want an error naming the key", v, err)
		}
	}
}
