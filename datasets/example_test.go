package datasets_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/registry"
)

// A checkerboard from a config table, split into training and held-out
// points; its exact density is 1/32 on the black squares and 0 elsewhere.
func Example() {
	d, err := datasets.FromTable(map[string]any{"type": "checkerboard", "n": 1000, "seed": 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	x, err := d.Load()
	if err != nil {
		fmt.Println(err)
		return
	}
	train, held := datasets.Split(x, d.Dim(), 0.2, 7)
	fmt.Println("train", len(train)/d.Dim(), "held out", len(held)/d.Dim())
	lo, hi := datasets.Bounds(x, d.Dim())
	fmt.Println("inside [-4, 4)²:", lo[0] >= -4 && lo[1] >= -4 && hi[0] < 4 && hi[1] < 4)
	p := d.(datasets.Density)
	fmt.Printf("log p(1, 1) = %.4f, log p(1, -1) = %v\n", p.LogDensity([]float64{1, 1}), p.LogDensity([]float64{1, -1}))
	// Output:
	// train 800 held out 200
	// inside [-4, 4)²: true
	// log p(1, 1) = -3.4657, log p(1, -1) = -Inf
}

// A CSV file named relative to the config file: the runner builds data
// sets with a registry.Context whose Dir is the config's directory. The
// header line is detected and skipped.
func ExampleCSV() {
	dir, _ := os.MkdirTemp("", "datasets-example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "points.csv"), []byte("x,y,label\n0.5,1,0\n-2,3,1\n"), 0o644)

	table := map[string]any{"type": "csv", "path": "points.csv", "columns": []any{int64(0), int64(1)}}
	d, err := datasets.Registry.Build(registry.Context{Dir: dir}, table)
	if err != nil {
		fmt.Println(err)
		return
	}
	x, err := d.Load()
	fmt.Println(x, d.Dim(), err)
	// Output:
	// [0.5 1 -2 3] 2 <nil>
}
