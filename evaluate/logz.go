// Package evaluate scores energies and samples: the log normalizer of a
// low-dimensional energy by quadrature on a grid (LogZ), the exact negative
// log-likelihood of data under the normalized model (NLL), and the maximum
// mean discrepancy between two samples (MMD).
//
// LogZ makes the density exp(−E)/Z of a learned 1-, 2- or 3-D energy exact
// up to the quadrature error, so models trained on 2-D data can be compared
// by their held-out NLL in nats per point.
package evaluate

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/goebm/ebm/energies"
)

// MaxGridPoints bounds Res^dim for LogZ (about 10⁹ energy evaluations).
const MaxGridPoints = 1 << 30

// batchPoints is how many grid points (or data rows) one energy call takes:
// memory stays bounded whatever the grid.
const batchPoints = 4096

// Grid describes a quadrature grid: per-dimension bounds and points per
// dimension. The box [Lo[j], Hi[j]] is cut into Res equal cells per
// dimension and the energy is evaluated at the cell centres (midpoint rule).
type Grid struct {
	Lo, Hi []float64
	Res    int
}

// GridFor returns a grid covering the data's bounding box enlarged by
// margin (a fraction of each side's range, e.g. 0.25), res points per
// dimension. x holds the data row-major, dim values per row. A dimension in
// which every point has the same value v is given the range max(|v|, 1)
// centred on v before the margin is added. Non-finite data give non-finite
// bounds, which LogZ rejects. GridFor panics on a bad dim, an x that is not
// whole rows, or a negative or NaN margin (programming errors).
func GridFor(x []float64, dim int, margin float64, res int) Grid {
	if dim <= 0 || len(x) == 0 || len(x)%dim != 0 {
		panic(fmt.Sprintf("evaluate: GridFor: len(x) = %d is not a positive multiple of dim = %d", len(x), dim))
	}
	if !(margin >= 0) {
		panic(fmt.Sprintf("evaluate: GridFor: margin must be ≥ 0, got %v", margin))
	}
	g := Grid{Lo: make([]float64, dim), Hi: make([]float64, dim), Res: res}
	copy(g.Lo, x[:dim])
	copy(g.Hi, x[:dim])
	for i := dim; i < len(x); i += dim {
		for j := range dim {
			g.Lo[j] = min(g.Lo[j], x[i+j])
			g.Hi[j] = max(g.Hi[j], x[i+j])
		}
	}
	for j := range dim {
		r := g.Hi[j] - g.Lo[j]
		if r == 0 {
			r = max(math.Abs(g.Lo[j]), 1)
			g.Lo[j] -= r / 2
			g.Hi[j] += r / 2
		}
		g.Lo[j] -= margin * r
		g.Hi[j] += margin * r
	}
	return g
}

// check validates the grid for an energy of dimension dim and returns the
// number of grid points.
func (g Grid) check(dim int) (int, error) {
	if dim < 1 || dim > 3 {
		return 0, fmt.Errorf("evaluate: LogZ: the energy has dimension %d, but grid quadrature is limited to dim 1, 2 or 3 (its cost grows as res^dim)", dim)
	}
	if len(g.Lo) != dim || len(g.Hi) != dim {
		return 0, fmt.Errorf("evaluate: LogZ: the grid has %d lower and %d upper bounds, want %d (the energy's dimension)", len(g.Lo), len(g.Hi), dim)
	}
	if g.Res < 2 {
		return 0, fmt.Errorf("evaluate: LogZ: grid res must be ≥ 2 points per dimension, got %d", g.Res)
	}
	for j := range dim {
		lo, hi := g.Lo[j], g.Hi[j]
		if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(lo < hi) {
			return 0, fmt.Errorf("evaluate: LogZ: grid dimension %d has bounds [%v, %v]; they must be finite with lo < hi", j, lo, hi)
		}
	}
	n := 1
	for range dim {
		if n > MaxGridPoints/g.Res {
			return 0, fmt.Errorf("evaluate: LogZ: grid res %d in %d dimensions exceeds %d points (MaxGridPoints)", g.Res, dim, MaxGridPoints)
		}
		n *= g.Res
	}
	return n, nil
}

// point writes the centre of grid cell p (row-major cell index, the last
// dimension fastest) into x and reports whether the cell is on the border.
func (g Grid) point(x []float64, p int) (border bool) {
	for j := len(x) - 1; j >= 0; j-- {
		k := p % g.Res
		p /= g.Res
		h := (g.Hi[j] - g.Lo[j]) / float64(g.Res)
		x[j] = g.Lo[j] + (float64(k)+0.5)*h
		border = border || k == 0 || k == g.Res-1
	}
	return border
}

// LogZResult is the outcome of LogZ.
type LogZResult struct {
	LogZ       float64
	BorderMass float64 // fraction of the probability mass in the outermost cells (a warning sign when > 1e-3)
	Grid       Grid
}

// batchSum is one batch's contribution: Σ exp(−E − m) over its points, the
// same over its border points, and m = max(−E). bad is the first point
// where E is NaN or −Inf (−1 when none).
type batchSum struct {
	m, s, border float64
	bad          int
	badE         float64
}

// LogZ computes log ∫ exp(−E) over the grid by the midpoint rule, for dim
// 1, 2 or 3 (an error otherwise, naming the limit). For smooth energies
// whose density is negligible outside the grid the midpoint rule converges
// spectrally; a Gaussian of standard deviation σ on cells of width h has a
// relative error of about 2·exp(−2π²σ²/h²). The sum is a streaming
// log-sum-exp, so energies of ±1e4 neither overflow nor underflow.
//
// The energy is evaluated in batches of 4096 points on GOMAXPROCS
// goroutines (concurrent calls on disjoint batches, as the Energy contract
// allows); memory stays bounded and the result does not depend on the
// number of goroutines. A point with E = +Inf contributes 0 mass; E = NaN
// or −Inf is an error naming the grid point. BorderMass is the fraction of
// the mass in the cells touching the grid's boundary: above about 1e-3 the
// grid is too tight and log Z misses mass outside it. Cancelling ctx stops
// the work and returns ctx's error.
func LogZ(ctx context.Context, e energies.Energy, g Grid) (LogZResult, error) {
	return LogZProgress(ctx, e, g, nil)
}

// LogZProgress is LogZ reporting its progress: after each batch of grid
// points, report(done, total) is called with the points evaluated so far
// and the grid's size, from one goroutine at a time (nil: no reports).
func LogZProgress(ctx context.Context, e energies.Energy, g Grid, report func(done, total int)) (LogZResult, error) {
	dim := e.Dim()
	n, err := g.check(dim)
	if err != nil {
		return LogZResult{}, err
	}
	nb := (n + batchPoints - 1) / batchPoints
	sums := make([]batchSum, nb)
	var next atomic.Int64
	var stop atomic.Bool
	var mu sync.Mutex // serializes report
	done := 0
	workers := min(runtime.GOMAXPROCS(0), nb)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := make([]float64, batchPoints*dim)
			en := make([]float64, batchPoints)
			border := make([]bool, batchPoints)
			for {
				// Check before taking a batch: every batch taken is evaluated.
				if stop.Load() || ctx.Err() != nil {
					return
				}
				b := int(next.Add(1) - 1)
				if b >= nb {
					return
				}
				lo, hi := b*batchPoints, min((b+1)*batchPoints, n)
				k := hi - lo
				for i := range k {
					border[i] = g.point(x[i*dim:(i+1)*dim], lo+i)
				}
				e.Energy(en[:k], x[:k*dim])
				sums[b] = sumBatch(en[:k], border[:k], lo)
				if sums[b].bad >= 0 {
					stop.Store(true)
				}
				if report != nil {
					mu.Lock()
					done += k
					report(done, n)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return LogZResult{}, fmt.Errorf("evaluate: LogZ: %w", err)
	}
	// Batches are handed out in order, so every batch before the first bad
	// one found was evaluated: the first bad batch is the first in grid order.
	for _, s := range sums {
		if s.bad >= 0 {
			x := make([]float64, dim)
			g.point(x, s.bad)
			return LogZResult{}, fmt.Errorf("evaluate: LogZ: the energy is %v at grid point %s (cell %d); it must be finite or +Inf everywhere on the grid", s.badE, fmtPoint(x), s.bad)
		}
	}
	m := math.Inf(-1)
	for _, s := range sums {
		m = max(m, s.m)
	}
	if math.IsInf(m, -1) {
		return LogZResult{}, fmt.Errorf("evaluate: LogZ: the energy is +Inf at every grid point: exp(−E) has no mass on the grid")
	}
	var s, border float64
	for _, b := range sums {
		if b.s > 0 {
			f := math.Exp(b.m - m)
			s += b.s * f
			border += b.border * f
		}
	}
	logZ := m + math.Log(s)
	for j := range dim {
		logZ += math.Log((g.Hi[j] - g.Lo[j]) / float64(g.Res))
	}
	return LogZResult{LogZ: logZ, BorderMass: border / s, Grid: g}, nil
}

// sumBatch reduces one batch of energies; first is the grid index of en[0].
func sumBatch(en []float64, border []bool, first int) batchSum {
	r := batchSum{m: math.Inf(-1), bad: -1}
	for i, v := range en {
		if math.IsNaN(v) || math.IsInf(v, -1) {
			r.bad, r.badE = first+i, v
			return r
		}
		r.m = max(r.m, -v)
	}
	if math.IsInf(r.m, -1) {
		return r // every point +Inf: no mass
	}
	for i, v := range en {
		if math.IsInf(v, 1) {
			continue
		}
		w := math.Exp(-v - r.m)
		r.s += w
		if border[i] {
			r.border += w
		}
	}
	return r
}

// fmtPoint formats a point as (x₀, x₁, …).
func fmtPoint(x []float64) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = fmt.Sprintf("%.6g", v)
	}
	return "(" + strings.Join(s, ", ") + ")"
}
