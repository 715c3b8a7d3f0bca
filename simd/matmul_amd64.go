//go:build !purego

package simd

import "math"

//go:noescape
func mm6x8AVX2(c *float64, ldc int, a *float64, aRow, aP int, b *float64, ldb, k, acc int)

//go:noescape
func mm4x8AVX2(c *float64, ldc int, a *float64, aRow, aP int, b *float64, ldb, k, acc int)

//go:noescape
func mm1x8AVX2(c *float64, a *float64, aP int, b *float64, ldb, k, acc int)

// matMulAVX2 sets C = A·B with the register-blocked kernels.
func matMulAVX2(c, a, b []float64, m, k, n int) { mmAVX2(c, a, k, 1, b, m, k, n) }

// matMulATAVX2 sets C = Aᵀ·B for A stored k×m, reading A in place (the
// kernels take its strides), without a transposed copy.
func matMulATAVX2(c, a, b []float64, m, k, n int) { mmAVX2(c, a, 1, m, b, m, k, n) }

// mmKC is the depth of a block of the product: 128 rows of an 8-column
// panel of B (8 KiB) and 6 rows of A (6 KiB, or the lines of 6 columns
// of a transposed A) fit in L1 together.
const mmKC = 128

// mmAVX2 sets the m×n matrix C to A·B, where element (i, p) of A is
// a[i*aRow+p*aP] and B is k×n row-major: 6×8 blocks of C in the 6×8
// kernel; the bottom rows in 4×8 blocks (4 or 5 rows left, or 8 or 9 when
// the last 6-row block gives way to two of 4); the rows left after that in
// the 1×8 kernel; the right n mod 8 columns in Go with math.FMA. p runs in
// blocks of mmKC so that a block's panel of B and rows of A stay in the
// first-level cache, the kernels continuing the chains from C after the
// first block. Both block kernels reach the FMA pipes' peak on data in L1;
// within a product the 6×8 one reads each panel of B (from L2) once per
// six rows instead of four, which made 128×128×128 about 15 % faster on a
// Zen 3. The 1×8 kernel, with one dependent chain per four columns, waits
// on the FMA latency: it costs as much per row as the 4×8 kernel per four
// rows, hence the 4-row blocks for 8 or 9 rows left. Every c[i][j] is the
// same chain s = fma(a[i][p], b[p][j], s) from s = +0 for p = 0, 1, …,
// k−1, whichever kernel computes it, so C's values do not depend on m, on
// n or on where a row or column falls: a batch split into several
// products at any rows gives the same bits.
func mmAVX2(c, a []float64, aRow, aP int, b []float64, m, k, n int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	n8 := n &^ 7
	q6 := m / 6
	if r := m - 6*q6; (r == 2 || r == 3) && q6 > 0 {
		q6-- // 8 or 9 rows left: two 4-row blocks (and one row), not 2 or 3 single rows
	}
	m6 := 6 * q6
	m4 := m6 + (m-m6)&^3
	for p0 := 0; p0 < k && n8 > 0; p0 += mmKC {
		kb, acc := min(mmKC, k-p0), 0
		if p0 > 0 {
			acc = 1
		}
		bp := b[p0*n:]
		for i0 := 0; i0 < m6; i0 += 6 {
			ai := &a[i0*aRow+p0*aP]
			for j0 := 0; j0 < n8; j0 += 8 {
				mm6x8AVX2(&c[i0*n+j0], n, ai, aRow, aP, &bp[j0], n, kb, acc)
			}
		}
		for i0 := m6; i0 < m4; i0 += 4 {
			ai := &a[i0*aRow+p0*aP]
			for j0 := 0; j0 < n8; j0 += 8 {
				mm4x8AVX2(&c[i0*n+j0], n, ai, aRow, aP, &bp[j0], n, kb, acc)
			}
		}
		for i := m4; i < m; i++ {
			ai := &a[i*aRow+p0*aP]
			for j0 := 0; j0 < n8; j0 += 8 {
				mm1x8AVX2(&c[i*n+j0], ai, aP, &bp[j0], n, kb, acc)
			}
		}
	}
	mmEdgeCols(c, a, aRow, aP, b, m, k, n, n8)
}

// mmEdgeCols sets columns n8… of the m×n matrix C (n − n8 < 8 of them) to
// A·B in Go, each element the chain s = fma(a[i][p], b[p][j], s) from +0,
// in p order, as the kernels compute it.
func mmEdgeCols(c, a []float64, aRow, aP int, b []float64, m, k, n, n8 int) {
	for i := 0; i < m && n8 < n; i++ {
		crow := c[i*n+n8 : (i+1)*n]
		for j := range crow {
			var s float64
			for p := 0; p < k; p++ {
				s = math.FMA(a[i*aRow+p*aP], b[p*n+n8+j], s)
			}
			crow[j] = s
		}
	}
}
