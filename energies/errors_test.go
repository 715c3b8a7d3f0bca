package energies_test

import (
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
)

// TestBadParameters feeds each Init error path and checks that it is an
// error (not a panic, not silent acceptance) that names the offending key
// and, where it matters, says what is wrong. A failure means a user with a
// bad config gets a crash, a wrong model, or a message that does not point
// at the line to fix.
func TestBadParameters(t *testing.T) {
	m2 := []any{0.0, 0.0}
	rows := func(r ...[]any) []any {
		out := make([]any, len(r))
		for i, v := range r {
			out[i] = v
		}
		return out
	}
	id2 := rows([]any{1.0, 0.0}, []any{0.0, 1.0})
	cases := []struct {
		name  string
		table map[string]any
		want  []string // substrings of the error
	}{
		{"gaussian no mean", map[string]any{"type": "gaussian"}, []string{`"mean"`, "required"}},
		{"gaussian NaN mean", map[string]any{"type": "gaussian", "mean": []any{0.0, math.NaN()}}, []string{`"mean"`, "finite"}},
		{"gaussian cov and std", map[string]any{"type": "gaussian", "mean": m2, "cov": id2, "std": []any{1.0, 1.0}}, []string{`"cov"`, `"std"`, "not both"}},
		{"gaussian cov not PD", map[string]any{"type": "gaussian", "mean": m2, "cov": rows([]any{1.0, 2.0}, []any{2.0, 1.0})}, []string{`"cov"`, "positive definite"}},
		{"gaussian cov singular", map[string]any{"type": "gaussian", "mean": m2, "cov": rows([]any{1.0, 1.0}, []any{1.0, 1.0})}, []string{`"cov"`}},
		{"gaussian cov ill-conditioned", map[string]any{"type": "gaussian", "mean": m2, "cov": rows([]any{1.0, 0.0}, []any{0.0, 1e-14})}, []string{`"cov"`, "singular"}},
		{"gaussian cov asymmetric", map[string]any{"type": "gaussian", "mean": m2, "cov": rows([]any{1.0, 0.5}, []any{0.0, 1.0})}, []string{`"cov"`, "symmetric"}},
		{"gaussian cov rows", map[string]any{"type": "gaussian", "mean": []any{0.0, 0.0, 0.0}, "cov": id2}, []string{`"cov"`, "rows"}},
		{"gaussian cov row length", map[string]any{"type": "gaussian", "mean": m2, "cov": rows([]any{1.0}, []any{0.0, 1.0})}, []string{`"cov"`, "row 0"}},
		{"gaussian cov Inf", map[string]any{"type": "gaussian", "mean": m2, "cov": rows([]any{math.Inf(1), 0.0}, []any{0.0, 1.0})}, []string{`"cov"`, "finite"}},
		{"gaussian std negative", map[string]any{"type": "gaussian", "mean": m2, "std": []any{1.0, -1.0}}, []string{`"std"`, "element 1", "> 0"}},
		{"gaussian std zero", map[string]any{"type": "gaussian", "mean": m2, "std": []any{0.0, 1.0}}, []string{`"std"`, "> 0"}},
		{"gaussian std length", map[string]any{"type": "gaussian", "mean": m2, "std": []any{1.0}}, []string{`"std"`, "length of mean"}},

		{"gmm no means", map[string]any{"type": "gmm"}, []string{`"means"`, "required"}},
		{"gmm empty mean", map[string]any{"type": "gmm", "means": rows([]any{})}, []string{`"means"`}},
		{"gmm NaN mean", map[string]any{"type": "gmm", "means": rows(m2, []any{math.NaN(), 0.0})}, []string{`"means"`, "component 1", "finite"}},
		{"gmm ragged means", map[string]any{"type": "gmm", "means": rows(m2, []any{1.0})}, []string{`"means"`, "same length"}},
		{"gmm weights length", map[string]any{"type": "gmm", "means": rows(m2, m2), "weights": []any{1.0}}, []string{`"weights"`, "one weight per component"}},
		{"gmm weight negative", map[string]any{"type": "gmm", "means": rows(m2, m2), "weights": []any{1.0, -1.0}}, []string{`"weights"`, "> 0"}},
		{"gmm weight zero", map[string]any{"type": "gmm", "means": rows(m2, m2), "weights": []any{0.0, 1.0}}, []string{`"weights"`, "> 0"}},
		{"gmm stds and covs", map[string]any{"type": "gmm", "means": rows(m2), "stds": []any{1.0}, "covs": []any{id2}}, []string{`"stds"`, `"covs"`, "not both"}},
		{"gmm std negative", map[string]any{"type": "gmm", "means": rows(m2, m2), "stds": []any{1.0, -0.5}}, []string{`"stds"`, "> 0", "component 1"}},
		{"gmm stds length", map[string]any{"type": "gmm", "means": rows(m2, m2), "stds": []any{1.0}}, []string{`"stds"`, "one standard deviation per component"}},
		{"gmm covs count", map[string]any{"type": "gmm", "means": rows(m2, m2), "covs": []any{id2}}, []string{`"covs"`, "one covariance per component"}},
		{"gmm cov not PD", map[string]any{"type": "gmm", "means": rows(m2, m2), "covs": []any{id2, rows([]any{-1.0, 0.0}, []any{0.0, 1.0})}}, []string{`"covs"`, "component 1", "positive definite"}},
		{"gmm cov shape", map[string]any{"type": "gmm", "means": rows(m2), "covs": []any{rows([]any{1.0})}}, []string{`"covs"`, "rows"}},

		{"rosenbrock dim 1", map[string]any{"type": "rosenbrock", "dim": 1}, []string{`"dim"`, ">= 2"}},
		{"rosenbrock b 0", map[string]any{"type": "rosenbrock", "b": 0}, []string{`"b"`, "> 0"}},
		{"rosenbrock temperature", map[string]any{"type": "rosenbrock", "temperature": -1.0}, []string{`"temperature"`, "> 0"}},
		{"rosenbrock a Inf", map[string]any{"type": "rosenbrock", "a": math.Inf(1)}, []string{`"a"`, "finite"}},
		{"banana dim 1", map[string]any{"type": "banana", "dim": 1}, []string{`"dim"`, ">= 2"}},
		{"banana scale 0", map[string]any{"type": "banana", "scale": 0.0}, []string{`"scale"`, "> 0"}},
		{"banana curvature NaN", map[string]any{"type": "banana", "curvature": math.NaN()}, []string{`"curvature"`, "finite"}},
		{"funnel dim 1", map[string]any{"type": "funnel", "dim": 1}, []string{`"dim"`, ">= 2"}},
		{"funnel scale negative", map[string]any{"type": "funnel", "scale": -3.0}, []string{`"scale"`, "> 0"}},
		{"funnel scale Inf", map[string]any{"type": "funnel", "scale": math.Inf(1)}, []string{`"scale"`, "finite"}},
		{"double_well dim 0", map[string]any{"type": "double_well", "dim": 0}, []string{`"dim"`, ">= 1"}},
		{"double_well barrier 0", map[string]any{"type": "double_well", "barrier": 0.0}, []string{`"barrier"`, "> 0"}},
	}
	for _, c := range cases {
		_, err := energies.FromTable(c.table)
		if err == nil {
			t.Errorf("%s: accepted; want an error naming %v", c.name, c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.name, err, w)
			}
		}
	}
}

// TestUseBeforeInit checks that a Gaussian or GMM used without Init panics
// with the package prefix instead of indexing nil slices. A failure means
// a programming error surfaces as an obscure runtime panic.
func TestUseBeforeInit(t *testing.T) {
	for _, e := range []energies.Energy{&energies.Gaussian{Mu: []float64{0}}, &energies.GMM{Means: [][]float64{{0}}}} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, "energies: ") {
					t.Errorf("%T before Init: panic %v, want one starting with \"energies: \"", e, r)
				}
			}()
			e.Energy(make([]float64, 1), []float64{0})
		}()
	}
}
