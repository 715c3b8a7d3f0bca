package simd

// Add32 sets dst[i] = a[i] + b[i] in float32, one rounding per element:
// the same bits as copying a into dst and adding b with Axpy32(dst, 1, b),
// in one pass over memory where the implementation has a kernel for it
// (avx2, avx512). dst may be a or b (the same slice); it must not overlap
// them otherwise. It panics unless the three have the same length.
func Add32(dst, a, b []float32) {
	if len(a) != len(dst) || len(b) != len(dst) {
		mismatch()
	}
	if len(dst) == 0 {
		return
	}
	t := k32()
	switch {
	case t.add != nil:
		t.add(dst, a, b)
	case &dst[0] == &b[0]: // b + a: the same sum
		t.axpy(dst, 1, a)
	default:
		if &dst[0] != &a[0] {
			copy(dst, a)
		}
		t.axpy(dst, 1, b)
	}
}
