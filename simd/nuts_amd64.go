//go:build !purego

package simd

// The AVX-512 NUTS passes (nuts_avx512_amd64.s).

// nutsFromAVX512 and nutsFromAVX2 are the row lengths from which the NUTS
// kernels pay (NUTSVector), measured by samplers' BenchmarkBookkeeping, the
// kernels on and off, three rounds (AMD EPYC, 2026-12-07): with AVX-512 a
// transition's bookkeeping costs 5 % less at d = 8, 11 % at 12, 18 % at
// 16, 28 % at 24 and 40 % at 100; with AVX2 (whose wrappers finish the last
// d mod 4 values in Go) 10 % more at 8, 4 % more at 12, as much at 16,
// 10 % less at 24 and 40 % less at 100.
const (
	nutsFromAVX512 = 8
	nutsFromAVX2   = 20
)

//go:noescape
func nutsDriftAVX512(xd, x, p, gr, m *float64, n int, h, nh float64)

//go:noescape
func nutsKickAVX512(pc, xc, gc, p, x, gr, m *float64, n int, nh float64) (twoK float64, finite bool)

//go:noescape
func nutsMomentumAVX512(p, op, rho, m *float64, n int) (twoK float64)

//go:noescape
func uTurnFree3AVX512(rho, a, b, ra, c, d, rc, m *float64, n int) bool

//go:noescape
func uTurnFree2AVX512(rho, a, c, m *float64, n int) bool

// nutsVecMin: shorter rows run the generic loops, which cost less than
// the call there.
const nutsVecMin = 4

func nutsDriftAVX512Go(xd, x, p, g, m []float64, h float64) {
	if len(p) < nutsVecMin {
		nutsDriftGeneric(xd, x, p, g, m, h)
		return
	}
	nutsDriftAVX512(&xd[0], &x[0], &p[0], &g[0], &m[0], len(p), h, -(0.5 * h))
}

func nutsKickAVX512Go(pc, xc, gc, p, x, g, m []float64, h float64) (float64, bool) {
	if len(p) < nutsVecMin {
		return nutsKickGeneric(pc, xc, gc, p, x, g, m, h, 0)
	}
	return nutsKickAVX512(&pc[0], &xc[0], &gc[0], &p[0], &x[0], &g[0], &m[0], len(p), -(0.5 * h))
}

func nutsMomentumAVX512Go(p, op, rho, m []float64) float64 {
	if len(p) < nutsVecMin {
		return nutsMomentumGeneric(p, op, rho, m, 0)
	}
	return nutsMomentumAVX512(&p[0], &op[0], &rho[0], &m[0], len(p))
}

func uTurnFree3AVX512Go(rho, a, b, ra, c, d, rc, m []float64) bool {
	if len(m) < nutsVecMin {
		return uTurnFree3Generic(rho, a, b, ra, c, d, rc, m)
	}
	return uTurnFree3AVX512(&rho[0], &a[0], &b[0], &ra[0], &c[0], &d[0], &rc[0], &m[0], len(m))
}

func uTurnFree2AVX512Go(rho, a, c, m []float64) bool {
	if len(m) < nutsVecMin {
		return uTurnFree2Generic(rho, a, c, m)
	}
	return uTurnFree2AVX512(&rho[0], &a[0], &c[0], &m[0], len(m))
}

// The AVX2 NUTS passes (nuts_avx2_amd64.s) run over the first n − n mod 4
// values; the generic loops finish the rest, carrying the sums on.

//go:noescape
func nutsDriftAVX2(xd, x, p, gr, m *float64, n int, h, nh float64)

//go:noescape
func nutsKickAVX2(pc, xc, gc, p, x, gr, m *float64, n int, nh float64) (twoK float64, finite bool)

//go:noescape
func nutsMomentumAVX2(p, op, rho, m *float64, n int) (twoK float64)

//go:noescape
func uTurnFree3AVX2(rho, a, b, ra, c, d, rc, m *float64, n int, s *[6]float64)

//go:noescape
func uTurnFree2AVX2(rho, a, c, m *float64, n int) (sa, sc float64)

func nutsDriftAVX2Go(xd, x, p, g, m []float64, h float64) {
	n4 := len(p) &^ 3
	if n4 > 0 {
		nutsDriftAVX2(&xd[0], &x[0], &p[0], &g[0], &m[0], n4, h, -(0.5 * h))
	}
	nutsDriftGeneric(xd[n4:], x[n4:], p[n4:], g[n4:], m[n4:], h)
}

func nutsKickAVX2Go(pc, xc, gc, p, x, g, m []float64, h float64) (float64, bool) {
	n4 := len(p) &^ 3
	sum, fin := 0.0, true
	if n4 > 0 {
		sum, fin = nutsKickAVX2(&pc[0], &xc[0], &gc[0], &p[0], &x[0], &g[0], &m[0], n4, -(0.5 * h))
	}
	sum, tail := nutsKickGeneric(pc[n4:], xc[n4:], gc[n4:], p[n4:], x[n4:], g[n4:], m[n4:], h, sum)
	return sum, fin && tail
}

func nutsMomentumAVX2Go(p, op, rho, m []float64) float64 {
	n4 := len(p) &^ 3
	sum := 0.0
	if n4 > 0 {
		sum = nutsMomentumAVX2(&p[0], &op[0], &rho[0], &m[0], n4)
	}
	return nutsMomentumGeneric(p[n4:], op[n4:], rho[n4:], m[n4:], sum)
}

func uTurnFree3AVX2Go(rho, a, b, ra, c, d, rc, m []float64) bool {
	n4 := len(m) &^ 3
	var s [6]float64
	if n4 > 0 {
		uTurnFree3AVX2(&rho[0], &a[0], &b[0], &ra[0], &c[0], &d[0], &rc[0], &m[0], n4, &s)
	}
	uTurnSums3(rho[n4:], a[n4:], b[n4:], ra[n4:], c[n4:], d[n4:], rc[n4:], m[n4:], &s)
	return uTurnFree(s[:])
}

func uTurnFree2AVX2Go(rho, a, c, m []float64) bool {
	n4 := len(m) &^ 3
	sa, sc := 0.0, 0.0
	if n4 > 0 {
		sa, sc = uTurnFree2AVX2(&rho[0], &a[0], &c[0], &m[0], n4)
	}
	sa, sc = uTurnSums2(rho[n4:], a[n4:], c[n4:], m[n4:], sa, sc)
	return sa > 0 && sc > 0
}
