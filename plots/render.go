package plots

import (
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

const (
	// colorBarWidth is the strip kept at the right of a figure for the
	// density colour bar; colorBarThickness is the bar itself.
	colorBarWidth     = vg.Length(62)
	colorBarThickness = vg.Length(11)
	// blockTitleHeight is the space above a titled block of panels.
	blockTitleHeight = vg.Length(22)
	// figurePad is the blank border around a figure and between panels.
	figurePad = vg.Length(8)
)

// block is a grid of panels, optionally under a title of its own.
type block struct {
	title string
	plots [][]*plot.Plot // row-major; every row has the same length
}

// figure is blocks of panels stacked top to bottom, each panel about
// panelW×panelH, with an optional colour bar for densityMap at the right.
type figure struct {
	blocks         []block
	panelW, panelH vg.Length
	colorBar       bool
}

// size returns the figure's width and height.
func (f *figure) size() (w, h vg.Length) {
	cols := 0
	for _, b := range f.blocks {
		cols = max(cols, len(b.plots[0]))
		h += vg.Length(len(b.plots)) * f.panelH
		if b.title != "" {
			h += blockTitleHeight
		}
	}
	w = vg.Length(cols)*f.panelW + 2*figurePad
	if f.colorBar {
		w += colorBarWidth
	}
	return w, h + 2*figurePad
}

// writePNG lays the panels out with plot.Align, so data areas line up
// across rows and columns, and writes the figure to w as a PNG.
func (f *figure) writePNG(w io.Writer) error {
	width, height := f.size()
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	body := draw.Crop(dc, figurePad, -figurePad, figurePad, -figurePad)
	if f.colorBar {
		body.Max.X -= colorBarWidth
	}
	var ref draw.Canvas // data area of the first panel, for the colour bar
	top := body.Max.Y
	for bi, b := range f.blocks {
		bc := body
		bc.Max.Y = top
		if b.title != "" {
			bc.FillText(blockTitleStyle(), vg.Point{X: (bc.Min.X + bc.Max.X) / 2, Y: top}, b.title)
			bc.Max.Y -= blockTitleHeight
		}
		bc.Min.Y = bc.Max.Y - vg.Length(len(b.plots))*f.panelH
		top = bc.Min.Y
		tiles := draw.Tiles{Rows: len(b.plots), Cols: len(b.plots[0]), PadX: figurePad, PadY: figurePad}
		cs := plot.Align(b.plots, tiles, bc)
		for r, row := range b.plots {
			for c, p := range row {
				if p == nil {
					continue
				}
				p.Draw(cs[r][c])
				if bi == 0 && r == 0 && c == 0 {
					ref = p.DataCanvas(cs[r][c])
				}
			}
		}
	}
	if f.colorBar {
		strip := dc
		strip.Min.X = body.Max.X + figurePad
		drawColorBar(strip, ref)
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// drawColorBar draws a vertical colour bar for densityMap in strip, its bar
// spanning the same heights as the data area ref.
func drawColorBar(strip, ref draw.Canvas) {
	p := plot.New()
	p.Add(&plotter.ColorBar{ColorMap: densityMap, Vertical: true})
	p.HideX()
	p.Y.Label.Text = "density / max"
	p.Y.Label.TextStyle.Font.Size = 10
	p.Y.Tick.Label.Font.Size = 9
	p.Y.Padding = 0
	c := strip
	c.Min.Y, c.Max.Y = ref.Min.Y, ref.Max.Y
	// Grow c so that the bar itself, not the axis around it, matches ref
	// and is colorBarThickness wide.
	d := p.DataCanvas(c)
	c.Min.Y -= d.Min.Y - ref.Min.Y
	c.Max.Y += ref.Max.Y - d.Max.Y
	c.Max.X = d.Min.X + colorBarThickness
	p.Draw(c)
}
