//go:build !purego

package simd

//go:noescape
func gaussMix2AVX512(e, gr, m, s, x, w, p *float64, n, nk int) (far int)

func hasGaussMix2() bool { return current.name == "avx512" }

func gaussMix2(e, g, m, s, x, w, p []float64, n, nk int) (ok, far bool) {
	if current.name != "avx512" {
		return false, false
	}
	if n == 0 {
		return true, false
	}
	var gp *float64
	if g != nil {
		gp = &g[0]
	}
	return true, gaussMix2AVX512(&e[0], gp, &m[0], &s[0], &x[0], &w[0], &p[0], n, nk) != 0
}
