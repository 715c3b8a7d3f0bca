package samplers_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/samplers"
)

// TestULAStationaryVariance checks ULA against its exact stationary law on
// the 1-D target N(0, s²). With E = x²/(2s²), ∇E = x/s², one ULA step is the
// AR(1) recursion x′ = (1 − a)x + √(2η)ξ with a = η/s². Its stationary
// variance v solves v = (1 − a)²v + 2η, so v = 2η/(a(2 − a)) = s²/(1 − η/(2s²)).
// With η = s²/2 (a = 1/2) that is 4s²/3; a step that used noise √η instead
// (a factor-2 slip in the noise) would give 2s²/3, and the exact target s².
// The draws are thinned by 10 after a 60-step burn-in, so their correlation
// (1/2)^10 is negligible and the iid standard error sqrt((m4 − v²)/n) applies.
func TestULAStationaryVariance(t *testing.T) {
	const s = 1.7
	eta := s * s / 2
	g := newDrvGauss([]float64{0}, []float64{s})
	res, err := samplers.Run(context.Background(), g, &samplers.ULA{StepSize: eta},
		samplers.Options{Chains: 1000, Warmup: 60, Draws: 60, Thin: 10, Seed: 9, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(res.Samples))
	var m2, m4 float64
	for _, x := range res.Samples {
		m2 += x * x
		m4 += x * x * x * x
	}
	m2, m4 = m2/n, m4/n
	se := math.Sqrt((m4 - m2*m2) / n)
	want := s * s / (1 - eta/(2*s*s))
	z := (m2 - want) / se
	t.Logf("ULA variance %.4f, exact %.4f (target s² = %.4f), z = %.2f", m2, want, s*s, z)
	if math.Abs(z) > 4 {
		t.Errorf("ULA stationary variance %.4f ± %.4f, want %.4f (z = %.1f): the step's drift or noise scale is wrong", m2, se, want, z)
	}
	if res.Sampling.AcceptanceRate() != 1 || res.Sampling.Divergences != 0 {
		t.Errorf("ULA acceptance %v with %d divergences, want 1 and 0", res.Sampling.AcceptanceRate(), res.Sampling.Divergences)
	}
}

// TestULANoiseStd checks the decoupled noise: with noise_std σ the 1-D
// Gaussian chain is x′ = (1 − a)x + σξ, stationary variance σ²/(a(2 − a)).
// A failure means noise_std is ignored or applied with the wrong scale.
func TestULANoiseStd(t *testing.T) {
	const s, eta, sigma = 1.0, 0.5, 0.3
	g := newDrvGauss([]float64{0}, []float64{s})
	res, err := samplers.Run(context.Background(), g, &samplers.ULA{StepSize: eta, NoiseStd: sigma},
		samplers.Options{Chains: 1000, Warmup: 60, Draws: 40, Thin: 10, Seed: 4, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(res.Samples))
	var m2, m4 float64
	for _, x := range res.Samples {
		m2 += x * x
		m4 += x * x * x * x
	}
	m2, m4 = m2/n, m4/n
	a := eta / (s * s)
	want := sigma * sigma / (a * (2 - a))
	if z := (m2 - want) / math.Sqrt((m4-m2*m2)/n); math.Abs(z) > 4 {
		t.Errorf("variance with noise_std %.2f: %.4f, want %.4f (z = %.1f)", sigma, m2, want, z)
	}
}

// TestULAConfig checks the keys: bad values are errors naming the key.
func TestULAConfig(t *testing.T) {
	for _, tc := range []struct {
		table map[string]any
		want  string
	}{
		{map[string]any{"type": "ula", "step_size": -0.1}, "step_size"},
		{map[string]any{"type": "ula", "noise_std": -1.0}, "noise_std"},
		{map[string]any{"type": "ula", "adapt": true}, "adapt"},
	} {
		_, err := samplers.FromTable(tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want one naming %q", tc.table, err, tc.want)
		}
	}
}

// TestULAWarnsWhenTempered: a decoupled noise_std makes the chain sample a
// tempered density; building it through the registry must say so (with the
// temperature), and the exact noise must not warn. A failure means users
// of the image-EBM noise setting read tempered draws as draws from exp(−E)
// with no notice.
func TestULAWarnsWhenTempered(t *testing.T) {
	for _, c := range []struct {
		table map[string]any
		want  string
	}{
		{map[string]any{"type": "ula", "step_size": 0.01, "noise_std": 0.01}, "[sampler]: noise_std = 0.01 with step_size = 0.01: the chain targets about exp(−E/T) with T = noise_std²/(2·step_size) = 0.005"},
		{map[string]any{"type": "ula", "step_size": 0.01}, ""},
	} {
		var got []string
		ctx := registry.Context{Table: "sampler", Warn: func(s string) { got = append(got, s) }}
		if _, err := samplers.Registry.Build(ctx, c.table); err != nil {
			t.Fatal(err)
		}
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%v: unexpected warnings %q", c.table, got)
		case c.want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], c.want)):
			t.Errorf("%v: warnings %q, want one starting %q", c.table, got, c.want)
		}
	}
}
