package evaluate_test

import (
	"context"
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
)

// bowl is the unnormalized energy E(x) = ½‖x‖² in 2-D: exp(−E) integrates
// to 2π, so log Z = log 2π ≈ 1.8379.
type bowl struct{}

func (bowl) Dim() int { return 2 }
func (bowl) Energy(e, x []float64) {
	for i := range len(x) / 2 {
		e[i] = (x[2*i]*x[2*i] + x[2*i+1]*x[2*i+1]) / 2
	}
}
func (b bowl) Gradient(e, g, x []float64) {
	b.Energy(e, x)
	copy(g, x)
}

var _ energies.Energy = bowl{}

// Score a model on data: normalize it on a grid around the data, then take
// the mean negative log-likelihood in nats per point. For data from the
// model itself that is its entropy, 1 + log 2π ≈ 2.84.
func ExampleLogZ() {
	r := rng.New(1, 0)
	data := make([]float64, 2*5000)
	r.FillNorm(data)

	res, err := evaluate.LogZ(context.Background(), bowl{}, evaluate.GridFor(data, 2, 0.5, 200))
	if err != nil {
		panic(err)
	}
	nll, se, err := evaluate.NLL(bowl{}, data, res.LogZ)
	if err != nil {
		panic(err)
	}
	fmt.Printf("log Z = %.4f (log 2π = %.4f), border mass < 1e-6: %v\n", res.LogZ, math.Log(2*math.Pi), res.BorderMass < 1e-6)
	fmt.Printf("NLL = %.2f ± %.2f nats per point\n", nll, se)
	// Output:
	// log Z = 1.8379 (log 2π = 1.8379), border mass < 1e-6: true
	// NLL = 2.83 ± 0.01 nats per point
}
