package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpExact checks every implementation's ExpExact against math.Exp,
// bit for bit (NaN payloads included), on the special values, the edges of
// overflow, of subnormal results and of underflow, values that round k
// either way, random arguments over the whole range that matters and
// random bit patterns, at every length up to 67 (the masked tail).
func TestExpExact(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		var xs []float64
		for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, math.Inf(1), math.Inf(-1), math.NaN(),
			math.Float64frombits(0x7ff8dead0000beef), math.Float64frombits(0xfff0000000000001),
			709.782712893384, 709.78271289338397, 709.78271289338402, 709.79, 710, 1e10, 1e300, math.MaxFloat64,
			-708.39, -708.3964185322641, -708.40, -709, -720, -740, -744.44, -745.13, -745.14, -746, -1000, -1e10, -1e300, -math.MaxFloat64,
			5e-324, -5e-324, 1e-300, -1e-300, 0.34657359027997264, -0.34657359027997264, 1.0397207708399179, math.Ln2, -math.Ln2} {
			xs = append(xs, v)
		}
		r := rand.New(rand.NewPCG(11, 13))
		for range 200000 {
			xs = append(xs, (r.Float64()*2-1)*750)
		}
		for range 20000 {
			xs = append(xs, -708-r.Float64()*40) // subnormal results and underflow
		}
		for range 20000 {
			xs = append(xs, (r.Float64()*2-1)*1e-3)
		}
		for range 20000 {
			xs = append(xs, math.Float64frombits(r.Uint64()))
		}
		// k·ln2 halfway cases: k ± 1/2 times ln 2, nudged.
		for k := -1100; k <= 1100; k++ {
			v := (float64(k) + 0.5) * math.Ln2
			xs = append(xs, v, math.Nextafter(v, 0), math.Nextafter(v, math.Inf(1)))
		}
		check := func(x []float64) {
			t.Helper()
			got := make([]float64, len(x))
			ExpExact(got, x)
			for i, v := range x {
				if want := math.Exp(v); math.Float64bits(got[i]) != math.Float64bits(want) {
					t.Fatalf("ExpExact(%v) = %v (%#x), math.Exp gives %v (%#x)", v, got[i], math.Float64bits(got[i]), want, math.Float64bits(want))
				}
			}
		}
		check(xs)
		for n := 0; n <= 67; n++ {
			check(xs[n*7 : n*7+n])
		}
	})
}
