package mlp

import (
	"math"
	"testing"

	"github.com/goebm/ebm/rng"
)

// TestExpNeg compares expNeg with math.Exp on a dense sweep of [−720, 720],
// random points, the edges of the fast range and the special values. A
// failure means the hand-written exponential is wrong somewhere (a bad
// table entry, a wrong reduction constant, a broken exponent shift), so
// every sigmoid-type activation would be off.
func TestExpNeg(t *testing.T) {
	var x []float64
	for v := -720.0; v <= 720; v += 0.0137 {
		x = append(x, v)
	}
	s := rng.New(1, 0)
	for range 20000 {
		x = append(x, 40*s.Norm(), 1e-3*s.Norm(), 1e-300*s.Norm())
	}
	for _, edge := range []float64{708, 709, 745, 746} {
		for _, v := range []float64{edge, math.Nextafter(edge, 0), math.Nextafter(edge, 1000)} {
			x = append(x, v, -v)
		}
	}
	x = append(x, 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-320, -1e-320)
	got := make([]float64, len(x))
	expNeg(got, x)
	worst := 0.0
	for i, v := range x {
		want := math.Exp(-v)
		switch {
		case math.IsNaN(want) || math.IsInf(want, 0) || want < 0x1p-1022:
			// Outside the fast range expNeg calls math.Exp itself.
			if math.Float64bits(got[i]) != math.Float64bits(want) && !(math.IsNaN(got[i]) && math.IsNaN(want)) {
				t.Errorf("exp(−%v) = %v, math.Exp %v", v, got[i], want)
			}
		default:
			// Both are within about 1 ulp of the true value; allow 4 ulp
			// relative (2⁻⁵¹) between them.
			r := math.Abs(got[i]-want) / want
			worst = max(worst, r)
			if !(r <= 0x1p-51) {
				t.Errorf("exp(−%v) = %v, math.Exp %v (relative difference %.3g)", v, got[i], want, r)
			}
		}
	}
	t.Logf("worst relative difference from math.Exp: %.3g (%.2f × 2⁻⁵³) over %d points", worst, worst/0x1p-53, len(x))
}

// TestSiLULayerMatchesGeneric checks the hand-inlined SiLU pass against
// the formulas written with expNeg, bit for bit, with and without the
// derivative and the column scale. A failure means the inlined copy of the
// exponential drifted from expNeg (only one of them is tested above).
func TestSiLULayerMatchesGeneric(t *testing.T) {
	const rows, w = 7, 13
	s := rng.New(2, 0)
	z0, bias, scale := make([]float64, rows*w), make([]float64, w), make([]float64, w)
	for i := range z0 {
		z0[i] = 20 * s.Norm()
	}
	z0[3], z0[4], z0[5] = 800, -800, math.NaN()
	for j := range bias {
		bias[j], scale[j] = s.Norm(), s.Norm()
	}
	for _, sc := range [][]float64{nil, scale} {
		z, d := append([]float64(nil), z0...), make([]float64, len(z0))
		actSiLU.layer(z, d, bias, sc, true)
		zOnly, tmp := append([]float64(nil), z0...), make([]float64, len(z0))
		actSiLU.layer(zOnly, tmp, bias, nil, false)
		for i, v0 := range z0 {
			v := v0 + bias[i%w]
			t1 := []float64{0}
			expNeg(t1, []float64{v})
			sg := 1 / (1 + t1[0])
			wantZ, wantD := v*sg, sg*(1+v*(1-sg))
			if sc != nil {
				wantD *= sc[i%w]
			}
			same := func(a, b float64) bool {
				return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
			}
			if !same(z[i], wantZ) || !same(d[i], wantD) || !same(zOnly[i], wantZ) {
				t.Errorf("z=%v: silu %v %v (value only %v), want %v %v", v, z[i], d[i], zOnly[i], wantZ, wantD)
			}
		}
	}
}
