package energies

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRosenbrock2DSameBits checks the 2-D fast path of Gradient against
// the chained loop it replaces, bit for bit, and Energy against both, on
// points over many magnitudes and non-finite ones.
func TestRosenbrock2DSameBits(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ros := &Rosenbrock{A: 1, B: 100, Temperature: 20, D: 2}
	special := []float64{0, math.Copysign(0, -1), 1, -1, 1e200, -1e200, math.Inf(1), math.NaN()}
	const n = 4000
	x := make([]float64, 2*n)
	for i := range x {
		if r.IntN(10) == 0 {
			x[i] = special[r.IntN(len(special))]
		} else {
			x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(6)-2))
		}
	}
	e, g, en := make([]float64, n), make([]float64, 2*n), make([]float64, n)
	ros.Gradient(e, g, x)
	ros.Energy(en, x)
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	a, b, it := ros.A, ros.B, 1/ros.Temperature
	for k := range n {
		xr := x[2*k : 2*k+2]
		gr := []float64{0, 0}
		s := 0.0
		for i := 0; i+1 < 2; i++ {
			u, v := a-xr[i], xr[i+1]-xr[i]*xr[i]
			s += u*u + b*v*v
			gr[i] += -2*u - 4*b*xr[i]*v
			gr[i+1] += 2 * b * v
		}
		for i := range gr {
			gr[i] *= it
		}
		if !same(e[k], s*it) || !same(g[2*k], gr[0]) || !same(g[2*k+1], gr[1]) || !same(en[k], e[k]) {
			t.Fatalf("x = %v: e %v g %v, energy %v; want e %v g %v", xr, e[k], g[2*k:2*k+2], en[k], s*it, gr)
		}
	}
}
