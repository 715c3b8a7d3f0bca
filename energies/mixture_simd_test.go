package energies

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/goebm/ebm/simd"
)

// forEachSIMD runs f once per simd implementation this machine can run.
func forEachSIMD(t *testing.T, f func(t *testing.T)) {
	saved := simd.Chosen()
	defer func() {
		if err := simd.Use(saved); err != nil {
			t.Fatal(err)
		}
	}()
	for _, name := range simd.Available() {
		if err := simd.Use(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, f)
	}
}

// simdCases are the energies whose batched work runs on the simd kernels:
// isotropic mixtures (the 8-mode target of the benchmarks, and one in 3-D
// with unequal weights and widths) and a full-covariance Gaussian.
func simdCases(t testing.TB) map[string]Energy {
	t.Helper()
	build := func(e interface{ Validate() error }) Energy {
		if err := e.Validate(); err != nil {
			t.Fatal(err)
		}
		return e.(Energy)
	}
	ring := &GMM{}
	for k := range 8 {
		a := 2 * math.Pi * float64(k) / 8
		ring.Means = append(ring.Means, []float64{4 * math.Cos(a), 4 * math.Sin(a)})
		ring.Stds = append(ring.Stds, 0.5)
	}
	return map[string]Energy{
		"gmm8": build(ring),
		"gmm3d": build(&GMM{Weights: []float64{1, 2, 3, 0.5, 1}, Stds: []float64{0.3, 1, 2, 0.7, 5},
			Means: [][]float64{{0, 0, 0}, {1, 2, 3}, {-3, 1, 0}, {2, -2, 2}, {0, 5, -1}}}),
		"gaussian_full": build(&Gaussian{Mu: []float64{1, -1, 0.5},
			Cov: [][]float64{{2, 0.3, -0.2}, {0.3, 1, 0.1}, {-0.2, 0.1, 0.5}}}),
	}
}

// points returns n points of dimension d spread over ±scale, plus a few
// far out (|x| ~ 1e3) where the mixture's log-sum-exp must stay stable.
func points(d, n int, scale float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = scale * r.NormFloat64()
	}
	for i := 0; i < n; i += 37 {
		x[i*d] = 1e3 * r.NormFloat64()
	}
	return x
}

// TestBatchedSplitInvariant: for every simd implementation, energies and
// gradients of a 301-point batch (more than two of the batched paths'
// blocks) have the same bits when the batch is evaluated in pieces split at
// random points. A failure means a point's result depends on its position
// or on the batch size, which would make samplers depend on the number of
// workers.
func TestBatchedSplitInvariant(t *testing.T) {
	forEachSIMD(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for name, e := range simdCases(t) {
			d, n := e.Dim(), 301
			x := points(d, n, 4, 7)
			we, wg := make([]float64, n), make([]float64, n*d)
			e.Gradient(we, wg, x)
			en := make([]float64, n)
			e.Energy(en, x)
			for lo := 0; lo < n; {
				hi := min(n, lo+1+r.IntN(150))
				pe, pg, pn := make([]float64, hi-lo), make([]float64, (hi-lo)*d), make([]float64, hi-lo)
				e.Gradient(pe, pg, x[lo*d:hi*d])
				e.Energy(pn, x[lo*d:hi*d])
				for i := range pe {
					if math.Float64bits(pe[i]) != math.Float64bits(we[lo+i]) || math.Float64bits(pn[i]) != math.Float64bits(en[lo+i]) {
						t.Fatalf("%s: point %d: E = %v / %v in a piece [%d, %d), %v / %v in the whole batch",
							name, lo+i, pe[i], pn[i], lo, hi, we[lo+i], en[lo+i])
					}
				}
				for i := range pg {
					if math.Float64bits(pg[i]) != math.Float64bits(wg[lo*d+i]) {
						t.Fatalf("%s: gradient entry %d differs in a piece [%d, %d)", name, lo*d+i, lo, hi)
					}
				}
				lo = hi
			}
		}
	})
}

// TestBatchedMatchesReference: for every simd implementation, the batched
// isotropic mixture agrees with the row-by-row online log-sum-exp (the
// reference path, still used for full covariances) to 1e-13 relative in E
// and ∇E, near the modes and far from them; the full-covariance Gaussian
// agrees with its textbook formula evaluated in Go. A failure means the
// component-major passes, the vectorized exp or log, or the MatMul route
// compute something else.
func TestBatchedMatchesReference(t *testing.T) {
	forEachSIMD(t, func(t *testing.T) {
		cases := simdCases(t)
		for _, name := range []string{"gmm8", "gmm3d"} {
			g := cases[name].(*GMM)
			d, n := g.Dim(), 200
			x := points(d, n, 4, 9)
			e, grad := make([]float64, n), make([]float64, n*d)
			g.Gradient(e, grad, x)
			gr := make([]float64, d)
			for i := range n {
				want := g.row(gr, x[i*d:(i+1)*d])
				if !(math.Abs(e[i]-want) <= 1e-13*max(1, math.Abs(want))) {
					t.Errorf("%s: point %d: batched E = %.17g, row by row %.17g", name, i, e[i], want)
				}
				for j := range d {
					gw := gr[j]
					scale := max(1, math.Abs(gw), math.Abs(x[i*d+j])/0.09) // the gradient's size far out
					if !(math.Abs(grad[i*d+j]-gw) <= 1e-13*scale) {
						t.Errorf("%s: point %d: ∂E/∂x%d batched %.17g, row by row %.17g", name, i, j, grad[i*d+j], gw)
					}
				}
			}
		}
		ga := cases["gaussian_full"].(*Gaussian)
		d, n := ga.Dim(), 150
		x := points(d, n, 2, 11)
		e, grad := make([]float64, n), make([]float64, n*d)
		ga.Gradient(e, grad, x)
		for i := range n {
			q := 0.0
			for a := range d {
				s := 0.0
				for b := range d {
					s += ga.prec[a*d+b] * (x[i*d+b] - ga.mu[b])
				}
				if !(math.Abs(grad[i*d+a]-s) <= 1e-12*max(1, math.Abs(s))) {
					t.Errorf("gaussian_full: point %d: ∂E/∂x%d = %v, want %v", i, a, grad[i*d+a], s)
				}
				q += (x[i*d+a] - ga.mu[a]) * s
			}
			want := 0.5*q + ga.logZ
			if !(math.Abs(e[i]-want) <= 1e-12*max(1, math.Abs(want))) {
				t.Errorf("gaussian_full: point %d: E = %v, want %v", i, e[i], want)
			}
		}
	})
}

// BenchmarkGMM8GradientImpl times the 8-mode 2-D mixture's gradient on a batch
// of 2048 points (one shard of the end-to-end benchmark on two workers).
func BenchmarkGMM8GradientImpl(b *testing.B) {
	g := simdCases(b)["gmm8"]
	const n = 2048
	x := points(2, n, 4, 3)
	e, grad := make([]float64, n), make([]float64, 2*n)
	for _, impl := range simd.Available() {
		b.Run(fmt.Sprintf("impl=%s", impl), func(b *testing.B) {
			if err := simd.Use(impl); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				g.Gradient(e, grad, x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/point")
		})
	}
}
