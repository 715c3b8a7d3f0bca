package diagnostics

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// ranked pairs a value with its position, for sorting.
type ranked struct {
	v float64
	i int
}

// rankNormalize writes into dst the normal scores of src: each value is
// replaced by its rank r among all of src (1-based; tied values share the
// average of their ranks) and then by Φ⁻¹((r − 3/8)/(S + 1/4)), S = len(src),
// the Blom offset used by Vehtari et al. (2021). order is scratch space of
// len(src). src must hold no NaN.
func rankNormalize(dst, src []float64, order []ranked) {
	for i, v := range src {
		order[i] = ranked{v, i}
	}
	slices.SortFunc(order, func(a, b ranked) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	s := float64(len(src))
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && order[j].v == order[i].v {
			j++
		}
		// The tied block holds ranks i+1 … j; their average is (i+1+j)/2.
		r := float64(i+1+j) / 2
		z := distuv.UnitNormal.Quantile((r - 0.375) / (s + 0.25))
		for _, o := range order[i:j] {
			dst[o.i] = z
		}
		i = j
	}
}

// quantile returns the p-quantile of the sorted values by linear
// interpolation between order statistics (R's type 7, NumPy's default):
// h = (n−1)p, q = s[⌊h⌋] + (h − ⌊h⌋)(s[⌊h⌋+1] − s[⌊h⌋]).
func quantile(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// varies reports whether x holds at least two different values.
func varies(x []float64) bool {
	for _, v := range x[1:] {
		if v != x[0] {
			return true
		}
	}
	return false
}
