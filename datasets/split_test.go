package datasets_test

import (
	"math"
	"slices"
	"testing"

	"github.com/goebm/ebm/datasets"
)

// rowsOf returns the rows of x as arrays of two values, sorted.
func rowsOf(x []float64) [][2]float64 {
	out := make([][2]float64, len(x)/2)
	for i := range out {
		out[i] = [2]float64{x[2*i], x[2*i+1]}
	}
	slices.SortFunc(out, func(a, b [2]float64) int {
		if a[0] != b[0] {
			return int(math.Copysign(1, a[0]-b[0]))
		}
		return int(math.Copysign(1, a[1]-b[1]))
	})
	return out
}

// TestSplitPartition checks that Split returns ⌊frac·n⌋ held rows and the
// rest for training, that together they are the input rows (each row kept
// whole: row i is (i, 100+i)), that the input is untouched, that it is
// deterministic in the seed and that another seed gives another order. A
// failure means rows are lost, duplicated or torn apart, or the split
// cannot be reproduced.
func TestSplitPartition(t *testing.T) {
	const n = 50
	x := make([]float64, 2*n)
	for i := range n {
		x[2*i], x[2*i+1] = float64(i), float64(100+i)
	}
	orig := slices.Clone(x)
	for _, frac := range []float64{0, 0.1, 0.37, 0.99} {
		train, held := datasets.Split(x, 2, frac, 5)
		nh := int(math.Floor(frac * n))
		if len(held) != 2*nh || len(train) != 2*(n-nh) {
			t.Errorf("frac %v: %d held and %d train rows, want %d and %d", frac, len(held)/2, len(train)/2, nh, n-nh)
		}
		if !slices.Equal(rowsOf(append(slices.Clone(train), held...)), rowsOf(x)) {
			t.Errorf("frac %v: train ∪ held is not the input rows", frac)
		}
		t2, h2 := datasets.Split(x, 2, frac, 5)
		if !slices.Equal(train, t2) || !slices.Equal(held, h2) {
			t.Errorf("frac %v: the same seed gave a different split", frac)
		}
		t3, _ := datasets.Split(x, 2, frac, 6)
		if slices.Equal(train, t3) && len(train) > 2 {
			t.Errorf("frac %v: seeds 5 and 6 gave the same order", frac)
		}
	}
	if !slices.Equal(x, orig) {
		t.Error("Split modified its input")
	}
	if train, held := datasets.Split([]float64{1, 2, 3}, 3, 0.9, 1); !slices.Equal(train, []float64{1, 2, 3}) || len(held) != 0 {
		t.Errorf("one row, frac 0.9: train %v held %v; want the row in train", train, held)
	}
}

// TestSplitUniform checks over 4000 seeds that each of 5 rows lands in the
// held part (2 of 5 rows) with probability 2/5, within 4 binomial
// standard errors. A failure means the shuffle is biased, so the held-out
// set is not a random sample (for example the last rows are never held).
func TestSplitUniform(t *testing.T) {
	const seeds = 4000
	x := []float64{0, 1, 2, 3, 4}
	count := make([]int, 5)
	for s := range uint64(seeds) {
		_, held := datasets.Split(x, 1, 0.4, s)
		for _, v := range held {
			count[int(v)]++
		}
	}
	se := math.Sqrt(seeds * 0.4 * 0.6)
	for i, c := range count {
		if z := (float64(c) - 0.4*seeds) / se; math.Abs(z) > 4 {
			t.Errorf("row %d held %d times in %d splits, want %v (z = %.1f)", i, c, seeds, 0.4*seeds, z)
		}
	}
}

// TestSplitPanics checks that programming errors panic with the package
// prefix. A failure means a bad fraction or shape is silently accepted.
func TestSplitPanics(t *testing.T) {
	for _, c := range []struct {
		x    []float64
		dim  int
		frac float64
	}{
		{[]float64{1, 2}, 2, 1}, {[]float64{1, 2}, 2, -0.1}, {[]float64{1, 2}, 2, math.NaN()},
		{[]float64{1, 2, 3}, 2, 0.5}, {[]float64{1, 2}, 0, 0.5}, {nil, 2, 0.5},
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); len(r) < 10 || r[:10] != "datasets: " {
					t.Errorf("Split(len %d, dim %d, frac %v) did not panic with the package prefix (got %q)", len(c.x), c.dim, c.frac, r)
				}
			}()
			datasets.Split(c.x, c.dim, c.frac, 1)
		}()
	}
}

// TestBounds checks per-dimension minima and maxima, a NaN propagating to
// both bounds of its dimension only, and the panic on no rows. A failure
// means plots and grids are sized wrongly, or a NaN is hidden.
func TestBounds(t *testing.T) {
	lo, hi := datasets.Bounds([]float64{1, -2, 3, 5, -4, 0, 2, 7, 1}, 3)
	if !slices.Equal(lo, []float64{1, -4, 0}) || !slices.Equal(hi, []float64{5, 7, 3}) {
		t.Errorf("Bounds = %v, %v; want [1 -4 0], [5 7 3]", lo, hi)
	}
	for _, x := range [][]float64{{1, 2, math.NaN(), 3, 0, 4}, {math.NaN(), 2, 1, 3, 0, 4}} {
		lo, hi = datasets.Bounds(x, 2)
		if !math.IsNaN(lo[0]) || !math.IsNaN(hi[0]) || lo[1] != 2 || hi[1] != 4 {
			t.Errorf("Bounds(%v) = %v, %v; want [NaN 2], [NaN 4]", x, lo, hi)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Bounds of no rows did not panic")
		}
	}()
	datasets.Bounds(nil, 2)
}

// SplitInPlace gives Split's rows in Split's order, as views of x whose
// held part cannot be appended into train.
func TestSplitInPlace(t *testing.T) {
	for _, c := range []struct {
		n, dim int
		frac   float64
	}{{1, 3, 0}, {2, 1, 0.5}, {10, 2, 0.3}, {97, 5, 0.2}, {1000, 1, 0.9}, {64, 7, 0}} {
		x := make([]float64, c.n*c.dim)
		for i := range x {
			x[i] = float64(i)
		}
		wantTrain, wantHeld := datasets.Split(x, c.dim, c.frac, 42)
		train, held := datasets.SplitInPlace(x, c.dim, c.frac, 42)
		if !slices.Equal(train, wantTrain) || !slices.Equal(held, wantHeld) {
			t.Fatalf("n=%d dim=%d frac=%v: SplitInPlace differs from Split", c.n, c.dim, c.frac)
		}
		if len(held) > 0 && &held[0] != &x[0] || len(train) > 0 && &train[len(train)-1] != &x[len(x)-1] {
			t.Fatalf("n=%d: the parts are not views of x", c.n)
		}
		if cap(held) != len(held) {
			t.Fatalf("n=%d: held has capacity %d beyond its %d values", c.n, cap(held), len(held))
		}
	}
}
