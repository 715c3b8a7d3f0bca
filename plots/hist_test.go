package plots_test

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/plots"
)

// TestHistograms: two overlaid series draw as a PNG, an SVG and a PDF;
// non-finite values are left out; no finite value, no series or too many
// are errors, not panics or empty figures.
func TestHistograms(t *testing.T) {
	a := []float64{1, 2, 2, 3, math.NaN(), 4}
	b := []float64{2.5, 3, 3.5, math.Inf(1)}
	for _, f := range []plots.Format{plots.PNG, plots.SVG, plots.PDF} {
		var buf bytes.Buffer
		if err := plots.Histograms(&buf, f, "title", "x", []plots.Series{{Label: "a", Values: a}, {Label: "b", Values: b}}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		switch f {
		case plots.PNG:
			if _, err := png.Decode(&buf); err != nil {
				t.Errorf("png: %v", err)
			}
		case plots.SVG:
			if !strings.Contains(buf.String(), "<svg") {
				t.Error("svg: no <svg> element")
			}
		case plots.PDF:
			if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF")) {
				t.Error("pdf: no %PDF header")
			}
		}
	}
	var buf bytes.Buffer
	if err := plots.Histograms(&buf, plots.PNG, "one value", "x", []plots.Series{{Label: "c", Values: []float64{5}}}); err != nil {
		t.Errorf("a single value: %v", err)
	}
	for _, ss := range [][]plots.Series{nil, {{Label: "nan", Values: []float64{math.NaN()}}}, make([]plots.Series, 5)} {
		if err := plots.Histograms(&buf, plots.PNG, "t", "x", ss); err == nil {
			t.Errorf("%d series %v: no error", len(ss), ss)
		}
	}
}

// Overlay the nearest-neighbour distances of model samples and of held-out
// rows, as an image run's nn_distances.png does.
func ExampleHistograms() {
	samples := []float64{4.1, 4.5, 5.0, 5.2, 6.3}
	heldout := []float64{3.2, 3.9, 4.4, 4.8, 5.1}
	var buf bytes.Buffer
	err := plots.Histograms(&buf, plots.SVG, "distance to the nearest training row", "L2 distance",
		[]plots.Series{{Label: "model samples", Values: samples}, {Label: "held-out rows", Values: heldout}})
	fmt.Println(err, strings.Contains(buf.String(), "model samples"))
	// Output:
	// <nil> true
}
