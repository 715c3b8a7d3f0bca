package objectives

import (
	"math"
	"testing"
)

// contrastOf returns the shared state of a cd or pcd objective, so that a
// test can force its worker count and shard size.
func contrastOf(t *testing.T, o Objective) *contrast {
	t.Helper()
	switch o := o.(type) {
	case *CD:
		return &o.c
	case *PCD:
		return &o.c
	}
	t.Fatalf("%T is not a contrastive objective", o)
	return nil
}

// TestContrastShards checks the contrastive loss of cd and pcd, in both
// dtypes, on batches of 300 rows (600 rows of positives and negatives,
// three shards): over two consecutive calls the loss and gradient are
// bit-identical on one, two or three workers, and they equal those of a
// single shard to rounding. A failure means the result depends on the
// core count or on scheduling, or that a shard's seeds or sums are wrong
// (positives and negatives mixed up at a shard's edge).
func TestContrastShards(t *testing.T) {
	x := gaussDraws(600, []float64{0.2, -0.1}, []float64{1, 0.3, 0.3, 0.7}, 11)
	b1, b2 := x[:2*300], x[2*300:]
	for _, typ := range []string{"cd", "pcd"} {
		for _, dtype := range []string{"float64", "float32"} {
			t.Run(typ+"_"+dtype, func(t *testing.T) {
				run := func(workers, rows int) ([2]float64, [2][]float64) {
					m := mlpOf(t, dtype)
					kv := []any{"k", int64(2), "alpha", 0.1, "sampler", map[string]any{"type": "ula", "step_size": 0.01}}
					if typ == "pcd" {
						kv = append(kv, "buffer", int64(600))
					}
					o := newObjective(t, typ, kv...)
					contrastOf(t, o).chains.workers = workers
					if err := o.Start(m, x, 3); err != nil {
						t.Fatal(err)
					}
					c := contrastOf(t, o)
					if rows > 0 {
						c.rows.maxRows = rows
					}
					var l [2]float64
					var g [2][]float64
					l[0], g[0] = lossGrad(t, o, m, b1)
					l[1], g[1] = lossGrad(t, o, m, b2)
					if want := (2*300 + c.rows.maxRows - 1) / c.rows.maxRows; c.rows.active != want {
						t.Fatalf("%d shards, want %d", c.rows.active, want)
					}
					return l, g
				}
				wantL, wantG := run(1, 0)
				for _, w := range []int{2, 3} {
					l, g := run(w, 0)
					for call := range l {
						if math.Float64bits(l[call]) != math.Float64bits(wantL[call]) {
							t.Errorf("%d workers, call %d: loss %v, with 1 worker %v", w, call+1, l[call], wantL[call])
						}
						for i := range g[call] {
							if math.Float64bits(g[call][i]) != math.Float64bits(wantG[call][i]) {
								t.Fatalf("%d workers, call %d: grad[%d] %v, with 1 worker %v", w, call+1, i, g[call][i], wantG[call][i])
							}
						}
					}
				}
				tol := 1e-12
				if dtype == "float32" {
					tol = 1e-5
				}
				oneL, oneG := run(2, 1000)
				for call := range oneL {
					scale := 0.0
					for _, v := range oneG[call] {
						scale = max(scale, math.Abs(v))
					}
					if math.Abs(oneL[call]-wantL[call]) > tol*(1+math.Abs(oneL[call])) {
						t.Errorf("call %d: loss %v in three shards, %v in one", call+1, wantL[call], oneL[call])
					}
					for i := range oneG[call] {
						if math.Abs(oneG[call][i]-wantG[call][i]) > tol*(1+scale) {
							t.Fatalf("call %d: grad[%d] %v in three shards, %v in one", call+1, i, wantG[call][i], oneG[call][i])
						}
					}
				}
			})
		}
	}
}
