package simd

// SiLU32 finishes one SiLU layer of a float32 network on the rows of z,
// each len(bias) wide: z += bias (row by row), then z = z·σ(z) and, with
// deriv, d = σ(z)·(1 + z·(1 − σ(z))) (times scale[j] per column when scale
// is non-nil), where σ(v) = 1/(1 + e^−v) with e^−v from Exp32:
//
//	v := z[j] + bias[j]
//	t := exp32(−v)
//	s := 1 / (1 + t)
//	z[j] = v * s                        (without deriv: v * (1 / (1 + t)))
//	d[j] = s * (1 + v*(1 − s)) [* scale[j]]
//
// Every operation is rounded on its own, so every implementation gives
// the bits of the generic one (given Exp32's). d is scratch without deriv;
// it must be as long as z. It panics unless len(z) is a multiple of
// len(bias), len(d) ≥ len(z) and scale is nil or len(bias) long.
func SiLU32(z, d, bias, scale []float32, deriv bool) {
	w := len(bias)
	if w == 0 || len(z)%w != 0 || len(d) < len(z) || (scale != nil && len(scale) != w) {
		mismatch()
	}
	d = d[:len(z)]
	// The vector implementations fuse the three passes over each row's
	// first n columns; the rest of each row takes them one after another.
	n := siluRows32(z, d, bias, scale, deriv)
	if n == w {
		return
	}
	b, sc := bias[n:], scale
	if scale != nil {
		sc = scale[n:]
	}
	for i0 := 0; i0 < len(z); i0 += w {
		zr, dr := z[i0+n:i0+w], d[i0+n:i0+w]
		siluPre32(zr, dr, b)
		Exp32(dr, dr)
		siluPost32(zr, dr, sc, deriv)
	}
}

// siluPre32Generic sets z[j] = z[j] + bias[j] and d[j] = −z[j].
func siluPre32Generic(z, d, bias []float32) {
	z, d = z[:len(bias)], d[:len(bias)]
	for j, b := range bias {
		v := z[j] + b
		z[j] = v
		d[j] = -v
	}
}

// siluPost32Generic turns t = e^−v in d into the layer's value and
// derivative (see SiLU32).
func siluPost32Generic(z, d, scale []float32, deriv bool) {
	d = d[:len(z)]
	switch {
	case !deriv:
		for j, v := range z {
			z[j] = v * (1 / (1 + d[j]))
		}
	case scale == nil:
		for j, v := range z {
			s := 1 / (1 + d[j])
			z[j] = v * s
			d[j] = s * (1 + float32(v*(1-s)))
		}
	default:
		scale = scale[:len(z)]
		for j, v := range z {
			s := 1 / (1 + d[j])
			z[j] = v * s
			d[j] = float32(s*(1+float32(v*(1-s)))) * scale[j]
		}
	}
}
