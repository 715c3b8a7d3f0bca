package samplers_test

import (
	"fmt"

	"github.com/goebm/ebm/samplers"
)

// The Song & Ermon schedule: each level's step α_l = ε·σ_l²/σ_L², here
// for three levels from σ = 1 down to 0.25 with ε = 0.01.
func ExampleAnnealedSigma_Steps() {
	a := &samplers.AnnealedSigma{StepSize: 0.01, SigmaMax: 1, SigmaMin: 0.25, Levels: 3, StepsPerLevel: 100}
	for l, s := range a.Sigmas() {
		fmt.Printf("level %d: σ = %.2f, α = %.2f\n", l, s, a.Steps()[l])
	}
	// Output:
	// level 0: σ = 1.00, α = 0.16
	// level 1: σ = 0.50, α = 0.04
	// level 2: σ = 0.25, α = 0.01
}
