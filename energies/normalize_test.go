package energies_test

import (
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
)

// TestNormalizedOnGrid integrates exp(−E) of each exactly normalized 2-D
// energy on a grid and compares its mass with 1 and its grid moments with
// the energy's Moments. The grids reach 10 standard deviations or more and
// the midpoint rule is spectrally accurate on such smooth, fast-decaying
// integrands, so the quadrature error is far below the tolerances (mass
// 1e-10, moments 1e-9 relative to max(1, |value|); observed ≈ 1e-13). A mass off 1 means a
// wrong normalizer (log det, 2π factors); wrong moments mean Moments
// disagrees with the density the energy defines, and sampler tests built on
// it would judge samplers against the wrong answer.
func TestNormalizedOnGrid(t *testing.T) {
	cases := []struct {
		name     string
		table    map[string]any
		lo0, hi0 float64
		n0, n1   int
		span     func(x0 float64) (lo, hi float64)
	}{
		{"gaussian/cov", map[string]any{"type": "gaussian", "mean": []any{1.0, -2.0},
			"cov": []any{[]any{2.0, 0.8}, []any{0.8, 1.0}}},
			1 - 15, 1 + 15, 400, 400, fixed(-2-12, -2+12)},
		{"gaussian/std", map[string]any{"type": "gaussian", "mean": []any{0.5, 0.0}, "std": []any{0.3, 3.0}},
			0.5 - 4, 0.5 + 4, 300, 300, fixed(-35, 35)},
		{"gmm/covs", map[string]any{"type": "gmm", "weights": []any{1.0, 3.0, 2.0},
			"means": []any{[]any{-2.0, 0.0}, []any{2.0, 1.0}, []any{0.0, -3.0}},
			"covs": []any{[]any{[]any{1.0, 0.5}, []any{0.5, 1.0}}, []any{[]any{0.3, 0.0}, []any{0.0, 2.0}},
				[]any{[]any{1.5, -0.7}, []any{-0.7, 0.6}}}},
			-16, 16, 500, 500, fixed(-20, 20)},
		{"gmm/stds", map[string]any{"type": "gmm", "weights": []any{0.25, 0.75},
			"means": []any{[]any{-1.0, 1.0}, []any{3.0, 0.0}}, "stds": []any{0.5, 1.5}},
			-20, 20, 400, 400, fixed(-20, 20)},
		// x₁ | v ~ N(0, e^v): the x₁ cells follow e^{v/2}.
		{"funnel/2 (scale 3)", map[string]any{"type": "funnel", "dim": 2},
			-36, 36, 600, 300, func(v float64) (float64, float64) { s := 12 * math.Exp(v/2); return -s, s }},
		// y₂ | y₁ ~ N(curvature·(y₁² − scale²), 1): the y₂ cells follow it.
		{"banana/2 (defaults)", map[string]any{"type": "banana"},
			-110, 110, 1000, 200, func(y1 float64) (float64, float64) { c := 0.03 * (y1*y1 - 100); return c - 12, c + 12 }},
		{"banana/2 (curvature 0.5, scale 2)", map[string]any{"type": "banana", "curvature": 0.5, "scale": 2.0},
			-22, 22, 1000, 200, func(y1 float64) (float64, float64) { c := 0.5 * (y1*y1 - 4); return c - 12, c + 12 }},
	}
	for _, c := range cases {
		e := mustBuild(t, c.table)
		z, mean, cov := grid2(e, c.lo0, c.hi0, c.n0, c.span, c.n1)
		if math.Abs(z-1) > 1e-10 {
			t.Errorf("%s: ∫exp(−E) = %.12f, want 1 within 1e-10", c.name, z)
		}
		mo := e.(energies.Moments)
		wm, wc := mo.Mean(), mo.Covariance()
		worst := 0.0
		for i := range 2 {
			worst = max(worst, relErr(mean[i], wm[i]))
			if r := relErr(mean[i], wm[i]); !(r <= 1e-9) {
				t.Errorf("%s: mean[%d]: grid %.10g, Mean() %.10g", c.name, i, mean[i], wm[i])
			}
		}
		for i := range 4 {
			worst = max(worst, relErr(cov[i], wc[i]))
			if r := relErr(cov[i], wc[i]); !(r <= 1e-9) {
				t.Errorf("%s: cov[%d]: grid %.10g, Covariance() %.10g", c.name, i, cov[i], wc[i])
			}
		}
		t.Logf("%s: mass − 1 = %.2g, worst moment error %.2g", c.name, z-1, worst)
	}
}
