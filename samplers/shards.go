package samplers

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/internal/team"
	"github.com/goebm/ebm/rng"
)

// Shards is a run's chains split into contiguous shards, each advanced by
// one goroutine at a time: shard k holds chains [k·n/w, (k+1)·n/w) of n chains in
// w shards. Chain i of the run draws from the stream rng.New(seed, i) and
// every sampler treats chains independently, so what a chain does does not
// depend on the number of shards. Run (the driver) and the negative chains
// of the cd and pcd objectives both run on it.
type Shards struct {
	// Chains are the shards, in order of their first chain.
	Chains  []*Chains
	n, dim  int
	done    []atomic.Int64 // iterations completed by each shard in the current Run
	kernels []Kernel       // the kernels of the last Run
}

// ShardCount is the number of shards for n chains: workers (GOMAXPROCS
// when workers ≤ 0), but no more than one per minChains chains, and at
// least one.
func ShardCount(n, workers, minChains int) int {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return max(1, min(workers, n/max(1, minChains)))
}

// NewShards allocates n chains of e (positions zero) split into w
// contiguous shards (w is clamped to 1…n), chain i with the stream
// rng.New(seed, i).
func NewShards(e energies.Energy, n, w int, seed uint64) *Shards {
	w = max(1, min(w, n))
	s := &Shards{Chains: make([]*Chains, w), n: n, dim: e.Dim(), done: make([]atomic.Int64, w), kernels: make([]Kernel, w)}
	for k := range s.Chains {
		lo, hi := k*n/w, (k+1)*n/w
		s.Chains[k] = NewChains(e, hi-lo, lo, seed)
	}
	return s
}

// N is the number of chains in all shards.
func (s *Shards) N() int { return s.n }

// Dim is the chains' dimension.
func (s *Shards) Dim() int { return s.dim }

// Reseed sets every chain's stream to rng.New(seed, i), i its index in the
// run, and its energy to e, and clears every shard's Stats: what a fresh
// NewShards(e, …, seed) would hold, with the positions kept.
func (s *Shards) Reseed(e energies.Energy, seed uint64) {
	for _, c := range s.Chains {
		c.Energy = e
		for i := range c.Rng {
			c.Rng[i] = rng.New(seed, uint64(c.First+i))
		}
		c.Stats = Stats{}
	}
}

// SetX copies the run's n×Dim positions x into the shards.
func (s *Shards) SetX(x []float64) {
	d := s.dim
	for _, c := range s.Chains {
		copy(c.X, x[c.First*d:(c.First+c.N)*d])
	}
}

// X copies the shards' positions into the run's n×Dim array x.
func (s *Shards) X(x []float64) {
	d := s.dim
	for _, c := range s.Chains {
		copy(x[c.First*d:(c.First+c.N)*d], c.X)
	}
}

// Run starts sampler smp on every shard (Sampler.Start, from the shard's
// current positions) and advances it by total iterations, the first warmup
// of which adapt (Iter{I: it, Warmup: warmup, Total: total}), the shards
// concurrently, on the caller's goroutine and on the process's polling
// helpers (internal/team), which the objectives' loss shards and
// autodiff's split products share: a helper still polling after one of
// those takes a shard at once instead of holding the core a new goroutine
// would wait for. When after is not nil, a shard's goroutine calls
// after(k, c, done) on its shard k once Start has succeeded (done = 0) and
// after every iteration (done = iterations completed); calls for different
// shards run concurrently.
//
// Cancelling ctx stops every shard before its next iteration; Run still
// returns nil for it (Done tells how far the shards got; the caller
// decides what a partial run means). Run returns the shards' Start errors,
// joined in shard order.
func (s *Shards) Run(ctx context.Context, smp Sampler, warmup, total int, after func(shard int, c *Chains, done int)) error {
	errs := make([]error, len(s.Chains))
	var t team.Team
	t.Do = func(k int) { errs[k] = s.RunShard(ctx, smp, k, warmup, total, after) }
	t.Run(len(s.Chains), len(s.Chains))
	return errors.Join(errs...)
}

// RunShard is Run's work on shard k alone, on the calling goroutine;
// calls for different shards may run concurrently. It returns the shard's
// Start error.
func (s *Shards) RunShard(ctx context.Context, smp Sampler, k, warmup, total int, after func(shard int, c *Chains, done int)) error {
	c := s.Chains[k]
	s.done[k].Store(0)
	s.kernels[k] = nil
	kern, err := smp.Start(c)
	if err != nil {
		return err
	}
	s.kernels[k] = kern
	if after != nil {
		after(k, c, 0)
	}
	for it := 0; it < total; it++ {
		if ctx.Err() != nil {
			return nil
		}
		kern.Step(c, Iter{I: it, Warmup: warmup, Total: total})
		if after != nil {
			after(k, c, it+1)
		}
		s.done[k].Store(int64(it + 1))
	}
	return nil
}

// Kernels are the shards' kernels of the last Run, in shard order (nil for
// a shard whose Start failed), for samplers that report more than Stats
// (PTKernel's swap counts).
func (s *Shards) Kernels() []Kernel { return s.kernels }

// Done is the fewest iterations any shard has completed in the current (or
// last) Run. It may be called while Run is in progress.
func (s *Shards) Done() int {
	m := -1
	for k := range s.done {
		if v := int(s.done[k].Load()); m < 0 || v < m {
			m = v
		}
	}
	return max(m, 0)
}
