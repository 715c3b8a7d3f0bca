package energies_test

import (
	"math"
	"testing"
)

// naiveGMM2 is −log Σ_k w_k N(x; μ_k, Σ_k) for 2-D components, written out
// directly from the densities (explicit 2×2 inverse and determinant).
func naiveGMM2(w []float64, mu [][2]float64, cov [][3]float64, x [2]float64) float64 {
	total := 0.0
	for _, v := range w {
		total += v
	}
	p := 0.0
	for k := range w {
		a, b, c := cov[k][0], cov[k][1], cov[k][2] // [[a b] [b c]]
		det := a*c - b*b
		dx, dy := x[0]-mu[k][0], x[1]-mu[k][1]
		q := (c*dx*dx - 2*b*dx*dy + a*dy*dy) / det
		p += w[k] / total * math.Exp(-q/2) / (2 * math.Pi * math.Sqrt(det))
	}
	return -math.Log(p)
}

// TestGMMMatchesNaiveMixture compares the online log-sum-exp with the
// textbook mixture density at points near the modes, where the naive sum
// is accurate. A failure means a wrong normalizer, weight handling or
// covariance use in the mixture.
func TestGMMMatchesNaiveMixture(t *testing.T) {
	w := []float64{1, 3, 2}
	mu := [][2]float64{{-2, 0}, {2, 1}, {0, -3}}
	cov := [][3]float64{{1, 0.5, 1}, {0.3, 0, 2}, {1.5, -0.7, 0.6}}
	e := mustBuild(t, map[string]any{"type": "gmm", "weights": []any{1.0, 3.0, 2.0},
		"means": []any{[]any{-2.0, 0.0}, []any{2.0, 1.0}, []any{0.0, -3.0}},
		"covs": []any{[]any{[]any{1.0, 0.5}, []any{0.5, 1.0}}, []any{[]any{0.3, 0.0}, []any{0.0, 2.0}},
			[]any{[]any{1.5, -0.7}, []any{-0.7, 0.6}}}})
	x := typicalPoints(e, 50, 13)
	got := make([]float64, 50)
	e.Energy(got, x)
	for i := range 50 {
		want := naiveGMM2(w, mu, cov, [2]float64{x[2*i], x[2*i+1]})
		if r := relErr(got[i], want); !(r <= 1e-12) {
			t.Errorf("x = %v: E = %.15g, naive mixture %.15g (relative error %.2g > 1e-12)", x[2*i:2*i+2], got[i], want, r)
		}
	}
	// The same mixture with isotropic components.
	iso := mustBuild(t, map[string]any{"type": "gmm", "weights": []any{0.25, 0.75},
		"means": []any{[]any{-1.0, 1.0}, []any{3.0, 0.0}}, "stds": []any{0.5, 1.5}})
	iso.Energy(got, x)
	for i := range 50 {
		want := naiveGMM2([]float64{0.25, 0.75}, [][2]float64{{-1, 1}, {3, 0}},
			[][3]float64{{0.25, 0, 0.25}, {2.25, 0, 2.25}}, [2]float64{x[2*i], x[2*i+1]})
		if r := relErr(got[i], want); !(r <= 1e-12) {
			t.Errorf("isotropic, x = %v: E = %.15g, naive mixture %.15g", x[2*i:2*i+2], got[i], want)
		}
	}
}

// TestGMMFarFromModes evaluates mixtures around x = 1e3, where every
// component density underflows to 0 and a naive −log Σ would return +Inf
// with a NaN gradient. The exact values are known: with two equal-width,
// equally weighted components at (±1, 0) and x on their bisector, the
// mixture equals either component's Gaussian energy and ∇E = (0, x₂); with
// unequal widths the widest component dominates by exp(−10⁶) and E is its
// Gaussian energy minus log w. A failure means the log-sum-exp is not
// stabilized, so samplers started far out would diverge.
func TestGMMFarFromModes(t *testing.T) {
	if n := naiveGMM2([]float64{1, 1}, [][2]float64{{-1, 0}, {1, 0}}, [][3]float64{{1, 0, 1}, {1, 0, 1}}, [2]float64{0, 1e3}); !math.IsInf(n, 1) {
		t.Fatalf("premise: the naive mixture at 1e3 should overflow to +Inf, got %v", n)
	}
	sym := mustBuild(t, map[string]any{"type": "gmm", "means": []any{[]any{-1.0, 0.0}, []any{1.0, 0.0}}})
	for _, y := range []float64{1e3, -1e3, 1e5} {
		e, g := make([]float64, 1), make([]float64, 2)
		sym.Gradient(e, g, []float64{0, y})
		want := 0.5*(1+y*y) + math.Log(2*math.Pi)
		if !(relErr(e[0], want) <= 1e-14 && relErr(g[0], 0) <= 1e-12 && relErr(g[1], y) <= 1e-14) {
			t.Errorf("symmetric mixture at (0, %g): E = %v, ∇E = %v; want %v and (0, %g)", y, e[0], g, want, y)
		}
	}
	wide := mustBuild(t, map[string]any{"type": "gmm", "weights": []any{0.9, 0.1},
		"means": []any{[]any{0.0, 0.0}, []any{1.0, 2.0}}, "stds": []any{0.5, 2.0}})
	for _, x := range [][]float64{{1e3, 1e3}, {-1e3, 1e3}, {1e3, -3e3}} {
		e, g := make([]float64, 1), make([]float64, 2)
		wide.Gradient(e, g, x)
		dx, dy := x[0]-1, x[1]-2
		want := (dx*dx+dy*dy)/8 + math.Log(2*math.Pi*4) - math.Log(0.1)
		if !(relErr(e[0], want) <= 1e-14 && relErr(g[0], dx/4) <= 1e-14 && relErr(g[1], dy/4) <= 1e-14) {
			t.Errorf("at %v: E = %v, ∇E = %v; want %v and (%v, %v)", x, e[0], g, want, dx/4, dy/4)
		}
	}
}
