package samplers_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// drvGauss is a test-local diagonal Gaussian, E(x) = Σ (x_j − mu_j)²/(2 s_j²),
// so the sampler tests do not depend on the energies package's own.
type drvGauss struct {
	mu, s []float64
	calls atomic.Int64  // batch calls, for the tests that count them
	sleep time.Duration // per batch call, to slow a run down
}

func newDrvGauss(mu, s []float64) *drvGauss { return &drvGauss{mu: mu, s: s} }

func (g *drvGauss) Dim() int { return len(g.mu) }

func (g *drvGauss) Energy(e, x []float64) { g.Gradient(e, nil, x) }

func (g *drvGauss) Gradient(e, grad, x []float64) {
	g.calls.Add(1)
	if g.sleep > 0 {
		time.Sleep(g.sleep)
	}
	d := len(g.mu)
	n := energies.CheckBatch(d, e, grad, x)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < d; j++ {
			z := (x[i*d+j] - g.mu[j]) / g.s[j]
			s += z * z / 2
			if grad != nil {
				grad[i*d+j] = z / g.s[j]
			}
		}
		e[i] = s
	}
}

// sampleOnly builds a registered sampler from a table holding only its type:
// every sampler must run with its defaults.
func sampleOnly(t testing.TB, name string) samplers.Sampler {
	t.Helper()
	s, err := samplers.FromTable(map[string]any{"type": name})
	if err != nil {
		t.Fatalf("sampler %q with only `type` set is invalid: %v", name, err)
	}
	return s
}

// TestWorkersBitIdentical checks the central reproducibility promise: for
// every registered sampler the draws do not depend on how chains are split
// over workers (23 chains: not divisible by 2 or 7). A failure means some
// state (adaptation, random numbers, scratch) is shared across chains of a
// shard or depends on the shard layout.
func TestWorkersBitIdentical(t *testing.T) {
	g := newDrvGauss([]float64{1, -2, 0.5}, []float64{1, 2, 0.3})
	for _, name := range samplers.Names() {
		t.Run(name, func(t *testing.T) {
			s := sampleOnly(t, name)
			var ref *samplers.Result
			for _, w := range []int{1, 2, 7} {
				o := samplers.Options{Chains: 23, Warmup: 30, Draws: 20, Thin: 2, Seed: 11, Workers: w}
				res, err := samplers.Run(context.Background(), g, s, o)
				if err != nil {
					t.Fatalf("workers=%d: %v", w, err)
				}
				if ref == nil {
					ref = res
					if res.Sampling.Transitions != int64(23*40) {
						t.Errorf("sampling transitions = %d, want %d (one per chain per step)", res.Sampling.Transitions, 23*40)
					}
					continue
				}
				if !slices.Equal(res.Samples, ref.Samples) || !slices.Equal(res.Energy, ref.Energy) {
					t.Fatalf("workers=%d: draws differ from workers=1", w)
				}
				a, b := res.Warmup, ref.Warmup
				a2, b2 := res.Sampling, ref.Sampling
				if a.Accepted != b.Accepted || a2.Accepted != b2.Accepted || a.Divergences != b.Divergences ||
					a2.Transitions != b2.Transitions || math.Abs(a2.AcceptSum-b2.AcceptSum) > 1e-9*b2.AcceptSum {
					t.Errorf("workers=%d: stats %+v / %+v differ from workers=1 %+v / %+v", w, a, a2, b, b2)
				}
			}
		})
	}
}

// TestThinKeepsRightIterations checks that Thin = 3 keeps post-warmup
// iterations 3, 6, 9, … (1-based) of the same run with Thin = 1; a failure
// means the driver stores the wrong iterations or lets thinning change the
// chain itself.
func TestThinKeepsRightIterations(t *testing.T) {
	g := newDrvGauss([]float64{0, 0}, []float64{1, 1})
	for _, name := range []string{"mh", "mala"} {
		s := sampleOnly(t, name)
		full, err := samplers.Run(context.Background(), g, s, samplers.Options{Chains: 5, Warmup: 10, Draws: 30, Seed: 3, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		thin, err := samplers.Run(context.Background(), g, s, samplers.Options{Chains: 5, Warmup: 10, Draws: 10, Thin: 3, Seed: 3, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		for c := 0; c < 5; c++ {
			for t2 := 0; t2 < 10; t2++ {
				want := full.Samples[(c*30+3*t2+2)*2 : (c*30+3*t2+3)*2]
				got := thin.Samples[(c*10+t2)*2 : (c*10+t2+1)*2]
				if !slices.Equal(got, want) || thin.Energy[c*10+t2] != full.Energy[c*30+3*t2+2] {
					t.Fatalf("%s: chain %d thinned draw %d = %v, want full draw %d = %v", name, c, t2, got, 3*t2+2, want)
				}
			}
		}
	}
}

// TestCancelFromProgress cancels a long run from its Progress callback.
// Run must return the context's error with Partial set and arrays cut to a
// whole number of draws that every chain completed, equal to the first draws
// of an uncancelled run. A failure means cancellation is ignored, reported
// wrongly, or leaves half-written draws in the result.
func TestCancelFromProgress(t *testing.T) {
	g := newDrvGauss([]float64{0}, []float64{1})
	g.sleep = 200 * time.Microsecond // 100 000 steps would take ≥ 20 s: only cancellation ends it early
	s := sampleOnly(t, "mh")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := samplers.Options{Chains: 7, Warmup: 5, Draws: 100000, Seed: 5, Workers: 3,
		Progress: func(done, total int) {
			if done > 10 {
				cancel()
			}
		}}
	res, err := samplers.Run(ctx, g, s, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res == nil || !res.Partial {
		t.Fatalf("cancelled run: result %v, want Partial", res)
	}
	if res.Draws <= 0 || res.Draws >= o.Draws {
		t.Fatalf("cancelled run kept %d draws, want some but fewer than %d", res.Draws, o.Draws)
	}
	if len(res.Samples) != 7*res.Draws || len(res.Energy) != 7*res.Draws {
		t.Fatalf("arrays of %d and %d values for %d chains × %d draws", len(res.Samples), len(res.Energy), 7, res.Draws)
	}
	g.sleep = 0
	o2 := o
	o2.Draws, o2.Progress = res.Draws, nil
	ref, err := samplers.Run(context.Background(), g, s, o2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Samples, ref.Samples) || !slices.Equal(res.Energy, ref.Energy) {
		t.Fatal("draws of the cancelled run differ from the first draws of a full run")
	}
}

// TestBadOptions checks that invalid Options are errors naming the option,
// not panics or silent defaults.
func TestBadOptions(t *testing.T) {
	g := newDrvGauss([]float64{0}, []float64{1})
	s := sampleOnly(t, "mh")
	for _, tc := range []struct {
		o    samplers.Options
		want string
	}{
		{samplers.Options{Chains: 0, Draws: 10}, "chains"},
		{samplers.Options{Chains: -3, Draws: 10}, "chains"},
		{samplers.Options{Chains: 2, Draws: 0}, "draws"},
		{samplers.Options{Chains: 2, Draws: 5, Warmup: -1}, "warmup"},
		{samplers.Options{Chains: 2, Draws: 5, Thin: -2}, "thin"},
	} {
		res, err := samplers.Run(context.Background(), g, s, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Options %+v: err = %v, want an error about %s", tc.o, err, tc.want)
		}
		if res != nil {
			t.Errorf("Options %+v: got a result with the error", tc.o)
		}
	}
}

// TestNonFiniteStartIsError checks that chains started where E is not
// finite make Run fail with an error (for every registered sampler), rather
// than run chains that can never mean anything.
func TestNonFiniteStartIsError(t *testing.T) {
	g := newDrvGauss([]float64{0}, []float64{1})
	for _, name := range samplers.Names() {
		o := samplers.Options{Chains: 3, Draws: 5, Seed: 1,
			Init: func(c int, _ *rng.Stream, x []float64) { x[0] = math.NaN() }}
		if _, err := samplers.Run(context.Background(), g, sampleOnly(t, name), o); err == nil {
			t.Errorf("%s: Run from NaN starting points returned no error", name)
		}
	}
}

// TestInitSeesChainIndex checks that Options.Init is called once per chain
// with the run-wide chain index whatever the sharding, and that the draws
// start from what it wrote.
func TestInitSeesChainIndex(t *testing.T) {
	g := newDrvGauss([]float64{0}, []float64{1e-3}) // tiny std: chains barely move from 0
	var seen [9]atomic.Int32
	o := samplers.Options{Chains: 9, Draws: 1, Seed: 2, Workers: 4,
		Init: func(c int, _ *rng.Stream, x []float64) { seen[c].Add(1); x[0] = float64(c) }}
	s := &samplers.MH{Scale: 1e-9, TargetAccept: 0.5} // adapt off: a tiny fixed step
	res, err := samplers.Run(context.Background(), g, s, o)
	if err != nil {
		t.Fatal(err)
	}
	for c := range seen {
		if n := seen[c].Load(); n != 1 {
			t.Errorf("Init called %d times for chain %d, want 1", n, c)
		}
		if x := res.Samples[c]; math.Abs(x-float64(c)) > 1e-6 {
			t.Errorf("chain %d's first draw %v, want ≈ its start %d", c, x, c)
		}
	}
}
