package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// dots draws points as small filled circles. Unlike plotter.Scatter it has
// no glyph boxes, so points at or past the axis limits never shift the
// panel's layout; points outside the data area are not drawn.
type dots struct {
	xs, ys []float64
	style  draw.GlyphStyle
}

// newDots returns dots at (xs[i], ys[i]) with radius r points.
func newDots(xs, ys []float64, c color.Color, r vg.Length) *dots {
	return &dots{xs: xs, ys: ys, style: draw.GlyphStyle{Color: c, Radius: r, Shape: draw.CircleGlyph{}}}
}

// Plot implements plot.Plotter.
func (d *dots) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, x := range d.xs {
		c.DrawGlyph(d.style, vg.Point{X: trX(x), Y: trY(d.ys[i])})
	}
}

// dotRadius shrinks scattered dots as their number n grows, from big (in
// points) for a few hundred to 60% of it from 1100 on, so a full panel
// still shows the density underneath.
func dotRadius(n int, big float64) vg.Length {
	f := math.Sqrt(400 / float64(max(n, 1)))
	return vg.Points(big * min(max(f, 0.6), 1))
}

// bars draws a histogram: bin i spans [lo + i·width, lo + (i+1)·width] and
// rises from base to base + h[i]. Bars are clipped to the data area.
type bars struct {
	lo, width, base float64
	h               []float64
	fill            color.Color
	edge            draw.LineStyle
}

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	y0 := trY(b.base)
	for i, h := range b.h {
		if h <= 0 {
			continue
		}
		x0, x1 := trX(b.lo+float64(i)*b.width), trX(b.lo+float64(i+1)*b.width)
		y1 := trY(b.base + h)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}
		c.FillPolygon(b.fill, c.ClipPolygonXY(pts))
		c.StrokeLines(b.edge, c.ClipLinesXY(append(pts, pts[0]))...)
	}
}

// histogram returns the densities of column j of m in nb equal bins over s:
// count/(finite values × bin width), so bars over s integrate to the
// fraction of finite values inside s. ok is false when no value is finite.
func histogram(m matrix, j int, s span, nb int) (h []float64, ok bool) {
	h = make([]float64, nb)
	w := s.width() / float64(nb)
	total := 0
	for i := range m.n {
		v := m.x[i*m.dim+j]
		if !finite(v) {
			continue
		}
		total++
		if s.contains(v) {
			k := min(int((v-s.lo)/w), nb-1)
			h[k]++
		}
	}
	if total == 0 {
		return h, false
	}
	for k := range h {
		h[k] /= float64(total) * w
	}
	return h, true
}

// binCount picks a histogram bin count for n values (twice the cube root,
// the Rice rule), clamped to [10, most].
func binCount(n, most int) int {
	b := int(math.Ceil(2 * math.Cbrt(float64(n))))
	return min(max(b, 10), most)
}

// polyline draws a long line as many short strokes: the rasterizer's cost
// grows with the cells one path touches per row, so a single 1000-point
// stroke is far slower than 30 strokes of 33 points. Values must be finite.
type polyline struct {
	xy    plotter.XYs
	style draw.LineStyle
}

// polylineChunk is the number of segments per stroke.
const polylineChunk = 32

// Plot implements plot.Plotter.
func (l *polyline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pts := make([]vg.Point, len(l.xy))
	for i, q := range l.xy {
		pts[i] = vg.Point{X: trX(q.X), Y: trY(q.Y)}
	}
	var chunks [][]vg.Point
	for i := 0; i+1 < len(pts); i += polylineChunk {
		chunks = append(chunks, pts[i:min(i+polylineChunk+1, len(pts))])
	}
	c.StrokeLines(l.style, c.ClipLinesXY(chunks...)...)
}

// DataRange implements plot.DataRanger.
func (l *polyline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return plotter.XYRange(l.xy)
}
