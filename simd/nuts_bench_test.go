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
