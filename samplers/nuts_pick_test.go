package samplers

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestProgressivePicks checks that uniformPick and biasedPick return the
// bits and the decisions of the expressions NUTS is defined by, lsw =
// logAddExp(a, b) and u < exp(b − lsw) (uniform) or u < exp(b − a)
// (biased), for weights over many magnitudes, special values, and u drawn
// at random or placed within a few ulps of the threshold. A failure means
// the shortcuts change which proposal a tree keeps, and so the draws.
func TestProgressivePicks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	special := []float64{0, math.Copysign(0, -1), 1, -1, 1000, -1000, 1e300, -1e300,
		math.Inf(1), math.Inf(-1), math.NaN(), 700, -700, 745, -745}
	weight := func() float64 {
		switch r.IntN(4) {
		case 0:
			return special[r.IntN(len(special))]
		case 1:
			return r.NormFloat64()
		case 2:
			return r.NormFloat64() * 30
		default:
			return r.NormFloat64() * math.Pow(10, float64(r.IntN(8)))
		}
	}
	us := func(thr float64) []float64 {
		v := []float64{r.Float64(), 0, math.Nextafter(1, 0), thr}
		for _, x := range []float64{thr, thr * (1 + 1e-12), thr * (1 - 1e-12)} {
			lo, hi := x, x
			for range 4 {
				lo, hi = math.Nextafter(lo, math.Inf(-1)), math.Nextafter(hi, math.Inf(1))
				v = append(v, lo, hi)
			}
		}
		out := v[:0]
		for _, u := range v {
			if u >= 0 && u < 1 {
				out = append(out, u)
			}
		}
		return out
	}
	same := func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y))
	}
	for range 200000 {
		a, b := weight(), weight()
		if r.IntN(4) == 0 { // close weights
			b = a + r.NormFloat64()*1e-3
		}
		lsw := logAddExp(a, b)
		thr := math.Exp(b - lsw)
		for _, u := range us(thr) {
			gl, gt := uniformPick(u, a, b)
			if !same(gl, lsw) || gt != (u < thr) {
				t.Fatalf("uniformPick(%v, %v, %v) = %v, %v; want %v, %v", u, a, b, gl, gt, lsw, u < thr)
			}
		}
		thr = math.Exp(b - a)
		for _, u := range us(thr) {
			gl, gt := biasedPick(u, a, b)
			if !same(gl, lsw) || gt != (u < thr) {
				t.Fatalf("biasedPick(%v, %v, %v) = %v, %v; want %v, %v", u, a, b, gl, gt, lsw, u < thr)
			}
		}
	}
}
