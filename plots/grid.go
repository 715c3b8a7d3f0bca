package plots

import (
	"math"

	"github.com/goebm/ebm/energies"
)

const (
	// gridCells is the heat map resolution per axis of a 2-D density.
	gridCells = 200
	// curvePoints is the number of points of a 1-D density curve.
	curvePoints = 400
)

// relativeDensity overwrites the energies in e with exp(−(E − min E)), so the
// largest finite density is 1. Non-finite energies (NaN, ±Inf) become zero
// density. It returns false when no energy is finite.
func relativeDensity(e []float64) bool {
	emin := math.Inf(1)
	for _, v := range e {
		if finite(v) && v < emin {
			emin = v
		}
	}
	ok := !math.IsInf(emin, 1)
	for i, v := range e {
		if ok && finite(v) {
			e[i] = math.Exp(emin - v)
		} else {
			e[i] = 0
		}
	}
	return ok
}

// densityGrid evaluates exp(−E) on the centres of an nx×ny grid of cells
// over xs×ys with a single call to e.Energy on the whole grid (row-major,
// row 0 at ys.lo), scaled so the largest value is 1. Non-finite energies are
// zero density.
func densityGrid(e energies.Energy, xs, ys span, nx, ny int) []float64 {
	pts := make([]float64, 2*nx*ny)
	dx, dy := xs.width()/float64(nx), ys.width()/float64(ny)
	for r := range ny {
		y := ys.lo + (float64(r)+0.5)*dy
		for c := range nx {
			p := pts[2*(r*nx+c):]
			p[0] = xs.lo + (float64(c)+0.5)*dx
			p[1] = y
		}
	}
	d := make([]float64, nx*ny)
	e.Energy(d, pts)
	relativeDensity(d)
	return d
}

// densityCurve evaluates exp(−E) of a 1-D energy at n equally spaced points
// of s with a single call to e.Energy, normalized to integrate to one over s
// by the trapezoid rule. Non-finite energies are zero density. ok is false
// when the density is zero everywhere on s.
func densityCurve(e energies.Energy, s span, n int) (xs, ps []float64, ok bool) {
	xs = make([]float64, n)
	for i := range xs {
		xs[i] = s.lo + s.width()*float64(i)/float64(n-1)
	}
	ps = make([]float64, n)
	e.Energy(ps, xs)
	relativeDensity(ps)
	h := s.width() / float64(n-1)
	z := 0.0
	for i, p := range ps {
		if i == 0 || i == n-1 {
			p /= 2
		}
		z += p * h
	}
	if !(z > 0) {
		return xs, ps, false
	}
	for i := range ps {
		ps[i] /= z
	}
	return xs, ps, true
}
