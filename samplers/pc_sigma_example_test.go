package samplers_test

import (
	"context"
	"fmt"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/samplers"
)

// The predictor-corrector ladder: each level's predictor step moves the
// chains from σ_(l−1) to σ_l (the variance Δ_l = σ_(l−1)² − σ_l² is taken
// off), then its correctors step at σ_l. Here four levels from σ = 2 down
// to 0.25 with one corrector each: a ladder of eight iterations. Sampling
// N(0, 1) (an energy without σ, so every level steps on the one energy),
// warmup = the ladder keeps the draws after it.
func ExamplePredictorCorrector() {
	p := &samplers.PredictorCorrector{SigmaMax: 2, SigmaMin: 0.25, Levels: 4, CorrectorSteps: 1, SNR: 0.16, DiffuseStart: true}
	sig := p.Sigmas()
	for l, s := range sig {
		if l == 0 {
			fmt.Printf("level %d: σ = %.2f (the start diffused by σ)\n", l, s)
			continue
		}
		fmt.Printf("level %d: σ = %.2f, predictor Δ = %.4f\n", l, s, sig[l-1]*sig[l-1]-s*s)
	}
	fmt.Println("ladder:", p.LadderIterations(), "iterations")
	g, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{0.0}})
	if err != nil {
		panic(err)
	}
	res, err := samplers.Run(context.Background(), g, p,
		samplers.Options{Chains: 4, Warmup: p.LadderIterations(), Draws: 10, Seed: 1})
	fmt.Println(len(res.Samples), "draws, error:", err)
	// Output:
	// level 0: σ = 2.00 (the start diffused by σ)
	// level 1: σ = 1.00, predictor Δ = 3.0000
	// level 2: σ = 0.50, predictor Δ = 0.7500
	// level 3: σ = 0.25, predictor Δ = 0.1875
	// ladder: 8 iterations
	// 40 draws, error: <nil>
}
