package simd

// AllFinite reports whether every value of x is finite (neither NaN nor
// ±Inf): the check samplers make on every proposal of every chain before
// taking it, so it runs on vector registers where the implementation has
// them.
func AllFinite(x []float64) bool {
	if f := current.allFinite; f != nil {
		return f(x)
	}
	return allFiniteGeneric(x)
}

// allFiniteGeneric sums v − v, which is 0 for a finite v and NaN
// otherwise, over four independent accumulators.
func allFiniteGeneric(a []float64) bool {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		v := a[i : i+4 : i+4]
		s0 += v[0] - v[0]
		s1 += v[1] - v[1]
		s2 += v[2] - v[2]
		s3 += v[3] - v[3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] - a[i]
	}
	return s0+s1+s2+s3 == 0
}
