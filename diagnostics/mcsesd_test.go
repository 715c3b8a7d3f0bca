package diagnostics

import (
	"math"
	"testing"
)

// TestQuantileColumns checks the quantile columns against values computed
// by hand with NumPy's default (type 7) rule: for the draws 1…20 (two
// chains, the order of chains and draws irrelevant) h = 19p, so q05 =
// 1 + 0.95, the median 10.5 and q95 = 19 + 0.05.
func TestQuantileColumns(t *testing.T) {
	d := [][]float64{make([]float64, 10), make([]float64, 10)}
	for i := range 10 {
		d[0][i] = float64(20 - 2*i) // 20, 18, …, 2
		d[1][i] = float64(2*i + 1)  // 1, 3, …, 19
	}
	s := Summarize(d)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Q5", s.Q5, 1.95}, {"Q50", s.Q50, 10.5}, {"Q95", s.Q95, 19.05},
		{"Quantile(0.05)", Quantile(d, 0.05), 1.95}, {"Quantile(0)", Quantile(d, 0), 1}, {"Quantile(1)", Quantile(d, 1), 20},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if q := Quantile(d, 1.5); !math.IsNaN(q) {
		t.Errorf("Quantile(1.5) = %v, want NaN", q)
	}
	if s := Summarize([][]float64{{1, 2, 3}}); !math.IsNaN(s.Q50) || !math.IsNaN(s.MCSESD) {
		t.Errorf("3 draws: Q50 %v, MCSESD %v, want NaN", s.Q50, s.MCSESD)
	}
}

// TestMCSESDFormula recomputes ArviZ's mcse(method="sd") step by step, as
// its Python reads, on autocorrelated draws of odd length (the middle draw
// counts in the moments, not in the split ESS).
func TestMCSESDFormula(t *testing.T) {
	d := ar1Chains(21, 3, 301, 0.6)
	n, mu := 0.0, 0.0
	for _, ch := range d {
		for _, v := range ch {
			mu += v
			n++
		}
	}
	mu /= n
	evar, e4 := 0.0, 0.0
	for _, ch := range d {
		for _, v := range ch {
			c := (v - mu) * (v - mu)
			evar += c / n
			e4 += c * c / n
		}
	}
	varvar := (e4 - evar*evar) / ESS(d)
	want := math.Sqrt(varvar / evar / 4)
	got := MCSESD(d)
	if !near(got, want, 1e-12) {
		t.Errorf("MCSESD = %v, want %v", got, want)
	}
	if s := Summarize(d); s.MCSESD != got {
		t.Errorf("Summarize().MCSESD = %v, MCSESD = %v", s.MCSESD, got)
	}
}

// TestMCSESDIID: for i.i.d. normal draws the standard deviation's standard
// error is about σ/√(2N).
func TestMCSESDIID(t *testing.T) {
	d := normalChains(5, 4, 1000)
	s := Summarize(d)
	ratio := s.MCSESD / (s.SD / math.Sqrt(2*4000))
	if ratio < 0.85 || ratio > 1.15 {
		t.Errorf("MCSESD / (sd/√(2N)) = %.3f, want within 0.85…1.15", ratio)
	}
}
