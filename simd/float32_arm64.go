//go:build !purego

package simd

import "github.com/klauspost/cpuid/v2"

// neon's float32 table, registered where its float64 table is available
// (the CPU has ASIMD). exp stays the generic loop.
var _ = register32("neon", cpuid.CPU.Supports(cpuid.ASIMD), &kernels32{
	matMul:   matMul32NEON,
	matMulAT: matMulAT32NEON,
	dot:      dot32NEONGo,
	axpy:     axpy32NEONGo,
	exp:      exp32Generic,
})

// The kernels of matmul32_arm64.s.

//go:noescape
func mm8x8F32NEON(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)

//go:noescape
func dot32NEON(x, y *float32, n int) float32

//go:noescape
func axpy32NEON(y, x *float32, n int, a float32)

// mm32NEONKC is the depth of a block of the product: 256 rows of an
// 8-column panel of B (8 KiB) and 8 rows of A (8 KiB) stay in L1.
const mm32NEONKC = 256

func matMul32NEON(c, a, b []float32, m, k, n int) { mm32NEON(c, a, k, 1, b, m, k, n) }

// matMulAT32NEON sets C = Aᵀ·B for A stored k×m, reading A in place
// through its strides.
func matMulAT32NEON(c, a, b []float32, m, k, n int) { mm32NEON(c, a, 1, m, b, m, k, n) }

// mm32NEON sets the m×n matrix C to A·B, element (i, p) of A at
// a[i*aRow+p*aP], in 8×8 blocks of the assembly kernel. The bottom m mod 8
// rows run on a row-major copy of those rows of A padded with zero rows to
// 8, the right n mod 8 columns on a copy of B's last columns padded with
// zeros to 8, each into a buffer that is copied back: every c[i][j] is the
// chain s = fma(a[i][p], b[p][j], s) from +0 in p order, whatever block it
// falls in, so C does not depend on m, on n or on where a row falls.
func mm32NEON(c, a []float32, aRow, aP int, b []float32, m, k, n int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	m8, n8 := m&^7, n&^7
	var pa []float32 // the bottom rows of A, padded to 8
	if m8 < m {
		pp := getScratch32(8 * k)
		defer putScratch32(pp)
		pa = *pp
		for i := m8; i < m; i++ {
			row := pa[(i-m8)*k : (i-m8+1)*k]
			for p := range row {
				row[p] = a[i*aRow+p*aP]
			}
		}
		clear(pa[(m-m8)*k:])
	}
	if n8 > 0 {
		mm32NEONBlocks(c, n, a, aRow, aP, b, n, m8, k, n8)
		if m8 < m {
			pc := getScratch32(8 * n8)
			mm32NEONBlocks(*pc, n8, pa, k, 1, b, n, 8, k, n8)
			for i := m8; i < m; i++ {
				copy(c[i*n:i*n+n8], (*pc)[(i-m8)*n8:])
			}
			putScratch32(pc)
		}
	}
	if n8 < n {
		w, mp := n-n8, (m+7)&^7
		pb, pc := getScratch32(8*k), getScratch32(8*mp)
		for p := 0; p < k; p++ {
			row := (*pb)[p*8 : p*8+8]
			copy(row, b[p*n+n8:(p+1)*n])
			clear(row[w:])
		}
		mm32NEONBlocks(*pc, 8, a, aRow, aP, *pb, 8, m8, k, 8)
		if m8 < m {
			mm32NEONBlocks((*pc)[m8*8:], 8, pa, k, 1, *pb, 8, 8, k, 8)
		}
		for i := 0; i < m; i++ {
			copy(c[i*n+n8:(i+1)*n], (*pc)[i*8:i*8+w])
		}
		putScratch32(pb)
		putScratch32(pc)
	}
}

// mm32NEONBlocks sets the m8×n8 block of C (row stride ldc; both multiples
// of 8) to A·B (element (i, p) of A at a[i*aRow+p*aP], B's row stride
// ldb) in 8×8 blocks, p in blocks of mm32NEONKC.
func mm32NEONBlocks(c []float32, ldc int, a []float32, aRow, aP int, b []float32, ldb, m8, k, n8 int) {
	for p0 := 0; p0 < k; p0 += mm32NEONKC {
		kb, acc := min(mm32NEONKC, k-p0), 0
		if p0 > 0 {
			acc = 1
		}
		for i0 := 0; i0 < m8; i0 += 8 {
			ai, ci := &a[i0*aRow+p0*aP], c[i0*ldc:]
			for j0 := 0; j0 < n8; j0 += 8 {
				mm8x8F32NEON(&ci[j0], ldc, ai, aRow, aP, &b[p0*ldb+j0], ldb, kb, acc)
			}
		}
	}
}

// dot32NEONGo runs the assembly over the multiple-of-16 prefix and adds
// the rest in Go.
func dot32NEONGo(x, y []float32) float32 {
	y = y[:len(x)]
	n := len(x) &^ 15
	var s float32
	if n > 0 {
		s = dot32NEON(&x[0], &y[0], n)
	}
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

// axpy32NEONGo runs the assembly over the multiple-of-8 prefix and the
// reference expression over the rest.
func axpy32NEONGo(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	n := len(y) &^ 7
	if n > 0 {
		axpy32NEON(&y[0], &x[0], n, a)
	}
	for i := n; i < len(y); i++ {
		y[i] += float32(a * x[i])
	}
}
