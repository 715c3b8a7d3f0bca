package diagnostics

import (
	"math"
	"slices"
	"testing"
)

// TestRankNormalizeByHand: for x = [2 7 2 9 5 9] (S = 6) the average ranks
// are 1.5 4 1.5 5.5 3 5.5 (the two 2s share ranks 1, 2; the two 9s share
// 5, 6), and (r − 3/8)/(S + 1/4) gives p = 0.18 0.58 0.18 0.82 0.42 0.82.
// Φ⁻¹(0.82) = 0.915365…, Φ⁻¹(0.58) = 0.201893… and the others follow by
// symmetry. A failure means ties, the Blom offset or the quantile is wrong.
func TestRankNormalizeByHand(t *testing.T) {
	x := []float64{2, 7, 2, 9, 5, 9}
	p := []float64{0.18, 0.58, 0.18, 0.82, 0.42, 0.82}
	table := []float64{-0.915365, 0.201893, -0.915365, 0.915365, -0.201893, 0.915365}
	got := make([]float64, len(x))
	normalScores(got, x)
	for i := range x {
		exact := math.Sqrt2 * math.Erfinv(2*p[i]-1) // Φ⁻¹ by an independent route
		if math.Abs(got[i]-exact) > 1e-12 || math.Abs(got[i]-table[i]) > 1e-6 {
			t.Errorf("z[%d] (x = %v) = %.9f, want Φ⁻¹(%v) = %.9f (table %v)", i, x[i], got[i], p[i], exact, table[i])
		}
	}
}

// normalScores writes the rank normalization of x into dst, as the
// workspace computes it.
func normalScores(dst, x []float64) {
	r := new(workspace).newRanker(slices.Sorted(slices.Values(x)), nil, len(x))
	for i, v := range x {
		dst[i] = r.normalScore(v)
	}
}

// TestQuantileType7 checks the interpolation rule on 5 sorted values:
// h = 4p, so p = 0.5 is the middle value, p = 0.3 lies 0.2 of the way from
// the 2nd to the 3rd value, and p = 0, 1 are the extremes. A failure means
// tail indicators and the folding median use the wrong quantiles.
func TestQuantileType7(t *testing.T) {
	s := []float64{1, 2, 4, 8, 16}
	for _, tc := range []struct{ p, want float64 }{
		{0, 1}, {0.5, 4}, {0.3, 2 + 0.2*2}, {0.95, 8 + 0.8*8}, {1, 16},
	} {
		if got := quantile(s, tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("quantile(%v, %v) = %v, want %v", s, tc.p, got, tc.want)
		}
	}
	// Even count: the median is the mean of the two middle values.
	if got := quantile([]float64{1, 2, 4, 8}, 0.5); got != 3 {
		t.Errorf("median of 1 2 4 8 = %v, want 3", got)
	}
}
