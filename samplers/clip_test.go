package samplers_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/samplers"
)

// TestULAClipGradValue checks clip_grad_value against the exact stationary
// law of the clipped diffusion. On N(0, s²), ∇E = x/s² clamped to ±c is the
// gradient of the Huber energy H(x) = x²/(2s²) for |x| ≤ cs² and
// c|x| − c²s²/2 beyond, so the clipped Langevin chain targets exp(−H): a
// Gaussian core with exponential tails, whose second moment the test
// computes by quadrature. With c = 1/s the tails start one standard
// deviation out and the second moment is 2.24 s², far from the unclipped s²
// (and from a clip of the norm, which for d = 1 is the same map, so the test
// also runs in 3-D, where a norm clip differs). The step is small (ULA's
// relative bias η/(2s²) ≈ 0.5 % in the core, none in the tails, where a
// constant drift with Gaussian noise keeps the exact exponential rate), and
// the chains are independent: the last draw of each has the iid standard
// error. A failure means the clip is ignored, applied to the norm, or
// applied with the wrong value.
func TestULAClipGradValue(t *testing.T) {
	const s, eta, chains = 1.0, 0.01, 4000
	c := 1 / s
	// E[x²] under exp(−H) by the trapezoid rule on [−40, 40].
	var z, m2 float64
	for i := -400000; i <= 400000; i++ {
		x := float64(i) * 1e-4
		h := x * x / (2 * s * s)
		if math.Abs(x) > c*s*s {
			h = c*math.Abs(x) - c*c*s*s/2
		}
		p := math.Exp(-h)
		z += p
		m2 += x * x * p
	}
	want := m2 / z
	g := newDrvGauss([]float64{0, 0, 0}, []float64{s, s, s})
	res, err := samplers.Run(context.Background(), g, &samplers.ULA{StepSize: eta, ClipValue: c},
		samplers.Options{Chains: chains, Warmup: 2000, Draws: 1, Seed: 12, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for j := 0; j < 3; j++ {
		var s2, s4 float64
		for i := 0; i < chains; i++ {
			x := res.Samples[i*3+j]
			s2 += x * x
			s4 += x * x * x * x
		}
		n := float64(chains)
		s2, s4 = s2/n, s4/n
		zs := (s2 - want) / math.Sqrt((s4-s2*s2)/n)
		t.Logf("dim %d: E[x²] %.4f, exact under the Huber energy %.4f (unclipped %.4f), z %+.2f", j, s2, want, s*s, zs)
		if math.Abs(zs) > 4 {
			t.Errorf("dim %d: E[x²] = %.4f, want %.4f (z = %.1f): the elementwise clip is wrong", j, s2, want, zs)
		}
	}
}

// TestULAClipGradValueKey checks the key's validation: negative, NaN and
// infinite values are errors naming it.
func TestULAClipGradValueKey(t *testing.T) {
	for _, v := range []float64{-0.01, math.NaN(), math.Inf(1)} {
		_, err := samplers.FromTable(map[string]any{"type": "ula", "clip_grad_value": v})
		if err == nil || !strings.Contains(err.Error(), "clip_grad_value") {
			t.Errorf("clip_grad_value = %v: err = %v, want one naming the key", v, err)
		}
	}
	if _, err := samplers.FromTable(map[string]any{"type": "ula", "clip_grad_value": 0.01}); err != nil {
		t.Errorf("clip_grad_value = 0.01: %v", err)
	}
}
