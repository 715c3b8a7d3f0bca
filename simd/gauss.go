package simd

// The kernels of a batched isotropic Gaussian mixture, on a block of n
// points stored by column: coordinate j of point r is x[j*ld+r], with
// ld ≥ n (a column-major block, as a layer of SIMD lanes wants it). A
// mixture's energy and gradient are then, component by component,
// GaussLogits (log-terms and their running maximum), ExpSubAcc (weights
// and their sum) and AddWeightedDiffs (gradient), all vectorized over the
// points. Every point's results depend only on its own values, never on n
// or on its position.

// GaussLogits sets a[r] = lc − h·‖x_r − c‖² for the n = len(a) points x_r
// of a column block and raises the running maximum m[r] to it:
//
//	for r := range a {
//		var q float64
//		for j := range c {
//			t := x[j*ld+r] - c[j]
//			q += t * t
//		}
//		v := lc - float64(h*q)
//		a[r] = v
//		if v > m[r] || v != v {
//			m[r] = v
//		}
//	}
//
// (every product rounded: all implementations give the same bits; a NaN
// reaches m). With lc = log w_k − d·log(σ_k√(2π)), h = 1/(2σ_k²) and
// c = μ_k, a is log(w_k·N(x; μ_k, σ_k²I)). It panics unless len(m) = n,
// len(c) ≥ 1 and x holds (len(c)−1)·ld + n values with ld ≥ n.
func GaussLogits(a, m, x []float64, ld int, c []float64, lc, h float64) {
	checkCols(len(a), x, ld, len(c))
	if len(m) != len(a) {
		mismatch()
	}
	current.gaussLogits(a, m, x, ld, c, lc, h)
}

// ExpSubAcc sets w[i] = e^(a[i] − m[i]) and adds it to s[i]:
//
//	for i := range w {
//		w[i] = math.Exp(a[i] - m[i])
//		s[i] += w[i]
//	}
//
// with Exp's accuracy (see Exp). With m the maximum over components of the
// log-terms a, w are the stabilized mixture weights and s their sum, the
// log-sum-exp being m + log s. w may be a. It panics unless all four
// slices have the same length.
func ExpSubAcc(w, s, a, m []float64) {
	if len(s) != len(w) || len(a) != len(w) || len(m) != len(w) {
		mismatch()
	}
	current.expSubAcc(w, s, a, m)
}

// AddWeightedDiffs adds w[r]·h·(x_r − c) to the points g_r of a gradient
// block laid out as x (coordinate j of point r at g[j*ld+r]):
//
//	for r := range w {
//		t := float64(w[r] * h)
//		for j := range c {
//			g[j*ld+r] += float64(t * (x[j*ld+r] - c[j]))
//		}
//	}
//
// (every product rounded: all implementations give the same bits). It is
// one component's term Σ_k w_k (x − μ_k)/σ_k² of a mixture's gradient. It
// panics unless len(c) ≥ 1 and x and g hold (len(c)−1)·ld + n values with
// ld ≥ n = len(w).
func AddWeightedDiffs(g, x []float64, ld int, c, w []float64, h float64) {
	checkCols(len(w), x, ld, len(c))
	if len(g) != len(x) {
		mismatch()
	}
	current.addWeightedDiffs(g, x, ld, c, w, h)
}

// checkCols panics unless x is a column block of d ≥ 1 columns of n values
// with stride ld ≥ n.
func checkCols(n int, x []float64, ld, d int) {
	if d < 1 || ld < n || len(x) != (d-1)*ld+n {
		mismatch()
	}
}
