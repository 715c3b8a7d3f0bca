//go:build !purego

package simd

import "github.com/viterin/vek"

// vekRows is the number of rows of C per vek call. vek's MatMul runs
// serially only below 4 rows (or 10⁵ multiply-adds) and otherwise starts a
// goroutine per CPU, which the samplers' sharded loops must not do; three
// rows per call keep it on this goroutine at no measurable cost, since its
// kernel works row by row anyway.
const vekRows = 3

// matMulAVX2 sets C = A·B with vek's AVX2 kernel, vekRows rows at a time.
func matMulAVX2(c, a, b []float64, m, k, n int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	for i0 := 0; i0 < m; i0 += vekRows {
		i1 := min(i0+vekRows, m)
		vek.MatMul_Into(c[i0*n:i1*n], a[i0*k:i1*k], b, k)
	}
}
