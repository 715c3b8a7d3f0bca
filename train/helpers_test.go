package train

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/mlp" // registers "mlp"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/optim"
)

// moonsData returns n rows of the two moons (seed 5).
func moonsData(t testing.TB, n int) []float64 {
	t.Helper()
	d, err := datasets.FromTable(map[string]any{"type": "moons", "n": int64(n), "seed": int64(5)})
	if err != nil {
		t.Fatal(err)
	}
	x, err := d.Load()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// parts builds a fresh small mlp, the objective of table obj and adam.
func parts(t testing.TB, obj map[string]any) (energies.Trainable, objectives.Objective, optim.Optimizer) {
	t.Helper()
	e, err := energies.FromTable(map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(8)}, "seed": int64(2), "quadratic": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	o, err := objectives.FromTable(obj)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.FromTable(map[string]any{"type": "adam", "lr": 0.01})
	if err != nil {
		t.Fatal(err)
	}
	return e.(energies.Trainable), o, opt
}

// newTrainer builds a trainer on 200 moons rows.
func newTrainer(t testing.TB, obj map[string]any, s Settings) *Trainer {
	t.Helper()
	m, o, opt := parts(t, obj)
	tr, err := New(m, o, opt, moonsData(t, 200), 2, s)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// resumeFrom writes tr's checkpoint to a file, reads it back and restores
// it into a fresh trainer of obj and s, as --resume does; it returns that
// trainer and the checkpoint read.
func resumeFrom(t testing.TB, tr *Trainer, obj map[string]any, s Settings) (*Trainer, *checkpoint.File) {
	t.Helper()
	path := t.TempDir() + "/ck.ebm"
	f := tr.Checkpoint()
	f.Energy = map[string]any{"type": "mlp"}
	if err := checkpoint.Write(path, f); err != nil {
		t.Fatal(err)
	}
	f, err := checkpoint.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	resumed := newTrainer(t, obj, s)
	if err := resumed.Restore(f); err != nil {
		t.Fatal(err)
	}
	return resumed, f
}

// nanAt is an objective with loss ½‖θ‖² whose loss is NaN at step bad
// (counted from 1).
type nanAt struct {
	m    energies.Trainable
	bad  int
	step int
}

func (o *nanAt) Start(m energies.Trainable, _ []float64, _ uint64) error { o.m = m; return nil }
func (o *nanAt) Params() []float64                                       { return nil }
func (o *nanAt) Loss(_ context.Context, _, grad []float64) (float64, error) {
	o.step++
	loss := 0.0
	for i, v := range o.m.Params() {
		loss += v * v / 2
		grad[i] = v
	}
	if o.step == o.bad {
		return math.NaN(), nil
	}
	return loss, nil
}

var _ objectives.Objective = (*nanAt)(nil)
