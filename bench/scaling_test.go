package bench

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/train"
)

// scalingCase is one training step of `ebmrun bench`'s rows, built afresh
// for each worker count: the objectives size their shards of chains on
// their first step.
type scalingCase struct {
	name  string
	steps int // steps per timed block
	model map[string]any
	obj   map[string]any
	dim   int
	batch int
	data  func() []float64
}

func scalingCases() []scalingCase {
	dsm := map[string]any{"type": "dsm", "sigma": 0.1}
	pcd := map[string]any{"type": "pcd", "buffer": int64(10000), "restart": 0.05, "k": int64(20), "alpha": 0.1,
		"sampler": map[string]any{"type": "ula", "step_size": 0.01, "noise_std": 0.1}}
	images := func() []float64 { return uniform(conv.batch * conv.side * conv.side) }
	convTable := map[string]any{"type": "convnet", "in_shape": []any{int64(1), int64(conv.side), int64(conv.side)},
		"seed": int64(1), "dtype": "float32"}
	return []scalingCase{
		{"dsm_step_b256", 40, mlpTable("float64"), dsm, 2, 256, func() []float64 { return moons(256) }},
		{"dsm_step_b256_float32", 40, mlpTable("float32"), dsm, 2, 256, func() []float64 { return moons(256) }},
		{"pcd_step_b256_k20", 4, mlpTable("float64"), pcd, 2, 256, func() []float64 { return toy("8gaussians", 10000) }},
		{"pcd_step_b256_k20_float32", 8, mlpTable("float32"), pcd, 2, 256, func() []float64 { return toy("8gaussians", 10000) }},
		{"mlp784_dsm_step_b128_float32", 3, mnistTable("float32"), dsm, mnist.dim, mnist.batch, images},
		{"conv_dsm_step_b128_float32", 1, convTable, dsm, conv.side * conv.side, conv.batch, images},
	}
}

// BenchmarkScaling measures how the training steps of `ebmrun bench`
// scale from 1 to 2 workers on a machine whose speed drifts: one trainer
// per worker count, timed in alternating blocks of a few steps, 24 pairs,
// and the median of the pairs' ratios (time at 1 worker over time at 2)
// reported as "x-speedup", with its quartiles. `ebmrun bench --workers
// 1,2` times every row at 1 worker and then at 2, minutes apart, so its
// ratios move with the machine; these do not.
//
//	go test -run '^$' -bench Scaling -benchtime 1x ./bench
func BenchmarkScaling(b *testing.B) {
	ctx := context.Background()
	for _, c := range scalingCases() {
		b.Run(c.name, func(b *testing.B) {
			trainers := make([]*train.Trainer, 3)
			for _, w := range []int{1, 2} {
				old := runtime.GOMAXPROCS(w)
				e, err := energies.FromTable(c.model)
				if err != nil {
					b.Fatal(err)
				}
				if trainers[w], err = newTrainer(e.(energies.Trainable), c.obj, c.data(), c.dim, c.batch); err != nil {
					b.Fatal(err)
				}
				if _, err := trainers[w].Step(ctx); err != nil { // the first step sizes the shards
					b.Fatal(err)
				}
				runtime.GOMAXPROCS(old)
			}
			var ratios, t1, t2 []float64
			for b.Loop() {
				ratios, t1, t2 = ratios[:0], t1[:0], t2[:0]
				for range 24 {
					var per [3]float64
					for _, w := range []int{1, 2} {
						old := runtime.GOMAXPROCS(w)
						start := time.Now()
						for range c.steps {
							if _, err := trainers[w].Step(ctx); err != nil {
								b.Fatal(err)
							}
						}
						per[w] = float64(time.Since(start).Nanoseconds()) / float64(c.steps)
						runtime.GOMAXPROCS(old)
					}
					ratios, t1, t2 = append(ratios, per[1]/per[2]), append(t1, per[1]), append(t2, per[2])
				}
			}
			reportSpeedup(b, ratios)
			b.ReportMetric(median(t1)/1e6, "ms/step-1w")
			b.ReportMetric(median(t2)/1e6, "ms/step-2w")
		})
	}
}

// BenchmarkScalingSamplers is BenchmarkScaling for the end-to-end sampler
// rows: each sampler of `ebmrun bench` on its target with 4096 chains,
// runs of 50 steps (nuts: 10) at 1 and 2 workers alternately, 24 pairs,
// the median ratio of their wall times.
//
//	go test -run '^$' -bench ScalingSamplers -benchtime 1x ./bench
func BenchmarkScalingSamplers(b *testing.B) {
	ctx := context.Background()
	for _, name := range DefaultSamplers {
		c := samplerTables[name]
		b.Run(c.kernel, func(b *testing.B) {
			e, err := energies.FromTable(c.target())
			if err != nil {
				b.Fatal(err)
			}
			s, err := samplers.FromTable(c.sampler)
			if err != nil {
				b.Fatal(err)
			}
			steps := 50
			if name == "nuts" {
				steps = 10
			}
			var ratios []float64
			for b.Loop() {
				ratios = ratios[:0]
				for range 24 {
					var per [3]float64
					for _, w := range []int{1, 2} {
						res, err := samplers.Run(ctx, e, s, samplers.Options{Chains: DefaultChains, Draws: 1, Thin: steps, Seed: 1, Workers: w})
						if err != nil {
							b.Fatal(err)
						}
						per[w] = res.Wall.Seconds()
					}
					ratios = append(ratios, per[1]/per[2])
				}
			}
			reportSpeedup(b, ratios)
		})
	}
}

// reportSpeedup reports the median and quartiles of the 1-over-2-worker
// time ratios as the benchmark's metrics (instead of ns/op).
func reportSpeedup(b *testing.B, ratios []float64) {
	slices.Sort(ratios)
	q := len(ratios)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ratios[q/2], "x-speedup")
	b.ReportMetric(ratios[q/4], "x-speedup-q25")
	b.ReportMetric(ratios[3*q/4], "x-speedup-q75")
}

// median returns the median of v, sorting it.
func median(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}
