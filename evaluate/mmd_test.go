package evaluate_test

import (
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
)

// normals returns n rows of N(shift·e₀, s²I) in dim dimensions.
func normals(seed, index uint64, n, dim int, shift, s float64) []float64 {
	r := rng.New(seed, index)
	x := make([]float64, n*dim)
	r.FillNorm(x)
	for i := range x {
		x[i] *= s
		if i%dim == 0 {
			x[i] += shift
		}
	}
	return x
}

// meanSE is the mean of v and its standard error.
func meanSE(v []float64) (m, se float64) {
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	ss := 0.0
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)-1) / float64(len(v)))
}

// TestMMDExpectation checks that the estimator is unbiased: for
// P = N(0, s²I) and Q = N(δ, s²I) in d dimensions and the Gaussian kernel of
// bandwidth b, E k(X, X′) = (b²/(b² + 2s²))^{d/2} and E k(X, Y) is that
// times exp(−‖δ‖²/(2(b² + 2s²))), so
//
//	MMD² = 2 (b²/(b² + 2s²))^{d/2} (1 − exp(−‖δ‖²/(2(b² + 2s²)))).
//
// Over 24 seeded repetitions of 200 + 200 points the mean estimate must
// match it within 4 standard errors (estimated from the repetitions), for
// δ = 0 (MMD² = 0: samples of the same law) and δ = 1 (≈ 0.11, which must
// also be clearly positive: > 10 standard errors). A failure means a biased
// estimator (e.g. the diagonal kept in the within-sample sums) or a wrong
// kernel scale.
func TestMMDExpectation(t *testing.T) {
	const reps, n, d, s, b = 24, 200, 2, 1.0, 1.5
	for _, delta := range []float64{0, 1} {
		v := make([]float64, reps)
		for r := range v {
			x := normals(3, uint64(2*r), n, d, 0, s)
			y := normals(3, uint64(2*r+1), n, d, delta, s)
			var bw float64
			v[r], bw = evaluate.MMD(x, y, d, b, 0)
			if bw != b {
				t.Fatalf("returned bandwidth %v, want the given %v", bw, b)
			}
		}
		m, se := meanSE(v)
		c := b * b / (b*b + 2*s*s)
		want := 2 * math.Pow(c, d/2.0) * (1 - math.Exp(-delta*delta/(2*(b*b+2*s*s))))
		t.Logf("δ = %g: MMD² %.5f ± %.5f (one estimate's sd %.5f), exact %.5f", delta, m, se, se*math.Sqrt(reps), want)
		if !(math.Abs(m-want) < 4*se) {
			t.Errorf("δ = %g: mean MMD² %.5f ± %.5f, want %.5f within 4 standard errors", delta, m, se, want)
		}
		if delta > 0 && !(m > 10*se) {
			t.Errorf("δ = %g: MMD² %.5f ± %.5f is not clearly positive", delta, m, se)
		}
	}
}

// TestMMDMedianHeuristic checks the bandwidth by hand on 1-D pooled
// samples: {0, 1, 3, 7, 8, 10} has 15 pairwise distances with median 5;
// {0, 1, 3, 7} has 6 with middle values 3 and 4, so 3.5. The MMD returned
// with the heuristic must equal the one computed with that bandwidth given
// explicitly. For large standard 2-D Gaussian samples the median distance
// tends to 2√(ln 2) (the squared distance of two independent points is
// exponential with mean 4); over 6 seeded repetitions of 400 + 400 points
// the mean must match within 4 standard errors plus the O(1/n) bias
// allowance 0.005. A failure means a wrong median (index, pooling, or the
// even-count rule) or squared distances used as distances.
func TestMMDMedianHeuristic(t *testing.T) {
	for _, c := range []struct {
		x, y []float64
		want float64
	}{
		{[]float64{0, 1, 3}, []float64{7, 8, 10}, 5},
		{[]float64{0, 1}, []float64{3, 7}, 3.5},
	} {
		m, bw := evaluate.MMD(c.x, c.y, 1, 0, 0)
		if bw != c.want {
			t.Errorf("pooled %v ∪ %v: bandwidth %v, want %v", c.x, c.y, bw, c.want)
		}
		if m2, _ := evaluate.MMD(c.x, c.y, 1, c.want, 0); m != m2 {
			t.Errorf("pooled %v ∪ %v: MMD² %v with the heuristic, %v with bandwidth %v given", c.x, c.y, m, m2, c.want)
		}
	}
	v := make([]float64, 6)
	for r := range v {
		_, v[r] = evaluate.MMD(normals(9, uint64(2*r), 400, 2, 0, 1), normals(9, uint64(2*r+1), 400, 2, 0, 1), 2, 0, 0)
	}
	m, se := meanSE(v)
	want := 2 * math.Sqrt(math.Ln2)
	t.Logf("median distance %.4f ± %.4f, asymptotic %.4f", m, se, want)
	if !(math.Abs(m-want) < 4*se+0.005) {
		t.Errorf("median-heuristic bandwidth %.4f ± %.4f, want %.4f", m, se, want)
	}
}

// TestMMDEdgeCases checks maxN (the first rows only), the degenerate
// all-equal sample, NaN propagation and the panics on programming errors.
// A failure means maxN cuts the wrong rows, a NaN is silently turned into
// a number, or bad arguments are accepted.
func TestMMDEdgeCases(t *testing.T) {
	x, y := normals(1, 0, 50, 2, 0, 1), normals(1, 1, 60, 2, 0.5, 1)
	a, bwa := evaluate.MMD(x, y, 2, 0, 20)
	b, bwb := evaluate.MMD(x[:40], y[:40], 2, 0, 0)
	if a != b || bwa != bwb {
		t.Errorf("maxN = 20: (%v, %v), first 20 rows given directly: (%v, %v); want equal", a, bwa, b, bwb)
	}
	if m, bw := evaluate.MMD([]float64{1, 1, 1}, []float64{1, 1}, 1, 0, 0); m != 0 || bw != 0 {
		t.Errorf("identical points: (%v, %v), want (0, 0)", m, bw)
	}
	// More than half the pairs coincide: median 0, mean distance used.
	if _, bw := evaluate.MMD([]float64{0, 0, 0}, []float64{0, 3}, 1, 0, 0); math.Abs(bw-1.2) > 1e-15 {
		t.Errorf("median distance 0: bandwidth %v, want the mean pairwise distance 1.2", bw)
	}
	if m, bw := evaluate.MMD([]float64{0, math.NaN()}, []float64{1, 2}, 1, 1, 0); !math.IsNaN(m) || !math.IsNaN(bw) {
		t.Errorf("NaN in x: (%v, %v), want NaN, NaN", m, bw)
	}
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"dim 0", func() { evaluate.MMD([]float64{1, 2}, []float64{1, 2}, 0, 1, 0) }},
		{"ragged", func() { evaluate.MMD([]float64{1, 2, 3}, []float64{1, 2}, 2, 1, 0) }},
		{"one row", func() { evaluate.MMD([]float64{1}, []float64{1, 2}, 1, 1, 0) }},
		{"maxN 1", func() { evaluate.MMD([]float64{1, 2}, []float64{1, 2}, 1, 1, 1) }},
		{"NaN bandwidth", func() { evaluate.MMD([]float64{1, 2}, []float64{1, 2}, 1, math.NaN(), 0) }},
	} {
		func() {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "evaluate: MMD") {
					t.Errorf("%s: recovered %v, want a panic prefixed \"evaluate: MMD\"", c.name, r)
				}
			}()
			c.f()
		}()
	}
}
