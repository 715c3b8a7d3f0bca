package simd

func langevinGeneric(x, g, xi []float64, a, b float64) {
	g, xi = g[:len(x)], xi[:len(x)]
	for i := range x {
		x[i] += float64(a*g[i]) + float64(b*xi[i])
	}
}

func langevinRowsGeneric(x, g, xi, a, b []float64, d int) {
	for i := range a {
		for j := i * d; j < (i+1)*d; j++ {
			x[j] += float64(a[i]*g[j]) + float64(b[i]*xi[j])
		}
	}
}
