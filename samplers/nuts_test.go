package samplers

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/goebm/ebm/diagnostics"
	"github.com/goebm/ebm/energies"
)

// TestNUTSStandardNormal checks that NUTS (defaults, with warmup) recovers
// the mean 0 and variance 1 of a 1-D and a 2-D standard normal within 4
// Monte Carlo standard errors: otherwise the tree sampling (multinomial
// weights, progressive sampling) is biased.
func TestNUTSStandardNormal(t *testing.T) {
	for _, d := range []int{1, 2} {
		s := make([]float64, d)
		for j := range s {
			s[j] = 1
		}
		_, draws, _, _ := hmRun(t, NewNUTS(), hmGauss{s}, 4, 300, 2000, uint64(40+d))
		for j := 0; j < d; j++ {
			hmCheckMoment(t, draws[j], func(x float64) float64 { return x }, 0, "mean", d, j)
			hmCheckMoment(t, draws[j], func(x float64) float64 { return x * x }, 1, "variance", d, j)
		}
	}
}

// hmCheckMoment checks that the mean of f over the draws is within 4 MCSE
// (from the ESS of f's draws) of want.
func hmCheckMoment(t *testing.T, draws [][]float64, f func(float64) float64, want float64, what string, d, j int) {
	t.Helper()
	fx := make([][]float64, len(draws))
	sum, cnt := 0.0, 0
	for i, ch := range draws {
		fx[i] = make([]float64, len(ch))
		for k, v := range ch {
			fx[i][k] = f(v)
			sum += fx[i][k]
			cnt++
		}
	}
	mean := sum / float64(cnt)
	se := diagnostics.MCSEMean(fx)
	if !(math.Abs(mean-want) <= 4*se) {
		t.Errorf("d=%d dim %d: %s %.4f, want %v ± 4×%.4f (MCSE)", d, j, what, mean, want, se)
	}
}

// TestNUTSMaxDepth sets max_depth = 2 with a step so small that no
// trajectory U-turns: every transition must stop at depth exactly 2 with
// 2² − 1 = 3 leapfrog steps; more means the cap is ignored.
func TestNUTSMaxDepth(t *testing.T) {
	s := NewNUTS()
	s.MaxDepth, s.StepSize, s.Adapt = 2, 0.01, false
	c := NewChains(hmGauss{[]float64{1, 2}}, 3, 0, 9)
	for i := range c.X {
		c.X[i] = 0.5
	}
	k, err := s.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	for it := 0; it < 50; it++ {
		before := c.Stats
		k.Step(c, Iter{I: it, Warmup: 0, Total: 50})
		st := c.Stats.Sub(before)
		if st.TreeDepth != 2*3 || st.Leapfrogs != 3*3 {
			t.Fatalf("iteration %d: tree depths sum %d, leapfrogs %d over 3 chains; want depth 2 and 3 steps each",
				it, st.TreeDepth, st.Leapfrogs)
		}
	}
}

// TestNUTSLeapfrogs counts leapfrog steps on a 5-D standard normal with a
// fixed ε = 0.1. The flow is a rotation of period 2π; the U-turn criterion
// fires once the trajectory spans about half a period (length ≈ π, 31
// steps), and doubling overshoots by up to 2×, so the mean number of steps
// per transition must lie between π/(2ε) and 4π/ε. Far fewer means the
// criterion fires too early (random-walk behaviour); far more, too late.
func TestNUTSLeapfrogs(t *testing.T) {
	s := NewNUTS()
	s.StepSize, s.Adapt = 0.1, false
	_, _, st, _ := hmRun(t, s, hmGauss{[]float64{1, 1, 1, 1, 1}}, 4, 50, 300, 17)
	mean := float64(st.Leapfrogs) / float64(st.Transitions)
	depth := float64(st.TreeDepth) / float64(st.Transitions)
	if lo, hi := math.Pi/(2*0.1), 4*math.Pi/0.1; mean < lo || mean > hi {
		t.Errorf("mean leapfrogs per transition %.1f, want within [%.0f, %.0f]", mean, lo, hi)
	}
	if st.AcceptanceRate() < 0.9 {
		t.Errorf("acceptance %.3f with ε = 0.1 on a standard normal, want > 0.9", st.AcceptanceRate())
	}
	t.Logf("mean leapfrogs %.1f, mean depth %.2f, acceptance %.3f", mean, depth, st.AcceptanceRate())
}

// TestNUTSDivergences runs NUTS with a step far too long for a target that
// is +Inf (with NaN gradients) past x = 1.5: divergences must be counted and
// no draw may leave the support.
func TestNUTSDivergences(t *testing.T) {
	s := NewNUTS()
	s.StepSize, s.Adapt = 0.8, false
	hmCheckWall(t, s)
}

// TestNUTSAdapts warms NUTS up on a 10-D Gaussian with scales 0.1…10 (see
// hmCheckAdapted).
func TestNUTSAdapts(t *testing.T) {
	s := hmScales(10, 0.1, 10)
	k, _, post, term := hmRun(t, NewNUTS(), hmGauss{s}, 8, 1000, 300, 23)
	ad := func() *Adapter {
		if kl, ok := k.(*nutsLanes); ok {
			return kl.ad
		}
		return k.(*nutsKernel).ad
	}()
	hmCheckAdapted(t, ad, s, post, term, 0.8)
}

// TestShardingInvariance runs hmc and nuts (adapting, jittered HMC) with 1
// and 3 workers: the draws must be bit-identical, else some state is shared
// across chains of a shard instead of kept per chain.
func TestShardingInvariance(t *testing.T) {
	h := NewHMC()
	h.Jitter = true
	for _, s := range []Sampler{h, NewNUTS()} {
		var ref *Result
		for _, w := range []int{1, 3} {
			o := Options{Chains: 5, Warmup: 160, Draws: 40, Seed: 77, Workers: w}
			res, err := Run(context.Background(), hmGauss{[]float64{0.5, 2, 1}}, s, o)
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = res
			} else if !slices.Equal(ref.Samples, res.Samples) || ref.Sampling.Leapfrogs != res.Sampling.Leapfrogs ||
				ref.Sampling.TreeDepth != res.Sampling.TreeDepth || ref.Sampling.Accepted != res.Sampling.Accepted {
				t.Errorf("%T: draws or stats with %d workers differ from 1 worker", s, w)
			}
		}
	}
}

// hmGumbel is the law of log Y for Y ~ Exp(1): E(x) = eˣ − x, a skewed
// target with mean −γ (Euler's constant) and variance π²/6. Symmetric
// targets hide errors that treat the two directions of a trajectory
// differently; this one does not.
type hmGumbel struct{}

func (hmGumbel) Dim() int              { return 1 }
func (hmGumbel) Energy(e, x []float64) { hmGumbel{}.Gradient(e, nil, x) }
func (hmGumbel) Gradient(e, grad, x []float64) {
	n := energies.CheckBatch(1, e, grad, x)
	for i := 0; i < n; i++ {
		ex := math.Exp(x[i])
		e[i] = ex - x[i]
		if grad != nil {
			grad[i] = ex - 1
		}
	}
}

// TestSkewedTarget checks that nuts and (jittered) hmc recover the mean and
// variance of the skewed hmGumbel within 4 MCSE.
func TestSkewedTarget(t *testing.T) {
	const gamma = 0.5772156649015329
	h := NewHMC()
	h.Jitter, h.LeapfrogSteps = true, 8
	for i, s := range []Sampler{NewNUTS(), h} {
		_, draws, _, _ := hmRun(t, s, hmGumbel{}, 4, 500, 2000, uint64(60+i))
		t.Logf("%T", s)
		hmCheckMoment(t, draws[0], func(x float64) float64 { return x }, -gamma, "mean", 1, 0)
		hmCheckMoment(t, draws[0], func(x float64) float64 { return (x + gamma) * (x + gamma) }, math.Pi*math.Pi/6, "variance", 1, 0)
	}
}

// TestStepDoesNotAllocate checks that a transition allocates nothing, during
// warmup (with a window ending) and after: Step runs in the hot loop of
// every run, once per iteration.
func TestStepDoesNotAllocate(t *testing.T) {
	for _, s := range []Sampler{NewHMC(), NewNUTS()} {
		c := NewChains(hmGauss{[]float64{1, 2, 3}}, 4, 0, 3)
		k, err := s.Start(c)
		if err != nil {
			t.Fatal(err)
		}
		it := 0
		allocs := testing.AllocsPerRun(300, func() {
			k.Step(c, Iter{I: it, Warmup: 200, Total: 400})
			it++
		})
		if allocs != 0 {
			t.Errorf("%T: %.1f allocations per Step, want 0", s, allocs)
		}
	}
}

// BenchmarkHamiltonian100D measures post-warmup transitions of hmc and nuts
// over one shard of 64 chains on a 100-D standard normal, reporting the
// cost per leapfrog step per chain (the bookkeeping around the gradient).
func BenchmarkHamiltonian100D(b *testing.B) {
	s := make([]float64, 100)
	for j := range s {
		s[j] = 1
	}
	for _, smp := range []Sampler{NewHMC(), NewNUTS()} {
		b.Run(fmt.Sprintf("%T", smp)[len("*samplers."):], func(b *testing.B) {
			c := NewChains(hmGauss{s}, 64, 0, 1)
			for i := range c.Rng {
				c.Rng[i].FillNorm(c.X[i*100 : (i+1)*100])
			}
			k, err := smp.Start(c)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				k.Step(c, Iter{I: n, Total: math.MaxInt})
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(c.Stats.Leapfrogs), "ns/leapfrog")
		})
	}
}
