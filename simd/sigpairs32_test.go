package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSigPairs32 checks SigPairs32 of every implementation bit for bit
// against the loops written out (around the same implementation's Exp32),
// with both signs, ±0, large arguments and NaNs, at lengths around the
// vector and chunk sizes; and σ against float64 arithmetic. A failure
// means a kernel picks the wrong member of the pair for a sign or rounds
// differently, so float32 sigmoid-family activations would depend on the
// CPU.
func TestSigPairs32(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 7, 8, 15, 16, 17, 100, 256, 257, 600} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * 6)
		}
		specials := []float32{0, float32(math.Copysign(0, -1)), 60, -60, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
		for i, v := range specials {
			if i < n {
				x[i] = v
			}
		}
		for _, a := range []float32{1, 0.5, 2} {
			for _, name := range Available() {
				if err := Use(name); err != nil {
					t.Fatal(err)
				}
				ws, wu := make([]float32, n), make([]float32, n)
				for i, v := range x {
					wu[i] = -float32(math.Abs(float64(a * v)))
				}
				Exp32(wu, wu)
				for i, v := range x {
					e := wu[i]
					rr := 1 / (1 + e)
					if math.Signbit(float64(v)) {
						ws[i], wu[i] = e*rr, rr
					} else {
						ws[i], wu[i] = rr, e*rr
					}
				}
				s, u := make([]float32, n), make([]float32, n)
				SigPairs32(s, u, x, a)
				same := func(p, q float32) bool { return math.Float32bits(p) == math.Float32bits(q) || (p != p && q != q) }
				for i := range s {
					if !same(s[i], ws[i]) || !same(u[i], wu[i]) {
						t.Fatalf("%s n=%d a=%v: x=%v: s %v u %v, want %v %v", name, n, a, x[i], s[i], u[i], ws[i], wu[i])
					}
					y := float64(a) * float64(x[i])
					if math.Abs(y) < 80 {
						if want := 1 / (1 + math.Exp(-y)); math.Abs(float64(s[i])-want) > 1e-6 {
							t.Fatalf("%s: σ(%v) = %v, want %v", name, y, s[i], want)
						}
					}
				}
			}
		}
	}
}
