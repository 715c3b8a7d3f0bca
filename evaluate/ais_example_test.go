package evaluate_test

import (
	"context"
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/evaluate"
)

// Estimate log Z of an energy by annealed importance sampling: here a
// normalized Gaussian density, so the truth is log Z = 0. The estimate
// comes with its standard error and the effective sample size of the
// weights.
func ExampleAIS() {
	e, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{1.0, -1.0}, "std": []any{2.0, 0.5}})
	if err != nil {
		panic(err)
	}
	res, err := evaluate.AIS(context.Background(), e, evaluate.AISOptions{Chains: 64, Steps: 100, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("log Z = %.2f ± %.2f, ESS %.0f of 64\n", res.LogZ, res.Stderr, res.ESS)
	// Output:
	// log Z = 0.06 ± 0.05, ESS 54 of 64
}

// The held-out denoising loss at σ = 0.5 of a model whose score is that of
// data N(0, I) smoothed by σ, N(0, (1 + σ²)I): the best any model can do
// on such data, on average.
func ExampleDenoisingLoss() {
	e, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{0.0, 0.0}, "std": []any{math.Sqrt(1.25), math.Sqrt(1.25)}})
	if err != nil {
		panic(err)
	}
	x := []float64{0.3, -1.2, 1.5, 0.2, -0.7, 0.9, 0.1, 0.4}
	res, err := evaluate.DenoisingLoss(context.Background(), e, x, []float64{0.5}, 7, 1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("σ = %v: loss %.2f ± %.2f\n", res[0].Sigma, res[0].Loss, res[0].Stderr)
	// Output:
	// σ = 0.5: loss 1.33 ± 0.43
}

// Distances from two queries to their nearest reference row: the first is
// a copy of a reference row (a memorised sample), the second is not.
func ExampleNearestDistances() {
	ref := []float64{0, 0, 3, 4, 10, 10}
	q := []float64{3, 4, 1, 1}
	d, err := evaluate.NearestDistances(context.Background(), q, ref, 2, 1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f %.4f\n", d[0], d[1])
	// Output:
	// 0.0000 1.4142
}
