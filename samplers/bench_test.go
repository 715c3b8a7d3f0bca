package samplers_test

import (
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
