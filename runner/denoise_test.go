package runner

import (
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// TestDenoiseTweedieGaussian checks the denoising step where Tweedie's
// formula is exact: data N(μ, s²I) smoothed by N(0, σ²I) is N(μ, (s² + σ²)I),
// whose energy gives x − σ²∇E(x) = (s²x + σ²μ)/(s² + σ²), the posterior mean
// E[x₀ | x]. 600 draws (more than one block of rows) in 3-D must match it to
// rounding, and res.Energy must be recomputed at the denoised draws. A
// failure means a wrong sign, a σ instead of σ², rows skipped at a block
// edge, or stale energies.
func TestDenoiseTweedieGaussian(t *testing.T) {
	mu := []float64{0.3, -1, 2}
	const s, sigma = 0.7, 0.4
	v := math.Sqrt(s*s + sigma*sigma)
	m, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{mu[0], mu[1], mu[2]}, "std": []any{v, v, v}})
	if err != nil {
		t.Fatal(err)
	}
	const n, d = 600, 3
	res := &samplers.Result{Chains: 200, Draws: 3, Dim: d, Samples: make([]float64, n*d), Energy: make([]float64, n)}
	r := rng.New(3, 0)
	r.FillNorm(res.Samples)
	x0 := append([]float64(nil), res.Samples...)
	if left := denoiseDraws(m, res, sigma, nil); left != 0 {
		t.Fatalf("%d draws left as drawn, want 0", left)
	}
	w := s*s + sigma*sigma
	for i, x := range x0 {
		want := (s*s*x + sigma*sigma*mu[i%d]) / w
		if got := res.Samples[i]; math.Abs(got-want) > 1e-12 {
			t.Fatalf("value %d: denoised %v, want the posterior mean %v", i, got, want)
		}
	}
	e := make([]float64, n)
	m.Energy(e, res.Samples)
	for i := range e {
		if res.Energy[i] != e[i] {
			t.Fatalf("draw %d: res.Energy %v, want E at the denoised draw %v", i, res.Energy[i], e[i])
		}
	}
}
