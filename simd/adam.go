package simd

import "math"

// AdamConsts are the per-step factors of one Adam update (see Adam).
type AdamConsts struct {
	B1, A1 float64 // β₁ and 1 − β₁
	B2, A2 float64 // β₂ and 1 − β₂
	Step   float64 // lr/(1 − β₁ᵗ)
	ISC2   float64 // 1/√(1 − β₂ᵗ)
	Decay  float64 // 1 − lr·weight_decay
	Eps    float64 // ε
}

// Adam applies one Adam update to every parameter, with the moments m and
// v updated in place:
//
//	for i, g := range grad {
//		m[i] = float64(c.B1*m[i]) + float64(c.A1*g)
//		v[i] = float64(c.B2*v[i]) + float64(float64(c.A2*g)*g)
//		p[i] = float64(p[i]*c.Decay) - float64(c.Step*m[i])/(float64(math.Sqrt(v[i])*c.ISC2)+c.Eps)
//	}
//
// Every product, sum, square root and quotient is rounded on its own (no
// fused multiply-add), so every implementation gives the same bits. It
// panics unless the four slices have the same length.
func Adam(p, m, v, grad []float64, c *AdamConsts) {
	if len(m) != len(p) || len(v) != len(p) || len(grad) != len(p) {
		mismatch()
	}
	if current.adam != nil {
		current.adam(p, m, v, grad, c)
		return
	}
	adamGeneric(p, m, v, grad, c)
}

// adamGeneric is Adam's reference loop.
func adamGeneric(p, m, v, grad []float64, c *AdamConsts) {
	m, v, grad = m[:len(p)], v[:len(p)], grad[:len(p)]
	for i, g := range grad {
		mi := float64(c.B1*m[i]) + float64(c.A1*g)
		vi := float64(c.B2*v[i]) + float64(float64(c.A2*g)*g)
		m[i], v[i] = mi, vi
		p[i] = float64(p[i]*c.Decay) - float64(c.Step*mi)/(float64(math.Sqrt(vi)*c.ISC2)+c.Eps)
	}
}
