package energies_test

import (
	"fmt"

	"github.com/goebm/ebm/energies"
)

// A 2-D standard normal from a config table: E at the mean is the
// normalizer log 2π, and the gradient points away from the mean.
func ExampleGaussian() {
	e, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{1.0, -2.0}})
	if err != nil {
		fmt.Println(err)
		return
	}
	x := []float64{1, -2, 2, -2} // two points, one per row
	en, grad := make([]float64, 2), make([]float64, 4)
	e.Gradient(en, grad, x)
	fmt.Printf("E = %.4f %.4f\n", en[0], en[1])
	fmt.Printf("∇E(2, -2) = %v\n", grad[2:])
	// Output:
	// E = 1.8379 2.3379
	// ∇E(2, -2) = [1 0]
}
