//go:build !purego

package simd

//go:noescape
func leaky32NEON(dst, x *float32, n int, slope float32, k int)

// leaky32 runs the NEON kernel on the multiple-of-4 prefix where neon is
// the chosen implementation, Go on the rest.
func leaky32(dst, x []float32, slope float32, k int) {
	n := 0
	if current.name == "neon" {
		n = len(dst) &^ 3
	}
	if n > 0 {
		leaky32NEON(&dst[0], &x[0], n, slope, k)
	}
	leaky32Go(dst[n:], x[n:], slope, k)
}
