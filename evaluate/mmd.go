package evaluate

import (
	"fmt"
	"math"
)

// MMD returns the unbiased squared maximum mean discrepancy between samples
// x and y (row-major, dim values per row),
//
//	MMD²_u = Σ_{i≠j} k(x_i, x_j)/(m(m−1)) + Σ_{i≠j} k(y_i, y_j)/(n(n−1)) − 2 Σ_{i,j} k(x_i, y_j)/(mn),
//
// with the Gaussian kernel k(a, b) = exp(−‖a − b‖²/(2·bw²)). Its
// expectation is the population MMD², zero when x and y come from the same
// law, so an estimate may be slightly negative.
//
// bandwidth ≤ 0 selects the median heuristic: bw is the median Euclidean
// distance over all pairs of the pooled rows (the mean of the two middle
// values for an even count); if that median is 0 the mean pairwise distance
// is used, and if every pooled row coincides MMD returns 0 with bw = 0. The
// bandwidth used is returned as bw.
//
// Only the first maxN rows of x and of y are used (maxN ≤ 0: all rows), to
// bound the O(maxN²) cost: pass samples in random order (or thinned chains)
// when maxN cuts them. Non-finite values in the used rows give NaN, NaN.
// MMD panics on a dim ≤ 0, samples that are not whole rows, fewer than 2
// used rows in x or y, or a NaN or +Inf bandwidth (programming errors).
func MMD(x, y []float64, dim int, bandwidth float64, maxN int) (mmd2, bw float64) {
	if dim <= 0 || len(x)%dim != 0 || len(y)%dim != 0 {
		panic(fmt.Sprintf("evaluate: MMD: len(x) = %d and len(y) = %d must be multiples of dim = %d > 0", len(x), len(y), dim))
	}
	if math.IsNaN(bandwidth) || math.IsInf(bandwidth, 1) {
		panic(fmt.Sprintf("evaluate: MMD: bandwidth must be finite, got %v", bandwidth))
	}
	m, n := len(x)/dim, len(y)/dim
	if maxN > 0 {
		m, n = min(m, maxN), min(n, maxN)
	}
	if m < 2 || n < 2 {
		panic(fmt.Sprintf("evaluate: MMD: need at least 2 rows in each sample, got %d and %d", m, n))
	}
	x, y = x[:m*dim], y[:n*dim]
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.NaN(), math.NaN()
		}
	}
	for _, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.NaN(), math.NaN()
		}
	}
	bw = bandwidth
	if bw <= 0 {
		bw = medianDistance(x, y, dim)
		if bw == 0 {
			return 0, 0
		}
	}
	g := 1 / (2 * bw * bw)
	kxx := 2 * kernelSum(x, x, dim, g, true)
	kyy := 2 * kernelSum(y, y, dim, g, true)
	kxy := kernelSum(x, y, dim, g, false)
	fm, fn := float64(m), float64(n)
	return kxx/(fm*(fm-1)) + kyy/(fn*(fn-1)) - 2*kxy/(fm*fn), bw
}

// kernelSum is Σ exp(−g‖a_i − b_j‖²) over all pairs, or over i < j when
// upper is set (a and b are then the same sample).
func kernelSum(a, b []float64, dim int, g float64, upper bool) float64 {
	na, nb := len(a)/dim, len(b)/dim
	total := 0.0
	for i := range na {
		ai := a[i*dim : (i+1)*dim]
		j0 := 0
		if upper {
			j0 = i + 1
		}
		row := 0.0
		for j := j0; j < nb; j++ {
			row += math.Exp(-g * sqDist(ai, b[j*dim:(j+1)*dim]))
		}
		total += row
	}
	return total
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for k, v := range a {
		d := v - b[k]
		s += d * d
	}
	return s
}

// medianDistance is the median Euclidean distance over all pairs of the
// pooled rows of x and y, or the mean distance when the median is 0.
func medianDistance(x, y []float64, dim int) float64 {
	pool := make([]float64, 0, len(x)+len(y))
	pool = append(append(pool, x...), y...)
	p := len(pool) / dim
	d := make([]float64, 0, p*(p-1)/2)
	for i := range p {
		for j := i + 1; j < p; j++ {
			d = append(d, sqDist(pool[i*dim:(i+1)*dim], pool[j*dim:(j+1)*dim]))
		}
	}
	// The median of squared distances, then its root: the same order.
	k := len(d) / 2
	med := math.Sqrt(selectKth(d, k))
	if len(d)%2 == 0 {
		// The lower middle value is the largest of d[:k] after selection.
		lower := 0.0
		for _, v := range d[:k] {
			lower = max(lower, v)
		}
		med = (math.Sqrt(lower) + med) / 2
	}
	if med > 0 {
		return med
	}
	s := 0.0
	for _, v := range d {
		s += math.Sqrt(v)
	}
	return s / float64(len(d))
}

// selectKth reorders a so that a[k] is the k-th smallest value (0-based),
// a[:k] ≤ a[k] ≤ a[k+1:], and returns it (quickselect, median-of-three
// pivots, deterministic). a must not contain NaN.
func selectKth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Median of three into a[mid].
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for a[j] > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}
