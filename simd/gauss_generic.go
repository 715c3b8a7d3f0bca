package simd

import "math"

func gaussLogitsGeneric(a, m, x []float64, ld int, c []float64, lc, h float64) {
	m = m[:len(a)]
	for r := range a {
		var q float64
		for j, cj := range c {
			t := x[j*ld+r] - cj
			q += float64(t * t) // the conversion forbids a fused multiply-add, as in the assembly
		}
		v := lc - float64(h*q)
		a[r] = v
		if v > m[r] || v != v {
			m[r] = v
		}
	}
}

func expSubAccGeneric(w, s, a, m []float64) {
	s, a, m = s[:len(w)], a[:len(w)], m[:len(w)]
	for i := range w {
		w[i] = math.Exp(a[i] - m[i])
		s[i] += w[i]
	}
}

func addWeightedDiffsGeneric(g, x []float64, ld int, c, w []float64, h float64) {
	for r := range w {
		t := float64(w[r] * h)
		for j, cj := range c {
			g[j*ld+r] += float64(t * (x[j*ld+r] - cj))
		}
	}
}
