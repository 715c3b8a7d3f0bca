package samplers

import (
	"hash/fnv"
	"math"
	"os"
	"testing"
	"unsafe"
)

// TestNUTSHashes prints a hash of NUTS draws and statistics on a few
// targets (with warmup and adaptation, without, far out where the weights
// are rescaled, and against a wall of non-finite values for divergences):
// set NUTS_HASH=1 to see them; they compare two versions' draws bit for bit.
func TestNUTSHashes(t *testing.T) {
	if os.Getenv("NUTS_HASH") == "" {
		t.Skip("set NUTS_HASH=1")
	}
	for _, tc := range nutsTargets() {
		for _, adapt := range []bool{true, false} {
			s := NewNUTS()
			s.Adapt = adapt
			if !adapt {
				s.StepSize = 0.4
			}
			c := NewChains(tc.e, 16, 0, 99)
			for i := range c.N {
				c.Rng[i].FillNorm(c.X[i*c.Dim : (i+1)*c.Dim])
			}
			if tc.name == "wall" { // inside the support
				clear(c.X)
			}
			if tc.name == "far3" { // E ≈ 4.5·10⁴: the weights are rescaled
				for j := range c.X {
					c.X[j] = 170 + float64(j)
				}
			}
			k, err := s.Start(c)
			if err != nil {
				t.Fatal(err)
			}
			h := fnv.New64a()
			st := make([]DrawStats, c.N)
			for it := range 600 {
				k.Step(c, Iter{I: it, Warmup: 300, Total: 600})
				h.Write(unsafe.Slice((*byte)(unsafe.Pointer(&c.X[0])), 8*len(c.X)))
				k.(Recorder).Record(c, st)
				for _, d := range st {
					for _, v := range []float64{d.Accept, d.StepSize, d.TreeDepth, d.Steps, d.Energy} {
						b := math.Float64bits(v)
						h.Write(unsafe.Slice((*byte)(unsafe.Pointer(&b)), 8))
					}
				}
			}
			t.Logf("%s adapt=%v: %016x leapfrogs %d div %d", tc.name, adapt, h.Sum64(), c.Stats.Leapfrogs, c.Stats.Divergences)
		}
	}
}

// nutsTarget is one of the targets the NUTS comparisons run on.
type nutsTarget struct {
	name string
	e    interface {
		Dim() int
		Energy(e, x []float64)
		Gradient(e, g, x []float64)
	}
}

// nutsTargets returns the hash test's targets: Gaussians of several
// scales, a skewed one, one started far out (named far3: the weights are
// rescaled) and a wall of non-finite values (wall: started inside).
func nutsTargets() []nutsTarget {
	return []nutsTarget{{"gauss3", hmGauss{[]float64{0.5, 2, 1}}}, {"gauss10", hmGauss{hmScales(10, 0.1, 10)}},
		{"gumbel", hmGumbel{}}, {"gauss2", hmGauss{[]float64{1, 3}}}, {"far3", hmGauss{[]float64{1, 1, 1}}}, {"wall", hmWall{}}}
}
