package team

import (
	"sync"
	"testing"
)

// TestRangesCover checks that Run covers [0, n) exactly once with at most
// w ranges, none shorter than grain but the last, each starting at a
// multiple of 8, and runs a short pass on the caller alone.
func TestRangesCover(t *testing.T) {
	var r Ranges
	for _, tc := range []struct{ n, w, grain, maxParts int }{
		{100, 2, 64, 1}, {1000, 2, 64, 2}, {1001, 3, 64, 3}, {665089, 2, MinRange, 2}, {5, 4, 1, 4}, {0, 2, 1, 1},
	} {
		seen := make([]int, tc.n)
		var mu sync.Mutex
		var starts []int
		r.Run(tc.n, tc.w, tc.grain, func(lo, hi int) {
			mu.Lock()
			defer mu.Unlock()
			starts = append(starts, lo)
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d w=%d: index %d covered %d times", tc.n, tc.w, i, c)
			}
		}
		if len(starts) > tc.maxParts {
			t.Fatalf("n=%d w=%d grain=%d: %d ranges, want at most %d", tc.n, tc.w, tc.grain, len(starts), tc.maxParts)
		}
		for _, lo := range starts {
			if lo%8 != 0 {
				t.Fatalf("n=%d w=%d: a range starts at %d", tc.n, tc.w, lo)
			}
		}
	}
}

// TestRangesAll checks that All is true when every range's check holds and
// false when one range's fails, whichever range that is, split or not. A
// failure means a failing range lost (a check's result overwritten by a
// later range's) or a range never checked.
func TestRangesAll(t *testing.T) {
	var r Ranges
	for _, n := range []int{10, 4 * MinRange} {
		for _, bad := range []int{-1, 0, n / 2, n - 1} {
			got := r.All(n, 3, MinRange, func(lo, hi int) bool { return bad < lo || bad >= hi })
			if want := bad < 0; got != want {
				t.Errorf("n=%d, bad index %d: All = %v, want %v", n, bad, got, want)
			}
		}
	}
}
