package simd

// SiLUGrad32 is the hot case of a float32 SiLU layer's backward passes,
// from the pair s = σ(x), u = σ(−x) (SigPairs32): with c nil, the first
// derivative times b,
//
//	dst[i] = b[i] * (s[i] + x[i]*(s[i]*u[i]))
//
// and with c, the second derivative times b and c,
//
//	dst[i] = ((s[i]*u[i]) * (2 + x[i]*(u[i]−s[i])) * b[i]) * c[i]
//
// Every operation is rounded on its own (no fused multiply-add), so every
// implementation gives the bits of the generic loop. It panics unless the
// slices (c too, when non-nil) have the same length.
func SiLUGrad32(dst, x, s, u, b, c []float32) {
	n := len(dst)
	if len(x) != n || len(s) != n || len(u) != n || len(b) != n || (c != nil && len(c) != n) {
		mismatch()
	}
	siluGrad32(dst, x, s, u, b, c)
}

func siluGrad32Generic(dst, x, s, u, b, c []float32) {
	x, s, u, b = x[:len(dst)], s[:len(dst)], u[:len(dst)], b[:len(dst)]
	if c == nil {
		for i, v := range x {
			dst[i] = b[i] * (s[i] + float32(v*float32(s[i]*u[i])))
		}
		return
	}
	c = c[:len(dst)]
	for i, v := range x {
		dst[i] = float32(float32(float32(s[i]*u[i])*(2+float32(v*(u[i]-s[i]))))*b[i]) * c[i]
	}
}
