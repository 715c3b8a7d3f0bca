package evaluate_test

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/evaluate"
)

// build makes an energy from a registry table or fails the test.
func build(t *testing.T, table map[string]any) energies.Energy {
	t.Helper()
	e, err := energies.FromTable(table)
	if err != nil {
		t.Fatalf("%v: %v", table, err)
	}
	return e
}

// shifted is E + c: its normalizer is exp(−c) times E's.
type shifted struct {
	e energies.Energy
	c float64
}

func (s shifted) Dim() int { return s.e.Dim() }

func (s shifted) Energy(e, x []float64) {
	s.e.Energy(e, x)
	for i := range len(x) / s.Dim() {
		e[i] += s.c
	}
}

func (s shifted) Gradient(e, g, x []float64) {
	s.e.Gradient(e, g, x)
	for i := range len(x) / s.Dim() {
		e[i] += s.c
	}
}

// funcEnergy is an energy given by a function of one point.
type funcEnergy struct {
	dim int
	f   func(x []float64) float64
}

func (f funcEnergy) Dim() int { return f.dim }
func (f funcEnergy) Energy(e, x []float64) {
	n := energies.CheckBatch(f.dim, e, nil, x)
	for i := range n {
		e[i] = f.f(x[i*f.dim : (i+1)*f.dim])
	}
}
func (f funcEnergy) Gradient(e, g, x []float64) { panic("funcEnergy: no gradient") }

// box returns the grid mean ± k·sd per dimension with res points.
func box(mean, sd []float64, k float64, res int) evaluate.Grid {
	g := evaluate.Grid{Res: res}
	for j := range mean {
		g.Lo = append(g.Lo, mean[j]-k*sd[j])
		g.Hi = append(g.Hi, mean[j]+k*sd[j])
	}
	return g
}

// quadTol is the error bound of the midpoint rule for a Gaussian (or a
// mixture of Gaussians) with smallest covariance eigenvalue lamMin, on
// cells of widths up to h, over a box reaching at least k marginal standard
// deviations from every mean. By Poisson summation the relative aliasing
// error is Σ_{m≠0} exp(−2π² mᵀΣm/h²) ≤ 2·dim·exp(−2π²λ_min/h²) (to first
// order); the mass outside the box is at most dim·erfc(k/√2); the sum of n
// terms adds n·2.2e-16 of rounding. log Z errs by at most their sum.
func quadTol(lamMin, h, k float64, dim, n int) float64 {
	return 2*float64(dim)*math.Exp(-2*math.Pi*math.Pi*lamMin/(h*h)) +
		float64(dim)*math.Erfc(k/math.Sqrt2) + float64(n)*2.2e-16 + 1e-13
}

// cellWidth is the largest cell width of g.
func cellWidth(g evaluate.Grid) float64 {
	h := 0.0
	for j := range g.Lo {
		h = max(h, (g.Hi[j]-g.Lo[j])/float64(g.Res))
	}
	return h
}

// TestLogZKnownNormalizers integrates energies whose log Z is known: the
// registry's gaussian and gmm (exactly normalized: log Z = 0), the same
// shifted by a constant c (log Z = −c, including c = ±1e4, which must not
// overflow the sum), and a Gaussian cut to +Inf on half the line (log Z =
// −log 2: +Inf points carry no mass), in 1, 2 and 3 dimensions. The
// tolerance is the midpoint rule's error bound for the grid (quadTol). A
// failure means a wrong cell volume, wrong cell centres, an unstable
// log-sum-exp or mishandled +Inf.
func TestLogZKnownNormalizers(t *testing.T) {
	g1 := build(t, map[string]any{"type": "gaussian", "mean": []any{0.3}, "std": []any{0.7}})
	g2 := build(t, map[string]any{"type": "gaussian", "mean": []any{1.0, -2.0},
		"cov": []any{[]any{2.0, 0.8}, []any{0.8, 1.0}}})
	mix := build(t, map[string]any{"type": "gmm", "weights": []any{1.0, 3.0, 2.0},
		"means": []any{[]any{-2.0, 0.0}, []any{2.0, 1.0}, []any{0.0, -3.0}},
		"covs": []any{[]any{[]any{1.0, 0.5}, []any{0.5, 1.0}}, []any{[]any{0.3, 0.0}, []any{0.0, 2.0}},
			[]any{[]any{1.5, -0.7}, []any{-0.7, 0.6}}}})
	g3 := build(t, map[string]any{"type": "gaussian", "mean": []any{0.5, 0.0, -1.0},
		"cov": []any{[]any{1.0, 0.3, 0.0}, []any{0.3, 0.8, -0.2}, []any{0.0, -0.2, 1.5}}})
	halfLine := funcEnergy{1, func(x []float64) float64 {
		if x[0] < 0 {
			return math.Inf(1)
		}
		return x[0]*x[0]/2 + 0.5*math.Log(2*math.Pi)
	}}
	// Smallest covariance eigenvalues: 2-D 0.557 (of [[2,.8],[.8,1]]), gmm
	// 0.218 (its third component's), 3-D ≥ 0.3 (Gershgorin: 0.8 − 0.3 − 0.2).
	cases := []struct {
		name   string
		e      energies.Energy
		g      evaluate.Grid
		want   float64
		lamMin float64
		k      float64 // box half-width in marginal sds, at least
	}{
		{"gaussian/1d", g1, box([]float64{0.3}, []float64{0.7}, 12, 200), 0, 0.49, 12},
		{"gaussian/1d+7", shifted{g1, 7}, box([]float64{0.3}, []float64{0.7}, 12, 200), -7, 0.49, 12},
		{"gaussian/1d+1e4", shifted{g1, 1e4}, box([]float64{0.3}, []float64{0.7}, 12, 200), -1e4, 0.49, 12},
		{"gaussian/1d-1e4", shifted{g1, -1e4}, box([]float64{0.3}, []float64{0.7}, 12, 200), 1e4, 0.49, 12},
		{"half-line/1d", halfLine, box([]float64{0}, []float64{1}, 12, 240), -math.Log(2), 1, 12},
		{"gaussian/2d+7", shifted{g2, 7}, box([]float64{1, -2}, []float64{math.Sqrt2, 1}, 12, 160), -7, 0.557, 12},
		{"gmm/2d", mix, evaluate.Grid{Lo: []float64{-16, -20}, Hi: []float64{16, 20}, Res: 300}, 0, 0.218, 11},
		{"gmm/2d-1e4", shifted{mix, -1e4}, evaluate.Grid{Lo: []float64{-16, -20}, Hi: []float64{16, 20}, Res: 300}, 1e4, 0.218, 11},
		{"gaussian/3d", g3, box([]float64{0.5, 0, -1}, []float64{1, 0.9, 1.23}, 11, 72), 0, 0.3, 11},
		{"gaussian/3d+7", shifted{g3, 7}, box([]float64{0.5, 0, -1}, []float64{1, 0.9, 1.23}, 11, 72), -7, 0.3, 11},
	}
	for _, c := range cases {
		r, err := evaluate.LogZ(context.Background(), c.e, c.g)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		n := 1
		for range c.g.Lo {
			n *= c.g.Res
		}
		// Shifts by ±1e4 add the rounding of E + c and of log Z itself, a
		// few ulps of |c| (ulp(1e4) ≈ 1.8e-12).
		tol := quadTol(c.lamMin, cellWidth(c.g), c.k, len(c.g.Lo), n) + 8*math.Abs(c.want)*2.2e-16
		t.Logf("%s: log Z = %.15g (want %g, error %.2g, tolerance %.2g), border mass %.2g",
			c.name, r.LogZ, c.want, r.LogZ-c.want, tol, r.BorderMass)
		if !(math.Abs(r.LogZ-c.want) <= tol) {
			t.Errorf("%s: log Z = %.15g, want %g within %.2g", c.name, r.LogZ, c.want, tol)
		}
		if !(r.BorderMass < 1e-12) {
			t.Errorf("%s: border mass %.3g on a grid 11+ sds wide, want < 1e-12", c.name, r.BorderMass)
		}
	}
}

// TestLogZMidpointError checks the quadrature itself where its error is
// visible: for N(0, 1) on cells of width h = 1.2 with a cell centred on the
// mean, Poisson summation gives the midpoint sum exactly as
// 1 + 2Σ_{m≥1} exp(−2π²m²/h²) ≈ 1 + 2.3e-6. Sampling at the cell edges
// instead would give 1 − 2.3e-6, and a wrong cell volume an O(1) error. The
// comparison is to 1e-9 relative to that error's size.
func TestLogZMidpointError(t *testing.T) {
	e := funcEnergy{1, func(x []float64) float64 { return x[0]*x[0]/2 + 0.5*math.Log(2*math.Pi) }}
	r, err := evaluate.LogZ(context.Background(), e, evaluate.Grid{Lo: []float64{-15}, Hi: []float64{15}, Res: 25})
	if err != nil {
		t.Fatal(err)
	}
	const h = 1.2
	s := 0.0
	for m := 1; m <= 3; m++ {
		s += 2 * math.Exp(-2*math.Pi*math.Pi*float64(m*m)/(h*h))
	}
	want := math.Log1p(s)
	t.Logf("log Z = %.6g, Poisson summation %.6g", r.LogZ, want)
	if math.Abs(r.LogZ-want) > 1e-9*want+1e-14 {
		t.Errorf("log Z = %.10g, want %.10g (midpoint rule on cells of width %.1g centred on the mean)", r.LogZ, want, h)
	}
}

// TestLogZBorderMass checks the warning: N(0, 1) on [−1, 1] with 50 cells
// puts 2(Φ(1) − Φ(0.96))/(2Φ(1) − 1) ≈ 2.8% of its grid mass in the two
// outer cells (the midpoint rule matches that to O(h²) ≈ 1e-4 relative),
// while a ±12 grid puts < 1e-25 there. A failure means BorderMass is
// computed over the wrong cells or not normalized.
func TestLogZBorderMass(t *testing.T) {
	e := funcEnergy{1, func(x []float64) float64 { return x[0] * x[0] / 2 }}
	tight, err := evaluate.LogZ(context.Background(), e, evaluate.Grid{Lo: []float64{-1}, Hi: []float64{1}, Res: 50})
	if err != nil {
		t.Fatal(err)
	}
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	want := 2 * (phi(1) - phi(0.96)) / (2*phi(1) - 1)
	if math.Abs(tight.BorderMass-want) > 1e-3*want {
		t.Errorf("tight grid: border mass %.6g, want %.6g", tight.BorderMass, want)
	}
	wide, err := evaluate.LogZ(context.Background(), e, evaluate.Grid{Lo: []float64{-12}, Hi: []float64{12}, Res: 200})
	if err != nil {
		t.Fatal(err)
	}
	if !(wide.BorderMass < 1e-25) {
		t.Errorf("wide grid: border mass %.3g, want < 1e-25", wide.BorderMass)
	}
	// 2-D: a cell on any side is a border cell. N(0, I) on [−1, 1]²:
	// 1 − (1 − 2.8%)² ≈ 5.5% of the mass is in the outer ring of cells.
	e2 := funcEnergy{2, func(x []float64) float64 { return (x[0]*x[0] + x[1]*x[1]) / 2 }}
	tight2, err := evaluate.LogZ(context.Background(), e2, evaluate.Grid{Lo: []float64{-1, -1}, Hi: []float64{1, 1}, Res: 50})
	if err != nil {
		t.Fatal(err)
	}
	if want2 := 1 - (1-want)*(1-want); math.Abs(tight2.BorderMass-want2) > 1e-3*want2 {
		t.Errorf("tight 2-D grid: border mass %.6g, want %.6g", tight2.BorderMass, want2)
	}
}

// TestLogZBadInput checks the errors: NaN and −Inf energies name the first
// such grid point in grid order, a dimension above 3 names the limit, and
// malformed grids, an all-+Inf energy and a cancelled context are errors,
// never panics or silent NaN.
func TestLogZBadInput(t *testing.T) {
	ctx := context.Background()
	nanAbove2 := funcEnergy{1, func(x []float64) float64 {
		if x[0] > 2 {
			return math.NaN()
		}
		return x[0] * x[0]
	}}
	_, err := evaluate.LogZ(ctx, nanAbove2, evaluate.Grid{Lo: []float64{-5}, Hi: []float64{5}, Res: 100000})
	if err == nil || !strings.Contains(err.Error(), "NaN") || !strings.Contains(err.Error(), "grid point (2.00005)") {
		t.Errorf("NaN energy: err = %v, want one naming NaN and the first grid point past 2, (2.00005)", err)
	}
	negInf := funcEnergy{2, func(x []float64) float64 {
		if x[0] > 0 && x[1] > 0 {
			return math.Inf(-1)
		}
		return 0
	}}
	_, err = evaluate.LogZ(ctx, negInf, evaluate.Grid{Lo: []float64{-1, -1}, Hi: []float64{1, 1}, Res: 4})
	if err == nil || !strings.Contains(err.Error(), "-Inf") || !strings.Contains(err.Error(), "(0.25, 0.25)") {
		t.Errorf("−Inf energy: err = %v, want one naming -Inf at (0.25, 0.25)", err)
	}
	allInf := funcEnergy{1, func([]float64) float64 { return math.Inf(1) }}
	if _, err = evaluate.LogZ(ctx, allInf, evaluate.Grid{Lo: []float64{-1}, Hi: []float64{1}, Res: 10}); err == nil ||
		!strings.Contains(err.Error(), "+Inf at every grid point") {
		t.Errorf("all +Inf: err = %v, want one saying there is no mass", err)
	}
	g4 := build(t, map[string]any{"type": "gaussian", "mean": []any{0.0, 0.0, 0.0, 0.0}})
	if _, err = evaluate.LogZ(ctx, g4, evaluate.Grid{Lo: make([]float64, 4), Hi: []float64{1, 1, 1, 1}, Res: 3}); err == nil ||
		!strings.Contains(err.Error(), "dim 1, 2 or 3") {
		t.Errorf("4-D energy: err = %v, want one naming the limit dim 1, 2 or 3", err)
	}
	g2 := build(t, map[string]any{"type": "gaussian", "mean": []any{0.0, 0.0}})
	for _, c := range []struct {
		g    evaluate.Grid
		want string
	}{
		{evaluate.Grid{Lo: []float64{-1}, Hi: []float64{1}, Res: 10}, "want 2"},
		{evaluate.Grid{Lo: []float64{-1, -1}, Hi: []float64{1, 1}, Res: 1}, "res must be ≥ 2"},
		{evaluate.Grid{Lo: []float64{-1, 1}, Hi: []float64{1, 1}, Res: 10}, "dimension 1 has bounds [1, 1]"},
		{evaluate.Grid{Lo: []float64{math.NaN(), -1}, Hi: []float64{1, 1}, Res: 10}, "dimension 0 has bounds [NaN, 1]"},
		{evaluate.Grid{Lo: []float64{-1, math.Inf(-1)}, Hi: []float64{1, 1}, Res: 10}, "dimension 1"},
		{evaluate.Grid{Lo: []float64{-1, -1}, Hi: []float64{1, 1}, Res: 40000}, "MaxGridPoints"},
	} {
		if _, err := evaluate.LogZ(ctx, g2, c.g); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("grid %+v: err = %v, want one containing %q", c.g, err, c.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := evaluate.LogZ(cancelled, g2, evaluate.Grid{Lo: []float64{-1, -1}, Hi: []float64{1, 1}, Res: 10}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

// TestLogZWorkersIdentical checks that the result does not depend on
// GOMAXPROCS: per-batch sums are merged in grid order. A failure means the
// reduction order depends on scheduling (results would not be reproducible).
func TestLogZWorkersIdentical(t *testing.T) {
	e := build(t, map[string]any{"type": "gmm", "means": []any{[]any{-2.0, 0.0}, []any{2.0, 1.0}}})
	g := evaluate.Grid{Lo: []float64{-9, -8}, Hi: []float64{9, 9}, Res: 150} // 22500 points, 6 batches
	prev := runtime.GOMAXPROCS(1)
	one, err1 := evaluate.LogZ(context.Background(), e, g)
	runtime.GOMAXPROCS(4)
	four, err4 := evaluate.LogZ(context.Background(), e, g)
	runtime.GOMAXPROCS(prev)
	if err1 != nil || err4 != nil {
		t.Fatal(err1, err4)
	}
	if one.LogZ != four.LogZ || one.BorderMass != four.BorderMass {
		t.Errorf("GOMAXPROCS 1: %v, 4: %v; want identical", one, four)
	}
}

// TestGridFor checks the bounding box and margin by hand, the degenerate
// dimension rule, and that NaN data give a grid LogZ rejects rather than a
// silently wrong one.
func TestGridFor(t *testing.T) {
	x := []float64{0, 5, 2, 5, 1, 5, -2, 5} // dim 2: x₀ ∈ [−2, 2], x₁ ≡ 5
	g := evaluate.GridFor(x, 2, 0.25, 30)
	want := evaluate.Grid{Lo: []float64{-3, 5 - 2.5 - 1.25}, Hi: []float64{3, 5 + 2.5 + 1.25}, Res: 30}
	for j := range 2 {
		if math.Abs(g.Lo[j]-want.Lo[j]) > 1e-12 || math.Abs(g.Hi[j]-want.Hi[j]) > 1e-12 || g.Res != 30 {
			t.Errorf("GridFor = %+v, want %+v", g, want)
			break
		}
	}
	bad := evaluate.GridFor([]float64{0, math.NaN(), 1, 2}, 2, 0.1, 10)
	e := build(t, map[string]any{"type": "gaussian", "mean": []any{0.0, 0.0}})
	if _, err := evaluate.LogZ(context.Background(), e, bad); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("grid from NaN data: err = %v, want one naming the NaN bound", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "evaluate: GridFor") {
			t.Errorf("GridFor on ragged data: recovered %v, want a panic prefixed \"evaluate: GridFor\"", r)
		}
	}()
	evaluate.GridFor([]float64{1, 2, 3}, 2, 0.1, 10)
}
