package diagnostics

import (
	"math"
	"strings"
	"testing"
)

// TestSplitRHatByHand checks the raw (not rank-normalized) split R-hat on
// 2 chains × 6 draws. Split halves and their statistics:
//
//	A = [1 2 3]  mean 2  var (1+0+1)/2 = 1
//	B = [3 4 5]  mean 4  var 1
//	C = [2 2 5]  mean 3  var (1+1+4)/2 = 3
//	D = [0 3 3]  mean 2  var (4+1+1)/2 = 3
//
// W = (1+1+3+3)/4 = 2. Means 2 4 3 2: grand mean 2.75, squared deviations
// 0.5625 1.5625 0.0625 0.5625 sum to 2.75, var(means) = 2.75/3 = 0.91667.
// R̂ = √((m−1)/m + var(means)/W) = √(2/3 + 0.91667/2) = √1.125 = 1.06066.
// A failure means the split, the within/between variances or the formula
// is wrong.
func TestSplitRHatByHand(t *testing.T) {
	want := math.Sqrt(1.125)
	for _, tc := range []struct {
		name  string
		draws [][]float64
	}{
		{"even", [][]float64{{1, 2, 3, 3, 4, 5}, {2, 2, 5, 0, 3, 3}}},
		// The middle draw of an odd-length chain belongs to neither half:
		// wild middle values must not change anything.
		{"odd", [][]float64{{1, 2, 3, 100, 3, 4, 5}, {2, 2, 5, -50, 0, 3, 3}}},
	} {
		w := newWorkspace(tc.draws)
		var raw []float64
		for j := range w.k {
			raw = append(raw, w.split(j, make([]float64, w.m))...)
		}
		if got := w.rhat(raw); math.Abs(got-want) > 1e-14 {
			t.Errorf("%s: split R-hat = %.17g, want √1.125 = %.17g", tc.name, got, want)
		}
	}
}

// TestRHatIID checks that well-mixed i.i.d. chains give R-hat within 0.01
// of 1; a larger value would flag perfectly converged chains.
func TestRHatIID(t *testing.T) {
	d := normalChains(1, 4, 1000)
	if r := RHat(d); math.Abs(r-1) > 0.01 {
		t.Errorf("R-hat of i.i.d. normal chains = %.4f, want within 0.01 of 1", r)
	}
}

// TestRHatShiftedMean offsets one of four chains by one standard deviation.
// The expected split R-hat is about √(1 + 1.5/7) ≈ 1.10 (two of eight split
// chains offset by d = 1: var(means) = 1.5d²/7, W ≈ 1); with two chains,
// one offset, it is about √(1 + 1/3) ≈ 1.15. Failing to exceed 1.05 and 1.1
// respectively means R-hat misses chains stuck in different places.
func TestRHatShiftedMean(t *testing.T) {
	four := normalChains(2, 4, 1000)
	for i := range four[0] {
		four[0][i]++
	}
	if r := RHat(four); r < 1.05 {
		t.Errorf("R-hat with 1 of 4 chains offset by 1 sd = %.4f, want > 1.05 (expected ≈ 1.10)", r)
	}
	two := normalChains(3, 2, 1000)
	for i := range two[0] {
		two[0][i]++
	}
	if r := RHat(two); r < 1.1 {
		t.Errorf("R-hat with 1 of 2 chains offset by 1 sd = %.4f, want > 1.1 (expected ≈ 1.15)", r)
	}
}

// TestRHatFoldedCatchesScale gives one of four chains three times the
// standard deviation of the others, all centred at 0. The bulk (location)
// R-hat barely moves, the folded one must: if RHat stays below 1.05 the
// folding is missing or broken.
func TestRHatFoldedCatchesScale(t *testing.T) {
	d := normalChains(4, 4, 1000)
	for i := range d[0] {
		d[0][i] *= 3
	}
	w := newWorkspace(d)
	bulk := w.rhat(w.bulk())
	r := RHat(d)
	if r < 1.05 {
		t.Errorf("R-hat with one chain of 3× the sd = %.4f, want > 1.05", r)
	}
	if bulk >= r || bulk > 1.02 {
		t.Errorf("bulk R-hat = %.4f alongside improved R-hat %.4f: want the bulk one near 1, "+
			"so that the folded term is what detected the scale difference", bulk, r)
	}
	t.Logf("bulk %.4f, improved %.4f", bulk, r)
}

// TestRHatStuckChains: chains each constant at a different value have not
// mixed at all; R-hat must say +Inf, not NaN or a finite number.
func TestRHatStuckChains(t *testing.T) {
	d := [][]float64{{1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2}}
	if r := RHat(d); !math.IsInf(r, 1) {
		t.Errorf("R-hat of chains stuck at 1 and 2 = %v, want +Inf", r)
	}
}

// TestRHatTwoValued: draws taking two values symmetric about the median
// fold to a constant; RHat must fall back to the bulk value rather than
// report NaN for a perfectly assessable quantity.
func TestRHatTwoValued(t *testing.T) {
	d := [][]float64{{0, 1, 0, 1, 1, 0, 1, 0}, {1, 0, 1, 0, 0, 1, 0, 1}}
	w := newWorkspace(d)
	if got, want := RHat(d), w.rhat(w.bulk()); got != want || math.IsNaN(got) {
		t.Errorf("R-hat of 0/1 draws = %v, want the bulk value %v", got, want)
	}
}

// TestNotAssessable checks the documented NaN cases: every diagnostic must
// be NaN (not a panic, not a number from 0/0) for constant draws, too few
// draws, non-finite draws and no chains.
func TestNotAssessable(t *testing.T) {
	cases := map[string][][]float64{
		"constant":  {{3, 3, 3, 3, 3}, {3, 3, 3, 3, 3}},
		"3 draws":   {{1, 2, 3}, {4, 5, 6}},
		"NaN":       {{1, 2, math.NaN(), 4}, {1, 2, 3, 4}},
		"Inf":       {{1, 2, math.Inf(1), 4}, {1, 2, 3, 4}},
		"no chains": {},
		"no draws":  {{}, {}},
	}
	fns := map[string]func([][]float64) float64{
		"RHat": RHat, "ESS": ESS, "ESSBulk": ESSBulk, "ESSTail": ESSTail, "MCSEMean": MCSEMean,
	}
	for cname, d := range cases {
		for fname, f := range fns {
			if v := f(d); !math.IsNaN(v) {
				t.Errorf("%s(%s) = %v, want NaN", fname, cname, v)
			}
		}
		s := Summarize(d)
		if !math.IsNaN(s.RHat) || !math.IsNaN(s.ESSBulk) || !math.IsNaN(s.ESSTail) || !math.IsNaN(s.MCSEMean) {
			t.Errorf("Summarize(%s) = %+v, want NaN diagnostics", cname, s)
		}
	}
	if s := Summarize(cases["constant"]); s.Mean != 3 || s.SD != 0 {
		t.Errorf("Summarize(constant) mean, sd = %v, %v, want 3, 0", s.Mean, s.SD)
	}
}

// TestRaggedPanics: chains of different lengths are a programming error
// and must panic with the package prefix, naming the offending chain.
func TestRaggedPanics(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "diagnostics: ") || !strings.Contains(msg, "chain 1") {
			t.Errorf("ragged input: recovered %q, want a panic starting \"diagnostics: \" naming chain 1", msg)
		}
	}()
	RHat([][]float64{{1, 2, 3, 4}, {1, 2, 3}})
}

// TestBoundaryAndTies: 4 draws per chain is the documented minimum of
// R-hat and must give one, while every ESS is NaN there (fewer than 6 draws
// per split chain: Geyer's sequence has no room, and a number would claim
// what the draws cannot show); heavily tied discrete draws (mostly zeros) must give
// finite positive values or NaN, never a panic, a negative ESS or an R-hat
// below the split-R-hat floor √((m−1)/m).
func TestBoundaryAndTies(t *testing.T) {
	four := [][]float64{{0.1, 0.5, -0.3, 0.8}, {0.2, -0.6, 0.4, 0.0}}
	if s := Summarize(four); math.IsNaN(s.RHat) || !math.IsNaN(s.ESSBulk) || !math.IsNaN(s.ESSTail) || !math.IsNaN(s.MCSEMean) {
		t.Errorf("Summarize with 4 draws per chain = %+v, want an R-hat and NaN ESSs and MCSE", s)
	}
	d := normalChains(12, 3, 300)
	for _, c := range d {
		for i, v := range c {
			c[i] = 0
			if v > 1.9 { // about 3% ones
				c[i] = 1
			}
		}
	}
	s := Summarize(d)
	for name, v := range map[string]float64{"ESSBulk": s.ESSBulk, "ESSTail": s.ESSTail, "MCSEMean": s.MCSEMean} {
		if !math.IsNaN(v) && !(v > 0 && !math.IsInf(v, 0)) {
			t.Errorf("%s of tied 0/1 draws = %v, want finite positive or NaN", name, v)
		}
	}
	if floor := math.Sqrt(149.0 / 150); !(s.RHat >= floor) {
		t.Errorf("R-hat of tied 0/1 draws = %v, want ≥ %v", s.RHat, floor)
	}
	t.Logf("tied 0/1 draws: %+v", s)
}
