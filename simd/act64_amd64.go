//go:build !purego

package simd

//go:noescape
func sigPre64AVX2(u, x *float64, n int, a float64)

//go:noescape
func sigPost64AVX2(s, u, x *float64, n int)

//go:noescape
func siluGrad64AVX2(dst, x, s, u, b, c *float64, n int)

// vec64 returns the multiple-of-4 prefix length of n that the AVX2
// kernels take where the implementation in use is avx2 or avx512 (the
// generic one keeps its loops).
func vec64(n int) int {
	if current.name == "generic" {
		return 0
	}
	return n &^ 3
}

func sigPre64(u, x []float64, a float64) {
	n := vec64(len(x))
	if n > 0 {
		sigPre64AVX2(&u[0], &x[0], n, a)
	}
	sigPre64Generic(u[n:len(x)], x[n:], a)
}

func sigPost64(s, u, x []float64) {
	n := vec64(len(x))
	if n > 0 {
		_, _ = s[n-1], u[n-1]
		sigPost64AVX2(&s[0], &u[0], &x[0], n)
	}
	sigPost64Generic(s[n:len(x)], u[n:len(x)], x[n:])
}

func siluGrad64(dst, x, s, u, b, c []float64) {
	n := vec64(len(dst))
	if n > 0 {
		var cp *float64
		if c != nil {
			cp = &c[0]
		}
		siluGrad64AVX2(&dst[0], &x[0], &s[0], &u[0], &b[0], cp, n)
	}
	var cr []float64
	if c != nil {
		cr = c[n:]
	}
	siluGrad64Generic(dst[n:], x[n:], s[n:], u[n:], b[n:], cr)
}
