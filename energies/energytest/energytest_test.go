package energytest_test

import (
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/energytest"
)

// quartic is E(x) = Σ x_i⁴/4 with its gradient multiplied by gradScale
// (1 is correct).
type quartic struct {
	d         int
	gradScale float64
}

func (q quartic) Dim() int              { return q.d }
func (q quartic) Energy(e, x []float64) { q.Gradient(e, nil, x) }
func (q quartic) Gradient(e, g, x []float64) {
	n := energies.CheckBatch(q.d, e, g, x)
	for i := range n {
		e[i] = 0
		for j := i * q.d; j < (i+1)*q.d; j++ {
			e[i] += x[j] * x[j] * x[j] * x[j] / 4
			if g != nil {
				g[j] = q.gradScale * x[j] * x[j] * x[j]
			}
		}
	}
}

// wantFail runs the kit and fails unless its error names every fragment.
func wantFail(t *testing.T, e energies.Energy, o energytest.Options, fragments ...string) string {
	t.Helper()
	err := energytest.TestEnergy(e, o)
	if err == nil {
		t.Fatalf("energytest passed a broken %T", e)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error lacks %q:\n%v", f, err)
		}
	}
	return err.Error()
}

// TestCorrectQuarticPasses: a correct energy passes every check (the kit
// must not fail good energies).
func TestCorrectQuarticPasses(t *testing.T) {
	for _, d := range []int{1, 3, 17} {
		if err := energytest.TestEnergy(quartic{d, 1}, energytest.Options{}); err != nil {
			t.Errorf("dim %d: %v", d, err)
		}
	}
}

// TestWrongGradientFails: the Quartic with ∇E × 0.5 must fail, and the
// error must name the gradient and give both numbers. A sampler using this
// gradient would target the wrong density (std 0.97 instead of 0.822).
func TestWrongGradientFails(t *testing.T) {
	msg := wantFail(t, quartic{2, 0.5}, energytest.Options{}, "gradient dim ", "analytic", "finite difference")
	if strings.Contains(msg, "batch") || strings.Contains(msg, "concurrency") || strings.Contains(msg, "values") {
		t.Errorf("only the gradient check should fail:\n%s", msg)
	}
	t.Logf("%s", msg)
	// Also a subtle error (1%) at the default tolerances.
	wantFail(t, quartic{2, 1.01}, energytest.Options{}, "gradient dim ")
}

// rowLeak is a correct Gaussian energy for one row, but its batch path
// accumulates over rows (a classic bug: e[i] not reset).
type rowLeak struct{}

func (rowLeak) Dim() int                { return 2 }
func (r rowLeak) Energy(e, x []float64) { r.Gradient(e, nil, x) }
func (rowLeak) Gradient(e, g, x []float64) {
	n := energies.CheckBatch(2, e, g, x)
	acc := 0.0
	for i := range n {
		a, b := x[2*i], x[2*i+1]
		acc = 1e-3*acc + (a*a+b*b)/2
		e[i] = acc
		if g != nil {
			g[2*i], g[2*i+1] = a, b
		}
	}
}

func TestBatchDependenceFails(t *testing.T) {
	wantFail(t, rowLeak{}, energytest.Options{}, "batch: Energy at x=", "alone", "as row")
}

// overrun writes one value past the batch.
type overrun struct{ quartic }

func (o overrun) Energy(e, x []float64) {
	o.quartic.Energy(e, x)
	if n := len(x) / o.d; len(e) > n {
		e[n] = 0
	}
}

func TestWritePastBatchFails(t *testing.T) {
	wantFail(t, overrun{quartic{2, 1}}, energytest.Options{}, "Energy wrote e past the batch")
}

// nanAbove is N(0, I) with E = NaN where x₀ > 2.
type nanAbove struct{}

func (nanAbove) Dim() int                { return 2 }
func (n nanAbove) Energy(e, x []float64) { n.Gradient(e, nil, x) }
func (nanAbove) Gradient(e, g, x []float64) {
	n := energies.CheckBatch(2, e, g, x)
	for i := range n {
		a, b := x[2*i], x[2*i+1]
		e[i] = (a*a + b*b) / 2
		if a > 2 {
			e[i] = math.NaN()
		}
		if g != nil {
			g[2*i], g[2*i+1] = a, b
		}
	}
}

func TestNonFiniteFails(t *testing.T) {
	wantFail(t, nanAbove{}, energytest.Options{}, "values: Energy at x=", "is NaN", "must be finite")
}

// sharedScratch keeps one scratch value for all calls: concurrent calls
// overwrite each other's. The sleep makes calls overlap reliably.
type sharedScratch struct {
	busy atomic.Int32
}

func (s *sharedScratch) Dim() int              { return 1 }
func (s *sharedScratch) Energy(e, x []float64) { s.Gradient(e, nil, x) }
func (s *sharedScratch) Gradient(e, g, x []float64) {
	// Another call in flight changes the result, as shared scratch would.
	other := float64(s.busy.Add(1) - 1)
	defer s.busy.Add(-1)
	time.Sleep(200 * time.Microsecond)
	for i, v := range x {
		e[i] = v*v/2 + other
		if g != nil {
			g[i] = v
		}
	}
}

func TestSharedScratchFails(t *testing.T) {
	wantFail(t, &sharedScratch{}, energytest.Options{}, "concurrency: ", "goroutines on disjoint batches")
}

// gauss2 is a 2-D Gaussian N(0, diag(s0², s1²)) that states the moments mean
// and cov (which may be wrong).
type gauss2 struct {
	s0, s1    float64
	mean, cov []float64
}

func (g gauss2) Dim() int              { return 2 }
func (g gauss2) Energy(e, x []float64) { g.Gradient(e, nil, x) }
func (g gauss2) Gradient(e, gr, x []float64) {
	n := energies.CheckBatch(2, e, gr, x)
	for i := range n {
		a, b := x[2*i]/g.s0, x[2*i+1]/g.s1
		e[i] = (a*a + b*b) / 2
		if gr != nil {
			gr[2*i], gr[2*i+1] = a/g.s0, b/g.s1
		}
	}
}
func (g gauss2) Mean() []float64       { return g.mean }
func (g gauss2) Covariance() []float64 { return g.cov }

func TestMoments(t *testing.T) {
	right := gauss2{0.5, 2, []float64{0, 0}, []float64{0.25, 0, 0, 4}}
	if err := energytest.TestEnergy(right, energytest.Options{}); err != nil {
		t.Errorf("correct moments: %v", err)
	}
	wrongVar := right
	wrongVar.cov = []float64{0.25, 0, 0, 4.04} // 1% off
	wantFail(t, wrongVar, energytest.Options{}, "moments: covariance [1,1]: Covariance() 4.04, quadrature of exp(−E) 4")
	wrongMean := right
	wrongMean.mean = []float64{0, 0.01}
	wantFail(t, wrongMean, energytest.Options{}, "moments: mean dim 1: Mean() 0.01")
	notPD := right
	notPD.cov = []float64{0.25, 1, 1, 4}
	wantFail(t, notPD, energytest.Options{}, "not positive definite")
	asym := right
	asym.cov = []float64{0.25, 0.1, 0, 4}
	wantFail(t, asym, energytest.Options{}, "not symmetric")
	short := right
	short.mean = []float64{0}
	wantFail(t, short, energytest.Options{}, "len(Mean()) = 1")
	// SkipQuadrature keeps the shape checks but not the comparison.
	if err := energytest.TestEnergy(wrongVar, energytest.Options{SkipQuadrature: true}); err != nil {
		t.Errorf("SkipQuadrature: %v", err)
	}
}

// TestCheckReports: Check reports through t.Error.
func TestCheckReports(t *testing.T) {
	var ft fakeT
	energytest.Check(&ft, quartic{2, 0.5}, energytest.Options{})
	if !ft.failed || !strings.Contains(ft.msg, "gradient dim") {
		t.Errorf("Check on a wrong gradient: failed=%v, message %q", ft.failed, ft.msg)
	}
	ft = fakeT{}
	energytest.Check(&ft, quartic{2, 1}, energytest.Options{})
	if ft.failed {
		t.Errorf("Check on a correct energy failed: %s", ft.msg)
	}
}

type fakeT struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Error(args ...any) {
	f.failed = true
	for _, a := range args {
		f.msg += a.(error).Error()
	}
}

// oneDimWrong is the 3-D quartic with ∂E/∂x_1 doubled.
type oneDimWrong struct{ quartic }

func (q oneDimWrong) Gradient(e, g, x []float64) {
	q.quartic.Gradient(e, g, x)
	if g != nil {
		for i := 1; i < len(x); i += q.d {
			g[i] *= 2
		}
	}
}

// TestRunReport: the structured report names exactly the dimension whose
// gradient is wrong, counts what it compared and ranks the worst error; a
// report that named other dimensions, or none, would send a user to the
// wrong line of their code.
func TestRunReport(t *testing.T) {
	r, err := energytest.Run(oneDimWrong{quartic{3, 1}}, energytest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Failed() || r.Err() == nil {
		t.Fatal("Run passed a gradient doubled in dim 1")
	}
	if got := r.FailedDims(energytest.CheckGradient); !slices.Equal(got, []int{1}) {
		t.Errorf("FailedDims(gradient) = %v, want [1]", got)
	}
	if r.Points != 24 || r.GradientCompared != 72 {
		t.Errorf("Points %d, GradientCompared %d; want 24 and 72 (3 scales × 8 points, 3 dims)", r.Points, r.GradientCompared)
	}
	if r.WorstGradientDim != 1 || !(r.WorstGradient > 0.1) {
		t.Errorf("worst gradient error %g in dim %d; want > 0.1 in dim 1", r.WorstGradient, r.WorstGradientDim)
	}
	want := []string{energytest.CheckValues, energytest.CheckGradient, energytest.CheckBatch, energytest.CheckConcurrency}
	if !slices.Equal(r.Checks, want) {
		t.Errorf("Checks = %v, want %v", r.Checks, want)
	}

	good, err := energytest.Run(quartic{3, 1}, energytest.Options{})
	if err != nil || good.Failed() {
		t.Fatalf("correct quartic: %v, %v", err, good.Err())
	}
	if !(good.WorstGradient < 1e-6) || good.WorstGradientDim < 0 {
		t.Errorf("correct quartic: worst relative gradient error %g (dim %d), want < 1e-6", good.WorstGradient, good.WorstGradientDim)
	}
}

// TestRunAtAndChecks: Options.At replaces the drawn points and
// Options.Checks selects checks (values always runs); bad values of either
// are errors, not silent defaults.
func TestRunAtAndChecks(t *testing.T) {
	at := []float64{1, 2, -1, 0.5}
	r, err := energytest.Run(quartic{2, 0.5}, energytest.Options{At: at, Checks: []string{energytest.CheckGradient}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Points != 2 || !slices.Equal(r.Checks, []string{energytest.CheckValues, energytest.CheckGradient}) {
		t.Errorf("Points %d, Checks %v; want 2 and [values gradient]", r.Points, r.Checks)
	}
	for _, f := range r.Failures {
		if f.Row < 0 || f.Row > 1 || !slices.Equal(f.X, at[2*f.Row:2*f.Row+2]) {
			t.Errorf("failure at row %d, x %v: not one of the given points", f.Row, f.X)
		}
	}
	if got := r.FailedDims(""); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("FailedDims = %v, want [0 1]", got)
	}
	if _, err := energytest.Run(quartic{2, 1}, energytest.Options{At: []float64{1, 2, 3}}); err == nil {
		t.Error("At of 3 values accepted for Dim 2")
	}
	if _, err := energytest.Run(quartic{2, 1}, energytest.Options{Checks: []string{"gradients"}}); err == nil {
		t.Error("unknown check name accepted")
	}
}
