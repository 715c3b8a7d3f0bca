package plots

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is a figure file format.
type Format string

// The figure formats ebmrun writes (its --format flag).
const (
	PNG Format = "png"
	SVG Format = "svg"
	PDF Format = "pdf"
)

// ParseFormat returns the Format named s ("png", "svg" or "pdf"), or an
// error naming the choices.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case PNG, SVG, PDF:
		return f, nil
	}
	return "", fmt.Errorf("plots: unknown figure format %q: use png, svg or pdf", s)
}

// newCanvas returns a white canvas of the given size that writes format.
func newCanvas(format Format, width, height vg.Length) (vg.CanvasWriterTo, error) {
	switch format {
	case PNG, "":
		img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
		return vgimg.PngCanvas{Canvas: img}, nil
	case SVG, PDF:
		var c vg.CanvasWriterTo
		if format == SVG {
			c = vgsvg.New(width, height)
		} else {
			c = vgpdf.New(width, height)
		}
		dc := draw.New(c)
		dc.FillPolygon(color.White, []vg.Point{{X: 0, Y: 0}, {X: 0, Y: height}, {X: width, Y: height}, {X: width, Y: 0}})
		return c, nil
	}
	_, err := ParseFormat(string(format))
	return nil, err
}

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
	// square, when set, trims every panel so its data area is as wide as
	// it is tall times aspect: with ranges whose widths have that ratio,
	// one unit of x is as long as one unit of y (equal aspect).
	square bool
	aspect float64
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

// write lays the panels out with plot.Align, so data areas line up
// across rows and columns, and writes the figure to w in format.
func (f *figure) write(w io.Writer, format Format) error {
	width, height := f.size()
	img, err := newCanvas(format, width, height)
	if err != nil {
		return err
	}
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
				if f.square {
					cs[r][c] = equalAspect(p, cs[r][c], f.aspect)
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
	_, err = img.WriteTo(w)
	return err
}

// equalAspect trims c from the right or the top so that p's data area in
// it is aspect times as wide as it is tall.
func equalAspect(p *plot.Plot, c draw.Canvas, aspect float64) draw.Canvas {
	if !(aspect > 0) {
		aspect = 1
	}
	d := p.DataCanvas(c)
	dw, dh := d.Max.X-d.Min.X, d.Max.Y-d.Min.Y
	if want := vg.Length(float64(dh) * aspect); dw > want {
		c.Max.X -= dw - want
	} else if want := vg.Length(float64(dw) / aspect); dh > want {
		c.Max.Y -= dh - want
	}
	return c
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
