package evaluate

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
)

// NLL returns the mean of E(x_i) + logZ over the rows of x (nats per
// point) and its standard error sd/√n, the negative log-likelihood of the
// data under the normalized model exp(−E)/Z. x is row-major with e.Dim()
// values per row; the energy is evaluated in batches of 4096 rows.
//
// A row with E = +Inf (zero model density) makes mean and stderr +Inf; with
// one row stderr is +Inf (no spread to estimate it from). An empty or
// ragged x, a non-finite logZ, or a row where E is NaN or −Inf is an error
// naming the problem (and the row).
func NLL(e energies.Energy, x []float64, logZ float64) (mean, stderr float64, err error) {
	d := e.Dim()
	if d <= 0 || len(x) == 0 || len(x)%d != 0 {
		return 0, 0, fmt.Errorf("evaluate: NLL: len(x) = %d is not a positive multiple of the energy's dimension %d", len(x), d)
	}
	if math.IsNaN(logZ) || math.IsInf(logZ, 0) {
		return 0, 0, fmt.Errorf("evaluate: NLL: logZ is %v; it must be finite", logZ)
	}
	n := len(x) / d
	en := make([]float64, n)
	for lo := 0; lo < n; lo += batchPoints {
		hi := min(lo+batchPoints, n)
		e.Energy(en[lo:hi], x[lo*d:hi*d])
	}
	inf := false
	for i, v := range en {
		if math.IsNaN(v) || math.IsInf(v, -1) {
			return 0, 0, fmt.Errorf("evaluate: NLL: the energy is %v at row %d %s", v, i, fmtPoint(x[i*d:(i+1)*d]))
		}
		inf = inf || math.IsInf(v, 1)
	}
	if inf {
		return math.Inf(1), math.Inf(1), nil
	}
	// Two passes: the mean, then the spread around it (stable when the
	// energies are large and nearly equal).
	s := 0.0
	for _, v := range en {
		s += v
	}
	m := s / float64(n)
	if n == 1 {
		return m + logZ, math.Inf(1), nil
	}
	ss := 0.0
	for _, v := range en {
		ss += (v - m) * (v - m)
	}
	return m + logZ, math.Sqrt(ss / float64(n-1) / float64(n)), nil
}
