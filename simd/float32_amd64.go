//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// The float32 tables of avx2 and avx512, registered under the conditions
// of their float64 twins (impl_amd64.go): avx2 where the CPU has AVX2 and
// FMA, avx512 where it also has AVX-512F/DQ/BW/VL. The two share dot, axpy
// and the edge code, and their matrix products and exponentials do the
// same operations per element, so they give the same bits
// (TestFloat32AVX512SameAsAVX2).
var (
	_ = register32("avx2", cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3), &kernels32{
		matMul:         matMul32AVX2,
		matMulAT:       matMulAT32AVX2,
		dot:            dot32AVX2Go,
		axpy:           axpy32AVX2Go,
		add:            add32AVX2Go,
		exp:            exp32AVX2Go,
		transpose:      transpose32AVX2,
		matMulBT:       matMulBT32AVX2,
		gather:         stridedOn(gatherStridedF32AVX2),
		scatterAdd:     stridedOn(scatterAddStridedF32AVX2),
		gatherRuns:     runsOn(gatherRunsF32AVX2),
		scatterAddRuns: runsOn(scatterAddRunsF32AVX2),
		lanes:          8,
	})
	_ = register32("avx512", cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL), &kernels32{
		matMul:         matMul32AVX512,
		matMulAT:       matMulAT32AVX512,
		dot:            dot32AVX2Go,
		axpy:           axpy32AVX2Go,
		add:            add32AVX2Go,
		exp:            exp32AVX512Go,
		transpose:      transpose32AVX2,
		matMulBT:       matMulBT32AVX512,
		gather:         stridedOn(gatherStridedF32AVX512),
		scatterAdd:     stridedOn(scatterAddStridedF32AVX512),
		gatherRuns:     runsOn(gatherRunsF32AVX512),
		scatterAddRuns: runsOn(scatterAddRunsF32AVX512),
		lanes:          16,
	})
)

// The kernels of matmul32_amd64.s: a block of rows × (16 or 32) of C,
// element (r, p) of A at a[r·aRow + p·aP], row p of B at b[p·ldb].

//go:noescape
func mm6x16F32AVX2(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

//go:noescape
func mm4x16F32AVX2(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

//go:noescape
func mm1x16F32AVX2(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

//go:noescape
func mm1x64F32AVX2(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

//go:noescape
func mm1x128F32AVX512(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

// The matrix-vector kernels of matvec32_amd64.s: rows × n of C, stored
// transposed (row stride ldc), for n = 1 to 4.

//go:noescape
func mv32x1F32AVX2(c *float32, ldc int, a *float32, lda int, b *float32, k int)

//go:noescape
func mv8x1F32AVX2(c *float32, ldc int, a *float32, lda int, b *float32, k int)

//go:noescape
func mv24x2F32AVX2(c *float32, ldc int, a *float32, lda int, b *float32, k int)

//go:noescape
func mv8x2F32AVX2(c *float32, ldc int, a *float32, lda int, b *float32, k int)

//go:noescape
func mv16x3F32AVX2(c *float32, ldc int, a *float32, lda int, b *float32, k int)

//go:noescape
func mv8x3F32AVX2(c *float32, ldc int, a *float32, lda int, b *float32, k int)

//go:noescape
func mv8x4F32AVX2(c *float32, ldc int, a *float32, lda int, b *float32, k int)

// mvKernels32[n] are the matrix-vector kernels for n columns: one of
// several 8-row blocks and one of 8 rows.
var mvKernels32 = [5]struct {
	rows       int
	big, small func(c *float32, ldc int, a *float32, lda int, b *float32, k int)
}{
	1: {32, mv32x1F32AVX2, mv8x1F32AVX2},
	2: {24, mv24x2F32AVX2, mv8x2F32AVX2},
	3: {16, mv16x3F32AVX2, mv8x3F32AVX2},
	4: {8, mv8x4F32AVX2, mv8x4F32AVX2},
}

//go:noescape
func tr8x8BlocksF32AVX2(dst *float32, ldd int, src *float32, lds int, nIn, nOut, srcIn, dstIn, srcOut, dstOut int)

//go:noescape
func mm12x32F32AVX512(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

//go:noescape
func mm8x32F32AVX512(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

//go:noescape
func mm4x32F32AVX512(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

//go:noescape
func mm1x32F32AVX512(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

func matMul32AVX2(c, a, b []float32, m, k, n int) { mm32(c, a, k, 1, b, m, k, n, false) }

// matMulAT32AVX2 sets C = Aᵀ·B for A stored k×m, reading A in place
// through its strides, without a transposed copy.
func matMulAT32AVX2(c, a, b []float32, m, k, n int) { mm32(c, a, 1, m, b, m, k, n, false) }

func matMulBT32AVX2(c, a, b []float32, m, k, n int) { mmBT32(c, a, b, m, k, n, false) }

func matMulBT32AVX512(c, a, b []float32, m, k, n int) { mmBT32(c, a, b, m, k, n, true) }

func matMul32AVX512(c, a, b []float32, m, k, n int) { mm32(c, a, k, 1, b, m, k, n, true) }

func matMulAT32AVX512(c, a, b []float32, m, k, n int) { mm32(c, a, 1, m, b, m, k, n, true) }

// mm32KC is the depth of a block of the product: 128 rows of a 16-column
// panel of B (8 KiB; 16 KiB for a 32-column one) and the rows of A that a
// kernel reads stay in the first-level cache together.
const mm32KC = 128

// mm32 sets the m×n matrix C to A·B, where element (i, p) of A is
// a[i*aRow+p*aP] and B is k×n row-major, as mmAVX2 and mmAVX512 do for
// float64: with wide (AVX-512), 12×32 blocks of C, the bottom m mod 12
// rows in one 8×32 and one 4×32 block at most and single rows, and a
// 16-column strip left of the last 32 in the AVX2 kernels; without, 6×16,
// 4×16 and 1×16 blocks. The right n mod 16 columns run in the AVX2 kernels
// too, on a copy of B's last columns padded with zeros to 16 (mm32Edge).
// p runs in blocks of mm32KC, the kernels continuing the chains from C
// after the first. Every c[i][j] is the chain s = fma(a[i][p], b[p][j], s)
// from s = +0 for p = 0, 1, …, k−1 whatever kernel computes it, so C does
// not depend on m, on n or on the block a row or column falls in, and the
// two implementations give the same bits.
func mm32(c, a []float32, aRow, aP int, b []float32, m, k, n int, wide bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	if n <= 4 && aP == 1 && k >= 8 && m >= 8 {
		mv32(c, a, aRow, b, m, k, n)
		return
	}
	if n < 16 && m >= 16 {
		mm32T(c, a, aRow, aP, b, m, k, n, wide)
		return
	}
	n16 := n &^ 15
	if n16 > 0 {
		if wide {
			mm32Blocks512(c, n, a, aRow, aP, b, n, m, k, n16)
		} else {
			mm32Blocks(c, n, a, aRow, aP, b, n, m, k, n16)
		}
	}
	if n16 < n {
		mm32Edge(c, a, aRow, aP, b, m, k, n, n16)
	}
}

// mm32Blocks sets columns 0…n16−1 (a multiple of 16) of C (row stride ldc)
// to A·B (B's row stride ldb) in the AVX2 kernels. After a 6-row block
// leaves 2 or 3 rows, it gives way to two 4-row blocks: the single-row
// kernel waits on the FMA latency.
func mm32Blocks(c []float32, ldc int, a []float32, aRow, aP int, b []float32, ldb, m, k, n16 int) {
	q6 := m / 6
	if r := m - 6*q6; (r == 2 || r == 3) && q6 > 0 {
		q6--
	}
	m6 := 6 * q6
	m4 := m6 + (m-m6)&^3
	for p0 := 0; p0 < k; p0 += mm32KC {
		kb, acc := min(mm32KC, k-p0), 0
		if p0 > 0 {
			acc = 1
		}
		bp := b[p0*ldb:]
		for i0 := 0; i0 < m6; i0 += 6 {
			ai, ci := &a[i0*aRow+p0*aP], c[i0*ldc:]
			for j0 := 0; j0 < n16; j0 += 16 {
				mm6x16F32AVX2(&ci[j0], ldc, ai, aRow, aP, &bp[j0], ldb, kb, acc)
			}
		}
		for i0 := m6; i0 < m4; i0 += 4 {
			ai, ci := &a[i0*aRow+p0*aP], c[i0*ldc:]
			for j0 := 0; j0 < n16; j0 += 16 {
				mm4x16F32AVX2(&ci[j0], ldc, ai, aRow, aP, &bp[j0], ldb, kb, acc)
			}
		}
		for i := m4; i < m; i++ {
			ai, ci := &a[i*aRow+p0*aP], c[i*ldc:]
			j0 := 0
			for ; j0+64 <= n16; j0 += 64 {
				mm1x64F32AVX2(&ci[j0], ldc, ai, aRow, aP, &bp[j0], ldb, kb, acc)
			}
			for ; j0 < n16; j0 += 16 {
				mm1x16F32AVX2(&ci[j0], ldc, ai, aRow, aP, &bp[j0], ldb, kb, acc)
			}
		}
	}
}

// mm32Blocks512 is mm32Blocks with the AVX-512 kernels on 32-column
// panels and, when n16 is an odd multiple of 16, the AVX2 kernels on the
// last 16 columns.
func mm32Blocks512(c []float32, ldc int, a []float32, aRow, aP int, b []float32, ldb, m, k, n16 int) {
	n32 := n16 &^ 31
	for p0 := 0; p0 < k; p0 += mm32KC {
		kb, acc := min(mm32KC, k-p0), 0
		if p0 > 0 {
			acc = 1
		}
		bp := b[p0*ldb:]
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
			ai, ci := &a[i0*aRow+p0*aP], c[i0*ldc:]
			j0 := 0
			if rows == 1 {
				for ; j0+128 <= n32; j0 += 128 {
					mm1x128F32AVX512(&ci[j0], ldc, ai, aRow, aP, &bp[j0], ldb, kb, acc)
				}
			}
			for ; j0 < n32; j0 += 32 {
				switch rows {
				case 12:
					mm12x32F32AVX512(&ci[j0], ldc, ai, aRow, aP, &bp[j0], ldb, kb, acc)
				case 8:
					mm8x32F32AVX512(&ci[j0], ldc, ai, aRow, aP, &bp[j0], ldb, kb, acc)
				case 4:
					mm4x32F32AVX512(&ci[j0], ldc, ai, aRow, aP, &bp[j0], ldb, kb, acc)
				default:
					mm1x32F32AVX512(&ci[j0], ldc, ai, aRow, aP, &bp[j0], ldb, kb, acc)
				}
			}
			if n32 < n16 { // one 16-column strip
				switch rows {
				case 12:
					mm6x16F32AVX2(&ci[n32], ldc, ai, aRow, aP, &bp[n32], ldb, kb, acc)
					mm6x16F32AVX2(&ci[6*ldc+n32], ldc, &a[(i0+6)*aRow+p0*aP], aRow, aP, &bp[n32], ldb, kb, acc)
				case 8:
					mm4x16F32AVX2(&ci[n32], ldc, ai, aRow, aP, &bp[n32], ldb, kb, acc)
					mm4x16F32AVX2(&ci[4*ldc+n32], ldc, &a[(i0+4)*aRow+p0*aP], aRow, aP, &bp[n32], ldb, kb, acc)
				case 4:
					mm4x16F32AVX2(&ci[n32], ldc, ai, aRow, aP, &bp[n32], ldb, kb, acc)
				default:
					mm1x16F32AVX2(&ci[n32], ldc, ai, aRow, aP, &bp[n32], ldb, kb, acc)
				}
			}
			i0 += rows
		}
	}
}

// mm32Edge sets columns n16… of C (n − n16 < 16 of them) to A·B: it copies
// those columns of B into a k×16 panel padded with zeros, multiplies into
// an m×16 buffer with the AVX2 kernels and copies the columns back. The
// padding only adds columns: each element is still its own chain.
func mm32Edge(c, a []float32, aRow, aP int, b []float32, m, k, n, n16 int) {
	w := n - n16
	bp, cp := getScratch32(k*16), getScratch32(m*16)
	pb, pc := *bp, *cp
	for p := 0; p < k; p++ {
		row := pb[p*16 : p*16+16]
		copy(row, b[p*n+n16:(p+1)*n])
		clear(row[w:])
	}
	mm32Blocks(pc, 16, a, aRow, aP, pb, 16, m, k, 16)
	for i := 0; i < m; i++ {
		copy(c[i*n+n16:(i+1)*n], pc[i*16:i*16+w])
	}
	putScratch32(bp)
	putScratch32(cp)
}

// mm32T sets C = A·B for n < 16 columns and m ≥ 16 rows as its transpose,
// Cᵀ = Bᵀ·Aᵀ: the n columns of C become rows, which the kernels take in
// blocks of rows (one row on the wide single-row kernels), and the m rows
// of C become columns filling whole panels, instead of n columns padded
// to 16. Aᵀ is A when it is stored k×m (MatMulAT32), else a transposed
// copy; Cᵀ is C itself when n = 1. Each element is still the chain
// s = fma(b[p][j], a[i][p], s) over p in order: the same bits as the
// direct product.
func mm32T(c, a []float32, aRow, aP int, b []float32, m, k, n int, wide bool) {
	at := a
	if aRow != 1 || aP != m { // A row-major m×k (aRow = k, aP = 1)
		tp := getScratch32(k * m)
		defer putScratch32(tp)
		at = *tp
		transpose32AVX2(at, a, m, k)
	}
	ct := c
	if n > 1 {
		tp := getScratch32(n * m)
		defer putScratch32(tp)
		ct = *tp
	}
	mm32(ct, b, 1, n, at, n, k, m, wide)
	if n > 1 {
		transpose32AVX2(c, ct, n, m)
	}
}

// transpose32AVX2 writes the c×r transpose of the r×c row-major src into
// dst: 8×8 blocks in registers, all of them in one call
// (tr8x8BlocksF32AVX2), the edges in Go.
func transpose32AVX2(dst, src []float32, r, c int) {
	r8, c8 := r&^7, c&^7
	switch {
	case r8 == 0 || c8 == 0:
	case r >= 4*c: // tall and narrow (measured: 784×16, 784×32)
		// Along the source's rows: for each block row, its blocks left to right.
		tr8x8BlocksF32AVX2(&dst[0], r, &src[0], c, c8/8, r8/8, 32, 32*r, 32*c, 32)
	default:
		// Down the source's columns: for each block column, its blocks top to bottom.
		tr8x8BlocksF32AVX2(&dst[0], r, &src[0], c, r8/8, c8/8, 32*c, 32, 32, 32*r)
	}
	for i := 0; i < r; i++ {
		row := src[i*c : (i+1)*c]
		j0 := c8
		if i >= r8 {
			j0 = 0
		}
		for j := j0; j < c; j++ {
			dst[j*r+i] = row[j]
		}
	}
}

// mmBT32 sets C = A·Bᵀ for B stored n×k with the fewer transposed values:
// B into k×n and C = A·(Bᵀ), or, when m·(k+n) < k·n (a batch of few rows
// against a large weight matrix, as in the backward pass of a 784×512
// layer), A into k×m and Cᵀ = B·(Aᵀ) transposed into C. Both compute each
// element as the chain s = fma(a[i][p], b[j][p], s) over p in order: the
// same bits.
func mmBT32(c, a, b []float32, m, k, n int, wide bool) {
	if m*(k+n) < k*n && m >= 16 && n >= 16 {
		at, ct := getScratch32(k*m), getScratch32(n*m)
		transpose32AVX2(*at, a, m, k)
		mm32(*ct, b, k, 1, *at, n, k, m, wide)
		transpose32AVX2(c, *ct, n, m)
		putScratch32(at)
		putScratch32(ct)
		return
	}
	bt := getScratch32(k * n)
	transpose32AVX2(*bt, b, n, k)
	mm32(c, a, k, 1, *bt, m, k, n, wide)
	putScratch32(bt)
}

// mv32 sets C = A·B for row-major A (m×k, row stride lda), k ≥ 8 and
// n ≤ 4 columns (a layer of few outputs, or the backward pass to a 2-D
// input): the rows of A as lanes, in several 8-row blocks and then 8 rows
// per call, each kernel transposing 8×8 blocks of A in registers
// (matvec32_amd64.s) and writing Cᵀ, which is C for n = 1 and a buffer
// copied into C otherwise; the last m mod 8 rows in mm32. Every element is
// the chain s = fma(a[i][p], b[p][j], s) from +0 in p order, as everywhere
// else.
func mv32(c, a []float32, lda int, b []float32, m, k, n int) {
	kk := mvKernels32[n]
	ct := c
	if n > 1 {
		tp := getScratch32(n * m)
		defer putScratch32(tp)
		ct = *tp
	}
	i := 0
	for ; i+kk.rows <= m; i += kk.rows {
		kk.big(&ct[i], m, &a[i*lda], lda, &b[0], k)
	}
	for ; i+8 <= m; i += 8 {
		kk.small(&ct[i], m, &a[i*lda], lda, &b[0], k)
	}
	if n > 1 {
		for r := 0; r < i; r++ {
			row := c[r*n : (r+1)*n]
			for j := range row {
				row[j] = ct[j*m+r]
			}
		}
	}
	if i < m {
		mm32(c[i*n:], a[i*lda:], lda, 1, b, m-i, k, n, false)
	}
}
