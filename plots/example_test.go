package plots_test

import (
	"bytes"
	"fmt"
	"image/png"
	"io"

	"github.com/goebm/ebm/plots"
)

// A run's draws are stored chain by chain, draw by draw, one row of Dim
// values per draw. Here: 2 chains of 3 draws in 2-D, without a density.
func ExampleSamplesPNG() {
	run := plots.Run{
		Title:  "mh",
		Chains: 2, Draws: 3, Dim: 2,
		Samples: []float64{
			0, 0, 0.5, 0.1, 0.4, -0.3, // chain 0
			1, 1, 0.8, 1.2, 0.2, 0.9, // chain 1
		},
	}
	var buf bytes.Buffer
	if err := plots.SamplesPNG(&buf, nil, []plots.Run{run}); err != nil {
		fmt.Println(err)
		return
	}
	img, err := png.Decode(&buf)
	fmt.Println(err == nil && img.Bounds().Dx() > 0)

	// A run without draws is an error, not a panic.
	empty := plots.Run{Title: "hmc", Chains: 4, Dim: 2}
	fmt.Println(plots.TracePNG(io.Discard, []plots.Run{empty}, 4, 2))
	// Output:
	// true
	// plots: run "hmc" has no draws (Draws = 0): keep at least one draw
}
