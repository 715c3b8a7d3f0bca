package mlp

import (
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
)

var _ energies.Pinner = (*MLP)(nil)

// TestPin: while pinned, Gradient gives what it gave before the pin; once
// unpinned, a write to Params shows at the next call, as it does without
// pins, whether the write came before or after the Unpin; pins nest; and
// an Unpin without a Pin panics. A failure means a pinned model computes
// with stale weights after its pin ended, or Pin changes results.
func TestPin(t *testing.T) {
	for _, dtype := range []string{"float64", "float32"} {
		t.Run(dtype, func(t *testing.T) {
			m, err := New(3, []int{16, 16}, "silu", 4)
			if err != nil {
				t.Fatal(err)
			}
			if dtype == "float32" {
				m.DType = dtype
				if err := m.Validate(); err != nil {
					t.Fatal(err)
				}
			}
			x := []float64{0.3, -1.2, 0.7, 1.5, 0.1, -0.4}
			grad := func() []float64 {
				e, g := make([]float64, 2), make([]float64, 6)
				m.Gradient(e, g, x)
				return append(g, e...)
			}
			same := func(a, b []float64) bool {
				for i := range a {
					if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
						return false
					}
				}
				return true
			}
			before := grad()
			m.Pin()
			m.Pin()
			if !same(grad(), before) {
				t.Fatal("Pin changed the gradient")
			}
			m.Unpin()
			p0 := m.Params()[0]
			m.Params()[0] = p0 + 0.5 // still pinned once: a broken promise, seen after the last Unpin
			m.Unpin()
			changed := grad()
			if same(changed, before) {
				t.Fatal("a write to Params before the last Unpin is not seen after it")
			}
			m.Params()[0] = p0
			if !same(grad(), before) {
				t.Fatal("a write to Params after Unpin is not seen")
			}
			m.Pin()
			if !same(grad(), before) {
				t.Fatal("a second pin changed the gradient")
			}
			m.Unpin()
			defer func() {
				if recover() == nil {
					t.Error("Unpin without Pin did not panic")
				}
			}()
			m.Unpin()
		})
	}
}
