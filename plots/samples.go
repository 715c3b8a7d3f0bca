package plots

import (
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/goebm/ebm/energies"
)

// Panel sizes of samples.png, per layout.
const (
	panel2D      = vg.Length(250) // square panel of a 2-D run
	panel1DW     = vg.Length(260) // 1-D histogram panel
	panel1DH     = vg.Length(200)
	panelMatrix  = vg.Length(125) // one cell of a scatter matrix
	matrixMaxDim = 4              // dimensions shown in a scatter matrix
)

// SamplesPNG is Samples in PNG.
func SamplesPNG(w io.Writer, e energies.Energy, runs []Run) error { return Samples(w, PNG, e, runs) }

// Samples renders samples.png (or .svg, .pdf) in format. For Dim == 2, one
// panel per run side by side: the density exp(−E) of e as a heat map over
// the draws' central region with a margin (shared by all panels, with a
// colour bar), and a reproducible random subsample of at most 3000 draws
// scattered on top, with equal units on both axes (the ranges are widened
// to an aspect ratio within [1/2, 2]). For Dim == 1: a histogram of each
// run's draws with the density of e, normalized numerically on the plotted
// grid. For Dim > 2: for each run, a pair plot of the first min(Dim, 4)
// dimensions, scatter panels in the lower triangle and histograms on the
// diagonal, runs stacked. In every scatter, divergent transitions
// (Run.Diverging), at most 3000 of them, are drawn as larger red markers
// ringed in black over the draws. e may be nil (no density layer);
// otherwise its dimension must match the draws'. Non-finite draws are left
// out; non-finite energies are painted as zero density.
//
// It returns an error, and writes nothing, when runs is empty or a run is
// malformed (no chains or draws, Samples or Diverging of the wrong length,
// dimensions that differ), or format is unknown.
func Samples(w io.Writer, format Format, e energies.Energy, runs []Run) error {
	dim, err := checkRuns(runs)
	if err != nil {
		return err
	}
	if err := checkEnergy(e, dim); err != nil {
		return err
	}
	ms := runMatrices(runs)
	var f *figure
	switch {
	case dim == 1:
		f = samples1D(e, runs, ms)
	case dim == 2:
		f = samples2D(e, runs, ms)
	default:
		f = samplesMatrix(runs, ms)
	}
	return f.write(w, format)
}

// samples1D lays out one histogram panel per run, side by side.
func samples1D(e energies.Energy, runs []Run, ms []matrix) *figure {
	s := axisSpan(ms, 0)
	var xs, ps []float64
	curve := false
	if e != nil {
		xs, ps, curve = densityCurve(e, s, curvePoints)
	}
	row := make([]*plot.Plot, len(runs))
	for i, m := range ms {
		p := newPanel(runs[i].Title, axisLabel(0), "density")
		nb := binCount(m.n, 60)
		h, _ := histogram(m, 0, s, nb)
		top := 0.0
		for _, v := range h {
			top = max(top, v)
		}
		p.Add(&bars{lo: s.lo, width: s.width() / float64(nb), h: h, fill: barColor,
			edge: draw.LineStyle{Color: barEdge, Width: vg.Points(0.4)}})
		if curve {
			p.Add(&polyline{xy: xyPairs(xs, ps), style: draw.LineStyle{Color: curveColor, Width: vg.Points(1.6)}})
			for _, v := range ps {
				top = max(top, v)
			}
		}
		if top <= 0 {
			top = 1
		}
		setRange(p, s, span{0, 1.08 * top})
		row[i] = p
	}
	return &figure{blocks: []block{{plots: [][]*plot.Plot{row}}}, panelW: panel1DW, panelH: panel1DH}
}

// samples2D lays out one density-and-draws panel per run, side by side, on
// shared axes.
func samples2D(e energies.Energy, runs []Run, ms []matrix) *figure {
	xs, ys, aspect := equalSpans(axisSpan(ms, 0), axisSpan(ms, 1))
	var heat plot.Plotter
	if e != nil {
		heat = densityLayer(e, xs, ys)
	}
	row := make([]*plot.Plot, len(runs))
	for i, m := range ms {
		px, py := scatterPoints(m, 0, 1, uint64(i))
		row[i] = scatterPanel(runs[i].Title, heat, px, py, xs, ys)
		addDivergent(row[i], &runs[i], m, 0, 1, dotRadius(len(px), 1.2))
		if i > 0 {
			hideTickLabels(&row[i].Y)
			row[i].Y.Label.Text = ""
		}
	}
	w, h := panelFor(aspect)
	return &figure{blocks: []block{{plots: [][]*plot.Plot{row}}},
		panelW: w, panelH: h, colorBar: heat != nil, square: true, aspect: aspect}
}

// maxAspect bounds the width/height ratio of a 2-D panel's data area.
const maxAspect = 2.0

// equalSpans widens the narrower of xs and ys about its centre until their
// width ratio lies in [1/maxAspect, maxAspect], and returns that ratio: a
// data area of that shape shows x and y in equal units.
func equalSpans(xs, ys span) (span, span, float64) {
	widen := func(s span, w float64) span {
		c := (s.lo + s.hi) / 2
		return span{c - w/2, c + w/2}
	}
	switch r := xs.width() / ys.width(); {
	case r > maxAspect:
		ys = widen(ys, xs.width()/maxAspect)
	case r < 1/maxAspect:
		xs = widen(xs, ys.width()/maxAspect)
	}
	return xs, ys, xs.width() / ys.width()
}

// panelFor sizes a 2-D panel whose data area has width/height ratio
// aspect, about panel2D on its longer side; the figure trims the rest.
func panelFor(aspect float64) (w, h vg.Length) {
	const axes = 48 // room for tick labels and an axis label
	if aspect >= 1 {
		return panel2D, vg.Length(float64(panel2D-axes)/aspect) + axes
	}
	return vg.Length(float64(panel2D-axes)*aspect) + axes, panel2D
}

// addDivergent draws run r's divergent draws (columns jx, jy of m; at most
// maxScatter, chosen reproducibly) on p as red dots of radius r0+0.8
// ringed in black, so they stand out over draws and density alike.
func addDivergent(p *plot.Plot, r *Run, m matrix, jx, jy int, r0 vg.Length) {
	if r.Diverging == nil {
		return
	}
	var rows []int
	for i, d := range r.Diverging {
		if d != 0 {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		return
	}
	keep := pick(len(rows), maxScatter, 1<<32)
	idx := make([]int, len(keep))
	for k, i := range keep {
		idx[k] = rows[i]
	}
	xs, ys := pickedPoints(m, idx, jx, jy)
	rad := r0 + vg.Points(0.8)
	p.Add(newDots(xs, ys, color.Black, rad+vg.Points(0.7)), newDots(xs, ys, divergentColor, rad))
}

// densityLayer rasterizes exp(−E) of a 2-D energy over xs×ys.
func densityLayer(e energies.Energy, xs, ys span) plot.Plotter {
	d := densityGrid(e, xs, ys, gridCells, gridCells)
	return plotter.NewImage(densityImage(d, gridCells, gridCells), xs.lo, ys.lo, xs.hi, ys.hi)
}

// scatterPanel is a 2-D panel: the density layer heat (may be nil) under
// the points (px, py), on axes x1, x2 over xs×ys.
func scatterPanel(title string, heat plot.Plotter, px, py []float64, xs, ys span) *plot.Plot {
	p := newPanel(title, axisLabel(0), axisLabel(1))
	if heat != nil {
		p.Add(heat)
	}
	p.Add(newDots(px, py, pointColor, dotRadius(len(px), 1.2)))
	setRange(p, xs, ys)
	return p
}

// samplesMatrix lays out, per run, a pair plot of the first
// min(Dim, matrixMaxDim) dimensions (lower triangle and diagonal), runs
// stacked top to bottom.
func samplesMatrix(runs []Run, ms []matrix) *figure {
	k := min(runs[0].Dim, matrixMaxDim)
	spans := make([]span, k)
	for j := range spans {
		spans[j] = axisSpan(ms, j)
	}
	blocks := make([]block, len(runs))
	for ri, m := range ms {
		grid := make([][]*plot.Plot, k)
		idx := pick(m.n, maxScatter, uint64(ri))
		for r := range k {
			grid[r] = make([]*plot.Plot, k)
			for c := range r + 1 { // lower triangle and diagonal
				p := newPanel("", "", "")
				if r == c {
					diagonalHistogram(p, m, r, spans[r])
				} else {
					xs, ys := pickedPoints(m, idx, c, r)
					rad := dotRadius(len(xs), 0.8)
					p.Add(newDots(xs, ys, pairColor, rad))
					addDivergent(p, &runs[ri], m, c, r, rad)
				}
				setRange(p, spans[c], spans[r])
				if r == k-1 {
					p.X.Label.Text = axisLabel(c)
				} else {
					hideTickLabels(&p.X)
				}
				if c == 0 && r > 0 {
					p.Y.Label.Text = axisLabel(r)
				} else {
					hideTickLabels(&p.Y)
				}
				grid[r][c] = p
			}
		}
		blocks[ri] = block{title: runs[ri].Title, plots: grid}
	}
	return &figure{blocks: blocks, panelW: panelMatrix, panelH: panelMatrix}
}

// diagonalHistogram adds the histogram of column j of m to p, scaled to
// fill 90% of the height of span s (the row's axis), as in a pairs plot.
func diagonalHistogram(p *plot.Plot, m matrix, j int, s span) {
	nb := binCount(m.n, 30)
	h, _ := histogram(m, j, s, nb)
	top := 0.0
	for _, v := range h {
		top = max(top, v)
	}
	if top > 0 {
		for i := range h {
			h[i] *= 0.9 * s.width() / top
		}
	}
	p.Add(&bars{lo: s.lo, width: s.width() / float64(nb), base: s.lo, h: h, fill: barColor,
		edge: draw.LineStyle{Color: barEdge, Width: vg.Points(0.3)}})
}

// xyPairs zips xs and ys into plotter.XYs.
func xyPairs(xs, ys []float64) plotter.XYs {
	xy := make(plotter.XYs, len(xs))
	for i := range xs {
		xy[i].X, xy[i].Y = xs[i], ys[i]
	}
	return xy
}
