//go:build amd64 && !purego

package simd

//go:noescape
func sigPre32AVX512(u, x *float32, n int, a float32)

//go:noescape
func sigPost32AVX512(s, u, x *float32, n int)

//go:noescape
func sigPre32AVX2(u, x *float32, n int, a float32)

//go:noescape
func sigPost32AVX2(s, u, x *float32, n int)

func sigPre32(u, x []float32, a float32) {
	lanes := siluLanes()
	n := 0
	if lanes > 0 {
		n = len(x) / lanes * lanes
	}
	if n > 0 {
		u := u[:len(x)]
		if lanes == 16 {
			sigPre32AVX512(&u[0], &x[0], n, a)
		} else {
			sigPre32AVX2(&u[0], &x[0], n, a)
		}
	}
	sigPre32Generic(u[n:], x[n:], a)
}

func sigPost32(s, u, x []float32) {
	lanes := siluLanes()
	n := 0
	if lanes > 0 {
		n = len(x) / lanes * lanes
	}
	if n > 0 {
		s, u := s[:len(x)], u[:len(x)]
		if lanes == 16 {
			sigPost32AVX512(&s[0], &u[0], &x[0], n)
		} else {
			sigPost32AVX2(&s[0], &u[0], &x[0], n)
		}
	}
	sigPost32Generic(s[n:], u[n:], x[n:])
}
