//go:build !purego

package simd

//go:noescape
func mm12x16AVX512(c *float64, ldc int, a *float64, aRow, aP int, b *float64, ldb, k, acc int)

//go:noescape
func mm8x16AVX512(c *float64, ldc int, a *float64, aRow, aP int, b *float64, ldb, k, acc int)

//go:noescape
func mm4x16AVX512(c *float64, ldc int, a *float64, aRow, aP int, b *float64, ldb, k, acc int)

//go:noescape
func mm1x16AVX512(c *float64, ldc int, a *float64, aRow, aP int, b *float64, ldb, k, acc int)

// matMulAVX512 sets C = A·B with the AVX-512 register-blocked kernels.
func matMulAVX512(c, a, b []float64, m, k, n int) { mmAVX512(c, a, k, 1, b, m, k, n) }

// matMulATAVX512 sets C = Aᵀ·B for A stored k×m, reading A in place.
func matMulATAVX512(c, a, b []float64, m, k, n int) { mmAVX512(c, a, 1, m, b, m, k, n) }

// mmAVX512 sets the m×n matrix C to A·B, laid out as for mmAVX2: 12×16
// blocks of C in the 12×16 kernel (24 ZMM accumulators: each row of a
// 16-column panel of B, two registers, serves twelve rows of A), the
// bottom m mod 12 rows in one 8×16 and one 4×16 block at most and single
// rows; an 8-column strip left of n's last 16 in the AVX2 kernels; the
// right n mod 8 columns in Go with math.FMA. p runs in blocks of mmKC, so
// that a block's 16-column panel of B (16 KiB) and twelve rows of A (12
// KiB) stay in the first-level cache. Every c[i][j] is the chain
// s = fma(a[i][p], b[p][j], s) from s = +0 for p = 0, 1, …, k−1 that
// mmAVX2 computes, whatever kernel computes it: the two implementations
// give the same bits, and C does not depend on m, n or the block a row or
// column falls in.
func mmAVX512(c, a []float64, aRow, aP int, b []float64, m, k, n int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	n16, n8 := n&^15, n&^7
	for p0 := 0; p0 < k && n8 > 0; p0 += mmKC {
		kb, acc := min(mmKC, k-p0), 0
		if p0 > 0 {
			acc = 1
		}
		bp := b[p0*n:]
		for i0 := 0; i0 < m; {
			rows := 1
			switch r := m - i0; {
			case r >= 12:
				rows = 12
			case r >= 8:
				rows = 8
			case r >= 4:
				rows = 4
			}
			ai := &a[i0*aRow+p0*aP]
			ci := c[i0*n:]
			for j0 := 0; j0 < n16; j0 += 16 {
				switch rows {
				case 12:
					mm12x16AVX512(&ci[j0], n, ai, aRow, aP, &bp[j0], n, kb, acc)
				case 8:
					mm8x16AVX512(&ci[j0], n, ai, aRow, aP, &bp[j0], n, kb, acc)
				case 4:
					mm4x16AVX512(&ci[j0], n, ai, aRow, aP, &bp[j0], n, kb, acc)
				default:
					mm1x16AVX512(&ci[j0], n, ai, aRow, aP, &bp[j0], n, kb, acc)
				}
			}
			if n16 < n8 { // one 8-column strip
				switch rows {
				case 12:
					mm6x8AVX2(&ci[n16], n, ai, aRow, aP, &bp[n16], n, kb, acc)
					mm6x8AVX2(&ci[6*n+n16], n, &a[(i0+6)*aRow+p0*aP], aRow, aP, &bp[n16], n, kb, acc)
				case 8:
					mm4x8AVX2(&ci[n16], n, ai, aRow, aP, &bp[n16], n, kb, acc)
					mm4x8AVX2(&ci[4*n+n16], n, &a[(i0+4)*aRow+p0*aP], aRow, aP, &bp[n16], n, kb, acc)
				case 4:
					mm4x8AVX2(&ci[n16], n, ai, aRow, aP, &bp[n16], n, kb, acc)
				default:
					mm1x8AVX2(&ci[n16], ai, aP, &bp[n16], n, kb, acc)
				}
			}
			i0 += rows
		}
	}
	mmEdgeCols(c, a, aRow, aP, b, m, k, n, n8)
}
