package mlp

import (
	"math"
	"math/big"
)

// expNeg sets dst[i] = e^(−src[i]) to within about two units in the last
// place (the test checks it against math.Exp over the whole range), about
// twice as fast as math.Exp in a loop. dst may be src. It follows the usual
// table method: −src[i] = (256m + j)·ln2/256 + r with |r| ≤ ln2/512, so
// e^(−src[i]) = 2ᵐ · 2^(j/256) · eʳ, with 2^(j/256) from a correctly
// rounded table and eʳ − 1 from its degree-4 Taylor polynomial (truncation
// error below 2⁻⁵⁴). For |src[i]| ≥ 708, where the result may be subnormal,
// zero or overflow, and for NaN, it defers to math.Exp.
func expNeg(dst, src []float64) {
	dst = dst[:len(src)]
	for i, v := range src {
		if math.Float64bits(v)&^(1<<63) >= bits708 { // |v| ≥ 708 or NaN
			dst[i] = math.Exp(-v)
			continue
		}
		// t's low mantissa bits hold k = round(−v·256/ln2) (two's complement).
		t := v*(-256/math.Ln2) + shifter
		k := t - shifter
		ki := int64(math.Float64bits(t))
		r := -(v + k*ln2by256Hi) - k*ln2by256Lo
		r2 := r * r
		q := r + r2*(1.0/2+r*(1.0/6)+r2*(1.0/24))
		j := ki & 255
		s := exp2by256[j]
		// Multiply s·eʳ by 2ᵐ (m = (k − j)/256) by adding m to the exponent
		// field; the bits above k's in ki shift out of the word.
		dst[i] = math.Float64frombits(math.Float64bits(s+s*q) + uint64(ki-j)<<(52-8))
	}
}

// biasExpNeg adds bias to z and sets t[j] = e^(−z[j]) (the new z), as
// expNeg does; the three slices have the same length.
func biasExpNeg(z, t, bias []float64) {
	z, t = z[:len(bias)], t[:len(bias)]
	for j, b := range bias {
		v := z[j] + b
		z[j] = v
		if math.Float64bits(v)&^(1<<63) >= bits708 {
			t[j] = math.Exp(-v)
			continue
		}
		u := v*(-256/math.Ln2) + shifter
		k := u - shifter
		ki := int64(math.Float64bits(u))
		r := -(v + k*ln2by256Hi) - k*ln2by256Lo
		r2 := r * r
		q := r + r2*(1.0/2+r*(1.0/6)+r2*(1.0/24))
		jj := ki & 255
		s := exp2by256[jj]
		t[j] = math.Float64frombits(math.Float64bits(s+s*q) + uint64(ki-jj)<<(52-8))
	}
}

const (
	// bits708 is math.Float64bits(708).
	bits708 = 0x4086200000000000
	// shifter is 1.5·2⁵²: adding it rounds to an integer held in the low bits.
	shifter = 0x1.8p52
	// ln2by256Hi is ln2/256 to 33 significant bits, so k·ln2by256Hi is
	// exact for |k| < 2²⁰; ln2by256Lo is the rest.
	ln2by256Hi = 0x1.62e42fefp-9
	ln2by256Lo = math.Ln2/256 - ln2by256Hi
)

// siluConsts are expNeg's constants in the order siluRows64AVX512 reads
// them (the same float64 values the Go expressions round to), then the
// table exp2by256.
var siluConsts = func() []float64 {
	c := []float64{-256 / math.Ln2, shifter, ln2by256Hi, ln2by256Lo, 1.0 / 6, 1.0 / 2, 1.0 / 24}
	return append(c, exp2by256[:]...)
}()

// exp2by256[j] is 2^(j/256), correctly rounded.
var exp2by256 = func() (t [256]float64) {
	const prec = 256
	root := new(big.Float).SetPrec(prec).SetInt64(2)
	for range 8 { // 2^(1/256) = 2 square-rooted eight times
		root.Sqrt(root)
	}
	v := new(big.Float).SetPrec(prec).SetInt64(1)
	for j := range t {
		t[j], _ = v.Float64()
		v.Mul(v, root)
	}
	return t
}()
