//go:build amd64 && !purego

package simd

//go:noescape
func siluGrad32AVX512(dst, x, s, u, b, c *float32, n int)

//go:noescape
func siluGrad32AVX2(dst, x, s, u, b, c *float32, n int)

func siluGrad32(dst, x, s, u, b, c []float32) {
	lanes := siluLanes()
	n := 0
	if lanes > 0 {
		n = len(dst) / lanes * lanes
	}
	if n > 0 {
		var cp *float32
		if c != nil {
			cp = &c[0]
		}
		if lanes == 16 {
			siluGrad32AVX512(&dst[0], &x[0], &s[0], &u[0], &b[0], cp, n)
		} else {
			siluGrad32AVX2(&dst[0], &x[0], &s[0], &u[0], &b[0], cp, n)
		}
	}
	var cr []float32
	if c != nil {
		cr = c[n:]
	}
	siluGrad32Generic(dst[n:], x[n:], s[n:], u[n:], b[n:], cr)
}
