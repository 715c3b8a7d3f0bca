package checkpoint_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/mlp"
)

// Save a learnable energy with its training state, then load it back,
// directly and as the energy type "checkpoint".
func Example() {
	dir, _ := os.MkdirTemp("", "ckpt")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.ckpt")

	table := map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(16)}, "activation": "tanh", "seed": int64(1)}
	e, _ := energies.FromTable(table)
	m := e.(*mlp.MLP)
	m.Params()[0] = 0.5 // as if trained
	if err := checkpoint.Write(path, &checkpoint.File{Energy: table, Params: m.Params(), Step: 1000}); err != nil {
		fmt.Println(err)
		return
	}

	f, err := checkpoint.Read(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	tr, err := f.NewEnergy()
	if err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := energies.FromTable(map[string]any{"type": "checkpoint", "path": path})
	if err != nil {
		fmt.Println(err)
		return
	}
	x := []float64{0.3, -1.2}
	e0, e1, e2 := make([]float64, 1), make([]float64, 1), make([]float64, 1)
	m.Energy(e0, x)
	tr.Energy(e1, x)
	loaded.Energy(e2, x)
	fmt.Println("step:", f.Step, "params:", len(tr.Params()))
	fmt.Println("same energy:", e0[0] == e1[0] && e1[0] == e2[0])
	// Output:
	// step: 1000 params: 65
	// same energy: true
}
