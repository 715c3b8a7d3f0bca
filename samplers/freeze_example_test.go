package samplers_test

import (
	"context"
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// Freeze samples a correlated 2-D Gaussian conditionally: coordinate 1 is
// held at 2 and MALA samples coordinate 0 from p(x₀ | x₁ = 2), the
// Gaussian of mean ρ·2 = 1.6 and standard deviation √(1 − ρ²) = 0.6.
func ExampleFreezer() {
	e, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{0.0, 0.0},
		"cov": []any{[]any{1.0, 0.8}, []any{0.8, 1.0}}})
	if err != nil {
		panic(err)
	}
	s := samplers.NewMALA().Freeze([]bool{false, true})
	res, err := samplers.Run(context.Background(), e, s, samplers.Options{
		Chains: 64, Warmup: 500, Draws: 1000, Seed: 1,
		Init: func(_ int, r *rng.Stream, x []float64) { x[0], x[1] = r.Norm(), 2 },
	})
	if err != nil {
		panic(err)
	}
	var m, v float64
	held := true
	n := float64(res.Chains * res.Draws)
	for i := 0; i < len(res.Samples); i += 2 {
		m += res.Samples[i] / n
		held = held && res.Samples[i+1] == 2
	}
	for i := 0; i < len(res.Samples); i += 2 {
		v += (res.Samples[i] - m) * (res.Samples[i] - m) / n
	}
	fmt.Printf("x₁ held at 2: %v\n", held)
	fmt.Printf("x₀ | x₁ = 2: mean ≈ %.1f, std ≈ %.1f\n", m, math.Sqrt(v))
	// Output:
	// x₁ held at 2: true
	// x₀ | x₁ = 2: mean ≈ 1.6, std ≈ 0.6
}
