//go:build !purego

package simd

// logAVX2 sets dst[i] = log x[i] for n (a multiple of 4) values.
//
//go:noescape
func logAVX2(dst, x *float64, n int)

// logAVX2Go runs the assembly on the multiple-of-4 prefix and on a copy of
// the last 1–3 values padded to four (with ones), so that every element
// takes the same path whatever its position.
func logAVX2Go(dst, x []float64) {
	x = x[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		logAVX2(&dst[0], &x[0], n)
	}
	if n < len(dst) {
		buf := [4]float64{1, 1, 1, 1}
		copy(buf[:], x[n:])
		logAVX2(&buf[0], &buf[0], 4)
		copy(dst[n:], buf[:])
	}
}
