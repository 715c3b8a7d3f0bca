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
	traceW = vg.Length(300) // trace and density panel size
	traceH = vg.Length(115)
	// traceBuckets bounds the points per chain line: longer traces keep the
	// minimum and maximum of each of traceBuckets runs of draws, in order,
	// so spikes and the envelope survive thinning.
	traceBuckets = 600
)

// TracePNG is Trace in PNG.
func TracePNG(w io.Writer, runs []Run, maxChains, maxDims int) error {
	return Trace(w, PNG, runs, maxChains, maxDims)
}

// Trace renders trace.png (or .svg, .pdf) in format, as ArviZ's plot_trace:
// one block per run, titled with it, stacked top to bottom; in each, one
// row per dimension among the first maxDims, with a kernel density
// estimate of each chain's draws on the left and the draws against draw
// index on the right, both titled x[j], one colour per chain, for the first
// maxChains chains. A dimension's value axis (the density's x, the trace's
// y) is shared by all runs. maxChains or maxDims ≤ 0 means all of them.
// Divergent transitions (Run.Diverging) are marked as red ticks under the
// traces. Non-finite draws are left out. It returns an error, and writes
// nothing, for the malformed runs Samples rejects or an unknown format.
func Trace(w io.Writer, format Format, runs []Run, maxChains, maxDims int) error {
	dim, err := checkRuns(runs)
	if err != nil {
		return err
	}
	if maxDims <= 0 || maxDims > dim {
		maxDims = dim
	}
	blocks := make([]block, len(runs))
	traces := make([][]*plot.Plot, maxDims) // per dimension, over runs
	for ri := range runs {
		r := &runs[ri]
		nc := r.Chains
		if maxChains > 0 {
			nc = min(nc, maxChains)
		}
		grid := make([][]*plot.Plot, maxDims)
		for j := range maxDims {
			xlabel := ""
			if j == maxDims-1 {
				xlabel = "draw"
			}
			p := newPanel(axisLabel(j), xlabel, "")
			for c := range nc {
				xy := traceLine(r, c, j)
				if len(xy) == 0 {
					continue
				}
				p.Add(&polyline{xy: xy, style: draw.LineStyle{
					Color: chainColors[c%len(chainColors)], Width: vg.Points(0.6)}})
			}
			if r.Diverging != nil {
				p.Add(&divergenceRug{r: r, chains: nc})
			}
			p.X.Min, p.X.Max = 0, float64(max(r.Draws-1, 1))
			grid[j] = []*plot.Plot{nil, p}
			traces[j] = append(traces[j], p)
		}
		blocks[ri] = block{title: r.Title, plots: grid}
	}
	for j := range maxDims {
		shareY(traces[j])
		s := span{traces[j][0].Y.Min, traces[j][0].Y.Max}
		for ri := range runs {
			r := &runs[ri]
			nc := r.Chains
			if maxChains > 0 {
				nc = min(nc, maxChains)
			}
			xlabel := ""
			if j == maxDims-1 {
				xlabel = "value"
			}
			p := newPanel(axisLabel(j), xlabel, "")
			top := 0.0
			for c := range nc {
				xs, ds := chainKDE(r, c, j, s)
				if xs == nil {
					continue
				}
				for _, v := range ds {
					top = max(top, v)
				}
				p.Add(&polyline{xy: xyPairs(xs, ds), style: draw.LineStyle{
					Color: chainColors[c%len(chainColors)], Width: vg.Points(1)}})
			}
			if top <= 0 {
				top = 1
			}
			setRange(p, s, span{0, 1.08 * top})
			blocks[ri].plots[j][0] = p
		}
	}
	f := &figure{blocks: blocks, panelW: traceW, panelH: traceH}
	return f.write(w, format)
}

// kdeBins is the grid of a chain's binned kernel density estimate.
const kdeBins = 200

// chainKDE returns a Gaussian kernel density estimate of chain c's finite
// draws of dimension j on kdeBins points of s, normalized over the whole
// line (Silverman's bandwidth, draws binned onto the grid first so the
// cost is linear in the draws). xs is nil when the chain has fewer than two
// finite draws in s.
func chainKDE(r *Run, c, j int, s span) (xs, ds []float64) {
	counts := make([]float64, kdeBins)
	dx := s.width() / kdeBins
	var n, sum, sum2 float64
	total := 0
	for t := range r.Draws {
		v := r.at(c, t, j)
		if !finite(v) {
			continue
		}
		total++
		if !s.contains(v) {
			continue
		}
		counts[min(int((v-s.lo)/dx), kdeBins-1)]++
		n++
		sum += v
		sum2 += v * v
	}
	if n < 2 {
		return nil, nil
	}
	mean := sum / n
	sd := math.Sqrt(max(sum2/n-mean*mean, 0))
	// Silverman's rule with the IQR of the binned draws.
	iqr := binQuantile(counts, n, 0.75) - binQuantile(counts, n, 0.25)
	spread := sd
	if iqr > 0 {
		spread = min(sd, iqr*dx/1.34)
	}
	h := 0.9 * spread * math.Pow(n, -0.2)
	h = max(h, dx) // at least a grid cell
	hb := h / dx   // bandwidth in cells
	reach := int(math.Ceil(4 * hb))
	kernel := make([]float64, 2*reach+1)
	for k := range kernel {
		d := float64(k-reach) / hb
		kernel[k] = math.Exp(-d * d / 2)
	}
	norm := 1 / (float64(total) * h * math.Sqrt(2*math.Pi))
	xs = make([]float64, kdeBins)
	ds = make([]float64, kdeBins)
	for i := range counts {
		xs[i] = s.lo + (float64(i)+0.5)*dx
		if counts[i] == 0 {
			continue
		}
		for k, kv := range kernel {
			if o := i + k - reach; o >= 0 && o < kdeBins {
				ds[o] += counts[i] * kv
			}
		}
	}
	for i := range ds {
		ds[i] *= norm
	}
	return xs, ds
}

// binQuantile returns the q-quantile of n values binned into counts, in
// bins (fractional, by linear interpolation within the bin).
func binQuantile(counts []float64, n, q float64) float64 {
	target, acc := q*n, 0.0
	for i, c := range counts {
		if c > 0 && acc+c >= target {
			return float64(i) + (target-acc)/c
		}
		acc += c
	}
	return float64(len(counts))
}

// divergenceRug marks the divergent draws of the plotted chains (the first
// chains) as short red ticks along the bottom of a trace panel, at their
// draw index, as ArviZ does. Divergences of chains not drawn are left out:
// they would mark draws that no trace shows.
type divergenceRug struct {
	r      *Run
	chains int
}

// Plot implements plot.Plotter.
func (d *divergenceRug) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := draw.LineStyle{Color: divergentColor, Width: vg.Points(0.8)}
	seen := make([]bool, d.r.Draws)
	for i, v := range d.r.Diverging[:d.chains*d.r.Draws] {
		t := i % d.r.Draws
		if v == 0 || seen[t] {
			continue
		}
		seen[t] = true
		x := trX(float64(t))
		c.StrokeLine2(sty, x, c.Min.Y, x, c.Min.Y+vg.Points(5))
	}
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
