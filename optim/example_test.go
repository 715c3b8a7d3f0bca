package optim_test

import (
	"fmt"

	"github.com/goebm/ebm/optim"
)

// Build an optimizer from its config table and minimize f(θ) = ½‖θ − c‖².
func ExampleFromTable() {
	o, err := optim.FromTable(map[string]any{
		"type": "adam", "lr": 0.1, "warmup": 10, "schedule": "cosine", "min_lr": 0.001,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	const steps = 300
	if err := o.Start(2, steps); err != nil {
		fmt.Println(err)
		return
	}
	theta, c := []float64{0, 0}, []float64{1, -2}
	grad := make([]float64, 2)
	for s := 0; s < steps; s++ {
		for i := range theta {
			grad[i] = theta[i] - c[i]
		}
		if _, norm := o.Step(theta, grad); norm != norm { // NaN: stop the run
			fmt.Println("diverged")
			return
		}
	}
	fmt.Printf("θ = (%.3f, %.3f) after %d steps\n", theta[0], theta[1], o.State().Step)
	// Output: θ = (1.000, -2.000) after 300 steps
}
