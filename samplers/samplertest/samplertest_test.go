package samplertest_test

import (
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/samplers/samplertest"
)

// langevin is a ULA-like sampler written outside ebm, as a third party
// would: x′ = x − η∇E(x) + noise·ξ. noiseFactor 1 gives the correct noise
// √(2η); 1/√2 gives √η, the seed text's slip, which targets exp(−2E).
type langevin struct {
	eta, noiseFactor float64
	sharedStream     bool // draw every chain's noise from the shard's first stream (a bug)
}

func (l langevin) Start(c *samplers.Chains) (samplers.Kernel, error) {
	c.EvalGradient(c.E, c.Grad, c.X)
	return &langevinKernel{l, make([]float64, c.N*c.Dim)}, nil
}

type langevinKernel struct {
	langevin
	prop []float64
}

func (k *langevinKernel) Step(c *samplers.Chains, _ samplers.Iter) {
	noise := k.noiseFactor * math.Sqrt(2*k.eta)
	for i := range c.N {
		r := &c.Rng[i]
		if k.sharedStream {
			r = &c.Rng[0]
		}
		for j := i * c.Dim; j < (i+1)*c.Dim; j++ {
			k.prop[j] = c.X[j] - k.eta*c.Grad[j] + noise*r.Norm()
		}
	}
	copy(c.X, k.prop)
	c.EvalGradient(c.E, c.Grad, c.X)
	c.Stats.Transitions += int64(c.N)
	c.Stats.AcceptSum += float64(c.N)
	c.Stats.Accepted += int64(c.N)
}

// std2 is a standard 2-D Gaussian target: ULA's bias there is only
// η/2 = 0.5% of the variance at η = 0.01, far below the Monte Carlo error of
// the small budgets below.
func std2(t *testing.T) []samplertest.Target {
	e, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{0.0, 0.0}, "std": []any{1.0, 1.0}})
	if err != nil {
		t.Fatal(err)
	}
	return []samplertest.Target{{Name: "std2", Energy: e}}
}

var small = samplertest.Budget{Chains: 64, Warmup: 300, Draws: 400, Thin: 5}

// TestCorrectLangevinPasses: the kit passes a correct custom sampler (so the
// failure below is the noise, not the harness).
func TestCorrectLangevinPasses(t *testing.T) {
	samplertest.Check(t, langevin{eta: 0.01, noiseFactor: 1}, samplertest.Options{
		Targets: std2(t), Budget: small, Seed: 1})
}

// TestWrongNoiseFails: the same sampler with its noise scale off by √2
// samples exp(−2E): variances are halved. The kit must fail it on the
// variances and report the numbers.
func TestWrongNoiseFails(t *testing.T) {
	err := samplertest.TestSampler(langevin{eta: 0.01, noiseFactor: 1 / math.Sqrt2}, samplertest.Options{
		Targets: std2(t), Budget: small, Seed: 1, Log: t.Logf})
	if err == nil {
		t.Fatal("samplertest passed a Langevin sampler whose noise is √η instead of √(2η)")
	}
	t.Logf("%v", err)
	for _, want := range []string{"moments on std2: variance of dim 0 is", "moments on std2: variance of dim 1 is", "want 1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q", want)
		}
	}
	if strings.Contains(err.Error(), "workers") || strings.Contains(err.Error(), "cancel") {
		t.Errorf("only the moments should fail: %v", err)
	}
}

// TestWrongNoiseFailsDefaultTargets: the same on the default targets with
// a CI-sized budget.
func TestWrongNoiseFailsDefaultTargets(t *testing.T) {
	err := samplertest.TestSampler(langevin{eta: 0.01, noiseFactor: 1 / math.Sqrt2}, samplertest.Options{
		Budget: samplertest.Budget{Chains: 32, Warmup: 1000, Draws: 200, Thin: 5}, Seed: 1,
		SkipWorkers: true, SkipCancel: true, Log: t.Logf})
	if err == nil {
		t.Fatal("samplertest passed a Langevin sampler whose noise is √η instead of √(2η)")
	}
	for _, want := range []string{"moments on gauss4: variance", "moments on gmm2: variance", "moments on banana: variance"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestSharedStreamFails: a kernel that draws all chains' noise from the
// shard's first stream gives draws that depend on the shard layout.
func TestSharedStreamFails(t *testing.T) {
	err := samplertest.TestSampler(langevin{eta: 0.01, noiseFactor: 1, sharedStream: true}, samplertest.Options{
		Targets: std2(t), SkipMoments: true, SkipCancel: true})
	if err == nil || !strings.Contains(err.Error(), "workers on std2: draws differ between 1 and 2 workers") {
		t.Fatalf("want a worker-invariance failure, got %v", err)
	}
	t.Logf("%v", err)
}

// TestRegisteredULA: the kit on ebm's own ULA with the CI-sized budget of
// ebm's own tests, on std2 (the broad checks of every registered sampler
// live in the samplers package's tests).
func TestRegisteredULA(t *testing.T) {
	s, err := samplers.FromTable(map[string]any{"type": "ula", "step_size": 0.01})
	if err != nil {
		t.Fatal(err)
	}
	samplertest.Check(t, s, samplertest.Options{Targets: std2(t), Budget: small, Seed: 3})
}
