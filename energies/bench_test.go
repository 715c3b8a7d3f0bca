package energies_test

import (
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
)

// gmm8 is the 2-D benchmark mixture: 8 equally weighted components with
// std 0.5 on a circle of radius 4.
func gmm8(b *testing.B) energies.Energy {
	b.Helper()
	means, stds := make([]any, 8), make([]any, 8)
	for k := range means {
		a := 2 * math.Pi * float64(k) / 8
		means[k] = []any{4 * math.Cos(a), 4 * math.Sin(a)}
		stds[k] = 0.5
	}
	return mustBuild(b, map[string]any{"type": "gmm", "means": means, "stds": stds})
}

// benchGradient times Gradient over a batch of n typical points and
// reports points per second.
func benchGradient(b *testing.B, e energies.Energy, n int) {
	x := typicalPoints(e, n, 1)
	en, grad := make([]float64, n), make([]float64, n*e.Dim())
	b.SetBytes(int64(8 * len(x)))
	b.ReportAllocs()
	for b.Loop() {
		e.Gradient(en, grad, x)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkGMM8Gradient is E and ∇E of the 8-mode ring mixture on 4096 points.
func BenchmarkGMM8Gradient(b *testing.B) { benchGradient(b, gmm8(b), 4096) }

// BenchmarkGradient is E and ∇E of every registered energy, from its sample
// config, on 4096 points.
func BenchmarkGradient(b *testing.B) {
	for _, name := range energies.Names() {
		b.Run("name="+name, func(b *testing.B) {
			e, _ := fromSample(b, name)
			benchGradient(b, e, 4096)
		})
	}
}
