//go:build !purego

package simd

// The AVX-512 element-wise updates (elementwise_avx512_amd64.s): the whole
// slice in assembly, the last n mod 8 values under a mask. Each element
// gets the operations of the reference expression in the AVX2 kernels'
// order, so the results equal avx2's and the generic twin's bit for bit.

//go:noescape
func langevinAVX512(dst, x, grad, xi *float64, n int, a, b float64)

//go:noescape
func positionAVX512(x, p, minv *float64, n int, h float64)

//go:noescape
func axpyAVX512(y, x *float64, n int, a float64)

// avx512RowMin is the row length from which the row-wise kernels call the
// assembly once per row; shorter rows run the reference loop.
const avx512RowMin = 8

func langevinAVX512Go(dst, x, g, xi []float64, a, b float64) {
	if len(dst) == 0 {
		return
	}
	x, g, xi = x[:len(dst)], g[:len(dst)], xi[:len(dst)]
	langevinAVX512(&dst[0], &x[0], &g[0], &xi[0], len(dst), a, b)
}

func langevinRowsAVX512(x, g, xi, a, b []float64, d int) {
	if d < avx512RowMin {
		langevinRowsGeneric(x, g, xi, a, b, d)
		return
	}
	for i := range a {
		lo, hi := i*d, (i+1)*d
		langevinAVX512Go(x[lo:hi], x[lo:hi], g[lo:hi], xi[lo:hi], a[i], b[i])
	}
}

func positionAVX512Go(x, p, minv []float64, h float64) {
	if len(x) == 0 {
		return
	}
	p, minv = p[:len(x)], minv[:len(x)]
	positionAVX512(&x[0], &p[0], &minv[0], len(x), h)
}

func positionRowsAVX512(x, p, minv, h []float64, d int) {
	if d < avx512RowMin {
		positionRowsGeneric(x, p, minv, h, d)
		return
	}
	for i, hi := range h {
		lo, up := i*d, (i+1)*d
		positionAVX512Go(x[lo:up], p[lo:up], minv[lo:up], hi)
	}
}

func axpyAVX512Go(y []float64, a float64, x []float64) {
	if len(y) == 0 {
		return
	}
	x = x[:len(y)]
	axpyAVX512(&y[0], &x[0], len(y), a)
}

func axpyRowsAVX512(y, x, a []float64, d int, neg bool) {
	if d < avx512RowMin {
		axpyRowsGeneric(y, x, a, d, neg)
		return
	}
	for i, ai := range a {
		if neg {
			ai = -ai
		}
		axpyAVX512Go(y[i*d:(i+1)*d], ai, x[i*d:(i+1)*d])
	}
}
