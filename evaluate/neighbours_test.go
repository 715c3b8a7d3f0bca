package evaluate_test

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
)

// TestNearestDistances compares the blocked matrix-product search with a
// direct one on sizes that straddle the blocks, checks that a copied row
// is found at distance ≈ 0 (what the memorisation check looks for), and
// that the result is the same bits at any number of workers.
func TestNearestDistances(t *testing.T) {
	const dim = 37
	s := rng.New(4, 0)
	q := make([]float64, 300*dim)
	ref := make([]float64, 1100*dim)
	s.FillNorm(q)
	s.FillNorm(ref)
	for j := range dim { // query 5 is a copy of reference row 1000, shifted by 5 (norms ≫ 1)
		ref[1000*dim+j] += 5
		q[5*dim+j] = ref[1000*dim+j]
	}
	got, err := evaluate.NearestDistances(context.Background(), q, ref, dim, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		best := math.Inf(1)
		for r := range 1100 {
			d2 := 0.0
			for j := range dim {
				v := q[i*dim+j] - ref[r*dim+j]
				d2 += v * v
			}
			best = min(best, d2)
		}
		if want := math.Sqrt(best); math.Abs(got[i]-want) > 1e-6*max(want, 1) {
			t.Fatalf("query %d: distance %v, direct %v", i, got[i], want)
		}
	}
	if got[5] > 1e-6 {
		t.Errorf("a copied row is at distance %v, want ≈ 0", got[5])
	}
	par, err := evaluate.NearestDistances(context.Background(), q, ref, dim, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(par[i]) {
			t.Fatalf("query %d: %v with 1 worker, %v with 3", i, got[i], par[i])
		}
	}
}

// TestSummarizeDistances checks the summary against values by hand, with
// non-finite values left out.
func TestSummarizeDistances(t *testing.T) {
	s := evaluate.SummarizeDistances([]float64{4, 1, math.NaN(), 3, 2, math.Inf(1)})
	if s.N != 4 || s.Mean != 2.5 || s.Median != 2.5 || s.Min != 1 || math.Abs(s.Q10-1.3) > 1e-12 {
		t.Errorf("got %+v; want N 4, mean 2.5, median 2.5, Q10 1.3, min 1", s)
	}
	if s := evaluate.SummarizeDistances(nil); s.N != 0 || !math.IsNaN(s.Mean) {
		t.Errorf("no values: %+v", s)
	}
}
