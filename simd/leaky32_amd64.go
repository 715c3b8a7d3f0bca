//go:build !purego

package simd

//go:noescape
func leaky32AVX2(dst, x *float32, n int, slope float32, k int)

// leaky32 runs the AVX2 kernel on the multiple-of-8 prefix where the
// implementation has float32 vector kernels, Go on the rest.
func leaky32(dst, x []float32, slope float32, k int) {
	n := 0
	if k32().lanes > 0 {
		n = len(dst) &^ 7
	}
	if n > 0 {
		leaky32AVX2(&dst[0], &x[0], n, slope, k)
	}
	leaky32Go(dst[n:], x[n:], slope, k)
}
