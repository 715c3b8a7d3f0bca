package energies_test

import (
	"math"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
)

// fromSample builds the named energy from its generated sample config, the
// way a user copying `ebmrun` output would.
func fromSample(t testing.TB, name string) (energies.Energy, string) {
	t.Helper()
	fresh, err := energies.New(name)
	if err != nil {
		t.Fatal(err)
	}
	text := registry.Sample("energy", name, fresh)
	var m map[string]any
	if _, err := toml.Decode(text, &m); err != nil {
		t.Fatalf("%s: sample config does not parse: %v\n%s", name, err, text)
	}
	table, ok := m["energy"].(map[string]any)
	if !ok {
		t.Fatalf("%s: sample config has no [energy] table:\n%s", name, text)
	}
	e, err := energies.FromTable(table)
	if err != nil {
		t.Fatalf("%s: sample config does not validate: %v\n%s", name, err, text)
	}
	return e, text
}

// mustBuild builds an energy from a Go table or fails the test.
func mustBuild(t testing.TB, table map[string]any) energies.Energy {
	t.Helper()
	e, err := energies.FromTable(table)
	if err != nil {
		t.Fatalf("%v: %v", table, err)
	}
	return e
}

// typicalPoints returns n points (row-major) in the region where e puts its
// mass: mean ± 2 standard deviations per coordinate when e knows its
// Moments, otherwise a N(0, 1.5²) cloud. The seed is fixed.
func typicalPoints(e energies.Energy, n int, seed uint64) []float64 {
	d := e.Dim()
	mean, sd := make([]float64, d), make([]float64, d)
	for j := range sd {
		sd[j] = 1.5
	}
	if mo, ok := e.(energies.Moments); ok {
		mean = mo.Mean()
		cov := mo.Covariance()
		for j := range sd {
			sd[j] = math.Sqrt(cov[j*d+j])
		}
	}
	s := rng.New(seed, 0)
	x := make([]float64, n*d)
	for i := range n {
		for j := range d {
			z := max(-2, min(2, s.Norm()))
			x[i*d+j] = mean[j] + sd[j]*z
		}
	}
	return x
}

// relErr is |a − b| / max(1, |b|).
func relErr(a, b float64) float64 { return math.Abs(a-b) / max(1, math.Abs(b)) }

// grid2 integrates exp(−E) of a 2-D energy by the midpoint rule on a grid
// that may follow the density: n0 cells across [lo0, hi0] for x₀ and, at
// each x₀, n1 cells across span(x₀) for x₁. It returns the normalizer Z
// and the mean and row-major covariance of the normalized grid density.
func grid2(e energies.Energy, lo0, hi0 float64, n0 int, span func(x0 float64) (lo, hi float64), n1 int) (z float64, mean, cov []float64) {
	x := make([]float64, 2*n1)
	en := make([]float64, n1)
	var s0, s1, s00, s01, s11 float64
	h0 := (hi0 - lo0) / float64(n0)
	for i := range n0 {
		x0 := lo0 + (float64(i)+0.5)*h0
		lo1, hi1 := span(x0)
		h1 := (hi1 - lo1) / float64(n1)
		for j := range n1 {
			x[2*j], x[2*j+1] = x0, lo1+(float64(j)+0.5)*h1
		}
		e.Energy(en, x)
		for j, v := range en {
			w := math.Exp(-v) * h0 * h1
			x1 := x[2*j+1]
			z += w
			s0 += w * x0
			s1 += w * x1
			s00 += w * x0 * x0
			s01 += w * x0 * x1
			s11 += w * x1 * x1
		}
	}
	m0, m1 := s0/z, s1/z
	c01 := s01/z - m0*m1
	return z, []float64{m0, m1}, []float64{s00/z - m0*m0, c01, c01, s11/z - m1*m1}
}

// fixed returns a span function for a rectangle.
func fixed(lo, hi float64) func(float64) (float64, float64) {
	return func(float64) (float64, float64) { return lo, hi }
}
