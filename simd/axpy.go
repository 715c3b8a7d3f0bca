package simd

// Axpy adds a·x to y:
//
//	for i := range y {
//		y[i] += float64(a * x[i])
//	}
//
// (The conversion rounds the product: no fused multiply-add, so every
// implementation gives the same bits.) It panics if len(x) != len(y).
func Axpy(y []float64, a float64, x []float64) {
	if len(x) != len(y) {
		mismatch()
	}
	current.axpy(y, a, x)
}

// Scale multiplies x by s in place:
//
//	for i := range x {
//		x[i] *= s
//	}
func Scale(x []float64, s float64) { current.scale(x, s) }

// AddScaled sets dst = a + s·b:
//
//	for i := range dst {
//		dst[i] = a[i] + float64(s*b[i])
//	}
//
// dst may be a or b. It panics unless a, b and dst have the same length.
func AddScaled(dst, a []float64, s float64, b []float64) {
	if len(a) != len(dst) || len(b) != len(dst) {
		mismatch()
	}
	current.addScaled(dst, a, s, b)
}
