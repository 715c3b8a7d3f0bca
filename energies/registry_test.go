package energies_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/mlp" // learnable energies get the same checks
	"github.com/goebm/ebm/registry"
	"gonum.org/v1/gonum/diff/fd"
)

// TestSamplesValidate decodes every registered energy's generated sample
// config and builds it. A failure means the documented sample a user copies
// is broken (a required key without an Example, a default that Init
// rejects) or leaves a key undocumented.
func TestSamplesValidate(t *testing.T) {
	for _, name := range energies.Names() {
		e, text := fromSample(t, name)
		for _, f := range registry.Fields(e) {
			if !strings.Contains(text, f.Key+" = ") {
				t.Errorf("%s: sample lacks key %q:\n%s", name, f.Key, text)
			}
			if f.Doc == "" {
				t.Errorf("%s: key %q has no doc tag, so the sample does not explain it", name, f.Key)
			}
		}
		if registry.Describe(e) == "" {
			t.Errorf("%s: no Description, so `ebmrun list` shows nothing for it", name)
		}
	}
}

// extraConfigs are configurations beyond the registry samples whose
// gradients are checked too: the code paths the samples do not reach
// (full covariances, diagonal ones, dim > 2, non-default parameters).
func extraConfigs() map[string]map[string]any {
	cov3 := []any{[]any{2.0, 0.6, -0.3}, []any{0.6, 1.0, 0.2}, []any{-0.3, 0.2, 0.5}}
	return map[string]map[string]any{
		"gaussian/cov": {"type": "gaussian", "mean": []any{1.0, -1.0, 0.5}, "cov": cov3},
		"gaussian/std": {"type": "gaussian", "mean": []any{1.0, -1.0, 0.5}, "std": []any{0.5, 2.0, 1.0}},
		"gmm/covs": {"type": "gmm", "weights": []any{1.0, 2.0, 3.0},
			"means": []any{[]any{0.0, 0.0, 0.0}, []any{1.5, -1.0, 0.5}, []any{-1.0, 1.0, 1.0}},
			"covs":  []any{cov3, []any{[]any{1.0, 0.0, 0.0}, []any{0.0, 0.3, 0.1}, []any{0.0, 0.1, 0.4}}, cov3}},
		"gmm/stds": {"type": "gmm", "weights": []any{0.2, 0.8},
			"means": []any{[]any{-1.0, 0.0, 2.0}, []any{1.0, 0.5, 0.0}}, "stds": []any{0.7, 1.3}},
		"rosenbrock/5":  {"type": "rosenbrock", "dim": 5, "a": 0.5, "b": 20.0, "temperature": 3.0},
		"banana/4":      {"type": "banana", "dim": 4, "curvature": 0.5, "scale": 2.0},
		"funnel/2":      {"type": "funnel", "dim": 2, "scale": 1.5},
		"double_well/3": {"type": "double_well", "dim": 3, "barrier": 5.0},
	}
}

// namedEnergy is one energy under test.
type namedEnergy struct {
	name string
	energies.Energy
}

// allCases is every registered energy from its sample plus extraConfigs,
// sorted by name.
func allCases(t *testing.T) []namedEnergy {
	var out []namedEnergy
	for _, name := range energies.Names() {
		e, _ := fromSample(t, name)
		out = append(out, namedEnergy{name, e})
	}
	for name, table := range extraConfigs() {
		out = append(out, namedEnergy{name, mustBuild(t, table)})
	}
	slices.SortFunc(out, func(a, b namedEnergy) int { return strings.Compare(a.name, b.name) })
	return out
}

// TestGradientMatchesFiniteDifferences compares every energy's Gradient
// with gonum's central differences at 20 typical points. A failure means
// ∇E is wrong (a missing term, a sign, a factor of 2), so every gradient
// sampler would target the wrong density.
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	const n, tol = 20, 1e-6 // tolerance relative to max(1, ‖∇E(x)‖∞) of the row
	for _, c := range allCases(t) {
		name, e := c.name, c.Energy
		t.Run(name, func(t *testing.T) {
			d := e.Dim()
			x := typicalPoints(e, n, 7)
			en, grad := nans(n), nans(n*d)
			e.Gradient(en, grad, x)
			one := make([]float64, 1)
			f := func(p []float64) float64 { e.Energy(one, p); return one[0] }
			fdg := make([]float64, d)
			worst := 0.0
			for i := range n {
				xi, gi := x[i*d:i*d+d], grad[i*d:i*d+d]
				scale := 1.0
				for j := range d {
					scale = max(scale, math.Abs(xi[j]))
				}
				fd.Gradient(fdg, f, xi, &fd.Settings{Formula: fd.Central, Step: 1e-5 * scale})
				gmax := 1.0
				for _, g := range gi {
					gmax = max(gmax, math.Abs(g))
				}
				for j := range d {
					r := math.Abs(gi[j]-fdg[j]) / gmax
					worst = max(worst, r)
					if !(r <= tol) {
						t.Errorf("point %d %v: ∂E/∂x%d = %v, central differences %v (error %.2g of ‖∇E‖∞, want <= %g)",
							i, xi, j, gi[j], fdg[j], r, tol)
					}
				}
			}
			t.Logf("worst relative gradient error %.2g over %d points", worst, n)
		})
	}
}

// TestEnergyConsistency checks, for every energy, that Energy agrees with
// the e written by Gradient (to 1e-12 relative), that a batch gives exactly
// the numbers of the same points one at a time, and that every output is
// written (outputs start as NaN). A failure means E and ∇E come from
// inconsistent formulas (MALA and HMC would accept with the wrong ratio),
// or rows leak into each other or are left unwritten.
func TestEnergyConsistency(t *testing.T) {
	const n = 20
	for _, c := range allCases(t) {
		name, e := c.name, c.Energy
		d := e.Dim()
		x := typicalPoints(e, n, 11)
		eb, ge, grad := nans(n), nans(n), nans(n*d)
		e.Energy(eb, x)
		e.Gradient(ge, grad, x)
		one, g1 := nans(1), nans(d)
		for i := range n {
			if !(relErr(eb[i], ge[i]) <= 1e-12) {
				t.Errorf("%s: point %d: Energy = %v but Gradient's e = %v", name, i, eb[i], ge[i])
			}
			xi := x[i*d : i*d+d]
			e.Energy(one, xi)
			if one[0] != eb[i] {
				t.Errorf("%s: point %d: Energy alone %v, in a batch %v", name, i, one[0], eb[i])
			}
			e.Gradient(one, g1, xi)
			if one[0] != ge[i] {
				t.Errorf("%s: point %d: Gradient's e alone %v, in a batch %v", name, i, one[0], ge[i])
			}
			for j := range d {
				if g1[j] != grad[i*d+j] || math.IsNaN(g1[j]) {
					t.Errorf("%s: point %d: ∂E/∂x%d alone %v, in a batch %v", name, i, j, g1[j], grad[i*d+j])
				}
			}
		}
	}
}

// TestNoAllocations checks that Energy and Gradient allocate nothing per
// call. A failure means every sampler step creates garbage in the hot loop.
func TestNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	for _, c := range allCases(t) {
		name, e := c.name, c.Energy
		d := e.Dim()
		x := typicalPoints(e, 64, 3)
		en, grad := make([]float64, 64), make([]float64, 64*d)
		if a := testing.AllocsPerRun(20, func() { e.Energy(en, x) }); a != 0 {
			t.Errorf("%s: Energy allocates %v times per call", name, a)
		}
		if a := testing.AllocsPerRun(20, func() { e.Gradient(en, grad, x) }); a != 0 {
			t.Errorf("%s: Gradient allocates %v times per call", name, a)
		}
	}
}

// TestConcurrentDisjointBatches runs Gradient on disjoint parts of a batch
// from several goroutines and compares with one serial call. A failure (or
// a -race report) means an energy keeps shared mutable scratch, which the
// contract forbids: the sampler driver calls it from every shard at once.
func TestConcurrentDisjointBatches(t *testing.T) {
	const n, parts = 64, 4
	for _, c := range allCases(t) {
		name, e := c.name, c.Energy
		d := e.Dim()
		x := typicalPoints(e, n, 5)
		want, wantG := make([]float64, n), make([]float64, n*d)
		e.Gradient(want, wantG, x)
		got, gotG := nans(n), nans(n*d)
		var wg sync.WaitGroup
		for p := range parts {
			lo, hi := p*n/parts, (p+1)*n/parts
			wg.Go(func() {
				for range 50 {
					e.Gradient(got[lo:hi], gotG[lo*d:hi*d], x[lo*d:hi*d])
				}
			})
		}
		wg.Wait()
		if fmt.Sprint(got, gotG) != fmt.Sprint(want, wantG) {
			t.Errorf("%s: concurrent calls on disjoint batches changed the results", name)
		}
	}
}

// TestMomentsShapes checks that every energy with Moments returns a mean
// of length Dim and a symmetric Dim×Dim covariance with a positive
// diagonal. A failure would break sampler tests that index them.
func TestMomentsShapes(t *testing.T) {
	for _, c := range allCases(t) {
		name, e := c.name, c.Energy
		mo, ok := e.(energies.Moments)
		if !ok {
			continue
		}
		d := e.Dim()
		m, c := mo.Mean(), mo.Covariance()
		if len(m) != d || len(c) != d*d {
			t.Errorf("%s: len(Mean) = %d, len(Covariance) = %d; want %d and %d", name, len(m), len(c), d, d*d)
			continue
		}
		for i := range d {
			if !(c[i*d+i] > 0) {
				t.Errorf("%s: variance %d is %v", name, i, c[i*d+i])
			}
			for j := range d {
				if c[i*d+j] != c[j*d+i] {
					t.Errorf("%s: covariance not symmetric at (%d,%d)", name, i, j)
				}
			}
		}
	}
}
