package plots

import (
	"bytes"
	"io"
	"math"
	"slices"
	"testing"
)

// TestPick checks the reproducible subsample: k distinct sorted indices in
// range, the same for the same stream, and each index kept with probability
// k/n. A failure means biased or non-reproducible scatter plots.
func TestPick(t *testing.T) {
	const n, k, reps = 50, 10, 4000
	counts := make([]int, n)
	for s := range uint64(reps) {
		idx := pick(n, k, s)
		if len(idx) != k || !slices.IsSorted(idx) || idx[0] < 0 || idx[k-1] >= n {
			t.Fatalf("stream %d: pick = %v, want %d sorted indices in [0, %d)", s, idx, k, n)
		}
		for i := 1; i < k; i++ {
			if idx[i] == idx[i-1] {
				t.Fatalf("stream %d: repeated index %d", s, idx[i])
			}
		}
		for _, i := range idx {
			counts[i]++
		}
	}
	if !slices.Equal(pick(n, k, 7), pick(n, k, 7)) {
		t.Error("pick is not reproducible for a fixed stream")
	}
	// Each count is Binomial(reps, k/n); allow 4.5 standard errors (with 50
	// indices a false alarm has probability about 3e-4).
	p := float64(k) / n
	se := math.Sqrt(reps * p * (1 - p))
	for i, c := range counts {
		if z := (float64(c) - reps*p) / se; math.Abs(z) > 4.5 {
			t.Errorf("index %d kept %d times in %d, want %.0f (z = %.1f): subsample is biased", i, c, reps, reps*p, z)
		}
	}
	if got := pick(5, 10, 0); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf("pick(5, 10) = %v, want every index", got)
	}
}

// TestDensityCurveNormalized checks the 1-D density curve of N(0, 1) on
// [−6, 6]: it must integrate to 1 with its peak at 1/√(2π). A failure means
// the curve drawn over histograms has the wrong scale.
func TestDensityCurveNormalized(t *testing.T) {
	g := &gauss{dim: 1}
	xs, ps, ok := densityCurve(g, span{-6, 6}, 401)
	if !ok || g.calls != 1 {
		t.Fatalf("ok = %v after %d Energy calls, want true after one batched call", ok, g.calls)
	}
	peak := ps[200]
	if xs[200] != 0 || math.Abs(peak-1/math.Sqrt(2*math.Pi)) > 1e-4 {
		t.Errorf("density at x = %g is %g, want 1/√(2π) = %g", xs[200], peak, 1/math.Sqrt(2*math.Pi))
	}
	// Zero density everywhere (all energies +Inf) is reported, not divided by.
	_, _, ok = densityCurve(holey{g}, span{2, 3}, 11)
	if ok {
		t.Error("densityCurve on a region of +Inf energy reported a normalizable density")
	}
}

// TestDensityGrid checks the 2-D grid: one Energy call, maximum exactly 1,
// zero where the energy is +Inf or NaN, and cell centres in the right
// place. A failure means a mis-registered or mis-scaled heat map.
func TestDensityGrid(t *testing.T) {
	g := &gauss{dim: 2}
	xs, ys := span{-2, 2}, span{-2, 2}
	const n = 40
	d := densityGrid(holey{g}, xs, ys, n, n)
	if g.calls != 1 {
		t.Fatalf("Energy called %d times, want one call for the whole grid", g.calls)
	}
	top := slices.Max(d)
	if top != 1 {
		t.Errorf("max density %g, want 1", top)
	}
	for r := range n {
		y := -2 + (float64(r)+0.5)*4/n
		for c := range n {
			x := -2 + (float64(c)+0.5)*4/n
			v := d[r*n+c]
			hole := x > 1 || y < -1
			want := math.Exp(-(x*x+y*y)/2 + (0.05 * 0.05))
			if hole && v != 0 {
				t.Fatalf("cell (%g, %g) has non-finite energy but density %g, want 0", x, y, v)
			}
			if !hole && math.Abs(v-want) > 1e-12 {
				t.Fatalf("cell (%g, %g): density %g, want %g (relative to the grid's best cell)", x, y, v, want)
			}
		}
	}
	if relativeDensity([]float64{math.NaN(), math.Inf(1)}) {
		t.Error("relativeDensity of only non-finite energies reported success")
	}
}

// TestHistogram checks the bar heights: densities that integrate to the
// fraction of finite values inside the span. A failure means histograms and
// density curves are on different scales.
func TestHistogram(t *testing.T) {
	x := []float64{0.1, 0.2, 0.6, 0.9, 1.5, math.NaN(), -3}
	h, ok := histogram(matrix{x: x, n: len(x), dim: 1}, 0, span{0, 1}, 2)
	// 6 finite values; bins of width 0.5: {0.1, 0.2} and {0.6, 0.9}.
	want := []float64{2 / (6 * 0.5), 2 / (6 * 0.5)}
	if !ok || !slices.Equal(h, want) {
		t.Errorf("histogram = %v, %v; want %v, true", h, ok, want)
	}
	if _, ok := histogram(matrix{x: []float64{math.NaN()}, n: 1, dim: 1}, 0, span{0, 1}, 3); ok {
		t.Error("histogram of no finite values reported ok")
	}
}

// TestAxisSpan checks the plotted range: the central 99% of N(0, 1) draws
// widened by 15% is about ±3.35; a few wild draws must not stretch it, and
// constant or non-finite columns still give a usable range. A failure
// means panels zoomed to a dot or onto outliers.
func TestAxisSpan(t *testing.T) {
	r := gaussRun("", &gauss{dim: 1}, 4, 5000, 1, 11)
	r.Samples[0], r.Samples[1] = 1e9, math.Inf(-1)
	s := axisSpan(runMatrices([]Run{r}), 0)
	// 2.576·1.3 = 3.35; the 0.5% quantile of 20000 draws has sd ≈ 0.04.
	if math.Abs(s.lo+3.35) > 0.2 || math.Abs(s.hi-3.35) > 0.2 {
		t.Errorf("span %v, want about [−3.35, 3.35]", s)
	}
	c := axisSpan([]matrix{{x: []float64{2, 2, 2}, n: 3, dim: 1}}, 0)
	if !(c.lo < 2 && c.hi > 2) {
		t.Errorf("constant column: span %v does not contain 2 with positive width", c)
	}
	if d := axisSpan([]matrix{{x: []float64{math.NaN()}, n: 1, dim: 1}}, 0); d != defaultSpan {
		t.Errorf("all-NaN column: span %v, want the default %v", d, defaultSpan)
	}
}

// TestTraceLineThinning checks that long traces keep each bucket's minimum
// and maximum in time order. A failure means thinned traces hide spikes or
// draw lines backwards in time.
func TestTraceLineThinning(t *testing.T) {
	const draws = 10 * traceBuckets
	r := Run{Chains: 1, Draws: draws, Dim: 1, Samples: make([]float64, draws)}
	for i := range r.Samples {
		r.Samples[i] = math.Sin(float64(i) / 50)
	}
	r.Samples[1234] = 99 // a spike
	r.Samples[4321] = math.NaN()
	xy := traceLine(&r, 0, 0)
	if len(xy) > 2*traceBuckets {
		t.Fatalf("thinned trace has %d points, want ≤ %d", len(xy), 2*traceBuckets)
	}
	spike := false
	for i, p := range xy {
		if i > 0 && p.X <= xy[i-1].X {
			t.Fatalf("point %d at draw %g after draw %g: not in time order", i, p.X, xy[i-1].X)
		}
		if math.IsNaN(p.Y) {
			t.Fatal("NaN kept in a trace line")
		}
		spike = spike || (p.X == 1234 && p.Y == 99)
	}
	if !spike {
		t.Error("the spike at draw 1234 was thinned away")
	}
}

// BenchmarkSamplesPNG2D renders a two-run 2-D figure with a density layer
// (the budget is about a second on a laptop core).
func BenchmarkSamplesPNG2D(b *testing.B) {
	g := &gauss{dim: 2, rho: 0.8}
	runs := []Run{gaussRun("mh", g, 4, 2000, 1, 1), gaussRun("hmc", g, 4, 2000, 1, 2)}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := SamplesPNG(&buf, g, runs); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkTracePNG renders traces of two runs of 4 chains × 10000 draws.
func BenchmarkTracePNG(b *testing.B) {
	g := &gauss{dim: 2}
	runs := []Run{gaussRun("mh", g, 4, 10000, 1, 1), gaussRun("hmc", g, 4, 10000, 1, 2)}
	for b.Loop() {
		if err := TracePNG(io.Discard, runs, 4, 2); err != nil {
			b.Fatal(err)
		}
	}
}
