package mlp

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/autodiff"
)

// act is an activation as the fused path evaluates it: value and
// derivative over a slice. Its formulas are those of the autodiff
// activation of the same name (in the same order), so the fused
// Energy/Gradient and Build agree to rounding.
type act int

const (
	actIdentity act = iota // f(z) = z
	actSoftplus            // f(z) = log(1 + eᶻ)
	actSiLU                // f(z) = z·σ(z)
	actTanh                // f(z) = tanh z
	actSigmoid             // f(z) = σ(z) = 1/(1 + e⁻ᶻ)
	actELU                 // f(z) = z for z > 0, eᶻ − 1 otherwise
	actReLU                // f(z) = max(z, 0)
	actGaussian            // f(z) = exp(−z²/2)
	actLeaky               // f(z) = z for z > 0, autodiff.LeakySlope·z otherwise
)

// layer finishes a hidden layer on rows of width len(bias): z += bias
// (each row), then z = f(z), and with deriv also d = f′(z)·scale (each
// row times scale; nil means 1). d, as long as z, is scratch otherwise.
// Energy and Gradient both come here, so their values of f are
// bit-identical.
func (a act) layer(z, d, bias, scale []float64, deriv bool) {
	d = d[:len(z)]
	if a == actSiLU {
		siluLayer(z, d, bias, scale, deriv)
		return
	}
	w := len(bias)
	for i0 := 0; i0 < len(z); i0 += w {
		row := z[i0 : i0+w]
		for j, b := range bias {
			row[j] += b
		}
	}
	if !deriv {
		a.apply(z, d)
		return
	}
	a.applyDeriv(z, d)
	if scale != nil {
		for i0 := 0; i0 < len(d); i0 += w {
			row := d[i0 : i0+w]
			for j, c := range scale[:len(row)] {
				row[j] *= c
			}
		}
	}
}

// siluLayer is layer for SiLU, f(z) = z·σ(z), f′(z) = σ(z)·(1 + z·(1 −
// σ(z))), with the bias added in the pass that takes the exponentials:
// the samplers' default network spends most of its time outside the
// matrix products here. Where simd's avx512 is in use, a vector kernel
// computes the same operations eight values at a time (siluRowsVector);
// the rest of each row, and any row that needs math.Exp, take siluRow.
func siluLayer(z, d, bias, scale []float64, deriv bool) {
	w := len(bias)
	for i0 := 0; i0 < len(z); {
		rows, n := siluRowsVector(z[i0:], d[i0:len(z)], bias, scale, deriv)
		if n < w {
			var sc []float64
			if scale != nil {
				sc = scale[n:]
			}
			for r := range rows {
				lo := i0 + r*w
				siluRow(z[lo+n:lo+w], d[lo+n:lo+w], bias[n:], sc, deriv)
			}
		}
		i0 += rows * w
		if i0 < len(z) { // a row that needs math.Exp, or no vector kernel
			siluRow(z[i0:i0+w], d[i0:i0+w], bias, scale, deriv)
			i0 += w
		}
	}
}

// siluRow is siluLayer on one row, or on the last columns of one (bias
// and scale cut alike). Two short loops run faster than one long one: the
// exponential's and the division's latencies then overlap across
// iterations.
func siluRow(zr, dr, bias, scale []float64, deriv bool) {
	biasExpNeg(zr, dr, bias)
	if !deriv {
		for j, v := range zr {
			zr[j] = v * (1 / (1 + dr[j]))
		}
		return
	}
	if scale == nil {
		for j, v := range zr {
			s := 1 / (1 + dr[j])
			zr[j] = v * s
			dr[j] = s * (1 + v*(1-s))
		}
		return
	}
	for j, v := range zr {
		s := 1 / (1 + dr[j])
		zr[j] = v * s
		dr[j] = s * (1 + v*(1-s)) * scale[j]
	}
}

// apply overwrites z with f(z); tmp (len(z) or more) is scratch.
//
// apply and applyDeriv compute f(z) with the same expressions, so the
// energies of Energy and Gradient are bit-identical.
func (a act) apply(z, tmp []float64) {
	switch a {
	case actIdentity:
	case actSoftplus:
		tmp = tmp[:len(z)]
		absExpNeg(tmp, z)
		for i, v := range z {
			z[i] = max(v, 0) + math.Log1p(tmp[i])
		}
	case actSiLU:
		tmp = tmp[:len(z)]
		expNeg(tmp, z)
		for i, v := range z {
			z[i] = v * (1 / (1 + tmp[i]))
		}
	case actTanh:
		for i, v := range z {
			z[i] = math.Tanh(v)
		}
	case actSigmoid:
		expNeg(z, z)
		for i, t := range z {
			z[i] = 1 / (1 + t)
		}
	case actELU:
		for i, v := range z {
			if !(v > 0) {
				z[i] = math.Expm1(v)
			}
		}
	case actReLU:
		for i, v := range z {
			if !(v > 0) && v == v {
				z[i] = 0
			}
		}
	case actGaussian:
		for i, v := range z {
			z[i] = 0.5 * v * v
		}
		expNeg(z, z)
	case actLeaky:
		for i, v := range z {
			if !(v > 0) && v == v {
				z[i] = autodiff.LeakySlope * v
			}
		}
	default:
		panic("mlp: unknown activation")
	}
}

// applyDeriv overwrites z with f(z) and sets d[i] = f′(z[i]) (the value
// before overwriting). len(d) must be at least len(z).
func (a act) applyDeriv(z, d []float64) {
	d = d[:len(z)]
	switch a {
	case actIdentity:
		for i := range d {
			d[i] = 1
		}
	case actSoftplus:
		// With t = e^−|z|: f = max(z, 0) + log1p(t), f′ = σ(z), which is
		// 1/(1 + t) for z ≥ 0 and t/(1 + t) below.
		absExpNeg(d, z)
		for i, v := range z {
			t := d[i]
			z[i] = max(v, 0) + math.Log1p(t)
			if v < 0 {
				d[i] = t / (1 + t)
			} else {
				d[i] = 1 / (1 + t)
			}
		}
	case actSiLU:
		// f = z·σ(z), f′ = σ(z)·(1 + z·(1 − σ(z))).
		expNeg(d, z)
		for i, v := range z {
			s := 1 / (1 + d[i])
			z[i] = v * s
			d[i] = s * (1 + v*(1-s))
		}
	case actTanh:
		for i, v := range z {
			t := math.Tanh(v)
			z[i] = t
			d[i] = 1 - t*t
		}
	case actSigmoid:
		expNeg(d, z)
		for i, t := range d {
			s := 1 / (1 + t)
			z[i] = s
			d[i] = s * (1 - s)
		}
	case actELU:
		for i, v := range z {
			if v > 0 {
				d[i] = 1
			} else {
				z[i] = math.Expm1(v)
				d[i] = z[i] + 1
			}
		}
	case actReLU:
		for i, v := range z {
			switch {
			case v > 0:
				d[i] = 1
			case v == v:
				z[i], d[i] = 0, 0
			default:
				d[i] = v // NaN stays NaN
			}
		}
	case actGaussian:
		// f = e^(−z²/2), f′ = −z·f.
		for i, v := range z {
			d[i] = 0.5 * v * v
		}
		expNeg(d, d)
		for i, v := range z {
			g := d[i]
			z[i] = g
			d[i] = -v * g
		}
	case actLeaky:
		for i, v := range z {
			switch {
			case v > 0:
				d[i] = 1
			case v == v:
				z[i], d[i] = autodiff.LeakySlope*v, autodiff.LeakySlope
			default:
				d[i] = v // NaN stays NaN
			}
		}
	default:
		panic("mlp: unknown activation")
	}
}

// absExpNeg sets dst[i] = e^−|z[i]|.
func absExpNeg(dst, z []float64) {
	dst = dst[:len(z)]
	for i, v := range z {
		dst[i] = math.Abs(v)
	}
	expNeg(dst, dst)
}

// actOf maps an autodiff activation to the fused path's.
func actOf(f autodiff.Activation) (act, error) {
	switch f {
	case autodiff.Identity:
		return actIdentity, nil
	case autodiff.Softplus:
		return actSoftplus, nil
	case autodiff.SiLU:
		return actSiLU, nil
	case autodiff.Tanh:
		return actTanh, nil
	case autodiff.Sigmoid:
		return actSigmoid, nil
	case autodiff.ELU:
		return actELU, nil
	case autodiff.ReLU:
		return actReLU, nil
	case autodiff.Gaussian:
		return actGaussian, nil
	case autodiff.LeakyReLU:
		return actLeaky, nil
	}
	return 0, fmt.Errorf("activation %q has no fused implementation in package mlp", f)
}
