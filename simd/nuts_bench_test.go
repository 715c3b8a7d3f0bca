package simd

import (
	"fmt"
	"testing"
)

// BenchmarkNUTSPasses times each NUTS pass on one row of n values under
// every implementation this machine has.
func BenchmarkNUTSPasses(b *testing.B) {
	for _, n := range []int{2, 10, 100} {
		v := func() []float64 {
			s := make([]float64, n)
			for j := range s {
				s[j] = 1 + float64(j%7)*0.1
			}
			return s
		}
		x, p, g, m, xd, pc, xc, gc, a, c := v(), v(), v(), v(), v(), v(), v(), v(), v(), v()
		forEachImplB(b, fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.Run("drift", func(b *testing.B) {
				for b.Loop() {
					NUTSDrift(xd, x, p, g, m, 1e-9)
				}
			})
			b.Run("kick", func(b *testing.B) {
				for b.Loop() {
					NUTSKick(pc, xc, gc, p, x, g, m, 1e-9)
				}
			})
			b.Run("momentum", func(b *testing.B) {
				for b.Loop() {
					NUTSMomentum(pc, xc, gc, m)
				}
			})
			b.Run("uturn3", func(b *testing.B) {
				for b.Loop() {
					UTurnFree3(xd, a, c, x, p, g, pc, m)
				}
			})
			b.Run("uturn2", func(b *testing.B) {
				for b.Loop() {
					UTurnFree2(xd, a, c, m)
				}
			})
		})
	}
}

// forEachImplB runs f as sub-benchmark name/impl under each available
// implementation.
func forEachImplB(b *testing.B, name string, f func(b *testing.B)) {
	saved := Chosen()
	defer func() {
		if err := Use(saved); err != nil {
			b.Fatal(err)
		}
	}()
	for _, im := range Implementations() {
		if !im.Available {
			continue
		}
		if err := Use(im.Name); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/"+im.Name, f)
	}
}
