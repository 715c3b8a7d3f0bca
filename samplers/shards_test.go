package samplers_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/goebm/ebm/samplers"
)

// Shards is the one shard runner of the module (the driver's and the
// objectives' negative chains). The same chains must come out bit for bit
// whatever the number of shards, after being reseeded and run again from
// the same start; after must see every shard at done = 0, 1, …, total in
// order; and ShardCount must cap the shards at one per minChains chains.
// Otherwise results would depend on the machine's core count, or a
// caller's per-iteration bookkeeping (samples, warmup counters) would miss
// iterations.
func TestShards(t *testing.T) {
	g := diagGauss{[]float64{0.5, 2}}
	const n, steps = 37, 6
	start := make([]float64, n*2)
	for i := range start {
		start[i] = math.Sin(float64(i))
	}
	var ref []float64
	for _, w := range []int{1, 2, 5, 37} {
		sh := samplers.NewShards(g, n, w, 0)
		if len(sh.Chains) != w || sh.N() != n || sh.Dim() != 2 {
			t.Fatalf("w %d: %d shards of %d chains, dim %d", w, len(sh.Chains), sh.N(), sh.Dim())
		}
		for round := 0; round < 2; round++ {
			sh.Reseed(g, 9)
			sh.SetX(start)
			seen := make([][]int, w)
			err := sh.Run(context.Background(), sampleOnly(t, "mala"), 2, steps, func(k int, c *samplers.Chains, done int) {
				seen[k] = append(seen[k], done)
			})
			if err != nil {
				t.Fatal(err)
			}
			for k := range seen {
				if !slices.Equal(seen[k], []int{0, 1, 2, 3, 4, 5, 6}) {
					t.Fatalf("w %d: shard %d saw done = %v", w, k, seen[k])
				}
			}
			if sh.Done() != steps {
				t.Fatalf("w %d: Done %d, want %d", w, sh.Done(), steps)
			}
			x := make([]float64, n*2)
			sh.X(x)
			if ref == nil {
				ref = x
				continue
			}
			for j := range x {
				if math.Float64bits(x[j]) != math.Float64bits(ref[j]) {
					t.Fatalf("w %d round %d: value %d is %v, want %v as with 1 shard", w, round, j, x[j], ref[j])
				}
			}
		}
	}
	for _, tc := range []struct{ n, workers, min, want int }{
		{200, 3, 32, 3}, {200, 16, 32, 6}, {10, 4, 32, 1}, {5, 8, 1, 5}, {0, 4, 1, 1},
	} {
		if got := samplers.ShardCount(tc.n, tc.workers, tc.min); got != tc.want {
			t.Errorf("ShardCount(%d, %d, %d) = %d, want %d", tc.n, tc.workers, tc.min, got, tc.want)
		}
	}
}
