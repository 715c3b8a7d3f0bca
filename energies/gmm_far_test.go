package energies

import (
	"math"
	"testing"
)

// TestGMMBeyondOverflow evaluates mixtures so far from their modes that
// every component's Mahalanobis distance overflows (x = 1e160): the
// stabilized log-sum-exp would compute e^(−∞+∞). E must be +Inf, as for a
// single Gaussian, and ∇E the gradient of the nearest component in
// Mahalanobis distance, on the batched isotropic path of every simd
// implementation, the per-row path (Energy and Gradient alike), and the
// full-covariance path; rows beside the far one keep their bits. A NaN here
// means samplers and `ebmrun energy` report NaN for a finite point.
func TestGMMBeyondOverflow(t *testing.T) {
	build := func(g *GMM) *GMM {
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		return g
	}
	two := [][]float64{{-2, 0}, {2, 0}}
	cases := []struct {
		name string
		g    *GMM
		x    []float64 // the far point
		grad []float64 // the nearest component's gradient there
	}{
		// Equal widths: the nearer mean along x₁ is (2, 0).
		{"standard", build(&GMM{Means: two}), []float64{1e160, 0}, []float64{1e160 - 2, 0}},
		{"standard negative", build(&GMM{Means: two}), []float64{-1e160, 3}, []float64{-1e160 + 2, 3}},
		// The wider component dominates far out whatever its mean.
		{"isotropic", build(&GMM{Means: two, Stds: []float64{2, 0.5}}), []float64{1e160, 1e160},
			[]float64{(1e160 + 2) / 4, 1e160 / 4}},
		{"full", build(&GMM{Means: two, Covs: [][][]float64{{{1, 0}, {0, 1}}, {{4, 0}, {0, 4}}}}),
			[]float64{-1e160, 1e170}, []float64{(-1e160 - 2) / 4, 1e170 / 4}},
	}
	near := []float64{0.5, -0.25}
	forEachSIMD(t, func(t *testing.T) {
		for _, c := range cases {
			want := make([]float64, 1)
			wantG := make([]float64, 2)
			c.g.Gradient(want, wantG, near)
			// The far point among near ones, so the batched path sees a block.
			x := append(append(append([]float64{}, near...), c.x...), near...)
			e, g := make([]float64, 3), make([]float64, 6)
			c.g.Gradient(e, g, x)
			e2 := make([]float64, 3)
			c.g.Energy(e2, x)
			if !math.IsInf(e[1], 1) || !math.IsInf(e2[1], 1) {
				t.Errorf("%s at %v: E = %v (Gradient), %v (Energy); want +Inf", c.name, c.x, e[1], e2[1])
			}
			for j := range 2 {
				if farRel(g[2+j], c.grad[j]) > 1e-15 {
					t.Errorf("%s at %v: ∇E = %v, want %v", c.name, c.x, g[2:4], c.grad)
					break
				}
			}
			for _, r := range []int{0, 2} {
				if e[r] != want[0] || e2[r] != want[0] || g[2*r] != wantG[0] || g[2*r+1] != wantG[1] {
					t.Errorf("%s: the near row %d changed beside the far one: E = %v, ∇E = %v; want %v, %v", c.name, r, e[r], g[2*r:2*r+2], want[0], wantG)
				}
			}
			// The per-row path.
			if r := c.g.row(nil, c.x); !math.IsInf(r, 1) {
				t.Errorf("%s: row = %v, want +Inf", c.name, r)
			}
			gr := make([]float64, 2)
			if r := c.g.row(gr, c.x); !math.IsInf(r, 1) || farRel(gr[0], c.grad[0]) > 1e-15 || farRel(gr[1], c.grad[1]) > 1e-15 {
				t.Errorf("%s: row = %v, ∇E = %v; want +Inf, %v", c.name, r, gr, c.grad)
			}
		}
	})
}

// farRel is |a − b| / max(1, |b|).
func farRel(a, b float64) float64 { return math.Abs(a-b) / max(1, math.Abs(b)) }
