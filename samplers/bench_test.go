package samplers_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/samplers"
)

// gmm8 is the 2-D benchmark mixture: 8 equally weighted components with
// std 0.5 on a circle of radius 4.
func gmm8(b *testing.B) energies.Energy {
	b.Helper()
	means := make([]any, 8)
	weights := make([]any, 8)
	stds := make([]any, 8)
	for k := range means {
		a := 2 * math.Pi * float64(k) / 8
		means[k] = []any{4 * math.Cos(a), 4 * math.Sin(a)}
		weights[k], stds[k] = 1.0/8, 0.5
	}
	e, err := energies.FromTable(map[string]any{"type": "gmm", "weights": weights, "means": means, "stds": stds})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkSampler measures the throughput of one kernel step over a
// single shard of 4096 chains on the 8-mode GMM, for every registered
// sampler with its defaults (adaptation off: post-warmup steps), in
// chain-steps per second.
func BenchmarkSampler(b *testing.B) {
	const chains = 4096
	e := gmm8(b)
	for _, name := range samplers.Names() {
		b.Run("name="+name, func(b *testing.B) {
			s := sampleOnly(b, name)
			c := samplers.NewChains(e, chains, 0, 1)
			for i := range c.N {
				c.Rng[i].FillNorm(c.X[i*2 : i*2+2])
			}
			k, err := s.Start(c)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			n := 0
			start := time.Now()
			for b.Loop() {
				k.Step(c, samplers.Iter{I: n, Warmup: 0, Total: math.MaxInt})
				n++
			}
			b.ReportMetric(float64(chains)*float64(n)/time.Since(start).Seconds(), "chain-steps/s")
		})
	}
}

// timedEnergy wraps an energy and accumulates the time spent in Gradient,
// so a benchmark can split a sampler's cost into gradients and the rest.
type timedEnergy struct {
	inner energies.Energy
	grad  time.Duration
}

func (t *timedEnergy) Dim() int              { return t.inner.Dim() }
func (t *timedEnergy) Energy(e, x []float64) { t.inner.Energy(e, x) }

func (t *timedEnergy) Gradient(e, grad, x []float64) {
	start := time.Now()
	t.inner.Gradient(e, grad, x)
	t.grad += time.Since(start)
}

// BenchmarkNUTS measures post-warmup NUTS transitions (ε = 0.5, no
// adaptation) on a 10-D standard Gaussian, one shard. It reports the time
// per transition, per gradient (a leapfrog step of one chain), the gradient
// evaluation's own share per gradient, and what is left per transition: the
// tree bookkeeping and the leapfrog updates, which the issue wants no
// larger than the gradient cost it drives. The process's CPU time per
// transition is reported too (where the OS gives it): on a shared machine
// it is the steadier number.
func BenchmarkNUTS(b *testing.B) {
	const d = 10
	for _, chains := range []int{8, 256} {
		b.Run(fmt.Sprintf("d=%d/chains=%d", d, chains), func(b *testing.B) {
			mean := make([]any, d)
			for j := range mean {
				mean[j] = 0.0
			}
			g, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": mean})
			if err != nil {
				b.Fatal(err)
			}
			e := &timedEnergy{inner: g}
			s := samplers.NewNUTS()
			s.StepSize, s.Adapt = 0.5, false
			c := samplers.NewChains(e, chains, 0, 1)
			for i := range c.N {
				c.Rng[i].FillNorm(c.X[i*d : (i+1)*d])
			}
			k, err := s.Start(c)
			if err != nil {
				b.Fatal(err)
			}
			for i := range 20 { // leave the starting points behind
				k.Step(c, samplers.Iter{I: i, Total: math.MaxInt})
			}
			c.Stats, e.grad = samplers.Stats{}, 0
			b.ReportAllocs()
			start := time.Now()
			cpu0, cpuOK := processCPU()
			n := 0
			for b.Loop() {
				k.Step(c, samplers.Iter{I: 20 + n, Total: math.MaxInt})
				n++
			}
			total := time.Since(start)
			if cpu1, ok := processCPU(); ok && cpuOK {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(c.Stats.Transitions), "cpu-ns/transition")
			}
			tr, ge := float64(c.Stats.Transitions), float64(c.Stats.GradEvals)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(total.Nanoseconds())/tr, "ns/transition")
			b.ReportMetric(float64(total.Nanoseconds())/ge, "ns/gradient")
			b.ReportMetric(float64(e.grad.Nanoseconds())/ge, "ns/grad-eval")
			b.ReportMetric(float64((total-e.grad).Nanoseconds())/tr, "ns-rest/transition")
			b.ReportMetric(ge/tr, "gradients/transition")
		})
	}
}

// BenchmarkBookkeeping splits a Hamiltonian transition's cost into its
// gradients and the rest (the integrator's updates, the momentum draws,
// the tree or the accept test): post-warmup nuts (ε = 0.5) and hmc
// (L = 10, ε = 0.3) transitions over one shard of 256 chains on a 10-D,
// a 2-D and a 100-D standard Gaussian, whose gradient is cheap and of known
// cost. The
// gradient is then timed alone, without a timer around each call, on the
// shard's batch (the same rows), and the report is, per transition: the
// total, the gradients (gradients/transition × ns per gradient row) and
// the rest. nuts-rows is nuts held to its row layout (nuts_lanes.go: the
// layout NUTS chooses by itself at these sizes is the lanes' where the
// implementation has lane kernels and d ≤ 48). Times are the process's CPU time where the OS gives it (on a
// shared machine the steadier number), wall time otherwise.
func BenchmarkBookkeeping(b *testing.B) {
	const chains = 256
	clock := func() time.Duration {
		if t, ok := processCPU(); ok {
			return t
		}
		return time.Duration(time.Now().UnixNano())
	}
	nuts := samplers.NewNUTS()
	nuts.StepSize, nuts.Adapt = 0.5, false
	hmc := samplers.NewHMC()
	hmc.StepSize, hmc.LeapfrogSteps, hmc.Adapt = 0.3, 10, false
	for _, s := range []struct {
		name string
		smp  samplers.Sampler
	}{{"nuts", nuts}, {"nuts-rows", nuts}, {"hmc", hmc}} {
		for _, d := range []int{10, 2, 100} {
			mean := make([]any, d)
			for j := range mean {
				mean[j] = 0.0
			}
			g, err := energies.FromTable(map[string]any{"type": "gaussian", "mean": mean})
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("sampler=%s/d=%d/chains=%d", s.name, d, chains), func(b *testing.B) {
				if s.name == "nuts-rows" {
					samplers.SetNUTSLayoutForBench("rows")
					defer samplers.SetNUTSLayoutForBench("")
				}
				c := samplers.NewChains(g, chains, 0, 1)
				for i := range c.N {
					c.Rng[i].FillNorm(c.X[i*d : (i+1)*d])
				}
				k, err := s.smp.Start(c)
				if err != nil {
					b.Fatal(err)
				}
				for i := range 20 { // leave the starting points behind
					k.Step(c, samplers.Iter{I: i, Total: math.MaxInt})
				}
				c.Stats = samplers.Stats{}
				b.ReportAllocs()
				t0 := clock()
				n := 0
				for b.Loop() {
					k.Step(c, samplers.Iter{I: 20 + n, Total: math.MaxInt})
					n++
				}
				total := clock() - t0
				// The gradient alone, on the shard's rows, for as many rows.
				e, gr := make([]float64, chains), make([]float64, chains*d)
				rows := 0
				t0 = clock()
				for int64(rows) < c.Stats.GradEvals || rows < 1<<20 {
					g.Gradient(e, gr, c.X)
					rows += chains
				}
				perRow := float64((clock() - t0).Nanoseconds()) / float64(rows)
				tr, ge := float64(c.Stats.Transitions), float64(c.Stats.GradEvals)
				b.ReportMetric(0, "ns/op")
				b.ReportMetric(float64(total.Nanoseconds())/tr, "ns/transition")
				b.ReportMetric(perRow, "ns/gradient")
				b.ReportMetric(ge/tr, "gradients/transition")
				b.ReportMetric(float64(total.Nanoseconds())/tr-perRow*ge/tr, "ns-rest/transition")
			})
		}
	}
}

// BenchmarkHMCRosenbrock measures post-warmup HMC transitions on the 2-D
// Rosenbrock valley (a = 1, b = 100, temperature 20) over one shard of
// 1024 chains, L = 10, ε = 0.025, no adaptation: the peers'
// hmc_rosenbrock.py configuration. It reports gradients (chain leapfrog
// steps) per second of wall time and ns of process CPU per gradient.
func BenchmarkHMCRosenbrock(b *testing.B) {
	const chains = 1024
	e, err := energies.FromTable(map[string]any{"type": "rosenbrock"})
	if err != nil {
		b.Fatal(err)
	}
	s := samplers.NewHMC()
	s.StepSize, s.LeapfrogSteps, s.Adapt = 0.025, 10, false
	c := samplers.NewChains(e, chains, 0, 1)
	for i := range c.N {
		x := c.X[i*2 : i*2+2]
		x[0] = 1 + math.Sqrt(10)*c.Rng[i].Norm()
		x[1] = x[0]*x[0] + math.Sqrt(0.1)*c.Rng[i].Norm()
	}
	k, err := s.Start(c)
	if err != nil {
		b.Fatal(err)
	}
	c.Stats = samplers.Stats{}
	b.ReportAllocs()
	start := time.Now()
	cpu0, cpuOK := processCPU()
	n := 0
	for b.Loop() {
		k.Step(c, samplers.Iter{I: n, Total: math.MaxInt})
		n++
	}
	wall := time.Since(start)
	ge := float64(c.Stats.GradEvals)
	if cpu1, ok := processCPU(); ok && cpuOK {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/ge, "cpu-ns/gradient")
	}
	b.ReportMetric(ge/wall.Seconds(), "gradients/s")
}
