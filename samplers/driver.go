package samplers

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
)

// Options configure a run of the driver.
type Options struct {
	Chains int // number of chains (> 0)
	// First is the run's index of the first chain: Run runs chains
	// First … First+Chains−1 of a larger run (a shard of it, --shard),
	// chain i with the stream (Seed, i) and Init(i, …), so they draw
	// exactly what they draw in the whole run. 0 for a whole run.
	First   int
	Warmup  int    // adaptation iterations, discarded (≥ 0)
	Draws   int    // kept draws per chain (> 0)
	Thin    int    // keep every Thin-th post-warmup iteration (default 1)
	Seed    uint64 // fixes the run: chain i uses stream (Seed, i)
	Workers int    // goroutines; 0 means GOMAXPROCS. Results do not depend on it.

	// Init writes chain i's starting point into x using the chain's own
	// stream; nil means standard normal.
	Init func(chain int, r *rng.Stream, x []float64)

	// Stats records the statistics of every kept transition (Recorder)
	// into Result.Stats.
	Stats bool

	// Progress, when set, is called from a single goroutine about every
	// 100 ms and at the end with the iterations completed by every chain
	// and the total.
	Progress func(done, total int)
}

// Result is what a run produced.
type Result struct {
	Chains, Draws, Dim int
	// Samples holds the kept draws in (chain, draw, dim) order: draw t of
	// chain c starts at (c*Draws+t)*Dim.
	Samples []float64
	// Energy holds E at each kept draw, (chain, draw) order.
	Energy []float64
	// Warmup and Sampling count what the warmup and the kept phase did.
	Warmup, Sampling Stats
	Wall             time.Duration
	// Stats, when Options.Stats is set, holds per-draw statistics in
	// (chain, draw) order, Chains×Draws values each, named as ArviZ's
	// sample_stats: "lp" (−E) always; "diverging" (0 or 1),
	// "acceptance_rate" and "step_size" when the kernel is a Recorder; and
	// "tree_depth", "n_steps" and "energy" when it fills them (DrawStats).
	Stats map[string][]float64
	// Adaptation is what the warmup settled on, when the kernels report it
	// (Adapted); nil otherwise.
	Adaptation *Adaptation
	// Swaps sums the replica-exchange counts of a pt run over its shards
	// (nil for other samplers).
	Swaps *Swaps
	// Partial is true when the run was cancelled: Draws is then the number
	// of draws every chain completed, and the arrays are cut to it.
	Partial bool
}

// Adaptation holds each chain's tuning after warmup.
type Adaptation struct {
	StepSize  []float64 // one per chain
	InvMetric []float64 // diagonal inverse metric, chains×dim (nil without a mass matrix)
}

// adaptation gathers the kernels' Adapted values in chain order, or nil
// when a kernel does not report them.
func adaptation(sh *Shards, first, chains, dim int) *Adaptation {
	a := &Adaptation{StepSize: make([]float64, chains)}
	for k, kern := range sh.Kernels() {
		ad, ok := kern.(Adapted)
		if !ok {
			return nil
		}
		c := sh.Chains[k]
		step, inv := ad.Adapted()
		if step == nil {
			return nil
		}
		lo := c.First - first // the shard's first chain in this run
		copy(a.StepSize[lo:lo+c.N], step)
		if inv != nil {
			if a.InvMetric == nil {
				a.InvMetric = make([]float64, chains*dim)
			}
			copy(a.InvMetric[lo*dim:(lo+c.N)*dim], inv)
		}
	}
	return a
}

// Swaps are a pt run's swap counts per neighbouring pair of temperatures,
// in the warmup and after it.
type Swaps struct{ Warmup, Sampling SwapStats }

// Run draws from e with sampler s. Chains are split into contiguous shards
// (Shards), one per worker; each chain has its own random stream and adaptation state,
// so the draws are bit-identical for any number of workers. Cancelling ctx
// stops every chain at its next step; Run then returns the draws completed by
// all chains with Partial set, and ctx's error.
func Run(ctx context.Context, e energies.Energy, s Sampler, o Options) (*Result, error) {
	if o.Thin == 0 {
		o.Thin = 1
	}
	switch {
	case o.Chains <= 0:
		return nil, fmt.Errorf("chains must be > 0, got %d", o.Chains)
	case o.First < 0:
		return nil, fmt.Errorf("first chain must be ≥ 0, got %d", o.First)
	case o.Draws <= 0:
		return nil, fmt.Errorf("draws must be > 0, got %d", o.Draws)
	case o.Warmup < 0:
		return nil, fmt.Errorf("warmup must be ≥ 0, got %d", o.Warmup)
	case o.Thin < 0:
		return nil, fmt.Errorf("thin must be ≥ 1, got %d", o.Thin)
	}
	d := e.Dim()
	total := o.Warmup + o.Draws*o.Thin
	res := &Result{Chains: o.Chains, Draws: o.Draws, Dim: d,
		Samples: make([]float64, o.Chains*o.Draws*d), Energy: make([]float64, o.Chains*o.Draws)}

	sh := newShardsAt(e, o.First, o.Chains, ShardCount(o.Chains, o.Workers, 1), o.Seed)
	for _, c := range sh.Chains {
		for i := 0; i < c.N; i++ {
			x := c.X[i*d : (i+1)*d]
			if o.Init != nil {
				o.Init(c.First+i, &c.Rng[i], x)
			} else {
				c.Rng[i].FillNorm(x)
			}
		}
	}
	// Per shard, written by its own goroutine only: the iterations done and
	// the counters when warmup ended.
	done := make([]int, len(sh.Chains))
	atWarmupEnd := make([]Stats, len(sh.Chains))
	var rec *statsRecorder
	if o.Stats {
		rec = newStatsRecorder(sh, o.First, o.Chains*o.Draws)
	}
	keep := func(k int, c *Chains, it int) {
		done[k] = it
		if it == o.Warmup {
			atWarmupEnd[k] = c.Stats
		}
		if it > o.Warmup && (it-o.Warmup)%o.Thin == 0 {
			t := (it-o.Warmup)/o.Thin - 1
			for i := 0; i < c.N; i++ {
				ch := c.First - o.First + i
				copy(res.Samples[(ch*o.Draws+t)*d:(ch*o.Draws+t+1)*d], c.X[i*d:(i+1)*d])
				res.Energy[ch*o.Draws+t] = c.E[i]
			}
			if rec != nil {
				rec.record(k, c, sh.kernels[k], o.Draws, t)
			}
		}
	}

	start := time.Now()
	var err error
	finished := make(chan struct{})
	go func() { err = sh.Run(ctx, s, o.Warmup, total, keep); close(finished) }()
	if o.Progress != nil {
		tick := time.NewTicker(100 * time.Millisecond)
	loop:
		for {
			select {
			case <-finished:
				break loop
			case <-tick.C:
				o.Progress(sh.Done(), total)
			}
		}
		tick.Stop()
	}
	<-finished
	res.Wall = time.Since(start)
	if err != nil {
		return nil, err
	}
	for _, kern := range sh.Kernels() {
		if pk, ok := kern.(PTKernel); ok {
			w, smp := pk.SwapStats()
			if res.Swaps == nil {
				res.Swaps = &Swaps{}
			}
			res.Swaps.Warmup.Add(w)
			res.Swaps.Sampling.Add(smp)
		}
	}
	for k, c := range sh.Chains {
		if done[k] <= o.Warmup {
			res.Warmup.Add(c.Stats)
		} else {
			res.Warmup.Add(atWarmupEnd[k])
			res.Sampling.Add(c.Stats.Sub(atWarmupEnd[k]))
		}
	}
	if rec != nil {
		res.Stats = rec.result(res.Energy)
	}
	res.Adaptation = adaptation(sh, o.First, o.Chains, d)
	completed := sh.Done()
	if o.Progress != nil {
		o.Progress(completed, total)
	}
	if completed < total {
		kept := max(0, completed-o.Warmup) / o.Thin
		res.Partial = true
		res.cut(kept)
		return res, ctx.Err()
	}
	return res, nil
}

// newShardsAt is NewShards for chains first … first+n−1 of a run: shard k
// holds chains first+[k·n/w, (k+1)·n/w), chain i with the stream
// rng.New(seed, i).
func newShardsAt(e energies.Energy, first, n, w int, seed uint64) *Shards {
	s := NewShards(e, n, w, seed)
	if first == 0 {
		return s
	}
	for _, c := range s.Chains {
		c.First += first
	}
	s.Reseed(e, seed)
	return s
}

// cut keeps the first k draws of every chain.
func (r *Result) cut(k int) {
	d := r.Dim
	s := make([]float64, r.Chains*k*d)
	en := make([]float64, r.Chains*k)
	for c := 0; c < r.Chains; c++ {
		copy(s[c*k*d:(c+1)*k*d], r.Samples[c*r.Draws*d:])
		copy(en[c*k:(c+1)*k], r.Energy[c*r.Draws:])
	}
	for name, v := range r.Stats {
		w := make([]float64, r.Chains*k)
		for c := 0; c < r.Chains; c++ {
			copy(w[c*k:(c+1)*k], v[c*r.Draws:])
		}
		r.Stats[name] = w
	}
	r.Samples, r.Energy, r.Draws = s, en, k
}

// statsRecorder gathers the per-draw statistics of a run. Each shard
// writes its own chains' entries from its own goroutine.
type statsRecorder struct {
	scratch [][]DrawStats // per shard
	cols    [6][]float64  // diverging, acceptance_rate, step_size, tree_depth, n_steps, energy
	rec     []bool        // per shard: its kernel is a Recorder
	first   int           // the run's first chain (Options.First)
}

// statNames names the columns of statsRecorder.cols.
var statNames = [6]string{"diverging", "acceptance_rate", "step_size", "tree_depth", "n_steps", "energy"}

func newStatsRecorder(sh *Shards, first, n int) *statsRecorder {
	r := &statsRecorder{scratch: make([][]DrawStats, len(sh.Chains)), rec: make([]bool, len(sh.Chains)), first: first}
	for k, c := range sh.Chains {
		r.scratch[k] = make([]DrawStats, c.N)
	}
	for j := range r.cols {
		r.cols[j] = make([]float64, n)
		for i := range r.cols[j] {
			r.cols[j][i] = math.NaN()
		}
	}
	return r
}

// record stores the statistics of shard k's last transition as draw t.
func (r *statsRecorder) record(k int, c *Chains, kern Kernel, draws, t int) {
	rc, ok := kern.(Recorder)
	if !ok {
		return
	}
	st := r.scratch[k]
	rc.Record(c, st)
	r.rec[k] = true
	for i, s := range st {
		at := (c.First-r.first+i)*draws + t
		div := 0.0
		if s.Diverged {
			div = 1
		}
		for j, v := range [6]float64{div, s.Accept, s.StepSize, s.TreeDepth, s.Steps, s.Energy} {
			r.cols[j][at] = v
		}
	}
}

// result returns the columns that hold values, with lp = −energy.
func (r *statsRecorder) result(energy []float64) map[string][]float64 {
	m := map[string][]float64{"lp": make([]float64, len(energy))}
	for i, e := range energy {
		m["lp"][i] = -e
	}
	if !slices.Contains(r.rec, true) {
		return m
	}
	for j, col := range r.cols {
		if j >= 3 && !slices.ContainsFunc(col, func(v float64) bool { return !math.IsNaN(v) }) {
			continue // a statistic the sampler does not have
		}
		m[statNames[j]] = col
	}
	return m
}

// Chain returns the draws of dimension j of chain c (a fresh slice).
func (r *Result) Chain(c, j int) []float64 {
	out := make([]float64, r.Draws)
	for t := range out {
		out[t] = r.Samples[(c*r.Draws+t)*r.Dim+j]
	}
	return out
}

// Dimension returns dimension j as [chain][draw] (fresh slices), the shape
// the diagnostics take.
func (r *Result) Dimension(j int) [][]float64 {
	out := make([][]float64, r.Chains)
	for c := range out {
		out[c] = r.Chain(c, j)
	}
	return out
}
