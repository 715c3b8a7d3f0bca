package samplers_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/goebm/ebm/diagnostics"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/samplers/samplertest"
)

// ptFrom builds a pt sampler from its keys (type added).
func ptFrom(t testing.TB, keys map[string]any) samplers.Sampler {
	t.Helper()
	table := map[string]any{"type": "pt"}
	for k, v := range keys {
		table[k] = v
	}
	s, err := samplers.FromTable(table)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mixture is a 2-D isotropic Gaussian mixture for the mixing tests.
type mixture struct {
	name    string
	weights []float64
	means   [][2]float64
	std     float64
	init    func(c int, r *rng.Stream, x []float64)
}

func (m mixture) energy(t testing.TB) energies.Energy {
	t.Helper()
	w, mu, sd := make([]any, len(m.weights)), make([]any, len(m.weights)), make([]any, len(m.weights))
	for k := range m.weights {
		w[k], mu[k], sd[k] = m.weights[k], []any{m.means[k][0], m.means[k][1]}, m.std
	}
	e, err := energies.FromTable(map[string]any{"type": "gmm", "weights": w, "means": mu, "stds": sd})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// nearest is the index of the mean closest to (x, y): the mode a draw is in.
func (m mixture) nearest(x, y float64) int {
	best, bd := 0, math.Inf(1)
	for k, mu := range m.means {
		if d := (x-mu[0])*(x-mu[0]) + (y-mu[1])*(y-mu[1]); d < bd {
			best, bd = k, d
		}
	}
	return best
}

// cellMass returns the exact probability of each mode's cell (the points
// nearest to its mean) by quadrature of exp(−E) on a fine grid: the share
// of draws each mode must get. It differs from the weights by the mass the
// components leak into their neighbours' cells (≈ 0.1% on the 8-mode ring).
func (m mixture) cellMass(e energies.Energy) []float64 {
	const h, lim = 0.02, 9.0
	n := int(2 * lim / h)
	x := make([]float64, 2*n)
	en := make([]float64, n)
	mass := make([]float64, len(m.means))
	for a := range n {
		for b := range n {
			x[2*b], x[2*b+1] = -lim+(float64(a)+0.5)*h, -lim+(float64(b)+0.5)*h
		}
		e.Energy(en, x)
		for b := range n {
			mass[m.nearest(x[2*b], x[2*b+1])] += math.Exp(-en[b]) * h * h
		}
	}
	return mass
}

// ring returns k modes on a circle of radius 4 with std 0.5, the 8-mode GMM
// of configs/langevin_gmm.toml when the weights are equal.
func ring(name string, weights []float64) mixture {
	m := mixture{name: name, weights: weights, std: 0.5,
		init: func(_ int, r *rng.Stream, x []float64) { x[0], x[1] = -5+10*r.Float64(), -5+10*r.Float64() }}
	for k := range weights {
		a := 2 * math.Pi * float64(k) / float64(len(weights))
		m.means = append(m.means, [2]float64{4 * math.Cos(a), 4 * math.Sin(a)})
	}
	return m
}

// twoModes is the Fig. 1 mixture (configs/fig1_mh_gmm.toml) with the given
// weights, the chains starting far above the modes as there.
func twoModes(name string, w0, w1 float64) mixture {
	return mixture{name: name, weights: []float64{w0, w1}, means: [][2]float64{{-2, 0}, {2, 0}}, std: 0.5,
		init: func(_ int, r *rng.Stream, x []float64) { x[0], x[1] = r.Norm(), 10+r.Norm() }}
}

// modeCheck returns the largest R-hat over the dimensions and, per mode,
// the share of draws in its cell, the true share and the z-score
// (share − true)/MCSE with MCSE = √(p(1−p)/ESS of the mode's indicator).
func modeCheck(res *samplers.Result, m mixture, truth []float64) (rhat float64, share, z []float64) {
	for j := range res.Dim {
		rhat = max(rhat, diagnostics.RHat(res.Dimension(j)))
	}
	for k := range m.means {
		ind := make([][]float64, res.Chains)
		s := 0.0
		for c := range ind {
			ind[c] = make([]float64, res.Draws)
			for t := range ind[c] {
				p := res.Samples[(c*res.Draws+t)*2:]
				if m.nearest(p[0], p[1]) == k {
					ind[c][t] = 1
					s++
				}
			}
		}
		p := truth[k]
		share = append(share, s/float64(res.Chains*res.Draws))
		z = append(z, (share[k]-p)/math.Sqrt(p*(1-p)/diagnostics.ESS(ind)))
	}
	return rhat, share, z
}

// TestPTMixesModes runs pt (levels 6, t_max 10, MALA moves) on the Fig. 1
// two-mode mixture and on the 8-mode ring of configs/langevin_gmm.toml,
// with equal and unequal weights, and demands what local samplers cannot
// deliver there: R-hat ≤ 1.01 in every dimension and the share of draws
// in each mode within 4 Monte Carlo standard errors of its true mass. The
// move alone (MALA) is run on the same targets and must fail the R-hat
// test, so the targets do need the tempering. A failure means the swaps do
// not move states between temperatures correctly (a wrong acceptance ratio
// biases the mode shares), or that the ladder does not connect the modes.
func TestPTMixesModes(t *testing.T) {
	chains, draws := 100, 2000
	if testing.Short() {
		chains = 40
	}
	pt := ptFrom(t, map[string]any{"levels": 6, "t_max": 10.0})
	mala := sampleOnly(t, "mala")
	for _, m := range []mixture{
		twoModes("fig1", 0.5, 0.5),
		twoModes("fig1-unequal", 0.2, 0.8),
		ring("ring8", []float64{1, 1, 1, 1, 1, 1, 1, 1}),
		ring("ring8-unequal", []float64{4, 1, 3, 1, 2, 1, 3, 1}),
	} {
		t.Run(m.name, func(t *testing.T) {
			e := m.energy(t)
			truth := m.cellMass(e)
			o := samplers.Options{Chains: chains, Warmup: 500, Draws: draws, Seed: 16, Init: m.init}
			res, err := samplers.Run(context.Background(), e, pt, o)
			if err != nil {
				t.Fatal(err)
			}
			rhat, share, z := modeCheck(res, m, truth)
			var b strings.Builder
			for k := range share {
				fmt.Fprintf(&b, " %.4f/%.4f (z %+.2f)", share[k], truth[k], z[k])
			}
			t.Logf("pt: R-hat %.4f; share/true per mode:%s", rhat, b.String())
			if !(rhat <= 1.01) {
				t.Errorf("R-hat %.4f > 1.01: the chains have not mixed across the modes", rhat)
			}
			for k := range z {
				if !(math.Abs(z[k]) < 4) {
					t.Errorf("mode %d (mean %v): share %.4f, want %.4f: z = %.2f (|z| must be < 4)", k, m.means[k], share[k], truth[k], z[k])
				}
			}
			o.Chains, o.Draws = 40, 500
			ref, err := samplers.Run(context.Background(), e, mala, o)
			if err != nil {
				t.Fatal(err)
			}
			rm, _, _ := modeCheck(ref, m, truth)
			t.Logf("mala alone: R-hat %.4f", rm)
			if !(rm > 1.1) {
				t.Errorf("mala alone mixes here (R-hat %.4f): the target does not test tempering", rm)
			}
		})
	}
}

// TestPTConformance runs the conformance kit on pt with a non-default
// ladder (a temperatures list), swaps every third iteration and HMC moves:
// moments on the kit's targets, bit-identical draws on 1, 2 and 3 workers,
// cancellation. (The default pt runs in TestSamplersConformance with every
// registered sampler.) A failure means the swaps or the tempered replicas
// break the T = 1 target, or that a replica's stream or state depends on
// the shard layout.
func TestPTConformance(t *testing.T) {
	chains := 200
	if testing.Short() {
		chains = 60
	}
	// HMC with a fixed trajectory length is nearly antithetic on these
	// Gaussian-like targets; interleaved with the swaps, that makes the
	// autocorrelation oscillate and the ESS (Geyer's initial sequence)
	// overestimate: |z| reached 3.7 at 2000 chains, equally often of either
	// sign (the y-coordinate of gmm2, whose mean is 0 by symmetry, so this
	// is the MCSE and not a bias). Jittered lengths and thinning by 3 keep
	// the MCSE honest.
	s := ptFrom(t, map[string]any{"temperatures": []any{1.0, 2.0, 5.0}, "swap_every": 3,
		"move": map[string]any{"type": "hmc", "leapfrog_steps": 5, "jitter": true}})
	samplertest.Check(t, s, samplertest.Options{
		Budget: samplertest.Budget{Chains: chains, Warmup: 500, Draws: 1000, Thin: 3},
		Seed:   7,
	})
}

// TestPTReplicaState steps a shard by hand and checks that the swap
// schedule attempted exactly the pairs it documents (warmup and sampling
// apart), that swaps were accepted on every pair, the counters
// (transitions of the T = 1 chains only, gradient evaluations of every
// replica), and that the T = 1 chains hold E(x) and ∇E(x) at their
// positions after states arrived from above. A failure means the schedule
// or the counters differ from the documentation, or that a swap brought a
// position to T = 1 without its energy or gradient.
func TestPTReplicaState(t *testing.T) {
	m := ring("ring8", []float64{1, 1, 1, 1, 1, 1, 1, 1})
	e := m.energy(t)
	const n, iters, every = 9, 60, 2
	temps := []float64{1, 1.7, 3, 6}
	s := ptFrom(t, map[string]any{"temperatures": []any{1.0, 1.7, 3.0, 6.0}, "swap_every": every})
	c := samplers.NewChains(e, n, 3, 5)
	for i := range n {
		m.init(i, &c.Rng[i], c.X[2*i:2*i+2])
	}
	kern, err := s.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	pk, ok := kern.(samplers.PTKernel)
	if !ok {
		t.Fatalf("pt kernel %T does not implement samplers.PTKernel", kern)
	}
	ee, g := make([]float64, 1), make([]float64, 2)
	for it := range iters {
		kern.Step(c, samplers.Iter{I: it, Warmup: iters / 2, Total: iters})
	}
	warm, samp := pk.SwapStats()
	// Rounds at iterations i with (i+1) % every == 0; round r = (i+1)/every
	// proposes the pairs k ≡ r (mod 2).
	wantW, wantS := make([]int64, 3), make([]int64, 3)
	for it := range iters {
		if (it+1)%every != 0 {
			continue
		}
		for k := ((it + 1) / every) % 2; k < 3; k += 2 {
			if it < iters/2 {
				wantW[k] += n
			} else {
				wantS[k] += n
			}
		}
	}
	for k := range 3 {
		if warm.Attempts[k] != wantW[k] || samp.Attempts[k] != wantS[k] {
			t.Errorf("pair %d: attempts warmup %d, sampling %d; want %d, %d", k, warm.Attempts[k], samp.Attempts[k], wantW[k], wantS[k])
		}
		if warm.Accepted[k]+samp.Accepted[k] == 0 {
			t.Errorf("pair %d: no swap accepted in %d attempts", k, warm.Attempts[k]+samp.Attempts[k])
		}
	}
	t.Logf("swap rates (warmup, sampling): %.3f, %.3f", warm.Rates(), samp.Rates())
	// Every replica's stored energy and gradient match its positions.
	rs := pk.ReplicaStats()
	if len(rs) != len(temps) {
		t.Fatalf("ReplicaStats has %d entries, want %d", len(rs), len(temps))
	}
	if rs[0].Transitions != n*iters || c.Stats.Transitions != n*iters {
		t.Errorf("T = 1 transitions %d (shard %d), want %d", rs[0].Transitions, c.Stats.Transitions, n*iters)
	}
	var all int64
	for k := 1; k < len(rs); k++ {
		all += rs[k].GradEvals
	}
	// The shard's gradient evaluations are its own plus every replica's.
	if own := c.Stats.GradEvals - all; own != int64(n*(iters+1)) {
		t.Errorf("shard counts %d gradient evaluations of its own (total %d, replicas %d), want %d (MALA: one per chain per step plus the start)",
			own, c.Stats.GradEvals, all, n*(iters+1))
	}
	check := func(k int, x, en, gr []float64) {
		for i := range n {
			e.Gradient(ee, g, x[2*i:2*i+2])
			want := []float64{ee[0] / temps[k], g[0] / temps[k], g[1] / temps[k]}
			got := []float64{en[i], gr[2*i], gr[2*i+1]}
			for j := range want {
				if math.Abs(got[j]-want[j]) > 1e-12*max(1, math.Abs(want[j])) {
					t.Errorf("replica %d (T = %v), chain %d: stored %v, want %v at x = %v", k, temps[k], i, got, want, x[2*i:2*i+2])
					return
				}
			}
		}
	}
	check(0, c.X, c.E, c.Grad) // the other replicas: TestPTReplicasConsistent
}

// TestPTValidate checks that bad keys are one-line errors naming the key,
// and that a bad move names its table [sampler.move].
func TestPTValidate(t *testing.T) {
	for _, tc := range []struct {
		keys map[string]any
		want string
	}{
		{map[string]any{"temperatures": []any{2.0, 4.0}}, `"temperatures": must start at 1`},
		{map[string]any{"temperatures": []any{1.0, 3.0, 3.0}}, `"temperatures": must be strictly increasing`},
		{map[string]any{"temperatures": []any{1.0, math.Inf(1)}}, `"temperatures": temperature 1 is +Inf`},
		{map[string]any{"levels": 0}, `"levels": must be >= 1`},
		{map[string]any{"t_max": 1.0}, `"t_max": must be finite and > 1`},
		{map[string]any{"swap_every": 0}, `"swap_every": must be >= 1`},
		{map[string]any{"move": map[string]any{"type": "mala", "step_size": -1.0}}, "sampler.move"},
		{map[string]any{"move": map[string]any{"type": "mlaa"}}, `did you mean "mala"`},
		{map[string]any{"move": map[string]any{"step_size": 0.1}}, `the default is type = "mala"`},
	} {
		table := map[string]any{"type": "pt"}
		for k, v := range tc.keys {
			table[k] = v
		}
		_, err := samplers.Registry.Build(registry.Context{Table: "sampler"}, table)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.keys, err, tc.want)
		}
	}
	// levels = 1 is the move alone; a list given wins over levels and t_max.
	p := samplers.NewPT()
	p.Levels, p.TMax = 1, 1
	if err := p.Validate(); err != nil {
		t.Errorf("levels = 1, t_max = 1: %v", err)
	}
	p.Temperatures = []float64{1, 3}
	if got := p.Ladder(); len(got) != 2 || got[1] != 3 {
		t.Errorf("Ladder with temperatures [1, 3] = %v", got)
	}
	p = samplers.NewPT()
	p.Levels, p.TMax = 4, 8
	if got := p.Ladder(); got[0] != 1 || got[3] != 8 || math.Abs(got[1]-2) > 1e-15 || math.Abs(got[2]-4) > 1e-14 {
		t.Errorf("geometric ladder 1 … 8 in 4 levels = %v, want [1 2 4 8]", got)
	}
}

// TestPTSwapsReachResult: samplers.Run sums a pt run's swap counts over its
// shards into Result.Swaps, the same at any worker count, so the runner can
// report them; other samplers leave it nil.
func TestPTSwapsReachResult(t *testing.T) {
	e, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{0.0, 0.0}})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := samplers.FromTable(map[string]any{"type": "pt", "levels": int64(3), "t_max": 4.0})
	if err != nil {
		t.Fatal(err)
	}
	var got []*samplers.Swaps
	for _, w := range []int{1, 2} {
		res, err := samplers.Run(context.Background(), e, pt, samplers.Options{Chains: 8, Warmup: 10, Draws: 20, Seed: 3, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if res.Swaps == nil {
			t.Fatal("pt run without Swaps")
		}
		got = append(got, res.Swaps)
	}
	s := got[0].Sampling
	if len(s.Attempts) != 2 || s.Attempts[0]+s.Attempts[1] != 8*20 {
		t.Errorf("post-warmup attempts %v, want one per chain per iteration over 2 pairs (160)", s.Attempts)
	}
	// Counts are exact; the sums of acceptance probabilities are added
	// shard by shard, so their last bits follow the split.
	for _, p := range [][2]samplers.SwapStats{{got[0].Warmup, got[1].Warmup}, {got[0].Sampling, got[1].Sampling}} {
		if !reflect.DeepEqual(p[0].Attempts, p[1].Attempts) || !reflect.DeepEqual(p[0].Accepted, p[1].Accepted) {
			t.Errorf("swap counts depend on the workers: %+v vs %+v", p[0], p[1])
		}
		for k := range p[0].AcceptSum {
			if a, b := p[0].AcceptSum[k], p[1].AcceptSum[k]; math.Abs(a-b) > 1e-12*math.Abs(a) {
				t.Errorf("pair %d: acceptance sums %v and %v", k, a, b)
			}
		}
	}
	mala, _ := samplers.FromTable(map[string]any{"type": "mala"})
	if res, _ := samplers.Run(context.Background(), e, mala, samplers.Options{Chains: 2, Draws: 5, Seed: 1}); res.Swaps != nil {
		t.Error("mala run reports swaps")
	}
}
