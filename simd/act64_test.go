package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAct64 checks SigPairs64 and SiLUGrad64 of every implementation
// against the generic loops (around the same implementation's Exp) bit
// for bit, at lengths around the vector widths, with large, tiny, signed
// zero and non-finite inputs. A failure means a float64 SiLU or sigmoid
// network's training depends on the CPU.
func TestAct64(t *testing.T) {
	defer func(name string) { _ = Use(name) }(Chosen())
	r := rand.New(rand.NewPCG(5, 6))
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b) }
	for _, n := range []int{0, 1, 3, 4, 5, 8, 13, 64, 300} {
		x := make([]float64, n)
		b, c := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], b[i], c[i] = r.NormFloat64()*5, r.NormFloat64(), r.NormFloat64()
		}
		for i, v := range []float64{800, -800, math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1), math.NaN(), -math.NaN()} {
			if i < n {
				x[(i*7)%n] = v
			}
		}
		for _, name := range Available() {
			if err := Use(name); err != nil {
				t.Fatal(err)
			}
			s, u := make([]float64, n), make([]float64, n)
			SigPairs64(s, u, x, 1.5)
			ws, wu := make([]float64, n), make([]float64, n)
			sigPre64Generic(wu, x, 1.5)
			Exp(wu, wu)
			sigPost64Generic(ws, wu, x)
			for i := range s {
				if !same(s[i], ws[i]) || !same(u[i], wu[i]) {
					t.Fatalf("%s n=%d: SigPairs64 element %d (x %v): %v %v, want %v %v", name, n, i, x[i], s[i], u[i], ws[i], wu[i])
				}
			}
			for _, cc := range [][]float64{nil, c} {
				got, want := make([]float64, n), make([]float64, n)
				SiLUGrad64(got, x, s, u, b, cc)
				siluGrad64Generic(want, x, s, u, b, cc)
				for i := range got {
					if !same(got[i], want[i]) {
						t.Fatalf("%s n=%d c=%v: SiLUGrad64 element %d: %v, want %v", name, n, cc != nil, i, got[i], want[i])
					}
				}
			}
		}
	}
}
