package evaluate_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
)

// randomGaussian returns a Gaussian in d dimensions with a random mean and
// the covariance A·Aᵀ/d + floor·I, A standard normal: full, non-diagonal,
// and as singular as floor lets it be.
func randomGaussian(seed uint64, d int, floor float64) evaluate.Gaussian {
	r := rng.New(seed, 0)
	g := evaluate.Gaussian{Mean: make([]float64, d), Cov: make([]float64, d*d)}
	r.FillNorm(g.Mean)
	a := make([]float64, d*d)
	r.FillNorm(a)
	for i := range d {
		for j := range d {
			for k := range d {
				g.Cov[i*d+j] += a[i*d+k] * a[j*d+k] / float64(d)
			}
		}
		g.Cov[i*d+i] += floor
	}
	return g
}

// trace is Σ Cov_ii.
func trace(g evaluate.Gaussian) float64 {
	d, t := g.Dim(), 0.0
	for i := range d {
		t += g.Cov[i*d+i]
	}
	return t
}

// TestFrechetClosedForms checks FrechetDistance against its closed forms:
// 0 for equal Gaussians (also singular ones), (μa − μb)² + (σa − σb)² in
// one dimension, ‖Δμ‖² + Σ(√aᵢ − √bᵢ)² for diagonal covariances,
// ‖Δμ‖² + tr Σa + tr Σb − 2√(tr ΣaΣb + 2√(det Σa det Σb)) for 2×2 ones
// (tr √M = √(tr M + 2√det M) for a 2×2 M ⪰ 0), which do not commute; and
// that it is symmetric. A failure means a wrong matrix square root or
// trace, the part of FID that is easy to get wrong.
func TestFrechetClosedForms(t *testing.T) {
	check := func(name string, got, want, scale float64) {
		t.Helper()
		if math.IsNaN(got) || math.Abs(got-want) > 1e-10*scale {
			t.Errorf("%s: %.15g, want %.15g", name, got, want)
		}
	}
	for _, d := range []int{1, 2, 5, 40} {
		g := randomGaussian(uint64(d), d, 0.01)
		check("equal", evaluate.FrechetDistance(g, g), 0, trace(g))
		// A singular covariance, as dead feature units give: row and
		// column 0 set to 0 (still positive semi-definite).
		sing := randomGaussian(uint64(d), d, 0)
		for j := range d {
			sing.Cov[j], sing.Cov[j*d] = 0, 0
		}
		check("equal singular", evaluate.FrechetDistance(sing, sing), 0, trace(sing)+1)
	}

	one := func(m, v float64) evaluate.Gaussian {
		return evaluate.Gaussian{Mean: []float64{m}, Cov: []float64{v}}
	}
	check("1-D", evaluate.FrechetDistance(one(1, 4), one(-2, 9)), 9+1, 10)

	a, b := []float64{0.5, 2, 3, 0}, []float64{1, 0.25, 3, 7}
	ga := evaluate.Gaussian{Mean: []float64{1, 2, 3, 4}, Cov: make([]float64, 16)}
	gb := evaluate.Gaussian{Mean: []float64{0, 2, 5, 4}, Cov: make([]float64, 16)}
	want := 1.0 + 4
	for i := range 4 {
		ga.Cov[i*5], gb.Cov[i*5] = a[i], b[i]
		want += (math.Sqrt(a[i]) - math.Sqrt(b[i])) * (math.Sqrt(a[i]) - math.Sqrt(b[i]))
	}
	check("diagonal", evaluate.FrechetDistance(ga, gb), want, 20)

	for seed := uint64(1); seed <= 5; seed++ {
		p, q := randomGaussian(10+seed, 2, 0.1), randomGaussian(20+seed, 2, 0.1)
		sa, sb := p.Cov, q.Cov
		trAB := sa[0]*sb[0] + sa[1]*sb[2] + sa[2]*sb[1] + sa[3]*sb[3]
		det := (sa[0]*sa[3] - sa[1]*sa[2]) * (sb[0]*sb[3] - sb[1]*sb[2])
		dm := (p.Mean[0]-q.Mean[0])*(p.Mean[0]-q.Mean[0]) + (p.Mean[1]-q.Mean[1])*(p.Mean[1]-q.Mean[1])
		want := dm + sa[0] + sa[3] + sb[0] + sb[3] - 2*math.Sqrt(trAB+2*math.Sqrt(det))
		check("2×2", evaluate.FrechetDistance(p, q), want, dm+trace(p)+trace(q))
	}

	p, q := randomGaussian(31, 12, 0.01), randomGaussian(32, 12, 0.01)
	check("symmetric", evaluate.FrechetDistance(p, q), evaluate.FrechetDistance(q, p), trace(p)+trace(q))
}

// TestFitGaussian checks the mean and the unbiased covariance on three
// points worked by hand, and the panic on too few rows.
func TestFitGaussian(t *testing.T) {
	g := evaluate.FitGaussian([]float64{1, 2, 3, 6, 5, 4}, 2)
	// Deviations (−2, −2), (0, 2), (2, 0): sums of squares 8, 8, products 4; / (n − 1).
	if !slices.Equal(g.Mean, []float64{3, 4}) || !slices.Equal(g.Cov, []float64{4, 2, 2, 4}) {
		t.Errorf("mean %v, covariance %v; want [3 4], [4 2 2 4]", g.Mean, g.Cov)
	}
	defer func() {
		if msg, _ := recover().(string); !strings.HasPrefix(msg, "evaluate: FitGaussian: ") {
			t.Errorf("one row: recovered %q, want an evaluate panic", msg)
		}
	}()
	evaluate.FitGaussian([]float64{1, 2}, 2)
}
