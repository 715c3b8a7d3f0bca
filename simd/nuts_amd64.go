//go:build !purego

package simd

// The NUTS passes on AVX-512 (nuts_avx512_amd64.s: the last d mod 8 values
// under a mask) and on AVX2 (nuts_avx2_amd64.s: the last d mod 4 one at a
// time).

// nutsFrom is the row length from which the NUTS kernels pay
// (NUTSVector), measured by samplers' BenchmarkBookkeeping with the kernels
// on and off, three rounds (AMD EPYC, 2026-12-07): a transition's
// bookkeeping costs 4-5 % less at d = 8 and 10, 11 % at 12, 16-25 % at 16,
// 25-33 % at 24 and 40 % at 100, with avx512 and avx2 alike; at d = 6 the
// AVX-512 kernels cost 8 % more.
// The wrappers below run the generic loops on shorter rows too.
const nutsFrom = 8

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

func nutsDriftAVX512Go(xd, x, p, g, m []float64, h float64) {
	if len(p) < nutsFrom {
		nutsDriftGeneric(xd, x, p, g, m, h)
		return
	}
	nutsDriftAVX512(&xd[0], &x[0], &p[0], &g[0], &m[0], len(p), h, -(0.5 * h))
}

func nutsKickAVX512Go(pc, xc, gc, p, x, g, m []float64, h float64) (float64, bool) {
	if len(p) < nutsFrom {
		return nutsKickGeneric(pc, xc, gc, p, x, g, m, h)
	}
	return nutsKickAVX512(&pc[0], &xc[0], &gc[0], &p[0], &x[0], &g[0], &m[0], len(p), -(0.5 * h))
}

func nutsMomentumAVX512Go(p, op, rho, m []float64) float64 {
	if len(p) < nutsFrom {
		return nutsMomentumGeneric(p, op, rho, m)
	}
	return nutsMomentumAVX512(&p[0], &op[0], &rho[0], &m[0], len(p))
}

func uTurnFree3AVX512Go(rho, a, b, ra, c, d, rc, m []float64) bool {
	if len(m) < nutsFrom {
		return uTurnFree3Generic(rho, a, b, ra, c, d, rc, m)
	}
	return uTurnFree3AVX512(&rho[0], &a[0], &b[0], &ra[0], &c[0], &d[0], &rc[0], &m[0], len(m))
}

func uTurnFree2AVX512Go(rho, a, c, m []float64) bool {
	if len(m) < nutsFrom {
		return uTurnFree2Generic(rho, a, c, m)
	}
	return uTurnFree2AVX512(&rho[0], &a[0], &c[0], &m[0], len(m))
}

// The AVX2 NUTS passes (nuts_avx2_amd64.s).

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
	if len(p) < nutsFrom {
		nutsDriftGeneric(xd, x, p, g, m, h)
		return
	}
	nutsDriftAVX2(&xd[0], &x[0], &p[0], &g[0], &m[0], len(p), h, -(0.5 * h))
}

func nutsKickAVX2Go(pc, xc, gc, p, x, g, m []float64, h float64) (float64, bool) {
	if len(p) < nutsFrom {
		return nutsKickGeneric(pc, xc, gc, p, x, g, m, h)
	}
	return nutsKickAVX2(&pc[0], &xc[0], &gc[0], &p[0], &x[0], &g[0], &m[0], len(p), -(0.5 * h))
}

func nutsMomentumAVX2Go(p, op, rho, m []float64) float64 {
	if len(p) < nutsFrom {
		return nutsMomentumGeneric(p, op, rho, m)
	}
	return nutsMomentumAVX2(&p[0], &op[0], &rho[0], &m[0], len(p))
}

func uTurnFree3AVX2Go(rho, a, b, ra, c, d, rc, m []float64) bool {
	if len(m) < nutsFrom {
		return uTurnFree3Generic(rho, a, b, ra, c, d, rc, m)
	}
	var s [6]float64
	uTurnFree3AVX2(&rho[0], &a[0], &b[0], &ra[0], &c[0], &d[0], &rc[0], &m[0], len(m), &s)
	return uTurnFree(&s)
}

func uTurnFree2AVX2Go(rho, a, c, m []float64) bool {
	if len(m) < nutsFrom {
		return uTurnFree2Generic(rho, a, c, m)
	}
	sa, sc := uTurnFree2AVX2(&rho[0], &a[0], &c[0], &m[0], len(m))
	return sa > 0 && sc > 0
}

// The AVX-512 lane passes (nuts_avx512_amd64.s, nuts_lanes.go).

//go:noescape
func nutsLaneDriftAVX512(p, x, gr, m, nh, h *float64, nb, d int)

//go:noescape
func nutsLaneKickAVX512(pc, xc, gc, p, x, gr, m, nh, twoK *float64, fin *uint8, nb, d int)

//go:noescape
func nutsLaneUTurn3AVX512(rho, a, b, ra, c, d, rc, m *float64, free *uint8, nb, dim int)

//go:noescape
func nutsLaneUTurn2AVX512(rho, a, c, m *float64, free *uint8, nb, dim int)

func nutsLaneDriftAVX512Go(p, x, g, m, nh, h []float64, nb, d int) {
	nutsLaneDriftAVX512(&p[0], &x[0], &g[0], &m[0], &nh[0], &h[0], nb, d)
}

func nutsLaneKickAVX512Go(pc, xc, gc, p, x, g, m, nh, twoK []float64, fin []uint8, nb, d int) {
	nutsLaneKickAVX512(&pc[0], &xc[0], &gc[0], &p[0], &x[0], &g[0], &m[0], &nh[0], &twoK[0], &fin[0], nb, d)
}

func nutsLaneUTurn3AVX512Go(rho, a, b, ra, c, dd, rc, m []float64, free []uint8, nb, d int) {
	nutsLaneUTurn3AVX512(&rho[0], &a[0], &b[0], &ra[0], &c[0], &dd[0], &rc[0], &m[0], &free[0], nb, d)
}

func nutsLaneUTurn2AVX512Go(rho, a, c, m []float64, free []uint8, nb, d int) {
	nutsLaneUTurn2AVX512(&rho[0], &a[0], &c[0], &m[0], &free[0], nb, d)
}

//go:noescape
func nutsLaneCopyAVX512(dst, src *float64, mask *uint8, nb, d int)

//go:noescape
func nutsLaneSwapAVX512(a, b *float64, mask *uint8, nb, d int)

func nutsLaneCopyAVX512Go(dst, src []float64, mask []uint8, nb, d int) {
	nutsLaneCopyAVX512(&dst[0], &src[0], &mask[0], nb, d)
}

func nutsLaneSwapAVX512Go(a, b []float64, mask []uint8, nb, d int) {
	nutsLaneSwapAVX512(&a[0], &b[0], &mask[0], nb, d)
}

// The AVX2 lane passes (nuts_avx2_amd64.s).

//go:noescape
func nutsLaneDriftAVX2(p, x, gr, m, nh, h *float64, nb, d int)

//go:noescape
func nutsLaneKickAVX2(pc, xc, gc, p, x, gr, m, nh, twoK *float64, fin *uint8, nb, d int)

//go:noescape
func nutsLaneUTurn3AVX2(rho, a, b, ra, c, d, rc, m *float64, free *uint8, nb, dim int)

//go:noescape
func nutsLaneUTurn2AVX2(rho, a, c, m *float64, free *uint8, nb, dim int)

func nutsLaneDriftAVX2Go(p, x, g, m, nh, h []float64, nb, d int) {
	nutsLaneDriftAVX2(&p[0], &x[0], &g[0], &m[0], &nh[0], &h[0], nb, d)
}

func nutsLaneKickAVX2Go(pc, xc, gc, p, x, g, m, nh, twoK []float64, fin []uint8, nb, d int) {
	nutsLaneKickAVX2(&pc[0], &xc[0], &gc[0], &p[0], &x[0], &g[0], &m[0], &nh[0], &twoK[0], &fin[0], nb, d)
}

func nutsLaneUTurn3AVX2Go(rho, a, b, ra, c, dd, rc, m []float64, free []uint8, nb, d int) {
	nutsLaneUTurn3AVX2(&rho[0], &a[0], &b[0], &ra[0], &c[0], &dd[0], &rc[0], &m[0], &free[0], nb, d)
}

func nutsLaneUTurn2AVX2Go(rho, a, c, m []float64, free []uint8, nb, d int) {
	nutsLaneUTurn2AVX2(&rho[0], &a[0], &c[0], &m[0], &free[0], nb, d)
}

//go:noescape
func nutsLaneCopyAVX2(dst, src *float64, mask *uint8, nb, d int)

//go:noescape
func nutsLaneSwapAVX2(a, b *float64, mask *uint8, nb, d int)

func nutsLaneCopyAVX2Go(dst, src []float64, mask []uint8, nb, d int) {
	nutsLaneCopyAVX2(&dst[0], &src[0], &mask[0], nb, d)
}

func nutsLaneSwapAVX2Go(a, b []float64, mask []uint8, nb, d int) {
	nutsLaneSwapAVX2(&a[0], &b[0], &mask[0], nb, d)
}

//go:noescape
func tr8x8F64AVX512(dst *float64, dstStride, dstStep int, src *float64, srcStride, srcStep, chunks int)

// tr8x8AVX512Go transposes chunks 8×8 tiles (strides and steps in values).
func tr8x8AVX512Go(dst []float64, dstStride, dstStep int, src []float64, srcStride, srcStep, chunks int) {
	if chunks > 0 {
		tr8x8F64AVX512(&dst[0], 8*dstStride, 8*dstStep, &src[0], 8*srcStride, 8*srcStep, chunks)
	}
}
