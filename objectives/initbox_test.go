package objectives

import (
	"math"
	"strings"
	"testing"
)

// TestPCDInitBox checks init_box on data with a constant coordinate, as the
// border pixels of MNIST are: the data's box has zero width there, so the
// default uniform density cannot be fitted and Start must fail, while with
// init_box = [0, 1] the buffer must be uniform on [0, 1] in every
// coordinate, the constant one included: every value inside, and mean and
// variance within 4 standard errors of ½ and 1/12. A failure means the box
// is ignored, shifted or scaled.
func TestPCDInitBox(t *testing.T) {
	data := make([]float64, 0, 200)
	for i := 0; i < 100; i++ {
		data = append(data, 0, float64(i)/99) // coordinate 0 is always 0
	}
	m := tinyMLP(t, "silu")
	plain := newObjective(t, "pcd", "buffer", int64(2000))
	if err := plain.Start(m, data, 1); err == nil || !strings.Contains(err.Error(), "width") {
		t.Fatalf("Start without init_box on a constant coordinate: %v, want the zero-width error", err)
	}
	o := newObjective(t, "pcd", "buffer", int64(2000), "init_box", []any{0.0, 1.0}).(*PCD)
	if err := o.Start(m, data, 1); err != nil {
		t.Fatal(err)
	}
	buf := o.Samples()
	for j := 0; j < 2; j++ {
		var s, s2 float64
		n := 0.0
		for i := j; i < len(buf); i += 2 {
			v := buf[i]
			if !(v >= 0 && v <= 1) {
				t.Fatalf("buffer value %v outside [0, 1]", v)
			}
			s += v
			s2 += v * v
			n++
		}
		mean, vr := s/n, s2/n-(s/n)*(s/n)
		zm := (mean - 0.5) / math.Sqrt(1.0/12/n)
		zv := (vr - 1.0/12) / math.Sqrt(1.0/180/n) // Var of (u−½)² is 1/180
		if math.Abs(zm) > 4 || math.Abs(zv) > 4 {
			t.Errorf("coordinate %d: mean %.4f (z %.1f), variance %.4f (z %.1f): want U[0, 1]", j, mean, zm, vr, zv)
		}
	}
}

// TestPCDInitBoxKey checks init_box's validation: the wrong length, lo ≥ hi,
// a non-finite bound and init = "gaussian" are errors naming the key.
func TestPCDInitBoxKey(t *testing.T) {
	for _, tc := range []map[string]any{
		{"init_box": []any{0.0}},
		{"init_box": []any{1.0, 0.0}},
		{"init_box": []any{0.0, math.Inf(1)}},
		{"init_box": []any{0.0, 1.0}, "init": "gaussian"},
	} {
		table := map[string]any{"type": "pcd"}
		for k, v := range tc {
			table[k] = v
		}
		if _, err := FromTable(table); err == nil || !strings.Contains(err.Error(), "init_box") {
			t.Errorf("%v: err = %v, want one naming init_box", tc, err)
		}
	}
}
