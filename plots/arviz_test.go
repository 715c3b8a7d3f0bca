package plots

import (
	"bytes"
	"image/color"
	"strings"
	"testing"
)

// TestFormats renders every figure in PNG, SVG and PDF and checks the file
// headers, and that SVG text names dimensions x[0], x[1], …. A failure means
// --format writes a broken file or the plots name dimensions unlike the
// terminal table.
func TestFormats(t *testing.T) {
	g := &gauss{dim: 3, rho: 0.5}
	runs := []Run{gaussRun("mh", g, 3, 300, 1, 1)}
	heads := map[Format]string{PNG: "\x89PNG", SVG: "<?xml", PDF: "%PDF"}
	for _, f := range []Format{PNG, SVG, PDF} {
		for name, fn := range map[string]func(*bytes.Buffer) error{
			"samples": func(b *bytes.Buffer) error { return Samples(b, f, g, runs) },
			"trace":   func(b *bytes.Buffer) error { return Trace(b, f, runs, 2, 3) },
			"rank":    func(b *bytes.Buffer) error { return Rank(b, f, runs, 2, 3) },
		} {
			var b bytes.Buffer
			if err := fn(&b); err != nil {
				t.Fatalf("%s.%s: %v", name, f, err)
			}
			if !strings.HasPrefix(b.String(), heads[f]) {
				t.Errorf("%s.%s starts %q, want %q", name, f, b.String()[:min(8, b.Len())], heads[f])
			}
			preview(t, name+"."+string(f), b.Bytes())
			if f == SVG {
				for _, want := range []string{"x[0]", "x[1]", "x[2]"} {
					if !strings.Contains(b.String(), want) {
						t.Errorf("%s.svg does not name %s", name, want)
					}
				}
				if strings.Contains(b.String(), ">x1<") {
					t.Errorf("%s.svg still names a dimension x1", name)
				}
			}
		}
	}
	if _, err := ParseFormat("jpeg"); err == nil {
		t.Error("ParseFormat(jpeg) succeeded, want an error")
	}
	if err := Samples(&bytes.Buffer{}, "gif", g, runs); err == nil {
		t.Error("Samples in gif succeeded, want an error")
	}

	// density.png of a training run, in the same formats.
	g2 := &gauss{dim: 2, rho: -0.6}
	data := gaussRun("", g2, 1, 500, 1, 9).Samples
	for _, f := range []Format{PNG, SVG, PDF} {
		var b bytes.Buffer
		if err := Density(&b, f, g2, data, "density"); err != nil {
			t.Fatalf("density.%s: %v", f, err)
		}
		if !strings.HasPrefix(b.String(), heads[f]) {
			t.Errorf("density.%s starts %q, want %q", f, b.String()[:min(8, b.Len())], heads[f])
		}
		preview(t, "density."+string(f), b.Bytes())
	}
	var b bytes.Buffer
	if err := Density(&b, "gif", g2, data, "density"); err == nil || b.Len() > 0 {
		t.Errorf("Density in gif: error %v, %d bytes written; want an error and nothing written", err, b.Len())
	}
}

// TestTrimZeros checks tick labels lose needless decimals. A failure means
// axes read 1.0 or 0.50.
func TestTrimZeros(t *testing.T) {
	for in, want := range map[string]string{"1.0": "1", "0.50": "0.5", "-0.0": "0", "10": "10",
		"2.5": "2.5", "1.0e+06": "1e+06", "1.50e-03": "1.5e-03", "100": "100"} {
		if got := trimZeros(in); got != want {
			t.Errorf("trimZeros(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tk := range (cleanTicks{}).Ticks(0, 1) {
		if strings.HasSuffix(tk.Label, "0") && strings.Contains(tk.Label, ".") {
			t.Errorf("tick label %q has a needless zero", tk.Label)
		}
	}
}

// TestDivergentMarked checks divergent draws are drawn in red in the 2-D
// panel and in the pair plot, and nowhere when none diverged, and that a
// Diverging of the wrong length is an error. A failure means divergences
// are invisible or invented.
func TestDivergentMarked(t *testing.T) {
	for _, dim := range []int{2, 3} {
		g := &gauss{dim: dim, rho: 0.5}
		r := gaussRun("hmc", g, 2, 400, 1, 3)
		red := func(r Run) int {
			var b bytes.Buffer
			if err := Samples(&b, PNG, nil, []Run{r}); err != nil {
				t.Fatal(err)
			}
			img := decodePNG(t, b.Bytes(), 100, 100)
			n := 0
			bd := img.Bounds()
			for y := bd.Min.Y; y < bd.Max.Y; y++ {
				for x := bd.Min.X; x < bd.Max.X; x++ {
					if c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA); c == divergentColor {
						n++
					}
				}
			}
			return n
		}
		if n := red(r); n != 0 {
			t.Errorf("dim %d: %d red pixels with no divergences", dim, n)
		}
		r.Diverging = make([]float64, r.Chains*r.Draws)
		for i := 0; i < len(r.Diverging); i += 40 {
			r.Diverging[i] = 1
		}
		if n := red(r); n < 20 {
			t.Errorf("dim %d: %d red pixels with 20 divergences, want them marked", dim, n)
		}
		var b bytes.Buffer
		if err := Trace(&b, PNG, []Run{r}, 2, 2); err != nil {
			t.Fatal(err)
		}
		r.Diverging = r.Diverging[1:]
		if err := Samples(&b, PNG, nil, []Run{r}); err == nil {
			t.Errorf("dim %d: a short Diverging was accepted", dim)
		}
	}
}

// TestEqualSpans checks the 2-D panel's ranges: the narrower one is
// widened to an aspect within [1/2, 2] about its centre. A failure means
// 2-D panels stretch one axis.
func TestEqualSpans(t *testing.T) {
	xs, ys, a := equalSpans(span{0, 10}, span{-1, 1})
	if xs != (span{0, 10}) || ys != (span{-2.5, 2.5}) || a != 2 {
		t.Errorf("equalSpans = %v %v %g, want [0,10] [-2.5,2.5] 2", xs, ys, a)
	}
	xs, ys, a = equalSpans(span{0, 3}, span{0, 2})
	if xs != (span{0, 3}) || ys != (span{0, 2}) || a != 1.5 {
		t.Errorf("equalSpans = %v %v %g, want them unchanged, 1.5", xs, ys, a)
	}
}

// TestRank checks the rank plot renders and that a stuck chain is told
// apart: ranks of a chain offset from the rest pile up at the top. A
// failure means a broken figure.
func TestRank(t *testing.T) {
	g := &gauss{dim: 2}
	r := gaussRun("mh", g, 4, 2000, 1, 5)
	for i := range r.Draws * r.Dim {
		r.Samples[i] += 3 // chain 0 sits apart
	}
	var b bytes.Buffer
	if err := Rank(&b, PNG, []Run{r, gaussRun("hmc", g, 4, 9000, 1, 6)}, 0, 0); err != nil {
		t.Fatal(err)
	}
	decodePNG(t, b.Bytes(), 300, 200)
	preview(t, "rank.png", b.Bytes())
}
