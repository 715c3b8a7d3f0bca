package quartic_test

import (
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/energytest"
	"github.com/goebm/ebm/examples/quartic"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/samplers/samplertest"
)

// TestQuarticConformance runs the energy kit on the Quartic in several
// dimensions, built both directly and through the registry as a config
// would. A failure means the example in the README breaks the contract.
func TestQuarticConformance(t *testing.T) {
	for _, d := range []int{1, 2, 5} {
		energytest.Check(t, &quartic.Quartic{D: d}, energytest.Options{})
	}
	e, err := energies.FromTable(map[string]any{"type": "quartic", "dim": 3})
	if err != nil {
		t.Fatal(err)
	}
	energytest.Check(t, e, energytest.Options{})
	if _, err := energies.FromTable(map[string]any{"type": "quartic", "dim": 0}); err == nil {
		t.Error("dim = 0 accepted")
	}
}

// withMoments adds the Quartic's exact moments: the coordinates are
// independent, mean 0, variance ∫x²e^{−x⁴/4}/∫e^{−x⁴/4} = 2Γ(3/4)/Γ(1/4)
// ≈ 0.6760 (std 0.822).
type withMoments struct{ *quartic.Quartic }

func (w withMoments) Mean() []float64 { return make([]float64, w.D) }
func (w withMoments) Covariance() []float64 {
	v := 2 * math.Gamma(0.75) / math.Gamma(0.25)
	c := make([]float64, w.D*w.D)
	for j := range w.D {
		c[j*w.D+j] = v
	}
	return c
}

// TestQuarticSampled checks the stated moments against quadrature (energy
// kit, 2-D) and then that MALA recovers them (sampler kit, small budget).
func TestQuarticSampled(t *testing.T) {
	target := withMoments{&quartic.Quartic{D: 2}}
	energytest.Check(t, target, energytest.Options{})
	s, err := samplers.FromTable(map[string]any{"type": "mala"})
	if err != nil {
		t.Fatal(err)
	}
	samplertest.Check(t, s, samplertest.Options{
		Targets: []samplertest.Target{{Name: "quartic2", Energy: target}},
		Budget:  samplertest.Budget{Chains: 64, Warmup: 500, Draws: 500},
		Seed:    1,
	})
}

// halfGradient is the Quartic with ∇E × 0.5: a sampler driven by it (ULA)
// targets exp(−E/2), std 0.97 instead of 0.822.
type halfGradient struct{ *quartic.Quartic }

func (h halfGradient) Gradient(e, g, x []float64) {
	h.Quartic.Gradient(e, g, x)
	for j := range x {
		g[j] *= 0.5
	}
}

// TestWrongGradientFails: the energy kit must reject the halved gradient
// and say so with numbers.
func TestWrongGradientFails(t *testing.T) {
	err := energytest.TestEnergy(halfGradient{&quartic.Quartic{D: 2}}, energytest.Options{})
	if err == nil {
		t.Fatal("energytest passed the Quartic with its gradient halved")
	}
	if !strings.Contains(err.Error(), "gradient dim") || !strings.Contains(err.Error(), "finite difference") {
		t.Errorf("error does not name the gradient:\n%v", err)
	}
	t.Logf("%v", err)
}
