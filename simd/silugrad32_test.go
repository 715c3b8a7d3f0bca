package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSiLUGrad32 checks SiLUGrad32 of every implementation against the
// generic loop bit for bit, with and without the second multiplier, at
// lengths around the vector sizes. A failure means a kernel reorders or
// fuses an operation of a float32 network's backward pass.
func TestSiLUGrad32(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 7, 8, 9, 16, 17, 33, 128, 130} {
		v := func() []float32 {
			out := make([]float32, n)
			for i := range out {
				out[i] = float32(r.NormFloat64() * 3)
			}
			return out
		}
		x, b, c := v(), v(), v()
		s, u := make([]float32, n), make([]float32, n)
		SigPairs32(s, u, x, 1)
		for _, cc := range [][]float32{nil, c} {
			want := make([]float32, n)
			siluGrad32Generic(want, x, s, u, b, cc)
			for _, name := range Available() {
				if err := Use(name); err != nil {
					t.Fatal(err)
				}
				got := make([]float32, n)
				SiLUGrad32(got, x, s, u, b, cc)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s n=%d c=%v: element %d: %v, want %v", name, n, cc != nil, i, got[i], want[i])
					}
				}
			}
		}
	}
}
