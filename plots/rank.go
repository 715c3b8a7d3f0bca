package plots

import (
	"io"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

const (
	rankW = vg.Length(260) // rank panel size
	rankH = vg.Length(150)
	// rankDraws bounds the draws per chain that are ranked: longer chains
	// are thinned evenly.
	rankDraws = 5000
	// rankBarHeight is the height, in chain rows, of a bin that holds its
	// expected share of a chain's draws.
	rankBarHeight = 0.4
)

// Rank renders rank.png (or .svg, .pdf) in format, as ArviZ's plot_rank:
// for each of the first maxDims dimensions (one row each) and each run (one
// column each), the draws of the first maxChains chains are ranked among
// all of them together and each chain gets a histogram of its ranks on a
// row of its own, with a dashed line at the height a uniform histogram
// would have. Chains that mix well have flat histograms; a chain stuck in
// one region piles its ranks at one end. Chains longer than 5000 draws are
// thinned evenly; non-finite draws are left out. maxChains or maxDims ≤ 0
// means all of them. It returns an error, and writes nothing, for the
// malformed runs Samples rejects or an unknown format.
func Rank(w io.Writer, format Format, runs []Run, maxChains, maxDims int) error {
	dim, err := checkRuns(runs)
	if err != nil {
		return err
	}
	if maxDims <= 0 || maxDims > dim {
		maxDims = dim
	}
	grid := make([][]*plot.Plot, maxDims)
	for j := range grid {
		grid[j] = make([]*plot.Plot, len(runs))
		for ri := range runs {
			r := &runs[ri]
			nc := r.Chains
			if maxChains > 0 {
				nc = min(nc, maxChains)
			}
			title := axisLabel(j)
			if j == 0 {
				title = r.Title + " · " + title
			}
			xlabel := ""
			if j == maxDims-1 {
				xlabel = "rank (all chains)"
			}
			ylabel := ""
			if ri == 0 {
				ylabel = "chain"
			}
			grid[j][ri] = rankPanel(r, nc, j, title, xlabel, ylabel)
		}
	}
	f := &figure{blocks: []block{{plots: grid}}, panelW: rankW, panelH: rankH}
	return f.write(w, format)
}

// rankPanel draws the rank histograms of dimension j of the first nc
// chains of r.
func rankPanel(r *Run, nc, j int, title, xlabel, ylabel string) *plot.Plot {
	p := newPanel(title, xlabel, ylabel)
	stride := max(1, (r.Draws+rankDraws-1)/rankDraws)
	type draw1 struct {
		v     float64
		chain int
	}
	var all []draw1
	for c := range nc {
		for t := 0; t < r.Draws; t += stride {
			if v := r.at(c, t, j); finite(v) {
				all = append(all, draw1{v, c})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b draw1) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	n := len(all)
	nb := min(max(binCount(n/max(nc, 1), 30), 10), 30)
	counts := make([][]float64, nc)
	for c := range counts {
		counts[c] = make([]float64, nb)
	}
	per := make([]int, nc)
	for i := 0; i < n; {
		// Ties share their mean rank.
		k := i
		for k+1 < n && all[k+1].v == all[i].v {
			k++
		}
		rank := float64(i+k) / 2
		for m := i; m <= k; m++ {
			b := min(int(rank*float64(nb)/float64(n)), nb-1)
			counts[all[m].chain][b]++
			per[all[m].chain]++
		}
		i = k + 1
	}
	width := float64(max(n, 1)) / float64(nb)
	for c := range nc {
		if per[c] == 0 {
			continue
		}
		expect := float64(per[c]) / float64(nb)
		h := make([]float64, nb)
		for b, v := range counts[c] {
			h[b] = rankBarHeight * v / expect
		}
		col := chainColors[c%len(chainColors)]
		p.Add(&bars{lo: 0, width: width, base: float64(c), h: h, fill: col,
			edge: draw.LineStyle{Color: barEdge, Width: vg.Points(0.3)}})
		p.Add(&polyline{xy: xyPairs([]float64{0, float64(n)}, []float64{float64(c) + rankBarHeight, float64(c) + rankBarHeight}),
			style: draw.LineStyle{Color: chainLineColor, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}})
	}
	setRange(p, span{0, float64(max(n, 1))}, span{-0.1, float64(nc) - 0.1})
	ticks := make([]plot.Tick, nc)
	for c := range ticks {
		ticks[c] = plot.Tick{Value: float64(c) + rankBarHeight/2, Label: itoa(c)}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	return p
}
