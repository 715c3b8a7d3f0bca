package evaluate

import (
	"slices"
	"testing"

	"github.com/goebm/ebm/rng"
)

// TestSelectKth compares quickselect with sorting on random slices with
// many ties (values 0…9) and without, every k, lengths 1…40. A failure
// means the median-heuristic bandwidth can be wrong.
func TestSelectKth(t *testing.T) {
	r := rng.New(5, 0)
	for n := 1; n <= 40; n++ {
		for _, ties := range []bool{false, true} {
			a := make([]float64, n)
			for i := range a {
				if ties {
					a[i] = float64(r.IntN(10))
				} else {
					a[i] = r.Norm()
				}
			}
			sorted := slices.Sorted(slices.Values(a))
			for k := range n {
				b := slices.Clone(a)
				got := selectKth(b, k)
				if got != sorted[k] {
					t.Fatalf("n=%d ties=%v k=%d: got %v, want %v", n, ties, k, got, sorted[k])
				}
				for i := range k {
					if b[i] > got {
						t.Fatalf("n=%d k=%d: a[%d] = %v > a[k] = %v after selection", n, k, i, b[i], got)
					}
				}
				for i := k + 1; i < n; i++ {
					if b[i] < got {
						t.Fatalf("n=%d k=%d: a[%d] = %v < a[k] = %v after selection", n, k, i, b[i], got)
					}
				}
			}
		}
	}
}
