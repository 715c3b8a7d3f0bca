package diagnostics

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Rank normalization replaces each of S values by its rank r among them
// (1-based; tied values share the average of their ranks) and then by
// Φ⁻¹((r − 3/8)/(S + 1/4)), the Blom offset used by Vehtari et al. (2021).
// The values are not sorted with their positions: they are sorted alone
// (the workspace keeps them sorted anyway, for the quantiles), and a
// ranker finds each value's block of ties in the sorted values.

// ranker finds the average rank of a value among the values of sorted
// less those of minus (both ascending, minus a sub-multiset of sorted).
// A table of bins of equal width over the central values (from the 0.1 %
// to the 99.9 % quantile, with one bin below and one above for the tails)
// narrows the binary searches to the few values that share a bin: the bin
// of v is a non-decreasing function of v, so the values of one bin are a
// run of sorted, and every value of an earlier bin is less than v.
type ranker struct {
	sorted, minus []float64
	a, b, scale   float64 // central range [a, b]; inner bin of v: ⌊(v − a)·scale⌋
	nb            int     // inner bins, numbered 1 … nb; 0 and nb+1 are the tails
	bins          []int   // bins[i] = number of sorted values in bins before i
	s             float64
}

// maxBins bounds the rank lookup table.
const maxBins = 1 << 22

// newRanker returns a ranker of the s = len(sorted) − len(minus) values
// (s > 0); it keeps its table in w.bins.
func (w *workspace) newRanker(sorted, minus []float64, s int) *ranker {
	n := len(sorted)
	r := &ranker{sorted: sorted, minus: minus, s: float64(s)}
	r.a, r.b = sorted[n/1000], sorted[n-1-n/1000]
	r.nb = min(maxBins, max(1, n/4))
	if r.b > r.a {
		r.scale = float64(r.nb) / (r.b - r.a)
	}
	if cap(w.bins) < r.nb+3 {
		w.bins = make([]int, r.nb+3)
	}
	r.bins = w.bins[:r.nb+3]
	clear(r.bins)
	for _, v := range sorted {
		r.bins[r.bin(v)+1]++
	}
	for i := 1; i < len(r.bins); i++ {
		r.bins[i] += r.bins[i-1]
	}
	return r
}

// bin returns the table entry of v: 0 below a, nb+1 above b, else an inner
// bin. Subtraction and multiplication by a positive constant round
// monotonically, so bin never decreases as v grows (−0 and +0 share one).
func (r *ranker) bin(v float64) int {
	switch {
	case v < r.a:
		return 0
	case v > r.b:
		return r.nb + 1
	}
	return 1 + min(r.nb-1, int((v-r.a)*r.scale))
}

// normalScore returns Φ⁻¹((r − 3/8)/(S + 1/4)) for v's average rank r.
func (r *ranker) normalScore(v float64) float64 {
	b := r.bin(v)
	lo, hi := r.bins[b], r.bins[b+1]
	seg := r.sorted[lo:hi]
	// Values below v and values up to v: the block of ties holds ranks
	// i+1 … j; their average is (i+1+j)/2.
	i, j := lo+below(seg, v), lo+upTo(seg, v)
	if len(r.minus) > 0 {
		i -= below(r.minus, v)
		j -= upTo(r.minus, v)
	}
	rank := float64(i+1+j) / 2
	return distuv.UnitNormal.Quantile((rank - 0.375) / (r.s + 0.25))
}

// below returns the number of values of the ascending s less than v.
func below(s []float64, v float64) int {
	lo, hi := 0, len(s)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if s[h] < v {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// upTo returns the number of values of the ascending s less than or equal
// to v.
func upTo(s []float64, v float64) int {
	lo, hi := 0, len(s)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if s[h] <= v {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
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
