package diagnostics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMCSEMeanIID: for i.i.d. draws the MCSE of the mean is sd/√N. With
// ESS within 0.8N…1.2N (TestESSIID) the ratio lies in 0.91…1.12; and the
// sample mean of draws whose true mean is 0 must lie within 4 MCSEs of it.
// Failing either means MCSEMean uses the wrong ESS or sd.
func TestMCSEMeanIID(t *testing.T) {
	d := normalChains(9, 4, 1000)
	s := Summarize(d)
	mu, sd := s.Mean, s.SD
	mcse := MCSEMean(d)
	ratio := mcse / (sd / math.Sqrt(4000))
	if ratio < 0.91 || ratio > 1.12 {
		t.Errorf("MCSEMean / (sd/√N) = %.3f, want within 0.91…1.12", ratio)
	}
	if math.Abs(mu) > 4*mcse {
		t.Errorf("mean %.4f is %.1f MCSEs from the true 0; MCSEMean = %.4f is too small", mu, math.Abs(mu)/mcse, mcse)
	}
	if want := sd / math.Sqrt(ESS(d)); mcse != want {
		t.Errorf("MCSEMean = %v, want SD/√ESS = %v", mcse, want)
	}
}

// TestMCSEMeanCoverage checks the MCSE against the actual spread of means
// of autocorrelated chains: over 100 independent AR(1) runs (ρ = 0.5,
// 4 × 250 draws, true mean 0), about 95% of |mean| should be below
// 1.96·MCSE. Fewer than 85 (binomial sd ≈ 2.2, so 85 is > 4 sd below 95)
// means the MCSE is too small for correlated draws, i.e. the ESS too big.
func TestMCSEMeanCoverage(t *testing.T) {
	covered := 0
	for s := range uint64(100) {
		d := ar1Chains(1000+s, 4, 250, 0.5)
		mu := Summarize(d).Mean
		if math.Abs(mu) < 1.96*MCSEMean(d) {
			covered++
		}
	}
	if covered < 85 {
		t.Errorf("%d of 100 means within 1.96 MCSE of the truth, want ≈ 95 (≥ 85)", covered)
	}
	t.Logf("coverage %d/100", covered)
}

// TestSummarizeMatchesFunctions: Summarize shares scratch space between
// diagnostics; each field must equal the stand-alone function, or the
// sharing corrupts a result.
func TestSummarizeMatchesFunctions(t *testing.T) {
	d := ar1Chains(10, 3, 301, 0.7)
	s := Summarize(d)
	mu, sd := refMeanSD(d)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Mean", s.Mean, mu}, {"SD", s.SD, sd},
		{"ESSBulk", s.ESSBulk, ESSBulk(d)}, {"ESSTail", s.ESSTail, ESSTail(d)},
		{"RHat", s.RHat, RHat(d)}, {"MCSEMean", s.MCSEMean, MCSEMean(d)}, {"MCSESD", s.MCSESD, MCSESD(d)},
		{"Q5", s.Q5, Quantile(d, 0.05)}, {"Q50", s.Q50, Quantile(d, 0.5)}, {"Q95", s.Q95, Quantile(d, 0.95)},
	} {
		if c.got != c.want || math.IsNaN(c.got) {
			t.Errorf("Summarize().%s = %v, stand-alone %v", c.name, c.got, c.want)
		}
	}
}

// ExampleSummarize summarizes 4 chains of 200 draws from an AR(1) process
// x_t = 0.5·x_{t−1} + ε_t (stationary sd 1/√0.75 ≈ 1.155, integrated
// autocorrelation time 3, so ESS ≈ 800/3), then the same chains with one
// of them shifted by 2, which R-hat flags.
func ExampleSummarize() {
	r := rand.New(rand.NewPCG(1, 2))
	draws := make([][]float64, 4)
	for j := range draws {
		draws[j] = make([]float64, 200)
		x := r.NormFloat64() / math.Sqrt(0.75)
		for i := range draws[j] {
			draws[j][i] = x
			x = 0.5*x + r.NormFloat64()
		}
	}
	s := Summarize(draws)
	fmt.Printf("mean %.2f  sd %.2f  mcse %.3f  ess bulk %.0f  ess tail %.0f  rhat %.3f\n",
		s.Mean, s.SD, s.MCSEMean, s.ESSBulk, s.ESSTail, s.RHat)

	for i := range draws[0] {
		draws[0][i] += 2
	}
	fmt.Printf("one chain shifted: rhat %.2f\n", RHat(draws))
	// Output:
	// mean 0.03  sd 1.13  mcse 0.062  ess bulk 334  ess tail 506  rhat 1.005
	// one chain shifted: rhat 1.24
}

// BenchmarkSummarize measures a full summary of 4 chains × 1000 draws.
func BenchmarkSummarize(b *testing.B) {
	d := normalChains(11, 4, 1000)
	b.ReportAllocs()
	for b.Loop() {
		Summarize(d)
	}
}
