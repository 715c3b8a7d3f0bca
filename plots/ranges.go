package plots

import (
	"math"
	"slices"
)

// matrix is n points of dim values, row-major.
type matrix struct {
	x      []float64
	n, dim int
}

// span is a closed interval [lo, hi] with lo < hi.
type span struct{ lo, hi float64 }

// width returns hi − lo.
func (s span) width() float64 { return s.hi - s.lo }

// contains reports whether v lies in s.
func (s span) contains(v float64) bool { return v >= s.lo && v <= s.hi }

const (
	// rangeQuantile is cut from each tail when choosing an axis range, so a
	// few outlying draws do not shrink the central region to a dot.
	rangeQuantile = 0.005
	// rangeMargin widens the central range by this fraction on each side.
	rangeMargin = 0.15
	// rangeSample is the most values per matrix used to estimate quantiles.
	rangeSample = 20000
)

// defaultSpan is the axis range when there is nothing finite to look at.
var defaultSpan = span{-3, 3}

// axisSpan returns the axis range for column j pooled over ms: the central
// 1 − 2·rangeQuantile of the finite values, widened by rangeMargin on each
// side. Non-finite values are ignored; a constant column gets a unit-wide
// range around its value.
func axisSpan(ms []matrix, j int) span {
	var vals []float64
	for _, m := range ms {
		stride := max(1, (m.n+rangeSample-1)/rangeSample)
		for i := 0; i < m.n; i += stride {
			if v := m.x[i*m.dim+j]; finite(v) {
				vals = append(vals, v)
			}
		}
	}
	if len(vals) == 0 {
		return defaultSpan
	}
	slices.Sort(vals)
	lo := quantile(vals, rangeQuantile)
	hi := quantile(vals, 1-rangeQuantile)
	if w := hi - lo; w > 0 {
		return span{lo - rangeMargin*w, hi + rangeMargin*w}
	}
	h := max(0.5, 0.1*math.Abs(lo))
	return span{lo - h, lo + h}
}

// quantile returns the q-quantile of sorted (linear interpolation).
func quantile(sorted []float64, q float64) float64 {
	p := q * float64(len(sorted)-1)
	i := int(p)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := p - float64(i)
	return sorted[i]*(1-f) + sorted[i+1]*f
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
