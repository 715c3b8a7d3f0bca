//go:build !purego

package simd

//go:noescape
func gaussLogitsAVX2(a, m, x, c *float64, n, d, ld int, lc, h float64)

//go:noescape
func addWeightedDiffsAVX2(gr, x, c, w *float64, n, d, ld int, h float64)

// expSubAccAVX2 is in exp_amd64.s: it shares Exp's macros and constants,
// which are local to that file.
//
//go:noescape
func expSubAccAVX2(w, s, a, m *float64, n int)

// The column kernels run the assembly on the first n&^3 points and the
// reference loop on the rest (element-wise and exact, so the same bits).

func gaussLogitsAVX2Go(a, m, x []float64, ld int, c []float64, lc, h float64) {
	n := len(a) &^ 3
	if n > 0 {
		gaussLogitsAVX2(&a[0], &m[0], &x[0], &c[0], n, len(c), ld, lc, h)
	}
	if n < len(a) {
		gaussLogitsGeneric(a[n:], m[n:], x[n:], ld, c, lc, h)
	}
}

func addWeightedDiffsAVX2Go(g, x []float64, ld int, c, w []float64, h float64) {
	n := len(w) &^ 3
	if n > 0 {
		addWeightedDiffsAVX2(&g[0], &x[0], &c[0], &w[0], n, len(c), ld, h)
	}
	if n < len(w) {
		addWeightedDiffsGeneric(g[n:], x[n:], ld, c, w[n:], h)
	}
}

// expSubAccAVX2Go pads the last 1–3 values to four, so that every element
// goes through the same exponential whatever its position.
func expSubAccAVX2Go(w, s, a, m []float64) {
	s, a, m = s[:len(w)], a[:len(w)], m[:len(w)]
	n := len(w) &^ 3
	if n > 0 {
		expSubAccAVX2(&w[0], &s[0], &a[0], &m[0], n)
	}
	if n < len(w) {
		var wb, sb, ab, mb [4]float64
		copy(sb[:], s[n:])
		copy(ab[:], a[n:])
		copy(mb[:], m[n:])
		expSubAccAVX2(&wb[0], &sb[0], &ab[0], &mb[0], 4)
		copy(w[n:], wb[:])
		copy(s[n:], sb[:])
	}
}
