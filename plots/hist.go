package plots

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named set of values for Histograms.
type Series struct {
	Label  string
	Values []float64
}

// seriesColors are the fills of the series of Histograms, in order
// (translucent, so overlapping bars stay visible).
var seriesColors = []color.NRGBA{
	{0x1f, 0x77, 0xb4, 0x90}, {0xff, 0x7f, 0x0e, 0x90}, {0x2c, 0xa0, 0x2c, 0x90}, {0xd6, 0x27, 0x28, 0x90},
}

// Histograms writes the histograms of one or more series over one shared
// set of equal bins spanning every finite value, as densities (each
// series' bars integrate to 1), overlaid in one panel with a legend, titled
// title, the x axis labelled xlabel. Non-finite values are left out. It is
// an error when no series has a finite value or there are more than 4
// series.
func Histograms(w io.Writer, format Format, title, xlabel string, series []Series) error {
	if len(series) == 0 || len(series) > len(seriesColors) {
		return fmt.Errorf("plots: histograms: %d series; draw 1 to %d", len(series), len(seriesColors))
	}
	lo, hi, n := math.Inf(1), math.Inf(-1), 0 // n: the most finite values of a series
	for _, s := range series {
		for _, v := range s.Values {
			if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		n = max(n, finiteCount(s.Values))
	}
	if math.IsInf(lo, 1) {
		return fmt.Errorf("plots: histograms: no finite value to draw")
	}
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	sp := span{lo, hi}
	nb := binCount(n, 60)
	p := newPanel(title, xlabel, "density")
	top := 0.0
	for k, s := range series {
		m := matrix{x: s.Values, n: len(s.Values), dim: 1}
		h, ok := histogram(m, 0, sp, nb)
		if !ok {
			continue
		}
		for _, v := range h {
			top = max(top, v)
		}
		b := &bars{lo: lo, width: sp.width() / float64(nb), h: h, fill: seriesColors[k],
			edge: draw.LineStyle{Color: color.NRGBA{0x33, 0x33, 0x33, 0xff}, Width: vg.Points(0.4)}}
		p.Add(b)
		swatch, err := plotter.NewPolygon(plotter.XYs{{}, {}, {}})
		if err == nil {
			swatch.Color = seriesColors[k]
			p.Legend.Add(fmt.Sprintf("%s (%d)", s.Label, finiteCount(s.Values)), swatch)
		}
	}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = 9
	setRange(p, sp, span{0, top * 1.25}) // headroom for the legend
	f := &figure{blocks: []block{{plots: [][]*plot.Plot{{p}}}}, panelW: 6 * vg.Inch, panelH: 3.5 * vg.Inch}
	return f.write(w, format)
}

// finiteCount is the number of finite values of v.
func finiteCount(v []float64) int {
	n := 0
	for _, x := range v {
		if finite(x) {
			n++
		}
	}
	return n
}
