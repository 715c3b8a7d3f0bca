package simd

import "testing"

// BenchmarkNUTSPasses times each NUTS pass on one row of n values under
// every implementation this machine has (rows shorter than nutsFrom run
// the generic loops in every table).
func BenchmarkNUTSPasses(b *testing.B) {
	benchImpls(b, []int{2, 10, 100}, func(b *testing.B, n int) {
		x, p, g, xd, pc, xc, gc, a, c := filled(n), filled(n), filled(n), filled(n), filled(n), filled(n), filled(n), filled(n), filled(n)
		m := filled(n)
		for j := range m {
			m[j] = 1 + float64(j%7)*0.1 // an inverse mass: positive
		}
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

// BenchmarkNUTSLanePasses times each lane pass on 32 blocks (256 chains)
// of d coordinates under every implementation this machine has; ns/op
// divided by 256 is the cost per chain.
func BenchmarkNUTSLanePasses(b *testing.B) {
	benchImpls(b, []int{2, 10, 20}, func(b *testing.B, d int) {
		const nb = 32
		n, nl := nb*LaneBlock*d, nb*LaneBlock
		x, p, g, pc, xc, gc, a, c := filled(n), filled(n), filled(n), filled(n), filled(n), filled(n), filled(n), filled(n)
		m := filled(n)
		for j := range m {
			m[j] = 1 + float64(j%7)*0.1 // an inverse mass: positive
		}
		h, nh, twoK := filled(nl), filled(nl), filled(nl)
		for l := range h {
			h[l], nh[l] = 1e-9, -0.5e-9
		}
		mask := make([]uint8, nb)
		for i := range mask {
			mask[i] = 0x5a
		}
		b.Run("drift", func(b *testing.B) {
			for b.Loop() {
				NUTSLaneDrift(p, x, g, m, nh, h, d)
			}
		})
		b.Run("kick", func(b *testing.B) {
			for b.Loop() {
				NUTSLaneKick(pc, xc, gc, p, x, g, m, nh, twoK, mask, d)
			}
		})
		b.Run("uturn3", func(b *testing.B) {
			for b.Loop() {
				NUTSLaneUTurn3(pc, a, c, x, p, g, xc, m, mask, d)
			}
		})
		b.Run("uturn2", func(b *testing.B) {
			for b.Loop() {
				NUTSLaneUTurn2(pc, a, c, m, mask, d)
			}
		})
		b.Run("copy", func(b *testing.B) {
			for b.Loop() {
				NUTSLaneCopy(a, c, mask, d)
			}
		})
	})
}
