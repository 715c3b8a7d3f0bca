//go:build !purego

package simd

// The AVX-512 exponential, logarithm and mixture kernels
// (exp_avx512_amd64.s, log_avx512_amd64.s, gauss_avx512_amd64.s): eight values per ZMM register, each element
// through the avx2 kernel's operations in the same order, so the results
// equal avx2's bit for bit.

//go:noescape
func expAVX512(dst, x *float64, n int)

//go:noescape
func logAVX512(dst, x *float64, n int)

//go:noescape
func expSubAccAVX512(w, s, a, m *float64, n int)

//go:noescape
func gaussLogitsAVX512(a, m, x, c *float64, n, d, ld int, lc, h float64)

//go:noescape
func addWeightedDiffsAVX512(gr, x, c, w *float64, n, d, ld int, h float64)

// expAVX512Go runs the assembly on the multiple-of-8 prefix and on a copy
// of the last 1–7 values padded to eight.
func expAVX512Go(dst, x []float64) {
	x = x[:len(dst)]
	n := len(dst) &^ 7
	if n > 0 {
		expAVX512(&dst[0], &x[0], n)
	}
	if n < len(dst) {
		var buf [8]float64
		copy(buf[:], x[n:])
		expAVX512(&buf[0], &buf[0], 8)
		copy(dst[n:], buf[:])
	}
}

// logAVX512Go runs the assembly on the multiple-of-8 prefix and on a copy
// of the last 1–7 values padded to eight with ones.
func logAVX512Go(dst, x []float64) {
	x = x[:len(dst)]
	n := len(dst) &^ 7
	if n > 0 {
		logAVX512(&dst[0], &x[0], n)
	}
	if n < len(dst) {
		buf := [8]float64{1, 1, 1, 1, 1, 1, 1, 1}
		copy(buf[:], x[n:])
		logAVX512(&buf[0], &buf[0], 8)
		copy(dst[n:], buf[:])
	}
}

// expSubAccAVX512Go pads the last 1–7 values to eight.
func expSubAccAVX512Go(w, s, a, m []float64) {
	s, a, m = s[:len(w)], a[:len(w)], m[:len(w)]
	n := len(w) &^ 7
	if n > 0 {
		expSubAccAVX512(&w[0], &s[0], &a[0], &m[0], n)
	}
	if n < len(w) {
		var wb, sb, ab, mb [8]float64
		copy(sb[:], s[n:])
		copy(ab[:], a[n:])
		copy(mb[:], m[n:])
		expSubAccAVX512(&wb[0], &sb[0], &ab[0], &mb[0], 8)
		copy(w[n:], wb[:])
		copy(s[n:], sb[:])
	}
}

// The column kernels run the assembly on the first n&^7 points and the
// reference loop on the rest (element-wise and exact, so the same bits).

func gaussLogitsAVX512Go(a, m, x []float64, ld int, c []float64, lc, h float64) {
	n := len(a) &^ 7
	if n > 0 {
		gaussLogitsAVX512(&a[0], &m[0], &x[0], &c[0], n, len(c), ld, lc, h)
	}
	if n < len(a) {
		gaussLogitsGeneric(a[n:], m[n:], x[n:], ld, c, lc, h)
	}
}

func addWeightedDiffsAVX512Go(g, x []float64, ld int, c, w []float64, h float64) {
	n := len(w) &^ 7
	if n > 0 {
		addWeightedDiffsAVX512(&g[0], &x[0], &c[0], &w[0], n, len(c), ld, h)
	}
	if n < len(w) {
		addWeightedDiffsGeneric(g[n:], x[n:], ld, c, w[n:], h)
	}
}
