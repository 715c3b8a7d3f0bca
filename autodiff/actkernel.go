package autodiff

import (
	"math"

	"github.com/goebm/ebm/simd"
)

// deriv sets dst[i] = f⁽ᵏ⁾(x[i]). c1 and c2 are the family's cache for
// these elements (see base): σ(ax) and σ(−ax) for the sigmoid and tanh
// families, the exponential in c1 for ELU and Gaussian, nil for the others
// and for tanh's value.
func deriv[T Float](dst, x, c1, c2 []T, f Activation, k int) {
	x = x[:len(dst)]
	if c1 != nil {
		c1 = c1[:len(dst)]
	}
	if c2 != nil {
		c2 = c2[:len(dst)]
	}
	switch f {
	case Identity:
		switch k {
		case 0:
			copy(dst, x)
		case 1:
			fillv(dst, 1)
		default:
			fillv(dst, 0)
		}
	case ReLU:
		reluDeriv(dst, x, k)
	case LeakyReLU:
		leakyDeriv(dst, x, k)
	case ELU:
		eluDeriv(dst, x, c1, k)
	case Gaussian:
		gaussDeriv(dst, x, c1, k)
	case Sigmoid:
		sigDeriv(dst, c1, c2, k)
	case Softplus:
		if k == 0 {
			// log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), and e^−|x| = σ(−|x|)/σ(|x|).
			for i, v := range x {
				s, u := c1[i], c2[i]
				dst[i] = max(v, 0) + T(math.Log1p(float64(min(s, u)/max(s, u))))
			}
			return
		}
		sigDeriv(dst, c1, c2, k-1)
	case SiLU:
		siluDeriv(dst, x, c1, c2, k)
	case Tanh:
		tanhDeriv(dst, x, c1, c2, k)
	default:
		panic("autodiff: unknown activation")
	}
}

func fillv[T Float](dst []T, v T) {
	for i := range dst {
		dst[i] = v
	}
}

// reluDeriv: max(x, 0), then 1[x > 0], then 0; NaN stays NaN.
func reluDeriv[T Float](dst, x []T, k int) {
	switch k {
	case 0:
		for i, v := range x {
			dst[i] = max(v, 0)
		}
	case 1:
		for i, v := range x {
			switch {
			case v > 0:
				dst[i] = 1
			case v == v:
				dst[i] = 0
			default:
				dst[i] = v
			}
		}
	default:
		for i, v := range x {
			if v == v {
				dst[i] = 0
			} else {
				dst[i] = v
			}
		}
	}
}

// leakyDeriv: x or LeakySlope·x, then 1 or LeakySlope, then 0; NaN stays
// NaN. The float32 value and first derivative run on simd.Leaky32 (the
// same values, without branches: on a layer's pre-activations, half of
// them negative, the branches mispredicted and took most of a PCD step on
// the convnet).
func leakyDeriv[T Float](dst, x []T, k int) {
	const a = LeakySlope
	if k < 2 && is32[T]() {
		simd.Leaky32(f32(dst), f32(x), float32(a), k)
		return
	}
	switch k {
	case 0:
		for i, v := range x {
			if v > 0 || v != v {
				dst[i] = v
			} else {
				dst[i] = T(a) * v
			}
		}
	case 1:
		for i, v := range x {
			switch {
			case v > 0:
				dst[i] = 1
			case v == v:
				dst[i] = T(a)
			default:
				dst[i] = v
			}
		}
	default:
		for i, v := range x {
			if v == v {
				dst[i] = 0
			} else {
				dst[i] = v
			}
		}
	}
}

// eluDeriv: x or eˣ − 1 (expm1, accurate near 0), then 1 or eˣ, then 0 or
// eˣ, with ex[i] = exp(min(x[i], 0)).
func eluDeriv[T Float](dst, x, ex []T, k int) {
	switch k {
	case 0:
		for i, v := range x {
			if v > 0 {
				dst[i] = v
			} else {
				dst[i] = T(math.Expm1(float64(v)))
			}
		}
	case 1:
		for i, v := range x {
			if v > 0 {
				dst[i] = 1
			} else {
				dst[i] = ex[i]
			}
		}
	default:
		for i, v := range x {
			if v > 0 {
				dst[i] = 0
			} else {
				dst[i] = ex[i]
			}
		}
	}
}

// sigDeriv sets dst[i] = σ⁽ᵏ⁾ from s = σ(x) and u = σ(−x): σ, s·u,
// s·u·(u − s), and 2¹⁻ᵏ·s·u·R_k(s − u) for k ≥ 3 (s − u = tanh(x/2)). The
// factor s·u keeps the relative accuracy where s or u underflows.
func sigDeriv[T Float](dst, s, u []T, k int) {
	switch k {
	case 0:
		copy(dst, s)
	case 1:
		for i, v := range s {
			dst[i] = v * u[i]
		}
	case 2:
		for i, v := range s {
			dst[i] = v * u[i] * (u[i] - v)
		}
	default:
		r, sc := rpoly(k), T(math.Ldexp(1, 1-k))
		for i, v := range s {
			dst[i] = sc * (v * u[i]) * horner(r, v-u[i])
		}
	}
}

// siluDeriv sets dst[i] = SiLU⁽ᵏ⁾(x[i]) = x·σ⁽ᵏ⁾(x) + k·σ⁽ᵏ⁻¹⁾(x).
func siluDeriv[T Float](dst, x, s, u []T, k int) {
	if is32[T]() && k <= 2 && siluDeriv32(f32(dst), f32(x), f32(s), f32(u), k) {
		return
	}
	switch k {
	case 0:
		for i, v := range x {
			dst[i] = v * s[i]
		}
	case 1:
		for i, v := range x {
			dst[i] = s[i] + v*(s[i]*u[i])
		}
	case 2:
		for i, v := range x {
			dst[i] = (s[i] * u[i]) * (2 + v*(u[i]-s[i]))
		}
	default: // k ≥ 3: σ⁽ᵏ⁾ as in sigDeriv, and σ⁽ᵏ⁻¹⁾ too (σ″ for k = 3)
		r1 := rpoly(k)
		sc1, fk := T(math.Ldexp(1, 1-k)), T(k)
		if k == 3 {
			for i, v := range x {
				si, ui := s[i], u[i]
				dst[i] = v*(sc1*(si*ui)*horner(r1, si-ui)) + fk*(si*ui*(ui-si))
			}
			return
		}
		r0, sc0 := rpoly(k-1), T(math.Ldexp(1, 2-k))
		for i, v := range x {
			si, ui := s[i], u[i]
			dst[i] = v*(sc1*(si*ui)*horner(r1, si-ui)) + fk*(sc0*(si*ui)*horner(r0, si-ui))
		}
	}
}

// tanhDeriv sets dst[i] = tanh⁽ᵏ⁾(x[i]): math.Tanh for k = 0, otherwise
// (1 − t²)·R_k(t) with t = s − u and 1 − t² = 4·s·u for s = σ(2x),
// u = σ(−2x) (no cancellation for large |x|).
func tanhDeriv[T Float](dst, x, s, u []T, k int) {
	switch k {
	case 0:
		for i, v := range x {
			dst[i] = T(math.Tanh(float64(v)))
		}
	case 1:
		for i, v := range s {
			dst[i] = 4 * (v * u[i])
		}
	case 2:
		for i, v := range s {
			dst[i] = -8 * (v * u[i]) * (v - u[i])
		}
	default:
		r := rpoly(k)
		for i, v := range s {
			dst[i] = 4 * (v * u[i]) * horner(r, v-u[i])
		}
	}
}

// gaussDeriv sets dst[i] = (d/dx)ᵏ exp(−x²/2) = (−1)ᵏ·Heₖ(x)·exp(−x²/2)
// with the probabilists' Hermite polynomials He₀ = 1, He₁ = x,
// Heⱼ₊₁ = x·Heⱼ − j·Heⱼ₋₁; g[i] = exp(−x[i]²/2). Where g underflows to 0
// the result is 0 (Heₖ(x) may overflow there).
func gaussDeriv[T Float](dst, x, g []T, k int) {
	switch k {
	case 0:
		copy(dst, g)
	case 1:
		for i, v := range x {
			dst[i] = -v * g[i]
		}
	case 2:
		for i, v := range x {
			dst[i] = (v*v - 1) * g[i]
		}
	default:
		sign := T(1)
		if k%2 == 1 {
			sign = -1
		}
		for i, v := range x {
			e := g[i]
			if e == 0 {
				dst[i] = 0
				continue
			}
			h0, h1 := T(1), v
			for j := 1; j < k; j++ {
				h0, h1 = h1, v*h1-T(j)*h0
			}
			dst[i] = sign * h1 * e
		}
	}
}

// siluFused computes the hot cases of the default activation in one loop:
// b∘SiLU′(x) (the first backward pass) and b∘c∘SiLU″(x) (the second),
// reporting whether it handled the case. c is the whole second multiplier
// (nil for none), sliced here to [i0, i1).
func siluFused[T Float](dst, x, s, u, b, c []T, i0, i1, k int) bool {
	x, s, u, b = x[:len(dst)], s[:len(dst)], u[:len(dst)], b[:len(dst)]
	if is32[T]() && ((k == 1 && c == nil) || (k == 2 && c != nil)) {
		var cc []float32
		if c != nil {
			cc = f32(c[i0:i1][:len(dst)])
		}
		simd.SiLUGrad32(f32(dst), f32(x), f32(s), f32(u), f32(b), cc) // the same operations, vectorized
		return true
	}
	if !is32[T]() && ((k == 1 && c == nil) || (k == 2 && c != nil)) {
		var cc []float64
		if c != nil {
			cc = f64(c[i0:i1][:len(dst)])
		}
		simd.SiLUGrad64(f64(dst), f64(x), f64(s), f64(u), f64(b), cc)
		return true
	}
	switch {
	case k == 1 && c == nil:
		for i, v := range x {
			dst[i] = b[i] * (s[i] + v*(s[i]*u[i]))
		}
	case k == 2 && c != nil:
		c := c[i0:i1]
		c = c[:len(dst)]
		for i, v := range x {
			dst[i] = ((s[i] * u[i]) * (2 + v*(u[i]-s[i])) * b[i]) * c[i] // as deriv then mulInto twice
		}
	default:
		return false
	}
	return true
}

// ones32 is a block of float32 ones: the factors b and c of
// simd.SiLUGrad32 when siluDeriv32 wants the bare derivative.
var ones32 = func() []float32 {
	o := make([]float32, 1024)
	for i := range o {
		o[i] = 1
	}
	return o
}()

// siluDeriv32 is siluDeriv's orders 0, 1 and 2 in float32 on the simd
// kernels, with the generic loops' operations in their order: x·s by
// simd.Mul32, and the first and second derivatives by simd.SiLUGrad32
// with factors of one, which are exact. It reports false for other orders
// (and for order 0 when dst is s).
func siluDeriv32(dst, x, s, u []float32, k int) bool {
	x, s, u = x[:len(dst)], s[:len(dst)], u[:len(dst)]
	if k == 0 {
		if len(dst) > 0 && &dst[0] == &s[0] {
			return false // the copy of x would overwrite s
		}
		copy(dst, x)
		simd.Mul32(dst, s)
		return true
	}
	for i0 := 0; i0 < len(dst); i0 += len(ones32) {
		i1 := min(i0+len(ones32), len(dst))
		one := ones32[:i1-i0]
		var c []float32
		if k == 2 {
			c = one
		}
		simd.SiLUGrad32(dst[i0:i1], x[i0:i1], s[i0:i1], u[i0:i1], one, c)
	}
	return k <= 2
}
