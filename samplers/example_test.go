package samplers_test

import (
	"context"
	"fmt"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/samplers"
)

// Run draws from a 2-D Gaussian with MALA: 64 chains, 500 warmup
// iterations that adapt each chain's step, then 1000 kept draws per chain.
// The results do not depend on the number of workers.
func ExampleRun() {
	e, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{1.0, -2.0}})
	if err != nil {
		panic(err)
	}
	s, err := samplers.FromTable(map[string]any{"type": "mala"})
	if err != nil {
		panic(err)
	}
	res, err := samplers.Run(context.Background(), e, s,
		samplers.Options{Chains: 64, Warmup: 500, Draws: 1000, Seed: 1})
	if err != nil {
		panic(err)
	}
	var m [2]float64
	for i, v := range res.Samples {
		m[i%2] += v / float64(res.Chains*res.Draws)
	}
	fmt.Printf("draws: %d chains × %d\n", res.Chains, res.Draws)
	fmt.Printf("mean ≈ (%.1f, %.1f)\n", m[0], m[1])
	fmt.Printf("acceptance ≈ %.1f\n", res.Sampling.AcceptanceRate())
	// Output:
	// draws: 64 chains × 1000
	// mean ≈ (1.0, -2.0)
	// acceptance ≈ 0.6
}
