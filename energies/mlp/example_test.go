package mlp_test

import (
	"fmt"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/mlp"
)

// A small SiLU network: its layer widths, its parameter count, and the
// energy and gradient of a batch of two points, one per row. The biases
// start at 0 and SiLU(0) = 0, so a fresh network has E(0) = 0.
func ExampleNew() {
	m, err := mlp.New(2, []int{16, 16}, "silu", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("layers:", m.Layers(), "parameters:", m.NumParams())
	x := []float64{0, 0, 1, -1}
	e, grad := make([]float64, 2), make([]float64, 4)
	m.Gradient(e, grad, x)
	fmt.Printf("E = %.4f %.4f\n", e[0], e[1])
	fmt.Printf("∇E(1, -1) = (%.4f, %.4f)\n", grad[2], grad[3])
	// Output:
	// layers: [2 16 16 1] parameters: 337
	// E = 0.0620 0.1103
	// ∇E(1, -1) = (0.0115, -0.0584)
}

// The model from a config table, as ebmrun builds it; Params is the model
// itself, so writing the output bias (its last entry) shifts every energy.
func ExampleMLP_Params() {
	e, err := energies.FromTable(map[string]any{
		"type": "mlp", "dim": 1, "hidden": []any{8}, "activation": "tanh", "quadratic": 1.0, "seed": 7,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := e.(*mlp.MLP)
	en := make([]float64, 1)
	m.Energy(en, []float64{0})
	before := en[0]
	p := m.Params()
	p[len(p)-1] += 3 // the output bias
	m.Energy(en, []float64{0})
	fmt.Printf("E(0) moved by %.4f\n", en[0]-before)
	// Output:
	// E(0) moved by 3.0000
}
