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

// TestContrastFloat32 checks cd and pcd on a float32 model against its
// float64 twin: the same seed gives losses and parameter gradients equal
// to float32 accuracy (the negative chains run on float32 energies, so
// they differ from the float64 ones by rounding only). A failure means
// the float32 loss (recorded on a float32 graph) computes something else.
func TestContrastFloat32(t *testing.T) {
	x := gaussDraws(200, []float64{0.2, -0.1}, []float64{1, 0.3, 0.3, 0.7}, 11)
	for _, typ := range []string{"cd", "pcd"} {
		t.Run(typ, func(t *testing.T) {
			run := func(dtype string) (float64, []float64) {
				m := mlpOf(t, dtype)
				kv := []any{"k", int64(3), "sampler", map[string]any{"type": "ula", "step_size": 0.01}}
				if typ == "pcd" {
					kv = append(kv, "buffer", int64(300), "alpha", 0.1)
				}
				o := newObjective(t, typ, kv...)
				if err := o.Start(m, x, 3); err != nil {
					t.Fatal(err)
				}
				return lossGrad(t, o, m, x[:2*64])
			}
			l64, g64 := run("float64")
			l32, g32 := run("float32")
			scale := 0.0
			for _, v := range g64 {
				scale = max(scale, math.Abs(v))
			}
			if math.Abs(l32-l64) > 1e-3*(1+math.Abs(l64)) {
				t.Errorf("loss: float32 %v, float64 %v", l32, l64)
			}
			for i := range g64 {
				if math.Abs(g32[i]-g64[i]) > 1e-3*(1+scale) {
					t.Fatalf("grad[%d]: float32 %v, float64 %v", i, g32[i], g64[i])
				}
			}
			if l32 == l64 {
				t.Error("float32 and float64 losses are bit-identical: the float32 path did not run")
			}
		})
	}
}
