package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// logMaxULP is the documented accuracy of Log against math.Log.
const logMaxULP = 1

// logULP is the distance in ulps between two results of Log, which may have
// either sign: their difference divided by the spacing of floats at the
// reference (at least the smallest subnormal).
func logULP(got, want float64) float64 {
	if same(got, want) {
		return 0
	}
	if math.IsNaN(got) || math.IsNaN(want) || math.IsInf(got, 0) || math.IsInf(want, 0) {
		return math.Inf(1)
	}
	ulp := math.Max(math.Abs(math.Nextafter(want, math.Inf(1))-want), 5e-324)
	return math.Abs(got-want) / ulp
}

// logRef is Go's pure-Go math.Log (fdlibm's algorithm), which math.Log is
// on most platforms. On amd64 math.Log is an assembly version that is off
// for subnormal x (math.Log(5e-324) = −709.09, not −744.44), so the tests
// compare with this one.
func logRef(x float64) float64 {
	const (
		Ln2Hi = 6.93147180369123816490e-01 /* 3fe62e42 fee00000 */
		Ln2Lo = 1.90821492927058770002e-10 /* 3dea39ef 35793c76 */
		L1    = 6.666666666666735130e-01   /* 3FE55555 55555593 */
		L2    = 3.999999999940941908e-01   /* 3FD99999 9997FA04 */
		L3    = 2.857142874366239149e-01   /* 3FD24924 94229359 */
		L4    = 2.222219843214978396e-01   /* 3FCC71C5 1D8E78AF */
		L5    = 1.818357216161805012e-01   /* 3FC74664 96CB03DE */
		L6    = 1.531383769920937332e-01   /* 3FC39A09 D078C69F */
		L7    = 1.479819860511658591e-01   /* 3FC2F112 DF3E5244 */
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := s2 * (L1 + s4*(L3+s4*(L5+s4*L7)))
	t2 := s4 * (L2 + s4*(L4+s4*L6))
	R := t1 + t2
	hfsq := 0.5 * f * f
	return k*Ln2Hi - ((hfsq - (s*(hfsq+R) + k*Ln2Lo)) - f)
}

// checkLog fails unless Log(x) is within logMaxULP of logRef (and, for the
// generic twin, equal to math.Log) for every element; it returns the
// largest difference seen.
func checkLog(t *testing.T, x []float64) float64 {
	t.Helper()
	got := make([]float64, len(x))
	Log(got, x)
	worst := 0.0
	for i, v := range x {
		want := logRef(v)
		if Chosen() == "generic" {
			want = math.Log(v)
		}
		d := logULP(got[i], want)
		if d > logMaxULP {
			t.Fatalf("Log(%v) = %v (%#x), the reference gives %v (%#x): %g ulp apart, more than %d",
				v, got[i], math.Float64bits(got[i]), want, math.Float64bits(want), d, logMaxULP)
		}
		worst = max(worst, d)
	}
	return worst
}

// TestLog: every implementation's Log is within 1 ulp of the pure-Go
// math.Log (the generic twin is math.Log itself) at the
// edges (zeros, subnormals, MaxFloat64, 1 and its neighbours, √2 where the
// reduction switches, negative numbers, NaN, ±Inf), on a sweep of every
// binade and at random lengths 0…67 and large, with no write past dst. A
// failure means a wrong exponent extraction, a missed subnormal scaling, a
// wrong polynomial or a lost special case.
func TestLog(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(17, 18))
		specials := []float64{0, math.Copysign(0, -1), 5e-324, 1e-320, 0x1p-1022, math.Nextafter(0x1p-1022, 0),
			1, math.Nextafter(1, 2), math.Nextafter(1, 0), math.Sqrt2, math.Nextafter(math.Sqrt2, 0),
			math.Nextafter(math.Sqrt2, 2), 2, 0.5, math.E, 10, math.MaxFloat64, -1, -5e-324, -math.MaxFloat64,
			math.NaN(), math.Inf(1), math.Inf(-1), 3, 8}
		worst := checkLog(t, specials)
		var sweep []float64
		for e := -1074; e <= 1023; e++ {
			for k := 0; k < 40; k++ {
				sweep = append(sweep, math.Ldexp(1+r.Float64(), e))
			}
		}
		for i := 0; i < 50000; i++ {
			sweep = append(sweep, 0.5+1.5*r.Float64(), 1+(r.Float64()-0.5)*1e-6)
		}
		worst = max(worst, checkLog(t, sweep))
		t.Logf("largest difference from the pure-Go math.Log: %g ulp", worst)
		for _, n := range lengths() {
			x, dst := guarded(r, n), guarded(r, n)
			for i := range x {
				x[i] = math.Abs(x[i]) * 1e3
			}
			poison(x, n%3)
			checkLog(t, x)
			Log(dst, x)
			checkGuards(t, "Log dst", dst)
			checkGuards(t, "Log x", x)
			Log(x, x) // in place
			sameSlices(t, "Log in place", x, dst)
		}
	})
}

// TestLogPositionIndependent: an element's Log has the same bits alone, in
// the vector body and in the tail. A failure means batched energies would
// depend on how the chains are sharded.
func TestLogPositionIndependent(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(19, 20))
		x := make([]float64, 29)
		for i := range x {
			x[i] = r.ExpFloat64() * 10
		}
		all := make([]float64, len(x))
		Log(all, x)
		for off := 0; off < len(x); off++ {
			for n := 1; off+n <= len(x) && n <= 9; n++ {
				part := make([]float64, n)
				Log(part, x[off:off+n])
				sameSlices(t, "Log of a part", part, all[off:off+n])
			}
		}
	})
}

// FuzzLog: for any bit pattern, the dispatched Log is within 1 ulp of the
// pure-Go math.Log, with the same NaN, ±Inf and zero cases.
func FuzzLog(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef01234567"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkLog(t, floats(data))
	})
}

func BenchmarkLog(b *testing.B) {
	benchImpls(b, []int{1024}, func(b *testing.B, n int) {
		x, dst := filled(n), make([]float64, n)
		for i := range x {
			x[i] = math.Abs(x[i]) + 1
		}
		b.SetBytes(int64(16 * n))
		for b.Loop() {
			Log(dst, x)
		}
	})
}
