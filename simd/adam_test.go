package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdam checks every implementation's Adam update against the scalar
// loop bit for bit, at lengths around the vector widths, over a few
// consecutive steps, with weight decay and with gradients of every scale
// (zeros, huge, tiny). A failure means a kernel fuses or reorders an
// operation, and a run's parameters would depend on the CPU.
func TestAdam(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(3, 4))
	c := &AdamConsts{B1: 0.9, A1: 1 - 0.9, B2: 0.999, A2: 1 - 0.999, Step: 1e-3 / (1 - 0.9), ISC2: 1 / math.Sqrt(1-0.999), Decay: 1 - 1e-3*0.01, Eps: 1e-8}
	for _, n := range []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 1000} {
		p0, m0, v0 := make([]float64, n), make([]float64, n), make([]float64, n)
		grads := make([][]float64, 3)
		for i := range p0 {
			p0[i] = r.NormFloat64()
		}
		for k := range grads {
			grads[k] = make([]float64, n)
			for i := range grads[k] {
				switch i % 5 {
				case 0:
					grads[k][i] = 0
				case 1:
					grads[k][i] = r.NormFloat64() * 1e150
				case 2:
					grads[k][i] = r.NormFloat64() * 1e-150
				default:
					grads[k][i] = r.NormFloat64()
				}
			}
		}
		run := func() (p, m, v []float64) {
			p, m, v = append([]float64(nil), p0...), append([]float64(nil), m0...), append([]float64(nil), v0...)
			for _, g := range grads {
				Adam(p, m, v, g, c)
			}
			return
		}
		if err := Use("generic"); err != nil {
			t.Fatal(err)
		}
		wp, wm, wv := run()
		for _, name := range Available() {
			if err := Use(name); err != nil {
				t.Fatal(err)
			}
			p, m, v := run()
			for i := range p {
				if math.Float64bits(p[i]) != math.Float64bits(wp[i]) || math.Float64bits(m[i]) != math.Float64bits(wm[i]) || math.Float64bits(v[i]) != math.Float64bits(wv[i]) {
					t.Fatalf("%s n=%d: element %d: p %v m %v v %v, generic %v %v %v", name, n, i, p[i], m[i], v[i], wp[i], wm[i], wv[i])
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("mismatched lengths did not panic")
		}
	}()
	Adam(make([]float64, 2), make([]float64, 2), make([]float64, 1), make([]float64, 2), c)
}
