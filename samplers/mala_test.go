package samplers_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// runQuiet runs s on g with a fixed seed and 2 workers.
func runQuiet(g *drvGauss, s samplers.Sampler, chains, warmup, draws int) (*samplers.Result, error) {
	return samplers.Run(context.Background(), g, s,
		samplers.Options{Chains: chains, Warmup: warmup, Draws: draws, Seed: 7, Workers: 2})
}

// TestMALAAcceptByHand replays chain 0's stream to rebuild the Langevin
// proposal and computes min(1, α) with
// log α = E(x) − E(x′) + log q(x|x′) − log q(x′|x), log q(a|b) = −(a − b + η∇E(b))²/(4η),
// against Stats.AcceptSum. A failure means a wrong sign, a missing proposal
// correction or a wrong noise scale.
func TestMALAAcceptByHand(t *testing.T) {
	mu, sd := -0.4, 1.5
	g := newDrvGauss([]float64{mu}, []float64{sd})
	en := func(x float64) float64 { z := (x - mu) / sd; return z * z / 2 }
	grad := func(x float64) float64 { return (x - mu) / (sd * sd) }
	logq := func(a, b, eta float64) float64 { r := a - b + eta*grad(b); return -r * r / (4 * eta) }
	var below1 int
	for seed := uint64(1); seed <= 40; seed++ {
		x0, eta := 1.7, 2.5
		s := &samplers.MALA{StepSize: eta, TargetAccept: 0.5, Adapt: false}
		st := oneStep(t, s, g, x0, seed)
		r := rng.New(seed, 0)
		xp := x0 - eta*grad(x0) + math.Sqrt(2*eta)*r.Norm()
		want := math.Min(1, math.Exp(en(x0)-en(xp)+logq(x0, xp, eta)-logq(xp, x0, eta)))
		if want < 1 {
			below1++
		}
		if math.Abs(st.AcceptSum-want) > 1e-12 || st.Transitions != 1 {
			t.Errorf("seed %d: AcceptSum %v over %d transitions, want %v", seed, st.AcceptSum, st.Transitions, want)
		}
	}
	t.Logf("%d of the seeds gave α < 1", below1)
	if below1 < 10 {
		t.Fatalf("only %d seeds produced α < 1: the test checks too little", below1)
	}
}

// TestMALAAdaptsStep checks that warmup dual averaging brings the
// acceptance rate near target_accept from a step far too large, and that the
// frozen step keeps it there after warmup. A failure means the adaptation
// runs the wrong way or the final averaged step is not used.
func TestMALAAdaptsStep(t *testing.T) {
	g := newDrvGauss([]float64{0, 0}, []float64{1, 0.2})
	s := &samplers.MALA{StepSize: 5, TargetAccept: 0.574, Adapt: true}
	res, err := runQuiet(g, s, 50, 1000, 500)
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Sampling.AcceptanceRate(); math.Abs(a-0.574) > 0.06 {
		t.Errorf("post-warmup acceptance %.3f, want ≈ 0.574", a)
	}
}

// TestMALAConfig checks the keys: bad values are errors naming the key.
func TestMALAConfig(t *testing.T) {
	for _, tc := range []struct {
		table map[string]any
		want  string
	}{
		{map[string]any{"type": "mala", "step_size": 0}, "step_size"},
		{map[string]any{"type": "mala", "step_size": math.Inf(1)}, "step_size"},
		{map[string]any{"type": "mala", "target_accept": -0.1}, "target_accept"},
		{map[string]any{"type": "mala", "scale": 1.0}, "scale"},
	} {
		_, err := samplers.FromTable(tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want one naming %q", tc.table, err, tc.want)
		}
	}
}
