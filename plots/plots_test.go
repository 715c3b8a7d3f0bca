package plots

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestSamplesPNG renders every layout (Dim 1, 2, 3, 5), with and without an
// energy, with several runs. A failure means a layout produces no figure,
// a broken PNG, or a blank one.
func TestSamplesPNG(t *testing.T) {
	for _, dim := range []int{1, 2, 3, 5} {
		for _, withE := range []bool{true, false} {
			name := fmt.Sprintf("dim=%d/energy=%v", dim, withE)
			t.Run(name, func(t *testing.T) {
				g := &gauss{dim: dim, rho: 0.8}
				runs := []Run{
					gaussRun("exact", g, 4, 1000, 1, 1),
					gaussRun("too wide", g, 4, 1000, 1.6, 2),
				}
				var buf bytes.Buffer
				if err := SamplesPNG(&buf, energyIf(withE, g), runs); err != nil {
					t.Fatal(err)
				}
				decodePNG(t, buf.Bytes(), 300, 200)
				if withE && dim <= 2 && g.calls != 1 {
					t.Errorf("energy called %d times, want once for the whole grid (batched evaluation)", g.calls)
				}
				preview(t, fmt.Sprintf("samples_dim%d_energy%v.png", dim, withE), buf.Bytes())
			})
		}
	}
}

// TestSamplesPNGLayoutGrows checks that panels are laid out per run: side by
// side for 2-D, stacked for Dim > 2, and that a density adds a colour bar.
// A failure means runs overwrite each other or the colour bar is missing.
func TestSamplesPNGLayoutGrows(t *testing.T) {
	size := func(dim, nruns int, withE bool) (int, int) {
		g := &gauss{dim: dim}
		runs := make([]Run, nruns)
		for i := range runs {
			runs[i] = gaussRun(fmt.Sprint("run", i), g, 2, 200, 1, uint64(i))
		}
		var buf bytes.Buffer
		if err := SamplesPNG(&buf, energyIf(withE, g), runs); err != nil {
			t.Fatal(err)
		}
		b := decodePNG(t, buf.Bytes(), 100, 100).Bounds()
		return b.Dx(), b.Dy()
	}
	w1, h1 := size(2, 1, false)
	w3, h3 := size(2, 3, false)
	if w3 < 2*w1 || h3 != h1 {
		t.Errorf("2-D: 1 run %d×%d, 3 runs %d×%d: want three panels side by side", w1, h1, w3, h3)
	}
	wc, _ := size(2, 1, true)
	if wc <= w1 {
		t.Errorf("2-D with energy is %d px wide, without %d: want extra room for the colour bar", wc, w1)
	}
	mw1, mh1 := size(5, 1, false)
	mw2, mh2 := size(5, 2, false)
	if mw2 != mw1 || mh2 < 2*mh1-50 {
		t.Errorf("Dim 5: 1 run %d×%d, 2 runs %d×%d: want scatter matrices stacked", mw1, mh1, mw2, mh2)
	}
}

// TestSamplesPNGNonFiniteEnergy uses an energy that is +Inf or NaN over part
// of the plotted region. A failure means such energies panic or break the
// figure instead of being painted as zero density.
func TestSamplesPNGNonFiniteEnergy(t *testing.T) {
	for _, dim := range []int{1, 2} {
		g := &gauss{dim: dim, rho: 0.5}
		runs := []Run{gaussRun("mh", g, 2, 500, 1, 3), gaussRun("hmc", g, 2, 500, 1, 4)}
		var buf bytes.Buffer
		if err := SamplesPNG(&buf, holey{g}, runs); err != nil {
			t.Fatal(err)
		}
		decodePNG(t, buf.Bytes(), 300, 200)
		preview(t, fmt.Sprintf("samples_dim%d_holes.png", dim), buf.Bytes())
	}
}

// TestSamplesPNGNonFiniteDraws puts NaN and ±Inf among the draws (a
// diverged chain). A failure means bad draws crash plotting or blank it.
func TestSamplesPNGNonFiniteDraws(t *testing.T) {
	for _, dim := range []int{1, 2, 3} {
		g := &gauss{dim: dim}
		r := gaussRun("diverged", g, 2, 300, 1, 5)
		for i := 0; i < len(r.Samples); i += 7 {
			r.Samples[i] = []float64{nan(), inf(1), inf(-1)}[i%3]
		}
		var buf bytes.Buffer
		if err := SamplesPNG(&buf, g, []Run{r}); err != nil {
			t.Fatalf("dim %d: %v", dim, err)
		}
		decodePNG(t, buf.Bytes(), 200, 150)
		buf.Reset()
		if err := TracePNG(&buf, []Run{r}, 2, 2); err != nil {
			t.Fatalf("dim %d: trace: %v", dim, err)
		}
		decodePNG(t, buf.Bytes(), 200, 100)
	}
	// Every draw non-finite: still a figure (default axes), not an error.
	g := &gauss{dim: 2}
	r := gaussRun("all bad", g, 1, 10, 1, 6)
	for i := range r.Samples {
		r.Samples[i] = nan()
	}
	var buf bytes.Buffer
	if err := SamplesPNG(&buf, g, []Run{r}); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, buf.Bytes(), 200, 150)
}

// TestBadRunsAreErrors feeds malformed input. A failure means user input
// panics or is accepted silently, or the error does not say what is wrong.
func TestBadRunsAreErrors(t *testing.T) {
	g := &gauss{dim: 2}
	good := gaussRun("ok", g, 2, 10, 1, 1)
	cases := []struct {
		name string
		runs []Run
		e    *gauss
		want string
	}{
		{"no runs", nil, nil, "no runs"},
		{"zero draws", []Run{{Title: "empty", Chains: 2, Draws: 0, Dim: 2}}, g, "no draws"},
		{"zero chains", []Run{{Title: "empty", Chains: 0, Draws: 5, Dim: 2}}, nil, "no chains"},
		{"zero dim", []Run{{Title: "flat", Chains: 1, Draws: 5, Dim: 0}}, nil, "Dim = 0"},
		{"short samples", []Run{{Title: "short", Chains: 2, Draws: 10, Dim: 2, Samples: make([]float64, 39)}}, nil, "len(Samples) = 39"},
		{"mixed dims", []Run{good, gaussRun("3d", &gauss{dim: 3}, 2, 10, 1, 1)}, nil, "dimension 3"},
		{"energy dim", []Run{gaussRun("3d", &gauss{dim: 3}, 2, 10, 1, 1)}, g, "energy has dimension 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := SamplesPNG(&buf, energyIf(c.e != nil, c.e), c.runs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("SamplesPNG error = %v, want one mentioning %q", err, c.want)
			}
			if buf.Len() != 0 {
				t.Errorf("SamplesPNG wrote %d bytes before failing; want nothing", buf.Len())
			}
			if c.name == "energy dim" {
				return // TracePNG takes no energy
			}
			buf.Reset()
			if err := TracePNG(&buf, c.runs, 4, 4); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("TracePNG error = %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

// TestTracePNG renders traces for several runs, limits on chains and dims
// (including "all" with ≤ 0), and a long run that is thinned. A failure
// means a broken or blank figure, or limits that do not shape the grid.
func TestTracePNG(t *testing.T) {
	g := &gauss{dim: 3, rho: 0.9}
	runs := []Run{
		gaussRun("mh", g, 6, 400, 1, 1),
		gaussRun("hmc", g, 6, 5000, 1, 2),
	}
	var small, all bytes.Buffer
	if err := TracePNG(&small, runs, 3, 2); err != nil {
		t.Fatal(err)
	}
	a := decodePNG(t, small.Bytes(), 400, 150).Bounds()
	preview(t, "trace.png", small.Bytes())
	if err := TracePNG(&all, runs, 0, 0); err != nil {
		t.Fatal(err)
	}
	b := decodePNG(t, all.Bytes(), 400, 150).Bounds()
	if b.Dx() != a.Dx() || b.Dy() <= a.Dy() {
		t.Errorf("trace with 2 dims is %v, with all 3 dims %v: want one more row, same width", a, b)
	}
	one := []Run{runs[0]}
	var buf bytes.Buffer
	if err := TracePNG(&buf, one, 1, 1); err != nil {
		t.Fatal(err)
	}
	if c := decodePNG(t, buf.Bytes(), 200, 80).Bounds(); c.Dy() >= a.Dy() || c.Dx() != a.Dx() {
		t.Errorf("one run is %v, two runs %v: want one block of rows per run, same width", c, a)
	}
}

// TestDensityPNG renders a learned density beside data, with an energy that
// is non-finite in places, and checks input errors. A failure means a
// broken figure or a panic on bad input.
func TestDensityPNG(t *testing.T) {
	g := &gauss{dim: 2, rho: -0.6}
	data := gaussRun("", g, 1, 5000, 1, 9).Samples
	var buf bytes.Buffer
	if err := DensityPNG(&buf, g, data, "gaussian, 5000 points"); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, buf.Bytes(), 400, 250)
	if g.calls != 1 {
		t.Errorf("energy called %d times, want once for the whole grid", g.calls)
	}
	preview(t, "density.png", buf.Bytes())
	buf.Reset()
	if err := DensityPNG(&buf, holey{g}, data, ""); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, buf.Bytes(), 400, 250)

	bad := []struct {
		name string
		err  error
		want string
	}{
		{"nil energy", DensityPNG(&buf, nil, data, "x"), "nil"},
		{"3-D energy", DensityPNG(&buf, &gauss{dim: 3}, data, "x"), "dimension 3"},
		{"no data", DensityPNG(&buf, g, nil, "x"), "no"},
		{"odd data", DensityPNG(&buf, g, data[:5], "x"), "5 values"},
	}
	for _, c := range bad {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error = %v, want one mentioning %q", c.name, c.err, c.want)
		}
	}
}
