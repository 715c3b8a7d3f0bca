package samplers

import (
	"math"
	"testing"
)

// TestNUTSLanesBitIdentical runs the two layouts of the NUTS kernel (rows,
// nuts.go; lanes, nuts_lanes.go) side by side on the hash test's targets
// (with and without adaptation, far out where the weights are rescaled,
// against a wall of non-finite values) and requires the same draws and
// statistics, bit for bit, at every transition: with 9 chains (a block
// and one lane, max_depth 3), 16 (two blocks, never packed) and 37 (packed
// whenever half the lanes have stopped).
func TestNUTSLanesBitIdentical(t *testing.T) {
	defer func() { nutsLayout = "" }()
	for _, tc := range append(nutsTargets(), nutsTarget{"gauss40", hmGauss{hmScales(40, 0.05, 20)}}) {
		for _, adapt := range []bool{true, false} {
			for _, n := range []int{9, 16, 37} {
				run := func(layout string) (*Chains, Kernel) {
					nutsLayout = layout
					s := NewNUTS()
					s.Adapt = adapt
					if n == 9 { // trees cut short by max_depth
						s.MaxDepth = 3
					}
					if !adapt {
						s.StepSize = 0.4
					}
					c := NewChains(tc.e, n, 0, 99)
					for i := range c.N {
						c.Rng[i].FillNorm(c.X[i*c.Dim : (i+1)*c.Dim])
					}
					if tc.name == "wall" {
						clear(c.X)
					}
					if tc.name == "far3" {
						for j := range c.X {
							c.X[j] = 170 + float64(j)
						}
					}
					k, err := s.Start(c)
					if err != nil {
						t.Fatal(err)
					}
					return c, k
				}
				cr, kr := run("rows")
				cl, kl := run("lanes")
				if _, ok := kl.(*nutsLanes); !ok {
					t.Fatalf("lanes layout not chosen: %T", kl)
				}
				sr, sl := make([]DrawStats, n), make([]DrawStats, n)
				for it := range 300 {
					iter := Iter{I: it, Warmup: 150, Total: 300}
					kr.Step(cr, iter)
					kl.Step(cl, iter)
					kr.(Recorder).Record(cr, sr)
					kl.(Recorder).Record(cl, sl)
					for j := range cr.X {
						if math.Float64bits(cr.X[j]) != math.Float64bits(cl.X[j]) || math.Float64bits(cr.Grad[j]) != math.Float64bits(cl.Grad[j]) {
							t.Fatalf("%s adapt=%v n=%d: transition %d: x[%d] %v (rows) and %v (lanes)", tc.name, adapt, n, it, j, cr.X[j], cl.X[j])
						}
					}
					for i := range sr {
						if sr[i] != sl[i] && !(math.IsNaN(sr[i].Energy) && math.IsNaN(sl[i].Energy)) {
							t.Fatalf("%s adapt=%v n=%d: transition %d: chain %d's stats %+v (rows) and %+v (lanes)", tc.name, adapt, n, it, i, sr[i], sl[i])
						}
					}
				}
				if cr.Stats != cl.Stats {
					t.Fatalf("%s adapt=%v n=%d: stats %+v (rows) and %+v (lanes)", tc.name, adapt, n, cr.Stats, cl.Stats)
				}
				t.Logf("%s adapt=%v n=%d: %d leapfrogs, %d divergences", tc.name, adapt, n, cl.Stats.Leapfrogs, cl.Stats.Divergences)
			}
		}
	}
}

// SetNUTSLayoutForBench lets the external benchmarks force a layout.
func SetNUTSLayoutForBench(l string) { nutsLayout = l }
