package train_test

import (
	"context"
	"fmt"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/mlp" // registers "mlp"
	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/train"
)

// Train a small MLP energy on the two moons by denoising score matching,
// from Go alone: build the components from tables, then run the loop with
// an evaluation hook (the exact NLL of the data, by quadrature) every 100
// steps.
func Example() {
	data, _ := datasets.FromTable(map[string]any{"type": "moons", "n": int64(1000), "seed": int64(1)})
	x, _ := data.Load()
	e, _ := energies.FromTable(map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(32)}, "quadratic": 0.01})
	model := e.(energies.Trainable)
	obj, _ := objectives.FromTable(map[string]any{"type": "dsm", "sigma": 0.2})
	opt, _ := optim.FromTable(map[string]any{"type": "adam", "lr": 0.01})

	s := train.DefaultSettings()
	s.Steps, s.BatchSize, s.EvalEvery, s.Seed = 300, 64, 100, 1
	tr, err := train.New(model, obj, opt, x, data.Dim(), s)
	if err != nil {
		fmt.Println(err)
		return
	}
	nll := train.QuadratureNLL(model, evaluate.GridFor(x, 2, 0.25, 64), x)
	before := nll(context.Background(), 0)
	if err := tr.Loop(context.Background(), train.Hooks{OnEval: nll}); err != nil {
		fmt.Println(err)
		return
	}
	after := nll(context.Background(), tr.Done())
	fmt.Printf("%d steps, %d loss rows, %d evaluations\n", tr.Done(), len(tr.Rows()), len(tr.History()))
	fmt.Printf("NLL fell by over half a nat: %v\n", after.NLL < before.NLL-0.5)
	// Output:
	// 300 steps, 30 loss rows, 2 evaluations
	// NLL fell by over half a nat: true
}
