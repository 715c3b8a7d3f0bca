package diagnostics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// sameBits reports whether a and b are the same float64, bit for bit, or
// both NaN.
func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// tiedChains returns c chains of n draws of a kind chosen by kind: rounded
// normals (many ties), a few distinct values, signed zeros among normals,
// AR(1) draws, chains stuck at different values, or one constant.
func tiedChains(r *rand.Rand, kind, c, n int) [][]float64 {
	d := make([][]float64, c)
	x := 0.0
	for i := range d {
		d[i] = make([]float64, n)
		for t := range d[i] {
			v := r.NormFloat64()
			switch kind {
			case 0:
				v = math.Round(v*4) / 4
			case 1:
				v = float64(r.IntN(3)) - 1
			case 2:
				if r.IntN(4) == 0 {
					v = math.Copysign(0, v)
				}
			case 3:
				x = 0.9*x + v
				v = x + float64(i)
			case 4:
				v = float64(i % 2)
			case 5:
				v = 7
			}
			d[i][t] = v
		}
	}
	return d
}

// TestSummarizeMatchesReference compares Summarize, a reused Summarizer
// (with rows and with strided draws) and every stand-alone function with
// the reference implementation (reference_test.go, which sorts (value,
// index) pairs and keeps every chain's autocovariances), bit for bit, on
// draws with ties, signed zeros, odd and even lengths, stuck and constant
// chains, with one processor and several, and batches of
// autocovariances of a few chains and of all. A failure means the faster
// implementation changed a published number.
func TestSummarizeMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	var sz Summarizer
	defer func(b int) { maxBatchBytes = b }(maxBatchBytes)
	for _, procs := range []int{1, 3} {
		old := runtime.GOMAXPROCS(procs)
		// Batches of a few chains with one processor, of all of them
		// with several.
		maxBatchBytes = 32 << (20 * (procs - 1) / 2)
		for trial := range 60 {
			kind := trial % 6
			c, n := 1+r.IntN(5), 2+r.IntN(300)
			if trial%10 == 9 {
				c, n = 9, 1001+r.IntN(2)
			}
			d := tiedChains(r, kind, c, n)
			want := refSummarize(d)
			name := fmt.Sprintf("procs %d, kind %d, %d×%d", procs, kind, c, n)

			// The same draws, flattened with 2 other quantities between.
			const dim, at = 3, 1
			flat := make([]float64, c*n*dim)
			for i := range d {
				for j, v := range d[i] {
					flat[(i*n+j)*dim+at] = v
					flat[(i*n+j)*dim] = r.NormFloat64()
				}
			}
			for _, got := range []struct {
				how string
				s   Summary
			}{
				{"Summarize", Summarize(d)},
				{"Summarizer", sz.Summarize(d)},
				{"SummarizeStrided", sz.SummarizeStrided(flat, c, n, dim, at)},
				{"functions", Summary{Mean: want.Mean, SD: want.SD, ESSBulk: ESSBulk(d), ESSTail: ESSTail(d), RHat: RHat(d),
					MCSEMean: MCSEMean(d), MCSESD: MCSESD(d), Q5: Quantile(d, 0.05), Q50: Quantile(d, 0.5), Q95: Quantile(d, 0.95)}},
			} {
				g, w := got.s, want
				for _, f := range []struct {
					field     string
					got, want float64
				}{
					{"Mean", g.Mean, w.Mean}, {"SD", g.SD, w.SD}, {"ESSBulk", g.ESSBulk, w.ESSBulk},
					{"ESSTail", g.ESSTail, w.ESSTail}, {"RHat", g.RHat, w.RHat}, {"MCSEMean", g.MCSEMean, w.MCSEMean},
				} {
					if !sameBits(f.got, f.want) {
						t.Errorf("%s: %s.%s = %v, reference %v", name, got.how, f.field, f.got, f.want)
					}
				}
			}
			// Another quantity in between, to catch state kept from one to
			// the next.
			sz.SummarizeStrided(flat, c, n, dim, 0)
		}
		runtime.GOMAXPROCS(old)
	}
}

// TestNormalScoresMatchReference compares the rank normalization with the
// reference (sorting (value, index) pairs and averaging tied ranks), bit
// for bit, on values with many ties, signed zeros and a wide range. A
// failure means tied values get other ranks than before.
func TestNormalScoresMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 40 {
		n := 1 + r.IntN(5000)
		x := make([]float64, n)
		for i := range x {
			switch trial % 4 {
			case 0:
				x[i] = math.Round(r.NormFloat64() * 10)
			case 1:
				x[i] = math.Copysign(0, r.NormFloat64())
			case 2:
				x[i] = math.Ldexp(r.NormFloat64(), r.IntN(200)-100)
			case 3:
				x[i] = 1 + math.Round(r.Float64()*1e6)*1e-15
			}
		}
		got, want := make([]float64, n), make([]float64, n)
		normalScores(got, x)
		refRankNormalize(want, x, make([]refRanked, n))
		for i := range x {
			if !sameBits(got[i], want[i]) {
				t.Fatalf("trial %d: z[%d] (x = %v) = %v, reference %v", trial, i, x[i], got[i], want[i])
			}
		}
	}
}
