package diagnostics

import (
	"math"
	"math/rand/v2"
)

// normalChains returns c chains of n i.i.d. standard normal draws.
func normalChains(seed uint64, c, n int) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	d := make([][]float64, c)
	for j := range d {
		d[j] = make([]float64, n)
		for i := range d[j] {
			d[j][i] = r.NormFloat64()
		}
	}
	return d
}

// ar1Chains returns c stationary AR(1) chains x_t = ρ x_{t−1} + ε_t,
// ε ~ N(0, 1), started from the stationary law N(0, 1/(1−ρ²)).
func ar1Chains(seed uint64, c, n int, rho float64) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 2))
	d := make([][]float64, c)
	for j := range d {
		d[j] = make([]float64, n)
		x := r.NormFloat64() / math.Sqrt(1-rho*rho)
		for i := range d[j] {
			d[j][i] = x
			x = rho*x + r.NormFloat64()
		}
	}
	return d
}

// near reports whether got is within rel·|want| of want.
func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}
