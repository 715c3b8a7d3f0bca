package plots

import (
	"errors"
	"fmt"
	"io"

	"gonum.org/v1/plot"

	"github.com/goebm/ebm/energies"
)

// DensityPNG is Density in PNG.
func DensityPNG(w io.Writer, e energies.Energy, data []float64, title string) error {
	return Density(w, PNG, e, data, title)
}

// Density renders density.png (or .svg, .pdf) in format: a learned 2-D density exp(−E) as a heat map (left,
// with a colour bar) beside a scatter of the data points (right), on shared
// axes covering the data's central region with a margin. data is row-major,
// n×2; at most 3000 points, chosen reproducibly, are drawn. title heads the
// figure. It returns an error when e is nil or not 2-D, or data is empty or
// not whole rows of two values, or format is unknown; then nothing is written.
func Density(w io.Writer, format Format, e energies.Energy, data []float64, title string) error {
	switch {
	case e == nil:
		return errors.New("plots: Density needs an energy, got nil")
	case e.Dim() != 2:
		return fmt.Errorf("plots: Density draws 2-D densities, but the energy has dimension %d", e.Dim())
	case len(data) == 0:
		return errors.New("plots: Density needs data points, got none")
	case len(data)%2 != 0:
		return fmt.Errorf("plots: Density data must be n×2 row-major, got %d values", len(data))
	}
	if _, err := ParseFormat(string(format)); err != nil && format != "" {
		return err
	}
	m := matrix{x: data, n: len(data) / 2, dim: 2}
	ms := []matrix{m}
	xs, ys, aspect := equalSpans(axisSpan(ms, 0), axisSpan(ms, 1))
	model := scatterPanel("model exp(−E)", densityLayer(e, xs, ys), nil, nil, xs, ys)
	px, py := scatterPoints(m, 0, 1, 0)
	pts := scatterPanel("data", nil, px, py, xs, ys)
	hideTickLabels(&pts.Y)
	pts.Y.Label.Text = ""
	pw, ph := panelFor(aspect)
	f := &figure{
		blocks:   []block{{title: title, plots: [][]*plot.Plot{{model, pts}}}},
		panelW:   pw,
		panelH:   ph,
		colorBar: true,
		square:   true,
		aspect:   aspect,
	}
	return f.write(w, format)
}
