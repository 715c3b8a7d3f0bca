package simd

import "math"

// SigPairs64 is SigPairs32 in float64, around Exp: s[i] = σ(a·x[i]) and
// u[i] = σ(−a·x[i]) (a > 0) from e = e^−|a·x[i]| as r = 1/(1 + e) and e·r,
// each operation rounded on its own, so every implementation gives the
// bits of the generic loops around its own Exp. u is overwritten; s, u
// and x must have the same length, and s and u must not overlap x.
func SigPairs64(s, u, x []float64, a float64) {
	sigPairs(s, u, x, a, sigPre64, Exp, sigPost64)
}

// sigPre64Generic sets u[i] = −|a·x[i]|.
func sigPre64Generic(u, x []float64, a float64) {
	u = u[:len(x)]
	for i, v := range x {
		u[i] = -math.Abs(a * v)
	}
}

// sigPost64Generic turns e = u[i] into the pair (see SigPairs64).
func sigPost64Generic(s, u, x []float64) {
	s, u = s[:len(x)], u[:len(x)]
	for i, v := range x {
		e := u[i]
		r := 1 / (1 + e)
		rb, eb := math.Float64bits(r), math.Float64bits(e*r)
		neg := uint64(int64(math.Float64bits(v)) >> 63) // all ones when v's sign bit is set
		s[i] = math.Float64frombits(rb&^neg | eb&neg)
		u[i] = math.Float64frombits(eb&^neg | rb&neg)
	}
}

// SiLUGrad64 is SiLUGrad32 in float64: with c nil,
// dst[i] = b[i]·(s[i] + x[i]·(s[i]·u[i])), and with c,
// dst[i] = ((s[i]·u[i])·(2 + x[i]·(u[i] − s[i]))·b[i])·c[i], every
// operation rounded on its own. It panics unless the slices (c too, when
// non-nil) have the same length.
func SiLUGrad64(dst, x, s, u, b, c []float64) {
	n := len(dst)
	if len(x) != n || len(s) != n || len(u) != n || len(b) != n || (c != nil && len(c) != n) {
		mismatch()
	}
	siluGrad64(dst, x, s, u, b, c)
}

func siluGrad64Generic(dst, x, s, u, b, c []float64) {
	x, s, u, b = x[:len(dst)], s[:len(dst)], u[:len(dst)], b[:len(dst)]
	if c == nil {
		for i, v := range x {
			dst[i] = b[i] * (s[i] + v*(s[i]*u[i]))
		}
		return
	}
	c = c[:len(dst)]
	for i, v := range x {
		dst[i] = ((s[i] * u[i]) * (2 + v*(u[i]-s[i])) * b[i]) * c[i]
	}
}
