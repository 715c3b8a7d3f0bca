package team

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// TestRunEveryUnitOnce runs jobs of 1 to 40 units on 1 to 5 goroutines,
// reusing one Team, and checks that every unit ran exactly once before Run
// returned. A failure means a unit was skipped or run twice (a claim
// raced), or that Run returned before a helper finished.
func TestRunEveryUnitOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	var tm Team
	var hits []atomic.Int32
	tm.Do = func(i int) { hits[i].Add(1) }
	for units := 1; units <= 40; units += 3 {
		for w := 1; w <= 5; w++ {
			for rep := 0; rep < 20; rep++ {
				hits = make([]atomic.Int32, units)
				tm.Run(units, w)
				for i := range hits {
					if n := hits[i].Load(); n != 1 {
						t.Fatalf("units %d, w %d: unit %d ran %d times", units, w, i, n)
					}
				}
			}
		}
	}
}

// TestNestedRuns has every unit of an outer job run an inner job of its
// own Team on the same helpers, as an objective's shard splits its graph's
// products. A failure (or a hang) means a helper busy with an outer unit
// kept an inner job from finishing.
func TestNestedRuns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	const outer, inner = 6, 5
	var count atomic.Int32
	inners := make([]Team, outer)
	for i := range inners {
		inners[i].Do = func(int) { count.Add(1) }
	}
	var tm Team
	tm.Do = func(i int) { inners[i].Run(inner, 3) }
	for rep := 0; rep < 50; rep++ {
		count.Store(0)
		tm.Run(outer, 3)
		if n := count.Load(); n != outer*inner {
			t.Fatalf("rep %d: %d inner units ran, want %d", rep, n, outer*inner)
		}
	}
}

// TestBusy: busy is true in the units of a job on two goroutines (and
// after a nested job inside one ends), false in a job on one goroutine
// and once every job has returned. A failure means Run would hand a
// shard's graph to helpers busy with its sibling shards, or keep a job on
// its caller when nothing else runs.
func TestBusy(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	if busy() {
		t.Fatal("Busy before any job")
	}
	var wide, after, narrow atomic.Int32
	var tm Team
	inners := make([]Team, 4) // one per unit: calls for one Team must not overlap
	for i := range inners {
		inners[i].Do = func(int) {}
	}
	tm.Do = func(i int) {
		if busy() {
			wide.Add(1)
		}
		inners[i].Run(2, 2)
		if busy() {
			after.Add(1)
		}
	}
	tm.Run(4, 2)
	if wide.Load() != 4 || after.Load() != 4 {
		t.Errorf("units of a 2-goroutine job saw Busy %d and %d times of 4", wide.Load(), after.Load())
	}
	tm.Do = func(int) {
		if busy() {
			narrow.Add(1)
		}
	}
	tm.Run(4, 1)
	if narrow.Load() != 0 || busy() {
		t.Errorf("a 1-goroutine job saw Busy %d times; after every job: %v", narrow.Load(), busy())
	}
}
