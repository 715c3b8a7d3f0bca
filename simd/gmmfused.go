package simd

// GaussMix2Stride is the number of values per component in the parameter
// table of GaussMix2: c0, c1, lc, h, iv and three unused.
const GaussMix2Stride = 8

// GaussMix2 is a 2-D isotropic Gaussian mixture's log-sum-exp and gradient
// in one call, where the chosen implementation has a fused kernel (avx512
// on amd64); elsewhere it does nothing and returns ok = false. For the
// n = len(e) points (a multiple of 8) of x, stored as rows (x[2r],
// x[2r+1]), and the nk = len(p)/GaussMix2Stride components with
// parameters p[k*GaussMix2Stride:] = c0, c1, lc, h, iv, it computes what
// the column kernels compute on the same points:
//
//	a_k = lc_k − h_k·((x0 − c0_k)² + (x1 − c1_k)²)   (GaussLogits)
//	m = max_k a_k                                     (NaN wins)
//	w_k = e^(a_k − m), s = Σ_k w_k                    (ExpSubAcc)
//	e[r] = −(m + log s)                               (Log)
//	g[2r+j] = (Σ_k float64(w_k·iv_k)·(x_j − c_j_k)) / s  (AddWeightedDiffs)
//
// with the same operations in the same order for every point, so the bits
// equal those of the avx512 (and avx2) multi-pass path, provided every c,
// lc is finite and every h, iv finite and > 0 (then a_k is NaN exactly
// where x is, for every k with the same payload, which the kernel's
// NaN-propagating maximum relies on). m and s receive the maxima and the
// sums; far reports whether some m[r] is −Inf (every a_k −Inf: e and g
// are NaN there, for the caller to redo). g may be nil (no gradient). w is
// scratch of at least nk·n values. It panics unless n is a multiple of 8,
// len(m) = len(s) = n, len(x) = 2n, g is nil or len(g) = 2n, nk ≥ 1 and
// len(p) = nk·GaussMix2Stride.
func GaussMix2(e, g, m, s, x, w, p []float64) (ok, far bool) {
	n, nk := len(e), len(p)/GaussMix2Stride
	if n%8 != 0 || len(m) != n || len(s) != n || len(x) != 2*n || (g != nil && len(g) != 2*n) ||
		nk < 1 || len(p) != nk*GaussMix2Stride || len(w) < nk*n {
		mismatch()
	}
	return gaussMix2(e, g, m, s, x, w, p, n, nk)
}

// HasGaussMix2 reports whether GaussMix2 runs (the chosen implementation
// has a fused kernel).
func HasGaussMix2() bool { return hasGaussMix2() }
