package objectives

import (
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
)

// mlpOf returns a 2-16-16-1 SiLU network computing in dtype (the same
// parameters for both dtypes).
func mlpOf(t *testing.T, dtype string) energies.Trainable {
	t.Helper()
	e, err := energies.FromTable(map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(16), int64(16)},
		"activation": "silu", "seed": int64(5), "quadratic": 0.1, "dtype": dtype})
	if err != nil {
		t.Fatal(err)
	}
	return e.(energies.Trainable)
}

// TestScoreFloat32 checks every score-matching objective on a float32
// model against its float64 twin: the same noise (the streams do not
// depend on the dtype), a loss and a parameter gradient equal to float32
// accuracy, over two calls; and the float32 results are bit-identical at
// 1, 2 and 3 workers. A failure means the float32 graph computes another
// loss (a seed or a value lost in a conversion) or that its shards' sum
// depends on scheduling.
func TestScoreFloat32(t *testing.T) {
	x := gaussDraws(301+160, []float64{0.2, -0.1}, []float64{1, 0.3, 0.3, 0.7}, 11)
	b1, b2 := x[:2*301], x[2*301:]
	for _, c := range scoreCases {
		t.Run(c.name, func(t *testing.T) {
			m64, m32 := mlpOf(t, "float64"), mlpOf(t, "float32")
			if m32.(energies.Trainable32).Float32() != true {
				t.Fatal("the float32 model does not say so")
			}
			wantL, wantG := shardRun(t, c.typ, c.kv, m64, b1, b2, 1, 0)
			gotL, gotG := shardRun(t, c.typ, c.kv, m32, b1, b2, 1, 0)
			for call := range gotL {
				scale := 0.0
				for _, g := range wantG[call] {
					scale = max(scale, math.Abs(g))
				}
				if d := math.Abs(gotL[call] - wantL[call]); d > 1e-4*(1+math.Abs(wantL[call])) {
					t.Errorf("call %d: float32 loss %v, float64 %v", call+1, gotL[call], wantL[call])
				}
				for i, g := range gotG[call] {
					if d := math.Abs(g - wantG[call][i]); d > 1e-4*(1+scale) {
						t.Fatalf("call %d: float32 grad[%d] %v, float64 %v", call+1, i, g, wantG[call][i])
					}
				}
				if gotL[call] == wantL[call] {
					t.Errorf("call %d: float32 and float64 losses are bit-identical: the float32 graph did not run", call+1)
				}
			}
			for _, w := range []int{2, 3} {
				l, g := shardRun(t, c.typ, c.kv, m32, b1, b2, w, 0)
				for call := range l {
					if math.Float64bits(l[call]) != math.Float64bits(gotL[call]) {
						t.Errorf("%d workers, call %d: loss %v, with 1 worker %v", w, call+1, l[call], gotL[call])
					}
					for i := range g[call] {
						if math.Float64bits(g[call][i]) != math.Float64bits(gotG[call][i]) {
							t.Fatalf("%d workers, call %d: grad[%d] differs", w, call+1, i)
						}
					}
				}
			}
		})
	}
}
