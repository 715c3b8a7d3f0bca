package simd

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ulpDiff is the distance in units in the last place between two
// non-negative results of Exp (adjacent float64s of one sign have adjacent
// bit patterns, subnormals included); NaN against NaN is 0, NaN against a
// number is the maximum.
func ulpDiff(a, b float64) uint64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		if math.IsNaN(a) && math.IsNaN(b) {
			return 0
		}
		return math.MaxUint64
	}
	ia, ib := math.Float64bits(a), math.Float64bits(b)
	if ia>>63 != ib>>63 {
		return math.MaxUint64 // Exp is never negative: a sign flip is always wrong
	}
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}

// expMaxULP is the accuracy of Exp against math.Exp, itself up to 2 ulp
// from the correctly rounded value on amd64 (see expRef); expMaxULPExact is
// the accuracy of the SIMD kernels against the correctly rounded value.
const (
	expMaxULP      = 2
	expMaxULPExact = 1
)

// expSpecials are the edges of Exp's range: signed zeros, the overflow and
// underflow thresholds on both sides, the subnormal range, the clamp
// limits of the assembly, the rounding boundaries of k, NaN and ±Inf.
var expSpecials = []float64{
	0, math.Copysign(0, -1), 1, -1, 0x1p-60, -0x1p-60, 5e-324, math.Ln2 / 2, -math.Ln2 / 2,
	math.Nextafter(math.Ln2/2, 1), math.Ln2, 0.5, -0.5, 100, -100,
	709.782712893384, 709.7827128933839, 709.78271289338397, 709.78271289338400, 709.8, 710, 711, 1000, 1e300,
	math.MaxFloat64, -708.3964185322641, -708.4, -709, -720, -740, -745, -745.1332191019411,
	-745.1332191019412, -745.2, -746, -747, -1000, -1e300, -math.MaxFloat64,
	math.NaN(), math.Inf(1), math.Inf(-1), 1023.5 * math.Ln2, -1022.5 * math.Ln2,
}

// expRef is the reference for Exp: math.Exp, except where math.Exp
// overflows although e^x is finite (Go's amd64 assembly returns +Inf for
// all x > 1023.5·ln2 ≈ 709.436, up to 709.7827 where e^x is still below
// MaxFloat64): there the correctly rounded value from expBig.
func expRef(x float64) float64 {
	if v := math.Exp(x); !math.IsInf(v, 1) || x > 709.79 {
		return v
	}
	return expBig(x)
}

// expBig is e^x correctly rounded to float64 (for finite x in [−750, 710]):
// x = k·ln2 + r in 256-bit arithmetic, e^r by its Taylor series to 2⁻²⁰⁰,
// then 2^k·e^r rounded once by big.Float, subnormals and overflow included.
func expBig(x float64) float64 {
	const prec = 256
	ln2, _ := new(big.Float).SetPrec(prec).SetString("0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875")
	k := math.Round(x / math.Ln2)
	r := new(big.Float).SetPrec(prec).SetFloat64(x)
	r.Sub(r, new(big.Float).SetPrec(prec).Mul(ln2, new(big.Float).SetFloat64(k)))
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for n := int64(1); n < 60; n++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetInt64(n))
		sum.Add(sum, term)
	}
	sum.SetMantExp(sum, int(k))
	v, _ := sum.Float64()
	return v
}

// expExact is the correctly rounded e^x: expBig inside [−746, 710], where
// results are finite and non-zero, math.Exp (0, +Inf, NaN: exact) outside.
func expExact(x float64) float64 {
	if !(x >= -746 && x <= 710) {
		return math.Exp(x)
	}
	return expBig(x)
}

// checkExp fails unless Exp(x) is within expMaxULP of math.Exp for every
// element or, with exact, within expMaxULPExact of the correctly rounded
// value (the generic twin, being math.Exp, is checked against itself); it
// returns the largest difference seen.
func checkExp(t *testing.T, x []float64, exact bool) uint64 {
	t.Helper()
	got := make([]float64, len(x))
	Exp(got, x)
	var worst uint64
	for i, v := range x {
		want, tol, ref := expRef(v), uint64(expMaxULP), "math.Exp"
		switch {
		case Chosen() == "generic":
			want, tol = math.Exp(v), 0 // the generic twin is math.Exp itself
		case exact:
			want, tol, ref = expExact(v), expMaxULPExact, "the correctly rounded value"
		}
		d := ulpDiff(got[i], want)
		if d > tol {
			t.Fatalf("Exp(%v) = %v (%#x), %s is %v (%#x): %d ulp apart, more than %d",
				v, got[i], math.Float64bits(got[i]), ref, want, math.Float64bits(want), d, tol)
		}
		worst = max(worst, d)
	}
	return worst
}

// TestExp: every implementation's Exp is within 2 ulp of math.Exp on the
// edges of the range, on dense sweeps of [−746, 710] and [−1, 1] and on
// random inputs at lengths 0…67 and large; it writes nothing past dst and
// reads nothing but x. A failure means a wrong polynomial, a wrong range
// reduction, a wrong scaling near overflow or in the subnormal range, a
// lost NaN, or a wrong tail.
func TestExp(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		worst := checkExp(t, expSpecials, false)
		checkExp(t, expSpecials, true)
		sweep := make([]float64, 0, 300000)
		for i := 0; i < 200000; i++ {
			sweep = append(sweep, -746+756*float64(i)/200000)
		}
		for i := 0; i < 100000; i++ {
			sweep = append(sweep, -1+2*r.Float64())
		}
		worst = max(worst, checkExp(t, sweep, false))
		t.Logf("largest difference from math.Exp: %d ulp", worst)
		// Against the correctly rounded value where rounding is hardest:
		// near overflow, across the subnormal range, near 0, and anywhere.
		var edges []float64
		for i := 0; i < 1500; i++ {
			u := r.Float64()
			edges = append(edges, 709+0.7827128933839*u, -745.14+37*u, -1e-3+2e-3*u, -746+756*u)
		}
		edges = append(edges, 709.78271289338397, 709.7827128933839, math.Nextafter(709.78271289338397, 0))
		if Chosen() == "generic" {
			edges = edges[:0] // math.Exp is not within 1 ulp of the exact value there; nothing to check
		}
		worst = checkExp(t, edges, true)
		t.Logf("largest difference from the correctly rounded value near the edges: %d ulp", worst)
		for _, n := range lengths() {
			x, dst := guarded(r, n), guarded(r, n)
			for i := range x {
				x[i] = (r.Float64() - 0.5) * 1500
			}
			poison(x, n%3)
			want := make([]float64, n)
			for i, v := range x {
				want[i] = expRef(v)
				if Chosen() == "generic" {
					want[i] = math.Exp(v)
				}
			}
			Exp(dst, x)
			for i := range dst {
				if d := ulpDiff(dst[i], want[i]); d > expMaxULP {
					t.Fatalf("n=%d: Exp(%v) = %v, math.Exp %v (%d ulp)", n, x[i], dst[i], want[i], d)
				}
			}
			checkGuards(t, "Exp dst", dst)
			checkGuards(t, "Exp x", x)
			Exp(x, x) // in place
			sameSlices(t, "Exp in place", x, dst)
		}
	})
}

// TestExpPositionIndependent: an element's Exp has the same bits whether it
// is computed alone, in the vector body or in the tail of a longer slice.
// A failure means batched energies would depend on how the chains are
// sharded.
func TestExpPositionIndependent(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		x := make([]float64, 37)
		for i := range x {
			x[i] = (r.Float64() - 0.5) * 40
			if i%5 == 2 { // mix vectors on the avx2 kernel's fast and full paths
				x[i] = (r.Float64() - 0.5) * 1480
			}
		}
		all := make([]float64, len(x))
		Exp(all, x)
		for off := 0; off < len(x); off++ {
			for n := 1; off+n <= len(x) && n <= 9; n++ {
				part := make([]float64, n)
				Exp(part, x[off:off+n])
				sameSlices(t, "Exp of a part", part, all[off:off+n])
			}
		}
	})
}

// FuzzExp: for any bit pattern, the dispatched Exp is within 1 ulp of the
// correctly rounded e^x (math.Exp's bits for the generic twin), NaN for NaN.
func FuzzExp(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef01234567"))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\xf8\x7f\x00\x00\x00\x00\x00\x00\xf0\x7f\x00\x00\x00\x00\x00\x00\xf0\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkExp(t, floats(data), true)
	})
}

func BenchmarkExp(b *testing.B) {
	benchImpls(b, []int{1024, 1 << 16}, func(b *testing.B, n int) {
		x, dst := filled(n), make([]float64, n)
		b.SetBytes(int64(16 * n))
		for b.Loop() {
			Exp(dst, x)
		}
	})
}
