package simd

func axpyGeneric(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for i := range y {
		y[i] += float64(a * x[i])
	}
}

func scaleGeneric(x []float64, s float64) {
	for i := range x {
		x[i] *= s
	}
}

func addScaledGeneric(dst, a []float64, s float64, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + float64(s*b[i])
	}
}

// axpyRowsGeneric is Axpy with a scalar per row of d values, negated when
// neg: the kernel behind MomentumRows and a unit-mass PositionRows.
func axpyRowsGeneric(y, x, a []float64, d int, neg bool) {
	for i, ai := range a {
		if neg {
			ai = -ai
		}
		for j := i * d; j < (i+1)*d; j++ {
			y[j] += float64(ai * x[j])
		}
	}
}
