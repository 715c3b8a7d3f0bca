package plots

import (
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

const (
	traceW = vg.Length(330) // trace panel size
	traceH = vg.Length(115)
	// traceBuckets bounds the points per chain line: longer traces keep the
	// minimum and maximum of each of traceBuckets runs of draws, in order,
	// so spikes and the envelope survive thinning.
	traceBuckets = 600
)

// TracePNG renders trace.png: for each run and each of the first maxDims
// dimensions, the draws of the first maxChains chains against draw index,
// one colour per chain, one row per dimension, one column per run.
// maxChains or maxDims ≤ 0 means all of them. Non-finite draws are left out
// of the lines. It returns an error, and writes nothing, for the malformed
// runs SamplesPNG rejects.
func TracePNG(w io.Writer, runs []Run, maxChains, maxDims int) error {
	dim, err := checkRuns(runs)
	if err != nil {
		return err
	}
	if maxDims <= 0 || maxDims > dim {
		maxDims = dim
	}
	grid := make([][]*plot.Plot, maxDims)
	for j := range grid {
		grid[j] = make([]*plot.Plot, len(runs))
		for ri := range runs {
			r := &runs[ri]
			title, xlabel, ylabel := "", "", ""
			if j == 0 {
				title = r.Title
			}
			if j == maxDims-1 {
				xlabel = "draw"
			}
			if ri == 0 {
				ylabel = axisLabel(j)
			}
			p := newPanel(title, xlabel, ylabel)
			nc := r.Chains
			if maxChains > 0 {
				nc = min(nc, maxChains)
			}
			for c := range nc {
				xy := traceLine(r, c, j)
				if len(xy) == 0 {
					continue
				}
				p.Add(&polyline{xy: xy, style: draw.LineStyle{
					Color: chainColors[c%len(chainColors)], Width: vg.Points(0.6)}})
			}
			p.X.Min, p.X.Max = 0, float64(max(r.Draws-1, 1))
			grid[j][ri] = p
		}
		shareY(grid[j])
	}
	f := &figure{blocks: []block{{plots: grid}}, panelW: traceW, panelH: traceH}
	return f.writePNG(w)
}

// traceLine returns chain c's finite draws of dimension j against draw
// index, thinned to the minimum and maximum of each of traceBuckets
// consecutive runs of draws when there are more than 2·traceBuckets.
func traceLine(r *Run, c, j int) plotter.XYs {
	if r.Draws <= 2*traceBuckets {
		xy := make(plotter.XYs, 0, r.Draws)
		for t := range r.Draws {
			if v := r.at(c, t, j); finite(v) {
				xy = append(xy, plotter.XY{X: float64(t), Y: v})
			}
		}
		return xy
	}
	xy := make(plotter.XYs, 0, 2*traceBuckets)
	for b := range traceBuckets {
		t0, t1 := b*r.Draws/traceBuckets, (b+1)*r.Draws/traceBuckets
		lo, hi := -1, -1
		for t := t0; t < t1; t++ {
			v := r.at(c, t, j)
			if !finite(v) {
				continue
			}
			if lo < 0 || v < r.at(c, lo, j) {
				lo = t
			}
			if hi < 0 || v > r.at(c, hi, j) {
				hi = t
			}
		}
		if lo < 0 {
			continue
		}
		first, second := min(lo, hi), max(lo, hi)
		xy = append(xy, plotter.XY{X: float64(first), Y: r.at(c, first, j)})
		if second != first {
			xy = append(xy, plotter.XY{X: float64(second), Y: r.at(c, second, j)})
		}
	}
	return xy
}

// shareY gives a row of panels the union of their y ranges, so runs are
// compared on one scale; a row with no finite draws gets defaultSpan.
func shareY(row []*plot.Plot) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range row {
		lo, hi = min(lo, p.Y.Min), max(hi, p.Y.Max)
	}
	if lo > hi {
		lo, hi = defaultSpan.lo, defaultSpan.hi
	}
	for _, p := range row {
		p.Y.Min, p.Y.Max = lo, hi
	}
}
