package simd

func positionGeneric(x, p, minv []float64, h float64) {
	p, minv = p[:len(x)], minv[:len(x)]
	for i := range x {
		x[i] += float64(h * float64(minv[i]*p[i]))
	}
}

func positionRowsGeneric(x, p, minv, h []float64, d int) {
	for i, hi := range h {
		for j := i * d; j < (i+1)*d; j++ {
			x[j] += float64(hi * float64(minv[j]*p[j]))
		}
	}
}
