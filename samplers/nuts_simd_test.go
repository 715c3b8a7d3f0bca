package samplers

import (
	"math"
	"testing"

	"github.com/goebm/ebm/simd"
)

// TestNUTSSameOnEveryImpl runs NUTS (with warmup and adaptation) under every
// simd implementation this machine has and checks that the draws and
// per-draw statistics are the same bits as the generic implementation's:
// the passes run on the vector kernels from d = 8 with avx512 and avx2
// (simd.NUTSVector), on the sampler's loops below that; and with avx512
// and avx2 the 8 chains take the lane layout up to d = 48 (nuts_lanes.go),
// so every d here also compares it with generic's row layout.
func TestNUTSSameOnEveryImpl(t *testing.T) {
	saved := simd.Chosen()
	defer func() {
		if err := simd.Use(saved); err != nil {
			t.Fatal(err)
		}
	}()
	for _, d := range []int{3, 8, 13, 29} {
		run := func(impl string) ([]float64, []DrawStats) {
			if err := simd.Use(impl); err != nil {
				t.Fatal(err)
			}
			c := NewChains(hmGauss{hmScales(d, 0.2, 5)}, 8, 0, 5)
			for i := range c.N {
				c.Rng[i].FillNorm(c.X[i*d : (i+1)*d])
			}
			k, err := NewNUTS().Start(c)
			if err != nil {
				t.Fatal(err)
			}
			var stats []DrawStats
			st := make([]DrawStats, c.N)
			for it := range 120 {
				k.Step(c, Iter{I: it, Warmup: 60, Total: 120})
				k.(Recorder).Record(c, st)
				stats = append(stats, st...)
			}
			return c.X, stats
		}
		wantX, wantSt := run("generic")
		for _, im := range simd.Implementations() {
			if !im.Available || im.Name == "generic" {
				continue
			}
			x, st := run(im.Name)
			if want := d >= 8 && (im.Name == "avx2" || im.Name == "avx512"); simd.NUTSVector(d) != want {
				t.Fatalf("%s: simd.NUTSVector(%d) = %v, want %v", im.Name, d, !want, want)
			}
			for j := range x {
				if math.Float64bits(x[j]) != math.Float64bits(wantX[j]) {
					t.Fatalf("d=%d %s: x[%d] = %v, generic gives %v", d, im.Name, j, x[j], wantX[j])
				}
			}
			for j := range st {
				if st[j] != wantSt[j] {
					t.Fatalf("d=%d %s: draw statistics %d = %+v, generic gives %+v", d, im.Name, j, st[j], wantSt[j])
				}
			}
		}
	}
}
