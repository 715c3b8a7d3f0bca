package plots

import (
	"fmt"
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

// SamplesPNG renders samples.png. For Dim == 2, one panel per run side by
// side: the density exp(−E) of e as a heat map over the draws' central
// region with a margin (shared by all panels, with a colour bar), and a
// reproducible random subsample of at most 3000 draws scattered on top. For
// Dim == 1: a histogram of each run's draws with the density of e,
// normalized numerically on the plotted grid. For Dim > 2: for each run, a
// scatter matrix of the first min(Dim, 4) dimensions with histograms on the
// diagonal, runs stacked. e may be nil (no density layer); otherwise its
// dimension must match the draws'. Non-finite draws are left out; non-finite
// energies are painted as zero density.
//
// It returns an error, and writes nothing, when runs is empty or a run is
// malformed (no chains or draws, Samples of the wrong length, dimensions
// that differ).
func SamplesPNG(w io.Writer, e energies.Energy, runs []Run) error {
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
	return f.writePNG(w)
}

// axisLabel names dimension j (0-based) of the state.
func axisLabel(j int) string { return fmt.Sprintf("x%d", j+1) }

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
	xs, ys := axisSpan(ms, 0), axisSpan(ms, 1)
	var heat plot.Plotter
	if e != nil {
		heat = densityLayer(e, xs, ys)
	}
	row := make([]*plot.Plot, len(runs))
	for i, m := range ms {
		px, py := scatterPoints(m, 0, 1, uint64(i))
		row[i] = scatterPanel(runs[i].Title, heat, px, py, xs, ys)
		if i > 0 {
			hideTickLabels(&row[i].Y)
			row[i].Y.Label.Text = ""
		}
	}
	return &figure{blocks: []block{{plots: [][]*plot.Plot{row}}},
		panelW: panel2D, panelH: panel2D, colorBar: heat != nil}
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

// samplesMatrix lays out, per run, a scatter matrix of the first
// min(Dim, matrixMaxDim) dimensions, runs stacked top to bottom.
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
			for c := range k {
				p := newPanel("", "", "")
				if r == c {
					diagonalHistogram(p, m, r, spans[r])
				} else {
					xs, ys := pickedPoints(m, idx, c, r)
					p.Add(newDots(xs, ys, pointColor, dotRadius(len(xs), 0.8)))
				}
				setRange(p, spans[c], spans[r])
				if r == k-1 {
					p.X.Label.Text = axisLabel(c)
				} else {
					hideTickLabels(&p.X)
				}
				if c == 0 {
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
