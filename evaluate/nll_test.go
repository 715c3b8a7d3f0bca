package evaluate_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
)

// gaussData draws n rows of N(mu, LLᵀ) for a lower-triangular 2×2 L.
func gaussData(seed uint64, n int, mu [2]float64, l [3]float64) []float64 {
	r := rng.New(seed, 0)
	x := make([]float64, 2*n)
	for i := range n {
		a, b := r.Norm(), r.Norm()
		x[2*i] = mu[0] + l[0]*a
		x[2*i+1] = mu[1] + l[1]*a + l[2]*b
	}
	return x
}

// TestNLLEntropy scores data drawn from N(μ, Σ) under its own density, with
// log Z from the grid (the energy is shifted by 3 so log Z = −3 must be
// found, not assumed). The mean NLL estimates the entropy
// ½ log det(2πeΣ) and must match it within 4 of its standard errors; the
// standard error must match the exact sd of E, √(d/2) (E − const is a
// χ²_d/2 variable), over √n within 10% (about 4.5 of its own relative
// standard errors at n = 4000). A failure means NLL drops log Z, averages
// wrongly, or misstates its uncertainty.
func TestNLLEntropy(t *testing.T) {
	const n = 4000
	mu := [2]float64{1, -2}
	l := [3]float64{math.Sqrt2, 0.8 / math.Sqrt2, math.Sqrt(1 - 0.32)} // Σ = [[2, .8], [.8, 1]]
	x := gaussData(17, n, mu, l)
	g := build(t, map[string]any{"type": "gaussian", "mean": []any{1.0, -2.0},
		"cov": []any{[]any{2.0, 0.8}, []any{0.8, 1.0}}})
	e := shifted{g, 3}
	r, err := evaluate.LogZ(context.Background(), e, evaluate.GridFor(x, 2, 0.5, 200))
	if err != nil {
		t.Fatal(err)
	}
	mean, se, err := evaluate.NLL(e, x, r.LogZ)
	if err != nil {
		t.Fatal(err)
	}
	det := 2*1 - 0.8*0.8
	entropy := 0.5 * math.Log(math.Pow(2*math.Pi*math.E, 2)*det)
	z := (mean - entropy) / se
	t.Logf("log Z %.6f (border mass %.2g); NLL %.4f ± %.4f, entropy %.4f (z %+.2f)", r.LogZ, r.BorderMass, mean, se, entropy, z)
	if math.Abs(r.LogZ+3) > 1e-6 {
		t.Errorf("log Z = %v, want −3 (grid from the data with margin 0.5)", r.LogZ)
	}
	if !(math.Abs(z) < 4) {
		t.Errorf("NLL %.4f ± %.4f, want the entropy %.4f within 4 standard errors (z = %.2f)", mean, se, entropy, z)
	}
	if want := 1 / math.Sqrt(n); math.Abs(se/want-1) > 0.1 {
		t.Errorf("stderr %.5f, want ≈ √(d/2)/√n = %.5f within 10%%", se, want)
	}
	// A constant shift of E with its own log Z leaves the NLL unchanged.
	r0, err := evaluate.LogZ(context.Background(), g, evaluate.GridFor(x, 2, 0.5, 200))
	if err != nil {
		t.Fatal(err)
	}
	mean0, se0, err := evaluate.NLL(g, x, r0.LogZ)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(mean0-mean) > 1e-9 || math.Abs(se0-se) > 1e-12 {
		t.Errorf("NLL of E: %.12f ± %.3g; of E + 3: %.12f ± %.3g; want equal", mean0, se0, mean, se)
	}
}

// TestNLLEdgeCases checks the documented edge cases: a NaN energy is an
// error naming the row, +Inf gives +Inf, one row gives stderr +Inf, and a
// ragged x or non-finite logZ is an error. A failure means a silent NaN or
// a panic on input a pipeline can produce.
func TestNLLEdgeCases(t *testing.T) {
	e := funcEnergy{2, func(x []float64) float64 {
		switch {
		case x[0] > 10:
			return math.NaN()
		case x[0] < -10:
			return math.Inf(1)
		}
		return x[0] * x[0]
	}}
	if _, _, err := evaluate.NLL(e, []float64{0, 0, 1, 1, 2, 2, 11, 0}, 0); err == nil || !strings.Contains(err.Error(), "row 3") || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN at row 3: err = %v, want one naming NaN and row 3", err)
	}
	if m, se, err := evaluate.NLL(e, []float64{0, 0, -11, 0}, 0); err != nil || !math.IsInf(m, 1) || !math.IsInf(se, 1) {
		t.Errorf("+Inf row: got %v ± %v, %v; want +Inf ± +Inf, nil", m, se, err)
	}
	if m, se, err := evaluate.NLL(e, []float64{2, 0}, 0.5); err != nil || m != 4.5 || !math.IsInf(se, 1) {
		t.Errorf("one row: got %v ± %v, %v; want 4.5 ± +Inf, nil", m, se, err)
	}
	if _, _, err := evaluate.NLL(e, []float64{1, 2, 3}, 0); err == nil || !strings.Contains(err.Error(), "multiple") {
		t.Errorf("ragged x: err = %v, want one about whole rows", err)
	}
	if _, _, err := evaluate.NLL(e, nil, 0); err == nil {
		t.Error("empty x: no error")
	}
	if _, _, err := evaluate.NLL(e, []float64{1, 2}, math.NaN()); err == nil || !strings.Contains(err.Error(), "logZ") {
		t.Errorf("NaN logZ: err = %v, want one naming logZ", err)
	}
}
