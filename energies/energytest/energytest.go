// Package energytest checks any energies.Energy against the contract, the
// way testing/fstest.TestFS checks an fs.FS. A third party calls it from its
// own tests; ebm runs it over every registered energy.
//
//	func TestQuartic(t *testing.T) {
//		energytest.Check(t, &Quartic{D: 3}, energytest.Options{})
//	}
//
// The checks (TestEnergy runs all of them and reports every failure; Run
// returns them as a structured Report, with the dimensions that disagree):
//
//   - gradient: Gradient agrees with gonum's central differences of Energy at
//     points drawn at several scales around a centre;
//   - values: the e written by Gradient equals Energy's, every output is
//     written, nothing past the batch is written, x is not modified, and
//     every energy and gradient at the test points is finite;
//   - batch: one batch of n rows gives exactly (bit for bit) the numbers of n
//     batches of one row, for Energy and Gradient;
//   - concurrency: Gradient and Energy called from several goroutines on
//     disjoint parts of a batch give the serial results bit for bit (run the
//     test with -race to also catch unsynchronised scratch);
//   - moments: when the energy implements energies.Moments, Mean has length
//     Dim and is finite, Covariance is Dim×Dim, symmetric and positive
//     definite; for Dim ≤ 2 the mean and covariance of exp(−E) by quadrature
//     on a grid agree with them.
package energytest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
	"gonum.org/v1/gonum/diff/fd"
)

// Options tune the checks. The zero value is the default for every field.
type Options struct {
	// Center is where the test points are drawn around (length Dim). The
	// default is Moments' mean when the energy implements energies.Moments,
	// otherwise the origin.
	Center []float64
	// Spread is the per-coordinate unit of the point cloud (length Dim,
	// positive). The default is the square root of Moments' variances when
	// the energy implements energies.Moments, otherwise 1.
	Spread []float64
	// Scales multiply Spread: for each scale s, Points points are drawn at
	// Center + s·Spread·z, z standard normal clipped to [−3, 3]. Default
	// {0.1, 1, 3}.
	Scales []float64
	// Points per scale. Default 8.
	Points int
	// Seed fixes the points (every seed, 0 included, is a fixed seed).
	Seed uint64
	// At, when non-nil, holds the test points (row-major, whole rows of
	// Dim values) in place of the drawn cloud: Center, Spread, Scales,
	// Points and Seed are then unused. ebmrun check passes a config's
	// start points and a short run's last draws here.
	At []float64
	// Checks, when non-empty, runs only the named checks (CheckGradient,
	// CheckBatch, …); CheckValues always runs, since the others need
	// finite values. The default runs every check.
	Checks []string

	// GradAbsTol and GradRelTol: ∂E/∂x_j at x passes when
	// |analytic − finite difference| ≤ max(GradAbsTol, GradRelTol·‖∇E(x)‖∞).
	// Defaults 1e-6 and 1e-6. A gradient off by a factor, a sign or a
	// missing term misses this by orders of magnitude; central differences
	// with the default step are accurate to about 1e-9 on smooth energies.
	// An energy computing in float32 (one whose Float32() bool method
	// reports true, as mlp with dtype = "float32") gets defaults of 1e-3:
	// its energies carry rounding of about 1e-7 relative, which central
	// differences divide by the step.
	GradAbsTol, GradRelTol float64
	// Step is the finite-difference step relative to max(1, ‖x‖∞).
	// Default 1e-5 (3e-3 for a float32 energy).
	Step float64

	// Goroutines for the concurrency check. Default 4.
	Goroutines int

	// MomentTol bounds the disagreement between Moments and quadrature
	// (Dim ≤ 2): |mean_i − grid mean_i| ≤ MomentTol·sd_i and
	// |cov_ij − grid cov_ij| ≤ MomentTol·sd_i·sd_j. Default 1e-6.
	MomentTol float64
	// QuadratureWidth is the half-width of the quadrature box in standard
	// deviations (from Covariance) around Mean. Default 30.
	QuadratureWidth float64
	// QuadratureRes is the number of midpoint cells per dimension. Default
	// 1000 in 2-D, 20000 in 1-D.
	QuadratureRes int
	// SkipQuadrature turns the quadrature comparison off, for densities a
	// box grid cannot resolve (heavy tails, funnels): check them on a grid
	// shaped to the density in your own test instead.
	SkipQuadrature bool
}

// maxPerCheck bounds how many failures one check reports.
const maxPerCheck = 8

// float32Defaults sets the unset tolerances and step for an energy that
// computes in float32.
func (o Options) float32Defaults() Options {
	if o.GradAbsTol <= 0 {
		o.GradAbsTol = 1e-3
	}
	if o.GradRelTol <= 0 {
		o.GradRelTol = 1e-3
	}
	if o.Step <= 0 {
		o.Step = 3e-3
	}
	return o
}

func (o Options) withDefaults() Options {
	if len(o.Scales) == 0 {
		o.Scales = []float64{0.1, 1, 3}
	}
	if o.Points <= 0 {
		o.Points = 8
	}
	if o.GradAbsTol <= 0 {
		o.GradAbsTol = 1e-6
	}
	if o.GradRelTol <= 0 {
		o.GradRelTol = 1e-6
	}
	if o.Step <= 0 {
		o.Step = 1e-5
	}
	if o.Goroutines <= 0 {
		o.Goroutines = 4
	}
	if o.MomentTol <= 0 {
		o.MomentTol = 1e-6
	}
	if o.QuadratureWidth <= 0 {
		o.QuadratureWidth = 30
	}
	return o
}

// Check runs TestEnergy and reports its error, if any, with t.Error.
func Check(t testing.TB, e energies.Energy, o Options) {
	t.Helper()
	if err := TestEnergy(e, o); err != nil {
		t.Error(err)
	}
}

// TestEnergy checks e against the energies.Energy contract (see the package
// comment) and returns an error listing every failure found, or nil.
func TestEnergy(e energies.Energy, o Options) error {
	r, err := Run(e, o)
	if err != nil {
		return err
	}
	return r.Err()
}

// Run runs the checks on e and returns what they found. The error is for
// checks that cannot start (Dim() ≤ 0, points or options of the wrong
// shape, an unknown check name); the energy's failures are in the Report.
func Run(e energies.Energy, o Options) (*Report, error) {
	if f, ok := e.(interface{ Float32() bool }); ok && f.Float32() {
		o = o.float32Defaults()
	}
	o = o.withDefaults()
	d := e.Dim()
	if d <= 0 {
		return nil, fmt.Errorf("energytest: Dim() = %d, want > 0", d)
	}
	for _, c := range o.Checks {
		if !slices.Contains(allChecks, c) {
			return nil, fmt.Errorf("energytest: unknown check %q in Options.Checks (known: %s)", c, strings.Join(allChecks, ", "))
		}
	}
	x, err := points(e, o)
	if err != nil {
		return nil, err
	}
	r := &Report{Dim: d, Points: len(x) / d, WorstGradientDim: -1, WorstGradientRow: -1, GradRelTol: o.GradRelTol}
	run := func(c string) bool {
		if len(o.Checks) > 0 && c != CheckValues && !slices.Contains(o.Checks, c) {
			return false
		}
		r.Checks = append(r.Checks, c)
		return true
	}
	run(CheckValues)
	if !r.values(e, x) {
		// Non-finite values make every other comparison meaningless.
		return r, nil
	}
	if run(CheckGradient) {
		r.gradient(e, x, o)
	}
	if run(CheckBatch) {
		r.batch(e, x)
	}
	if run(CheckConcurrency) {
		r.concurrent(e, x, o)
	}
	if mo, ok := e.(energies.Moments); ok && run(CheckMoments) {
		r.moments(e, mo, o)
	}
	return r, nil
}

// points draws the test points, row-major.
func points(e energies.Energy, o Options) ([]float64, error) {
	d := e.Dim()
	if o.At != nil {
		if len(o.At) == 0 || len(o.At)%d != 0 {
			return nil, fmt.Errorf("energytest: len(Options.At) = %d is not a positive multiple of Dim = %d", len(o.At), d)
		}
		return slices.Clone(o.At), nil
	}
	center, spread := make([]float64, d), make([]float64, d)
	for j := range spread {
		spread[j] = 1
	}
	if mo, ok := e.(energies.Moments); ok {
		m, c := mo.Mean(), mo.Covariance()
		if len(m) == d && len(c) == d*d {
			for j := range d {
				if finite(m[j]) && c[j*d+j] > 0 && finite(c[j*d+j]) {
					center[j], spread[j] = m[j], math.Sqrt(c[j*d+j])
				}
			}
		}
	}
	if o.Center != nil {
		if len(o.Center) != d {
			return nil, fmt.Errorf("energytest: len(Options.Center) = %d, want Dim = %d", len(o.Center), d)
		}
		copy(center, o.Center)
	}
	if o.Spread != nil {
		if len(o.Spread) != d {
			return nil, fmt.Errorf("energytest: len(Options.Spread) = %d, want Dim = %d", len(o.Spread), d)
		}
		copy(spread, o.Spread)
	}
	s := rng.New(o.Seed, 0x656e657267797465) // "energyte"
	x := make([]float64, 0, len(o.Scales)*o.Points*d)
	for _, sc := range o.Scales {
		for range o.Points {
			for j := range d {
				x = append(x, center[j]+sc*spread[j]*max(-3, min(3, s.Norm())))
			}
		}
	}
	return x, nil
}

// guard is written past the end of outputs; an energy must not touch it.
const guard = -12345.678

// nans returns n NaNs followed by extra guard values.
func nans(n, extra int) []float64 {
	v := make([]float64, n+extra)
	for i := range v {
		v[i] = math.NaN()
	}
	for i := n; i < len(v); i++ {
		v[i] = guard
	}
	return v
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// fmtPoint prints a point compactly.
func fmtPoint(x []float64) string {
	var b strings.Builder
	b.WriteByte('(')
	for j, v := range x {
		if j > 0 {
			b.WriteString(", ")
		}
		if j == 6 && len(x) > 8 {
			fmt.Fprintf(&b, "… %d more", len(x)-6)
			break
		}
		fmt.Fprintf(&b, "%.4g", v)
	}
	b.WriteByte(')')
	return b.String()
}

// values checks that both methods write finite values for every row, agree
// on e, write nothing past the batch and leave x alone. It returns false
// when a value is non-finite or missing.
func (r *Report) values(e energies.Energy, x []float64) bool {
	d := e.Dim()
	n := len(x) / d
	x0 := append([]float64(nil), x...)
	eb := nans(n, 2)
	e.Energy(eb, x)
	ge, grad := nans(n, 2), nans(n*d, 2)
	e.Gradient(ge, grad, x)
	ok := true
	for i := range n {
		xi := fmtPoint(x[i*d : i*d+d])
		if !finite(eb[i]) {
			r.failAt(CheckValues, -1, i, x[i*d:i*d+d], "Energy at x=%s is %v: energies must be finite at the test points (if this point is outside the support, set Options.Center/Spread/Scales)", xi, eb[i])
			ok = false
		}
		if !finite(ge[i]) {
			r.failAt(CheckValues, -1, i, x[i*d:i*d+d], "Gradient's e at x=%s is %v: energies must be finite at the test points", xi, ge[i])
			ok = false
		}
		for j := range d {
			if g := grad[i*d+j]; !finite(g) {
				r.failAt(CheckValues, j, i, x[i*d:i*d+d], "gradient dim %d at x=%s is %v: gradients must be finite at the test points", j, xi, g)
				ok = false
			}
		}
		if ok && !(math.Abs(eb[i]-ge[i]) <= 1e-12*max(1, math.Abs(eb[i]))) {
			r.failAt(CheckValues, -1, i, x[i*d:i*d+d], "at x=%s: Energy gives %.17g but Gradient's e is %.17g (they must agree to 1e-12 relative)", xi, eb[i], ge[i])
		}
	}
	for k, v := range [][]float64{eb[n:], ge[n:], grad[n*d:]} {
		if v[0] != guard || v[1] != guard {
			what := [...]string{"Energy wrote e", "Gradient wrote e", "Gradient wrote grad"}[k]
			r.fail(CheckValues, "%s past the batch's %d rows (the slices may be longer than the batch)", what, n)
		}
	}
	for i := range x {
		if x[i] != x0[i] && !(math.IsNaN(x[i]) && math.IsNaN(x0[i])) {
			r.fail(CheckValues, "Energy or Gradient modified x[%d]: %v → %v", i, x0[i], x[i])
			copy(x, x0)
			break
		}
	}
	return ok
}

// gradient compares Gradient with central differences of Energy.
func (r *Report) gradient(e energies.Energy, x []float64, o Options) {
	d := e.Dim()
	n := len(x) / d
	en, grad := make([]float64, n), make([]float64, n*d)
	e.Gradient(en, grad, x)
	one := make([]float64, 1)
	p := make([]float64, d)
	f := func(q []float64) float64 { e.Energy(one, q); return one[0] }
	fdg := make([]float64, d)
	r.GradientCompared = n * d
	r.WorstGradient = 0
	for i := range n {
		xi := x[i*d : i*d+d]
		copy(p, xi)
		gi := grad[i*d : i*d+d]
		scale, gmax := 1.0, 0.0
		for j := range d {
			scale = max(scale, math.Abs(p[j]))
			gmax = max(gmax, math.Abs(gi[j]))
		}
		fd.Gradient(fdg, f, p, &fd.Settings{Formula: fd.Central, Step: o.Step * scale})
		tol := max(o.GradAbsTol, o.GradRelTol*gmax)
		for j := range d {
			diff := math.Abs(gi[j] - fdg[j])
			// tol = GradRelTol · max(gmax, GradAbsTol/GradRelTol).
			if rel := diff / tol * o.GradRelTol; !math.IsNaN(r.WorstGradient) && (math.IsNaN(rel) || rel > r.WorstGradient) {
				r.WorstGradient, r.WorstGradientDim, r.WorstGradientRow = rel, j, i
			}
			if !(diff <= tol) {
				r.failAt(CheckGradient, j, i, xi,
					"gradient dim %d at x=%s: analytic %.6g, finite difference %.6g (difference %.2g > tolerance %.2g)",
					j, fmtPoint(p), gi[j], fdg[j], diff, tol)
				r.Failures[len(r.Failures)-1].Excess = diff / tol
			}
		}
	}
}

// batch compares one batch of n rows with n batches of one row, bit for bit.
func (r *Report) batch(e energies.Energy, x []float64) {
	d := e.Dim()
	n := len(x) / d
	eb, ge, grad := make([]float64, n), make([]float64, n), make([]float64, n*d)
	e.Energy(eb, x)
	e.Gradient(ge, grad, x)
	one, g1 := nans(1, 0), nans(d, 0)
	for i := range n {
		xi := x[i*d : i*d+d]
		e.Energy(one, xi)
		if !same(one[0], eb[i]) {
			r.failAt(CheckBatch, -1, i, xi, "Energy at x=%s: %.17g alone, %.17g as row %d of a batch of %d (must be identical)", fmtPoint(xi), one[0], eb[i], i, n)
		}
		e.Gradient(one, g1, xi)
		if !same(one[0], ge[i]) {
			r.failAt(CheckBatch, -1, i, xi, "Gradient's e at x=%s: %.17g alone, %.17g as row %d of a batch of %d (must be identical)", fmtPoint(xi), one[0], ge[i], i, n)
		}
		for j := range d {
			if !same(g1[j], grad[i*d+j]) {
				r.failAt(CheckBatch, j, i, xi, "gradient dim %d at x=%s: %.17g alone, %.17g as row %d of a batch of %d (must be identical)", j, fmtPoint(xi), g1[j], grad[i*d+j], i, n)
			}
		}
	}
}

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// concurrent runs Energy and Gradient on disjoint parts of the batch from
// several goroutines at once and compares with serial calls.
func (r *Report) concurrent(e energies.Energy, x []float64, o Options) {
	d := e.Dim()
	// A larger batch than the other checks use, so that energies that
	// switch to blocked or SIMD paths for long batches are exercised too.
	const copies = 8
	big := make([]float64, 0, copies*len(x))
	for range copies {
		big = append(big, x...)
	}
	n, nx := len(big)/d, len(x)/d
	want, wantE, wantG := make([]float64, n), make([]float64, n), make([]float64, n*d)
	e.Energy(want, big)
	e.Gradient(wantE, wantG, big)
	parts := min(o.Goroutines, n)
	got, gotE, gotG := nans(n, 0), nans(n, 0), nans(n*d, 0)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Go(func() {
			for range 20 {
				e.Energy(got[lo:hi], big[lo*d:hi*d])
				e.Gradient(gotE[lo:hi], gotG[lo*d:hi*d], big[lo*d:hi*d])
			}
		})
	}
	wg.Wait()
	for i := range n {
		xi := fmtPoint(big[i*d : i*d+d])
		if !same(got[i], want[i]) {
			r.failAt(CheckConcurrency, -1, i%nx, big[i*d:i*d+d], "Energy at x=%s: %.17g with %d goroutines on disjoint batches, %.17g serially", xi, got[i], parts, want[i])
		}
		if !same(gotE[i], wantE[i]) {
			r.failAt(CheckConcurrency, -1, i%nx, big[i*d:i*d+d], "Gradient's e at x=%s: %.17g with %d goroutines on disjoint batches, %.17g serially", xi, gotE[i], parts, wantE[i])
		}
		for j := range d {
			if !same(gotG[i*d+j], wantG[i*d+j]) {
				r.failAt(CheckConcurrency, j, i%nx, big[i*d:i*d+d], "gradient dim %d at x=%s: %.17g with %d goroutines on disjoint batches, %.17g serially", j, xi, gotG[i*d+j], parts, wantG[i*d+j])
			}
		}
	}
}
