package objectives_test

import (
	"context"
	"fmt"

	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/mlp" // registers the "mlp" energy
	"github.com/goebm/ebm/objectives"
)

// One denoising score-matching loss on a small network: build the model
// and the objective from their config tables, Start a run, and evaluate
// the loss and its parameter gradient on a batch (here the whole, tiny,
// data set). An optimizer from optim/ would then apply grad to
// model.Params().
func Example_dsm() {
	e, err := energies.FromTable(map[string]any{"type": "mlp", "dim": 2, "hidden": []any{int64(8)},
		"activation": "silu", "seed": 1})
	if err != nil {
		panic(err)
	}
	model := e.(energies.Trainable)
	obj, err := objectives.FromTable(map[string]any{"type": "dsm", "sigma": 0.5})
	if err != nil {
		panic(err)
	}
	data := []float64{
		0.0, 1.0,
		1.0, 0.0,
		-1.0, 0.0,
		0.0, -1.0,
	}
	if err := obj.Start(model, data, 42); err != nil {
		panic(err)
	}
	grad := make([]float64, len(model.Params()))
	loss, err := obj.Loss(context.Background(), data, grad)
	if err != nil {
		panic(err)
	}
	fmt.Printf("parameters: %d\n", len(grad))
	fmt.Printf("loss: %.3f\n", loss)
	// Output:
	// parameters: 33
	// loss: 3.904
}
