package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdd32 checks Add32 against a[i] + b[i] bit for bit, in every
// implementation, at lengths around the kernels' widths (8, 32), with dst
// a fresh slice, a itself and b itself, and with infinities and NaNs
// among the values. A failure means the graphs' additions (adjoint sums,
// residual adds) would differ from the copy-and-Axpy32 they replace.
func TestAdd32(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 40, 71, 128, 1000} {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = float32(r.NormFloat64()), float32(r.NormFloat64()*1e3)
		}
		if n > 5 {
			a[1], b[2], a[3], b[3], b[4] = float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1, float32(math.NaN())
		}
		for _, name := range Available() {
			if err := Use(name); err != nil {
				t.Fatal(err)
			}
			for _, alias := range []string{"fresh", "dst=a", "dst=b"} {
				av, bv := append([]float32(nil), a...), append([]float32(nil), b...)
				dst := make([]float32, n)
				switch alias {
				case "dst=a":
					dst = av
				case "dst=b":
					dst = bv
				}
				Add32(dst, av, bv)
				for i := range dst {
					want := a[i] + b[i]
					if got := dst[i]; math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
						t.Fatalf("%s n=%d %s: element %d = %v, want %v", name, n, alias, i, got, want)
					}
				}
			}
		}
	}
}
