package samplers_test

import (
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// oneStep starts sampler s on one 1-D chain at x0 with stream (seed, 0),
// takes one non-warmup step and returns the shard's stats.
func oneStep(t *testing.T, s samplers.Sampler, g *drvGauss, x0 float64, seed uint64) samplers.Stats {
	t.Helper()
	c := samplers.NewChains(g, 1, 0, seed)
	c.X[0] = x0
	k, err := s.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	before := c.Stats
	k.Step(c, samplers.Iter{I: 0, Warmup: 0, Total: 1})
	return c.Stats.Sub(before)
}

// TestMHAcceptByHand replays chain 0's stream to rebuild the proposal
// x′ = x + scale·ξ and checks Stats.AcceptSum against min(1, exp(E(x) − E(x′)))
// computed by hand. A failure means the MH ratio, the proposal or the order
// in which the stream is consumed is wrong.
func TestMHAcceptByHand(t *testing.T) {
	g := newDrvGauss([]float64{0.3}, []float64{0.8})
	en := func(x float64) float64 { z := (x - 0.3) / 0.8; return z * z / 2 }
	var below1 int
	for seed := uint64(1); seed <= 30; seed++ {
		x0, scale := 0.5, 1.3
		s := &samplers.MH{Scale: scale, TargetAccept: 0.234, Adapt: false}
		st := oneStep(t, s, g, x0, seed)
		r := rng.New(seed, 0)
		xp := x0 + scale*r.Norm()
		want := math.Min(1, math.Exp(en(x0)-en(xp)))
		if want < 1 {
			below1++
		}
		if math.Abs(st.AcceptSum-want) > 1e-12 || st.Transitions != 1 {
			t.Errorf("seed %d: AcceptSum %v over %d transitions, want %v", seed, st.AcceptSum, st.Transitions, want)
		}
	}
	t.Logf("%d of the seeds gave α < 1", below1)
	if below1 < 5 {
		t.Fatalf("only %d seeds produced α < 1: the test checks too little", below1)
	}
}

// TestMHAdaptsScale checks that warmup adaptation moves the acceptance rate
// of a 1-D Gaussian to near target_accept from a scale far too small, and
// that the scale is then frozen (post-warmup acceptance stays near target).
// A failure means the adaptation runs the wrong way or is not applied.
func TestMHAdaptsScale(t *testing.T) {
	g := newDrvGauss([]float64{0}, []float64{1})
	s := &samplers.MH{Scale: 0.01, TargetAccept: 0.3, Adapt: true}
	res, err := runQuiet(g, s, 50, 1000, 500)
	if err != nil {
		t.Fatal(err)
	}
	// 25 000 transitions: the MC error of the rate is well below 0.02 even
	// with per-chain differences in the frozen scale.
	if a := res.Sampling.AcceptanceRate(); math.Abs(a-0.3) > 0.05 {
		t.Errorf("post-warmup acceptance %.3f, want ≈ 0.3", a)
	}
}

// TestMHConfig checks the keys: defaults valid, bad values errors naming the key.
func TestMHConfig(t *testing.T) {
	for _, tc := range []struct {
		table map[string]any
		want  string
	}{
		{map[string]any{"type": "mh", "scale": -1.0}, "scale"},
		{map[string]any{"type": "mh", "target_accept": 1.0}, "target_accept"},
		{map[string]any{"type": "mh", "target_accept": 0}, "target_accept"},
		{map[string]any{"type": "mh", "step_size": 0.1}, "step_size"},
		{map[string]any{"type": "mh", "adapt": 1}, "adapt"},
	} {
		_, err := samplers.FromTable(tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want one naming %q", tc.table, err, tc.want)
		}
	}
	if _, err := samplers.FromTable(map[string]any{"type": "mh", "scale": 0.5, "target_accept": 0.4, "adapt": false}); err != nil {
		t.Errorf("valid mh table rejected: %v", err)
	}
}
