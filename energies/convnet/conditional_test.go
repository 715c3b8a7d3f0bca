package convnet_test

import (
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/convnet"
	"github.com/goebm/ebm/energies/energytest"
	"github.com/goebm/ebm/rng"
)

// conditional is the small test network with noise_conditional = true at
// level 0.3, its σ maps' weights (zero at initialization) set to draws of
// ±0.5 so that they matter.
func conditional(t testing.TB, dtype string) *convnet.ConvNet {
	t.Helper()
	m := small(t, dtype, map[string]any{"noise_conditional": true, "sigma": 0.3})
	plain := small(t, dtype, nil)
	p := m.Params()
	if len(p) != len(plain.Params())+4*9+6*9 {
		t.Fatalf("%d parameters, want %d plus the σ maps' 4·9 + 6·9", len(p), len(plain.Params()))
	}
	s := rng.New(9, 0)
	for j := len(plain.Params()); j < len(p); j++ {
		if p[j] != 0 {
			t.Fatalf("σ map weight %d starts at %v, want 0", j, p[j])
		}
		p[j] = s.Float64() - 0.5
	}
	return m
}

// TestConditionalConformance runs the conformance kit (gradients against
// finite differences, batch independence, …) on a noise-conditional
// convnet at its own level and at two others, in both dtypes.
func TestConditionalConformance(t *testing.T) {
	for _, dt := range []string{"float64", "float32"} {
		m := conditional(t, dt)
		for _, c := range []struct {
			name string
			e    energies.Energy
		}{{"own", m}, {"0.05", m.At(0.05)}, {"2", m.At(2)}} {
			t.Run(dt+"/"+c.name, func(t *testing.T) { energytest.Check(t, c.e, energytest.Options{Seed: 7, Points: 4}) })
		}
	}
}

// TestConditionalLevels: the model at its own level is At(sigma); with the
// σ maps at zero, σ·(E(x, σ) − quadratic·½‖x‖²) is the same network output
// at every σ (the 1/σ output scale); with them set, the levels differ
// beyond that scale.
func TestConditionalLevels(t *testing.T) {
	m := small(t, "float64", map[string]any{"noise_conditional": true, "sigma": 0.3})
	const n = 3
	d := m.Dim()
	x := points(n, d, 5)
	at := func(e energies.Energy) []float64 {
		out := make([]float64, n)
		e.Energy(out, x)
		for i := range out {
			q := 0.0
			for _, v := range x[i*d : (i+1)*d] {
				q += v * v
			}
			out[i] -= 0.1 * 0.5 * q
		}
		return out
	}
	own, a3, a1, a01 := at(m), at(m.At(0.3)), at(m.At(1)), at(m.At(0.1))
	for i := range n {
		if own[i] != a3[i] {
			t.Errorf("row %d: Energy %v, At(0.3) %v", i, own[i], a3[i])
		}
		if relErr(0.3*own[i], a1[i]) > 1e-12 || relErr(0.1*a01[i], a1[i]) > 1e-12 {
			t.Errorf("row %d: σ·E at σ = 0.3, 1, 0.1: %v %v %v, want equal with zero σ maps", i, 0.3*own[i], a1[i], 0.1*a01[i])
		}
	}
	m = conditional(t, "float64")
	a1, a01 = at(m.At(1)), at(m.At(0.1))
	for i := range n {
		if relErr(0.1*a01[i], a1[i]) < 1e-3 {
			t.Errorf("row %d: with σ maps set, σ·E is still %v at σ = 1 and 0.1", i, a1[i])
		}
	}
	if s := m.String(); !strings.HasSuffix(s, ", noise-conditional (σ = 0.3)") {
		t.Errorf("String() = %q", s)
	}
}

// TestConditionalBuildAt: BuildAt with a level per row gives each row the
// energy At(σ_i) gives it, its leaves cover Params in order, and its
// parameter gradient matches central differences of Σᵢ E(xᵢ, σᵢ), σ maps
// included; Build is BuildAt at the model's own level; the float32 graph
// agrees with the float64 one to float32 rounding.
func TestConditionalBuildAt(t *testing.T) {
	m := conditional(t, "float64")
	const n = 4
	d := m.Dim()
	x := points(n, d, 6)
	sig := []float64{0.1, 0.3, 0.7, 1.5}
	want := make([]float64, n)
	for i, s := range sig {
		m.At(s).Energy(want[i:i+1], x[i*d:(i+1)*d])
	}
	g := autodiff.New()
	en, params := m.BuildAt(g, g.Input(x, n, d), sig)
	for i, v := range g.Value(en) {
		if relErr(v, want[i]) > 1e-12 {
			t.Errorf("row %d at σ = %v: BuildAt %v, At %v", i, sig[i], v, want[i])
		}
	}
	p := m.Params()
	leavesCoverParams(t, g, params, p)
	flat := make([]float64, len(p))
	g.Flatten(flat, g.Grad([]autodiff.Node{g.Sum(en)}, params, nil, false))
	sum := func() float64 {
		s := 0.0
		e := make([]float64, 1)
		for i, sg := range sig {
			m.At(sg).Energy(e, x[i*d:(i+1)*d])
			s += e[0]
		}
		return s
	}
	maps := len(small(t, "float64", nil).Params())
	checkParamGrad(t, p, flat, sum, func(j int) bool { return j >= maps || j%7 == 0 }) // every σ map weight, a seventh of the others

	g2 := autodiff.New()
	own, _ := m.Build(g2, g2.Input(x, n, d))
	at := make([]float64, n)
	m.Energy(at, x)
	for i, v := range g2.Value(own) {
		if relErr(v, at[i]) > 1e-12 {
			t.Errorf("row %d: Build %v, Energy %v", i, v, at[i])
		}
	}

	m32 := conditional(t, "float32")
	g32 := autodiff.New32()
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	m32.Params32()
	e32, params32 := m32.BuildAt32(g32, g32.Input(x32, n, d), sig)
	if len(params32) != len(params) {
		t.Fatalf("BuildAt32 returns %d leaves, BuildAt %d", len(params32), len(params))
	}
	for i, v := range g32.Value(e32) {
		if relErr(float64(v), want[i]) > 1e-4 {
			t.Errorf("row %d: BuildAt32 %v, float64 %v", i, v, want[i])
		}
	}
}

// TestConditionalErrors: sigma belongs to noise_conditional and is required
// by it; a conditional model loads no PyTorch weights.
func TestConditionalErrors(t *testing.T) {
	checkKeyErrors(t, []keyCase{
		{map[string]any{"noise_conditional": true}, "sigma"},
		{map[string]any{"noise_conditional": true, "sigma": -0.1}, "sigma"},
		{map[string]any{"noise_conditional": true, "sigma": math.Inf(1)}, "sigma"},
		{map[string]any{"sigma": 0.1}, "sigma"},
		{map[string]any{"noise_conditional": true, "sigma": 0.1, "weights": "w.safetensors"}, "weights"},
	})
	if energies.Conditional(small(t, "float64", nil)) != nil {
		t.Error("a convnet without noise_conditional reports itself conditional")
	}
	m := conditional(t, "float64")
	if energies.Conditional(m) == nil || m.Sigma() != 0.3 {
		t.Errorf("noise_conditional model: Conditional %v, Sigma %v", energies.Conditional(m), m.Sigma())
	}
}

// keyCase is a convnet table's extra keys (beside type and in_shape) and
// the key its error must name.
type keyCase struct {
	extra map[string]any
	key   string
}

// checkKeyErrors fails t unless every case's table is refused with a
// one-line error naming its key.
func checkKeyErrors(t *testing.T, cases []keyCase) {
	t.Helper()
	for _, c := range cases {
		table := map[string]any{"type": "convnet", "in_shape": []any{1, 8, 8}}
		for k, v := range c.extra {
			table[k] = v
		}
		_, err := energies.FromTable(table)
		if err == nil || !strings.Contains(err.Error(), `"`+c.key+`"`) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line naming %q", c.extra, err, c.key)
		}
	}
}
