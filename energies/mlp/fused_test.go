package mlp_test

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/goebm/ebm/simd"
	"gonum.org/v1/gonum/diff/fd"
)

// TestEnergyMatchesReference compares Energy with a plain-loop evaluation
// of the documented parameter layout, for every activation and shape. A
// failure means the fused pass reads the parameters in another layout
// than the documented one (which Build and the optimizers rely on), or an
// activation is not the textbook function. It runs with every simd
// implementation this machine has.
func TestEnergyMatchesReference(t *testing.T) {
	forEachImpl(t, testEnergyMatchesReference)
}

func testEnergyMatchesReference(t *testing.T) {
	const n = 30
	for _, act := range allActs {
		for _, s := range shapes {
			m := build(t, act, s, 3)
			x := points(n, s.dim, 1)
			e := nans(n)
			m.Energy(e, x)
			for i := range n {
				want := reference(m, act, x[i*s.dim:(i+1)*s.dim])
				if !(relErr(e[i], want) <= 1e-12) {
					t.Errorf("%s %s point %d: Energy %v, reference %v", act, s.name, i, e[i], want)
				}
			}
		}
	}
}

// TestGradientMatchesFiniteDifferences checks ∇ₓE against gonum's central
// differences of Energy for every smooth activation and shape. A failure
// means the backward pass is wrong (a missing f′ factor, a transposed
// weight, the quadratic term), so every gradient sampler would target the
// wrong density.
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	const n, tol = 10, 1e-6 // tolerance relative to max(1, ‖∇E(x)‖∞) of the row
	for _, act := range smoothActs {
		for _, s := range shapes {
			m := build(t, act, s, 5)
			d := s.dim
			x := points(n, d, 2)
			e, grad := nans(n), nans(n*d)
			m.Gradient(e, grad, x)
			one := make([]float64, 1)
			f := func(p []float64) float64 { m.Energy(one, p); return one[0] }
			fdg := make([]float64, d)
			for i := range n {
				xi, gi := x[i*d:i*d+d], grad[i*d:i*d+d]
				fd.Gradient(fdg, f, xi, &fd.Settings{Formula: fd.Central, Step: 1e-5})
				gmax := 1.0
				for _, g := range gi {
					gmax = max(gmax, math.Abs(g))
				}
				for j := range d {
					if r := math.Abs(gi[j]-fdg[j]) / gmax; !(r <= tol) {
						t.Errorf("%s %s point %d: ∂E/∂x%d = %v, central differences %v (error %.2g of ‖∇E‖∞)",
							act, s.name, i, j, gi[j], fdg[j], r)
					}
				}
			}
		}
	}
}

// TestEnergyEqualsGradientE checks that Energy and the e of Gradient are
// bit-identical, on a small batch and on one large enough to run in
// parallel. A failure means the two paths evaluate E differently, so MALA
// and HMC, which mix them, would accept with a slightly wrong ratio.
func TestEnergyEqualsGradientE(t *testing.T) {
	for _, act := range allActs {
		for _, s := range shapes {
			m := build(t, act, s, 7)
			for _, n := range []int{3, 700} {
				x := points(n, s.dim, 3)
				e1, e2, g := nans(n), nans(n), nans(n*s.dim)
				m.Energy(e1, x)
				m.Gradient(e2, g, x)
				for i := range n {
					if math.Float64bits(e1[i]) != math.Float64bits(e2[i]) {
						t.Fatalf("%s %s n=%d point %d: Energy %v, Gradient's e %v", act, s.name, n, i, e1[i], e2[i])
					}
				}
			}
		}
	}
}

// TestSplitInvariance checks that a row's results do not depend on the
// batch around it: the gradient of a large (parallel) batch equals,
// bit for bit, the concatenation of the gradients of its halves, of
// uneven serial pieces that straddle the chunk boundaries, and of the
// whole batch under other GOMAXPROCS settings, with every simd
// implementation this machine runs. A failure means the results depend on
// the sharding, which breaks the framework's promise that a seed fixes a
// run whatever the number of workers.
func TestSplitInvariance(t *testing.T) {
	forEachImpl(t, testSplitInvariance)
}

func testSplitInvariance(t *testing.T) {
	const n = 1100
	for _, s := range []shape{shapes[1], shapes[2], {"2-128-128-1", 2, []int{128, 128}, nil}} {
		m := build(t, "silu", s, 11)
		d := s.dim
		x := points(n, d, 4)
		want, wantG := nans(n), nans(n*d)
		m.Gradient(want, wantG, x)
		check := func(how string, e, g []float64) {
			t.Helper()
			if !slices.Equal(bitsOf(e), bitsOf(want)) || !slices.Equal(bitsOf(g), bitsOf(wantG)) {
				t.Errorf("%s: %s: results differ from the whole batch's", s.name, how)
			}
		}
		e, g := nans(n), nans(n*d)
		h := n / 2
		m.Gradient(e[:h], g[:h*d], x[:h*d])
		m.Gradient(e[h:], g[h*d:], x[h*d:])
		check("halves", e, g)

		e, g = nans(n), nans(n*d)
		cuts := []int{0, 1, 64, 65, 193, 511, n}
		for k := 1; k < len(cuts); k++ {
			lo, hi := cuts[k-1], cuts[k]
			m.Gradient(e[lo:hi], g[lo*d:hi*d], x[lo*d:hi*d])
		}
		check("uneven pieces", e, g)

		for _, procs := range []int{1, 3, 4} {
			old := runtime.GOMAXPROCS(procs)
			e, g = nans(n), nans(n*d)
			m.Gradient(e, g, x)
			runtime.GOMAXPROCS(old)
			check(fmt.Sprintf("GOMAXPROCS=%d", procs), e, g)
		}
	}
}

// forEachImpl runs f as a subtest once per simd implementation available
// here, switching the kernels to it, and restores the choice.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	chosen := simd.Chosen()
	defer simd.Use(chosen)
	for _, name := range simd.Available() {
		if err := simd.Use(name); err != nil {
			t.Fatal(err)
		}
		t.Run("impl="+name, f)
	}
}

func bitsOf(v []float64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = math.Float64bits(x)
	}
	return out
}

// TestConcurrentDisjointBatches calls Energy and Gradient from several
// goroutines on disjoint parts of a batch (one part large enough to run
// in parallel itself) and compares with one serial call. A failure, or a
// report under -race, means the model keeps shared mutable scratch, which
// the Energy contract forbids: the samplers call it from every shard at once.
func TestConcurrentDisjointBatches(t *testing.T) {
	const n = 1000
	m := build(t, "silu", shape{"2-32-32-1", 2, []int{32, 32}, map[string]any{"quadratic": 0.1}}, 1)
	x := points(n, 2, 6)
	want, wantG := nans(n), nans(2*n)
	m.Gradient(want, wantG, x)
	got, gotG, gotE := nans(n), nans(2*n), nans(n)
	cuts := []int{0, 100, 230, 300, n} // the last part has 700 rows: parallel
	var wg sync.WaitGroup
	for p := 1; p < len(cuts); p++ {
		lo, hi := cuts[p-1], cuts[p]
		wg.Go(func() {
			for range 5 {
				m.Gradient(got[lo:hi], gotG[2*lo:2*hi], x[2*lo:2*hi])
				m.Energy(gotE[lo:hi], x[2*lo:2*hi])
			}
		})
	}
	wg.Wait()
	if !slices.Equal(bitsOf(got), bitsOf(want)) || !slices.Equal(bitsOf(gotG), bitsOf(wantG)) || !slices.Equal(bitsOf(gotE), bitsOf(want)) {
		t.Error("concurrent calls on disjoint batches changed the results")
	}
}

// TestNoAllocations checks that Energy and Gradient allocate nothing per
// call once warm, serially and in parallel. A failure means every sampler
// step makes garbage in the hot loop.
func TestNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	m := build(t, "silu", shape{"2-32-32-1", 2, []int{32, 32}, nil}, 1)
	for _, n := range []int{64, 1024} {
		x := points(n, 2, 1)
		e, g := make([]float64, n), make([]float64, 2*n)
		if a := testing.AllocsPerRun(10, func() { m.Energy(e, x) }); a != 0 {
			t.Errorf("n=%d: Energy allocates %v times per call", n, a)
		}
		if a := testing.AllocsPerRun(10, func() { m.Gradient(e, g, x) }); a != 0 {
			t.Errorf("n=%d: Gradient allocates %v times per call", n, a)
		}
	}
}

// TestNonFinitePropagates checks that a NaN input gives a NaN energy and
// an infinite one a non-finite energy (the model has a quadratic term), in
// their own rows only. A failure means a divergence is silently replaced
// by a finite number, hiding it from the samplers' divergence count, or
// leaks into other rows.
func TestNonFinitePropagates(t *testing.T) {
	for _, act := range allActs {
		m := build(t, act, shapes[1], 2) // 3-5-7-1, quadratic 0.5
		x := points(4, 3, 1)
		x[3] = math.NaN()  // row 1
		x[6] = math.Inf(1) // row 2
		e, g := nans(4), nans(12)
		m.Gradient(e, g, x)
		if !math.IsNaN(e[1]) {
			t.Errorf("%s: NaN input gave E = %v", act, e[1])
		}
		if !(math.IsNaN(e[2]) || math.IsInf(e[2], 0)) {
			t.Errorf("%s: infinite input gave E = %v", act, e[2])
		}
		for _, i := range []int{0, 3} {
			if math.IsNaN(e[i]) || math.IsInf(e[i], 0) || slices.ContainsFunc(g[3*i:3*i+3], math.IsNaN) {
				t.Errorf("%s: row %d (finite input) has E = %v, ∇E = %v", act, i, e[i], g[3*i:3*i+3])
			}
		}
		e2 := nans(4)
		m.Energy(e2, x)
		if !math.IsNaN(e2[1]) {
			t.Errorf("%s: Energy of a NaN input = %v", act, e2[1])
		}
	}
}
