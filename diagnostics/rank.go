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
// A table indexed by the top bits of an order-preserving integer key,
// relative to the smallest value's, narrows the binary searches to the
// values that share those bits.
type ranker struct {
	sorted, minus []float64
	lo            uint64 // key of sorted[0]
	shift         uint
	bins          []int // bins[b] = number of sorted values in bins before b
	s             float64
}

// maxBins bounds the rank lookup table.
const maxBins = 1 << 21

// newRanker returns a ranker of the s = len(sorted) − len(minus) values
// (s > 0); it keeps its table in w.bins.
func (w *workspace) newRanker(sorted, minus []float64, s int) *ranker {
	r := &ranker{sorted: sorted, minus: minus, s: float64(s), lo: orderKey(sorted[0])}
	span := orderKey(sorted[len(sorted)-1]) - r.lo
	target := uint64(min(maxBins, max(1, len(sorted)/4)))
	for span>>r.shift >= target {
		r.shift++
	}
	nb := int(span>>r.shift) + 1
	if cap(w.bins) < nb+1 {
		w.bins = make([]int, nb+1)
	}
	r.bins = w.bins[:nb+1]
	clear(r.bins)
	for _, v := range sorted {
		r.bins[r.bin(v)+1]++
	}
	for b := 1; b <= nb; b++ {
		r.bins[b] += r.bins[b-1]
	}
	return r
}

// orderKey maps v to an integer whose order is v's (−0 and +0 map alike).
func orderKey(v float64) uint64 {
	b := math.Float64bits(v)
	switch {
	case b == 1<<63: // −0
		return 1 << 63
	case b>>63 != 0:
		return ^b
	}
	return b | 1<<63
}

// bin returns the table entry of v, which must lie within the sorted values.
func (r *ranker) bin(v float64) int {
	return int((orderKey(v) - r.lo) >> r.shift)
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
