package simd

import (
	"math"
	"testing"
)

// TestAllFinite checks AllFinite of every implementation on finite
// values (huge ones included) and with one NaN, +Inf or −Inf at every
// position of lengths around the vector widths: a failure means a
// sampler would take a non-finite proposal, or reject a finite one.
func TestAllFinite(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, 3, 4, 15, 16, 17, 31, 32, 33, 64} {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(i-n/2) * 1e306
			}
			if !AllFinite(x) {
				t.Fatalf("%s n=%d: finite values reported non-finite", name, n)
			}
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				for i := range x {
					old := x[i]
					x[i] = bad
					if AllFinite(x) {
						t.Fatalf("%s n=%d: %v at %d not seen", name, n, bad, i)
					}
					x[i] = old
				}
			}
		}
	}
}
