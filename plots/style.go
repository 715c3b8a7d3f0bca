package plots

import (
	"image"
	"image/color"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// dpi is the resolution of every figure.
const dpi = 110

var (
	// densityMap maps relative density in [0, 1] to colour: white at zero
	// through light and mid blue to navy at the mode, with luminance linear
	// in density (moreland's luminance interpolation).
	densityMap = newDensityMap()
	// densityLUT is densityMap sampled at 256 levels for rasterizing.
	densityLUT = newLUT(densityMap)

	// pointColor is the colour of scattered draws: a translucent vermilion
	// that reads over both white and navy.
	pointColor = color.NRGBA{R: 213, G: 62, B: 20, A: 150}
	// pairColor is the colour of draws in pair plots (no density under
	// them): a translucent blue, as ArviZ draws them.
	pairColor = color.NRGBA{R: 31, G: 119, B: 180, A: 130}
	// divergentColor marks divergent transitions.
	divergentColor = color.NRGBA{R: 230, G: 0, B: 0, A: 255}
	// chainLineColor draws reference lines over chain histograms.
	chainLineColor = color.NRGBA{R: 40, G: 40, B: 40, A: 255}
	// barColor fills histograms; barEdge outlines them.
	barColor = color.NRGBA{R: 107, G: 160, B: 205, A: 255}
	barEdge  = color.NRGBA{R: 33, G: 85, B: 140, A: 255}
	// curveColor draws normalized density curves.
	curveColor = color.NRGBA{R: 190, G: 30, B: 30, A: 255}

	// chainColors tell chains apart in traces (a colour-blind-safe set).
	chainColors = []color.Color{
		color.NRGBA{R: 0, G: 114, B: 178, A: 220},
		color.NRGBA{R: 213, G: 94, B: 0, A: 220},
		color.NRGBA{R: 0, G: 158, B: 115, A: 220},
		color.NRGBA{R: 204, G: 121, B: 167, A: 220},
		color.NRGBA{R: 230, G: 159, B: 0, A: 220},
		color.NRGBA{R: 86, G: 180, B: 233, A: 220},
		color.NRGBA{R: 0, G: 0, B: 0, A: 220},
		color.NRGBA{R: 120, G: 120, B: 120, A: 220},
	}

	// titleFont is used for block titles drawn outside any plot.
	titleFont = font.From(plot.DefaultFont, 13)
)

// newDensityMap builds densityMap; its control colours are fixed, so an
// error is a programming error.
func newDensityMap() palette.ColorMap {
	controls := []color.Color{ // increasing luminance, as NewLuminance needs
		color.NRGBA{R: 8, G: 38, B: 94, A: 255},
		color.NRGBA{R: 33, G: 102, B: 172, A: 255},
		color.NRGBA{R: 103, G: 169, B: 207, A: 255},
		color.NRGBA{R: 209, G: 229, B: 240, A: 255},
		color.NRGBA{R: 255, G: 255, B: 255, A: 255},
	}
	m, err := moreland.NewLuminance(controls)
	if err != nil {
		panic("plots: " + err.Error())
	}
	m.SetMin(0)
	m.SetMax(1)
	return palette.Reverse(m) // 0 → white, 1 → navy
}

// newLUT samples m at 256 evenly spaced levels of [m.Min(), m.Max()].
func newLUT(m palette.ColorMap) []color.NRGBA {
	lut := make([]color.NRGBA, 256)
	for i := range lut {
		c, err := m.At(m.Min() + (m.Max()-m.Min())*float64(i)/255)
		if err != nil {
			panic("plots: " + err.Error())
		}
		lut[i] = color.NRGBAModel.Convert(c).(color.NRGBA)
	}
	return lut
}

// densityImage rasterizes an nx×ny relative-density grid (row 0 at the
// bottom, values in [0, 1]) into an image with row 0 at the top.
func densityImage(d []float64, nx, ny int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, nx, ny))
	for r := range ny {
		row := d[r*nx : (r+1)*nx]
		off := (ny - 1 - r) * img.Stride
		for c, v := range row {
			k := int(v*255 + 0.5)
			k = min(max(k, 0), 255)
			p := densityLUT[k]
			img.Pix[off+4*c], img.Pix[off+4*c+1], img.Pix[off+4*c+2], img.Pix[off+4*c+3] = p.R, p.G, p.B, p.A
		}
	}
	return img
}

// newPanel returns a plot with the given title and axis labels, styled
// for a multi-panel figure.
func newPanel(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = 12
	p.Title.Padding = vg.Points(4)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = 11
		a.Tick.Label.Font.Size = 9
		a.Tick.Marker = cleanTicks{}
		a.Padding = 0
	}
	return p
}

// cleanTicks are plot.DefaultTicks with labels stripped of needless
// decimals: 1.0 reads "1", 0.50 reads "0.5", 1.0e+06 reads "1e+06".
type cleanTicks struct{}

// Ticks implements plot.Ticker.
func (cleanTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		ts[i].Label = trimZeros(ts[i].Label)
	}
	return ts
}

// itoa formats an int.
func itoa(i int) string { return strconv.Itoa(i) }

// trimZeros drops trailing zeros after a decimal point (and the point when
// nothing follows it) in a number's text, keeping any exponent; "-0" reads
// "0".
func trimZeros(s string) string {
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i:]
	}
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(mant, "0")
		mant = strings.TrimSuffix(mant, ".")
	}
	if mant == "-0" {
		mant = "0"
	}
	return mant + exp
}

// setRange fixes a panel's axis ranges.
func setRange(p *plot.Plot, xs, ys span) {
	p.X.Min, p.X.Max = xs.lo, xs.hi
	p.Y.Min, p.Y.Max = ys.lo, ys.hi
}

// hideTickLabels keeps an axis' ticks but drops their labels, for inner
// panels of a matrix of plots that share the axis.
func hideTickLabels(a *plot.Axis) {
	a.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ts := cleanTicks{}.Ticks(lo, hi)
		for i := range ts {
			ts[i].Label = ""
		}
		return ts
	})
}

// blockTitleStyle styles a title drawn above a block of panels.
func blockTitleStyle() text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    titleFont,
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
}
