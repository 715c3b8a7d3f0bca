package energies_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/convnet" // so do convolutional ones
	"github.com/goebm/ebm/energies/energytest"
	_ "github.com/goebm/ebm/energies/mlp" // learnable energies get the same checks
	"github.com/goebm/ebm/registry"
)

// TestSamplesValidate decodes every registered energy's generated sample
// config and builds it. A failure means the documented sample a user copies
// is broken (a required key without an Example, a default that Validate
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
		"mlp/float32": {"type": "mlp", "dim": 3, "hidden": []any{24, 17}, "activation": "softplus", "quadratic": 0.5,
			"dtype": "float32"},
		"convnet/float32": {"type": "convnet", "in_shape": []any{2, 6, 5}, "channels": []any{3, 4}, "kernel": 3, "stride": 1,
			"activation": "softplus", "quadratic": 0.5, "dtype": "float32"},
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

// TestConformance runs the conformance kit (energytest) on every registered
// energy from its sample config and on extraConfigs: gradient against
// central differences at points drawn at three scales, Energy and
// Gradient's e agreeing, batches equal to single rows bit for bit,
// concurrent calls on disjoint batches equal to serial ones, and for
// energies with Moments a symmetric positive definite covariance and, in
// 1-D and 2-D, moments that match quadrature of exp(−E). A failure means the
// energy breaks the contract every sampler and objective relies on.
func TestConformance(t *testing.T) {
	for _, c := range allCases(t) {
		t.Run(c.name, func(t *testing.T) {
			o := energytest.Options{Seed: 7}
			if strings.HasPrefix(c.name, "funnel") {
				// x | v ~ N(0, e^v) is far too narrow for a box grid at small v
				// and too wide at large v: TestNormalizedOnGrid checks the
				// funnel's moments on a grid that follows e^{v/2}.
				o.SkipQuadrature = true
			}
			energytest.Check(t, c.Energy, o)
		})
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
