package simd

import "math"

// SigPairs32 sets s[i] = σ(a·x[i]) and u[i] = σ(−a·x[i]) in float32 (a > 0), with
// σ(y) = 1/(1 + e^−y) computed from e = e^−|a·x[i]| (Exp32) as r = 1/(1 +
// e) and e·r, so that neither underflows to 0 before it must:
//
//	e := exp32(−|a*x[i]|)
//	r := 1 / (1 + e)
//	s[i], u[i] = r, e*r      when x[i]'s sign bit is clear
//	s[i], u[i] = e*r, r      when it is set (x < 0, −0 and negative NaNs)
//
// Every operation is rounded on its own, so every implementation gives the
// bits of the generic loops around its own Exp32. u is overwritten; s, u
// and x must have the same length, and s and u must not overlap x.
func SigPairs32(s, u, x []float32, a float32) {
	sigPairs(s, u, x, a, sigPre32, Exp32, sigPost32)
}

// sigPairs runs SigPairs32's or SigPairs64's three passes (pre: u = −|a·x|,
// exp in place, post: the pair) over chunks of 256 values, which stay in
// the first-level cache from one pass to the next.
func sigPairs[T float32 | float64](s, u, x []T, a T, pre func(u, x []T, a T), exp func(dst, x []T), post func(s, u, x []T)) {
	if len(u) != len(s) || len(x) != len(s) {
		mismatch()
	}
	const chunk = 256
	for i0 := 0; i0 < len(s); i0 += chunk {
		i1 := min(i0+chunk, len(s))
		ss, us, xs := s[i0:i1], u[i0:i1], x[i0:i1]
		pre(us, xs, a)
		exp(us, us)
		post(ss, us, xs)
	}
}

// sigPre32Generic sets u[i] = −|a·x[i]|.
func sigPre32Generic(u, x []float32, a float32) {
	u = u[:len(x)]
	for i, v := range x {
		u[i] = math.Float32frombits(math.Float32bits(a*v) | 1<<31)
	}
}

// sigPost32Generic turns e = u[i] into the pair (see SigPairs32).
func sigPost32Generic(s, u, x []float32) {
	s, u = s[:len(x)], u[:len(x)]
	for i, v := range x {
		e := u[i]
		r := 1 / (1 + e)
		rb, eb := math.Float32bits(r), math.Float32bits(e*r)
		neg := uint32(int32(math.Float32bits(v)) >> 31) // all ones when the sign bit is set
		s[i] = math.Float32frombits(rb&^neg | eb&neg)
		u[i] = math.Float32frombits(eb&^neg | rb&neg)
	}
}
