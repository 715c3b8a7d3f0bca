package simd

// dotGeneric is the reference loop of Dot.
func dotGeneric(x, y []float64) float64 {
	y = y[:len(x)]
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

// sumSqGeneric is the reference loop of SumSq.
func sumSqGeneric(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s
}
