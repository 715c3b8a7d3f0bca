package plots

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Images is a set of images for an image grid: N images of C channels
// (1: grey, 3: RGB) of H×W pixels, image i at Data[i·C·H·W:], each in
// (c, h, w) order as an image data set stores it. Values are mapped
// linearly from [Lo, Hi] to black … white (0 … 255 per channel) and
// clipped to that range; NaN shows as red (grey images) or black.
type Images struct {
	Data    []float64
	N       int
	C, H, W int
	Lo, Hi  float64
}

// imagePad is the border around and between the images of a grid, in pixels.
const imagePad = 2

// ImageScale is the integer factor each image's pixels are enlarged by in
// a grid: max(1, 64 / max(H, W)), so small images are at least about 64
// pixels wide.
func ImageScale(h, w int) int { return max(1, 64/max(h, w, 1)) }

// ImageGridSize is the pixel size of the grid of n images of h×w in cols
// columns: cols·(w·s) + (cols+1)·2 by rows·(h·s) + (rows+1)·2, with
// s = ImageScale(h, w) and rows = ⌈n/cols⌉ (cols is capped at n).
func ImageGridSize(n, cols, h, w int) (width, height int) {
	cols = max(1, min(cols, n))
	rows := (n + cols - 1) / cols
	s := ImageScale(h, w)
	return cols*w*s + (cols+1)*imagePad, rows*h*s + (rows+1)*imagePad
}

// check validates g as user input.
func (g *Images) check() error {
	switch {
	case g.N <= 0:
		return fmt.Errorf("plots: image grid of %d images: pass at least one", g.N)
	case g.C != 1 && g.C != 3:
		return fmt.Errorf("plots: image grid: %d channels; only 1 (grey) and 3 (RGB) can be drawn", g.C)
	case g.H <= 0 || g.W <= 0:
		return fmt.Errorf("plots: image grid: image size %d×%d must be positive", g.H, g.W)
	case len(g.Data) != g.N*g.C*g.H*g.W:
		return fmt.Errorf("plots: image grid: len(Data) = %d, want N×C×H×W = %d×%d×%d×%d", len(g.Data), g.N, g.C, g.H, g.W)
	case !(g.Lo < g.Hi) || math.IsInf(g.Lo, 0) || math.IsInf(g.Hi, 0):
		return fmt.Errorf("plots: image grid: value range [%v, %v] must be finite with lo < hi", g.Lo, g.Hi)
	}
	return nil
}

// ImageGridImage draws g as a grid of cols columns (rows as needed, in
// order, row by row) on a light grey background, each image enlarged by
// ImageScale; the result is ImageGridSize pixels.
func ImageGridImage(g Images, cols int) (*image.NRGBA, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	cols = max(1, min(cols, g.N))
	width, height := ImageGridSize(g.N, cols, g.H, g.W)
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	bg := color.NRGBA{0xd0, 0xd0, 0xd0, 0xff}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = bg.R, bg.G, bg.B, bg.A
	}
	s := ImageScale(g.H, g.W)
	level := func(v float64) (uint8, bool) {
		if math.IsNaN(v) {
			return 0, false
		}
		t := (v - g.Lo) / (g.Hi - g.Lo)
		t = min(max(t, 0), 1)
		return uint8(math.Round(255 * t)), true
	}
	hw := g.H * g.W
	for k := 0; k < g.N; k++ {
		x0 := imagePad + (k%cols)*(g.W*s+imagePad)
		y0 := imagePad + (k/cols)*(g.H*s+imagePad)
		im := g.Data[k*g.C*hw : (k+1)*g.C*hw]
		for y := 0; y < g.H; y++ {
			for x := 0; x < g.W; x++ {
				var px color.NRGBA
				if g.C == 1 {
					v, ok := level(im[y*g.W+x])
					px = color.NRGBA{v, v, v, 0xff}
					if !ok {
						px = color.NRGBA{0xff, 0, 0, 0xff}
					}
				} else {
					r, _ := level(im[y*g.W+x])
					gg, _ := level(im[hw+y*g.W+x])
					b, _ := level(im[2*hw+y*g.W+x])
					px = color.NRGBA{r, gg, b, 0xff}
				}
				for dy := 0; dy < s; dy++ {
					for dx := 0; dx < s; dx++ {
						img.SetNRGBA(x0+x*s+dx, y0+y*s+dy, px)
					}
				}
			}
		}
	}
	return img, nil
}

// ImageGrid writes g as a grid of cols columns in format: a PNG of exactly
// ImageGridSize pixels (image/png), or for SVG and PDF a page of that size
// in points with the same picture embedded.
func ImageGrid(w io.Writer, format Format, g Images, cols int) error {
	img, err := ImageGridImage(g, cols)
	if err != nil {
		return err
	}
	if format == PNG || format == "" {
		return png.Encode(w, img)
	}
	b := img.Bounds()
	width, height := vg.Length(b.Dx()), vg.Length(b.Dy())
	c, err := newCanvas(format, width, height)
	if err != nil {
		return err
	}
	c.DrawImage(vg.Rectangle{Max: vg.Point{X: width, Y: height}}, img)
	_, err = c.WriteTo(w)
	return err
}

// Loss writes a line plot of a training loss against the step, titled
// title; non-finite values are left out.
func Loss(w io.Writer, format Format, steps, loss []float64, title string) error {
	if len(steps) != len(loss) {
		return fmt.Errorf("plots: loss curve: %d steps but %d losses", len(steps), len(loss))
	}
	var xy plotter.XYs
	for i, v := range loss {
		if finite(v) && finite(steps[i]) {
			xy = append(xy, plotter.XY{X: steps[i], Y: v})
		}
	}
	if len(xy) == 0 {
		return fmt.Errorf("plots: loss curve: no finite loss to draw")
	}
	p := newPanel(title, "step", "loss")
	l, err := plotter.NewLine(xy)
	if err != nil {
		return err
	}
	l.LineStyle.Width = vg.Points(1.2)
	l.LineStyle.Color = color.NRGBA{0x1f, 0x77, 0xb4, 0xff}
	p.Add(l)
	if len(xy) == 1 {
		sc, err := plotter.NewScatter(xy)
		if err == nil {
			p.Add(sc)
		}
	}
	f := &figure{blocks: []block{{plots: [][]*plot.Plot{{p}}}}, panelW: 6 * vg.Inch, panelH: 3.5 * vg.Inch}
	return f.write(w, format)
}
