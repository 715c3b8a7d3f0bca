package simd

func langevinGeneric(dst, x, g, xi []float64, a, b float64) {
	x, g, xi = x[:len(dst)], g[:len(dst)], xi[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + (float64(a*g[i]) + float64(b*xi[i]))
	}
}

func langevinRowsGeneric(x, g, xi, a, b []float64, d int) {
	for i := range a {
		for j := i * d; j < (i+1)*d; j++ {
			x[j] += float64(a[i]*g[j]) + float64(b[i]*xi[j])
		}
	}
}
