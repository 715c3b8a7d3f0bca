package mlp_test

import (
	"fmt"
	"testing"

	"github.com/goebm/ebm/energies/mlp"
	"github.com/goebm/ebm/rng"
)

// benchNet is the 2-128-128-1 SiLU network of the speed target.
func benchNet(b *testing.B) *mlp.MLP {
	b.Helper()
	m, err := mlp.New(2, []int{128, 128}, "silu", 1)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// gaussPoints returns n×d standard normal values from a fixed seed.
func gaussPoints(n, d int, seed uint64) []float64 {
	s := rng.New(seed, 0)
	x := make([]float64, n*d)
	s.FillNorm(x)
	return x
}

// BenchmarkGradient is E and ∇ₓE of the 2-128-128-1 SiLU network over
// batches of b points; b=1024 is the samplers' target case.
func BenchmarkGradient(b *testing.B) {
	m := benchNet(b)
	for _, n := range []int{64, 1024, 4096} {
		b.Run(fmt.Sprintf("b=%d", n), func(b *testing.B) {
			x := gaussPoints(n, 2, 1)
			e, g := make([]float64, n), make([]float64, 2*n)
			b.ReportAllocs()
			for b.Loop() {
				m.Gradient(e, g, x)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// BenchmarkEnergy is E alone (the forward pass) of the same network.
func BenchmarkEnergy(b *testing.B) {
	m := benchNet(b)
	for _, n := range []int{64, 1024, 4096} {
		b.Run(fmt.Sprintf("b=%d", n), func(b *testing.B) {
			x := gaussPoints(n, 2, 1)
			e := make([]float64, n)
			b.ReportAllocs()
			for b.Loop() {
				m.Energy(e, x)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}
