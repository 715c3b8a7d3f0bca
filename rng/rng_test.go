package rng

import (
	"math"
	"slices"
	"testing"

	"github.com/goebm/ebm/simd"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestReproducible: a stream is a pure function of (seed, index), and
// FillNorm gives the values of repeated Norm calls; otherwise runs would
// depend on sharding or on how noise is batched.
func TestReproducible(t *testing.T) {
	a, b := New(42, 7), New(42, 7)
	for i := 0; i < 1000; i++ {
		if a.Uint64() != b.Uint64() {
			t.Fatal("two streams from the same (seed, index) differ")
		}
	}
	c, d := New(42, 7), New(42, 7)
	buf := make([]float64, 5000)
	c.FillNorm(buf)
	for i, v := range buf {
		if w := d.Norm(); v != w {
			t.Fatalf("FillNorm value %d is %v, Norm gives %v", i, v, w)
		}
	}
	if c.Uint64() != d.Uint64() {
		t.Fatal("FillNorm and Norm left the stream in different states")
	}
	// Odd lengths and chunked fills (FillNorm draws in pairs) give the
	// same values as one long fill.
	c, d = New(5, 1), New(5, 1)
	long := make([]float64, 4000)
	c.FillNorm(long)
	for i, n := 0, 1; i < len(long); n = n%7 + 1 {
		chunk := make([]float64, min(n, len(long)-i))
		d.FillNorm(chunk)
		for k, v := range chunk {
			if v != long[i+k] {
				t.Fatalf("chunked FillNorm value %d is %v, one fill gives %v", i+k, v, long[i+k])
			}
		}
		i += len(chunk)
	}
	e, f := New(42, 8), New(43, 7)
	g := New(42, 7)
	x, y, z := e.Uint64(), f.Uint64(), g.Uint64()
	if x == z || y == z {
		t.Fatal("a different index or seed gave the same first output")
	}
}

// TestZeroStream: the zero Stream must not be stuck (a zero-state generator
// would return the same value forever).
func TestZeroStream(t *testing.T) {
	var s Stream
	if s.Uint64() == s.Uint64() {
		t.Fatal("the zero Stream repeats its output")
	}
	var z Stream
	buf := make([]float64, 3)
	z.FillNorm(buf)
	if buf[0] == buf[1] {
		t.Fatal("the zero Stream's FillNorm repeats its output")
	}
}

// TestZigguratTables: every layer has the same area, so picking a layer
// uniformly is right. A failure means a wrong r or V for 256 layers.
func TestZigguratTables(t *testing.T) {
	for i := 1; i < zigLayers; i++ {
		area := zigX[i] * (zigF[i+1] - zigF[i])
		if math.Abs(area-zigV) > 1e-9*zigV {
			t.Fatalf("layer %d has area %v, want %v", i, area, zigV)
		}
	}
	if base := zigX[0] * zigF[1]; math.Abs(base-zigV) > 1e-12 {
		t.Fatalf("base strip area %v, want %v", base, zigV)
	}
}

const nDraws = 2_000_000

// draws returns nDraws normals from FillNorm, one stream per block of
// 1000 as the samplers use them (one per chain).
func draws() []float64 {
	out := make([]float64, nDraws)
	for c := 0; c < nDraws/1000; c++ {
		s := New(2024, uint64(c))
		s.FillNorm(out[c*1000 : (c+1)*1000])
	}
	return out
}

// TestMoments: the first four raw moments match N(0,1)'s (0, 1, 0, 3)
// within 4.5 Monte-Carlo standard errors, √(Var(xᵖ)/N) with
// Var(x)=1, Var(x²)=2, Var(x³)=15, Var(x⁴)=96. A failure means a biased
// or mis-scaled generator (wrong tables, wrong sign handling).
func TestMoments(t *testing.T) {
	x := draws()
	var m [5]float64
	for _, v := range x {
		p := 1.0
		for k := 1; k <= 4; k++ {
			p *= v
			m[k] += p
		}
	}
	want := [5]float64{0, 0, 1, 0, 3}
	vars := [5]float64{0, 1, 2, 15, 96}
	for k := 1; k <= 4; k++ {
		mean := m[k] / nDraws
		z := (mean - want[k]) / math.Sqrt(vars[k]/nDraws)
		t.Logf("E[x^%d] = %.5f (want %v), z = %.2f", k, mean, want[k], z)
		if math.Abs(z) > 4.5 {
			t.Errorf("E[x^%d] = %v, want %v: z-score %.2f", k, mean, want[k], z)
		}
	}
}

// TestKS: the Kolmogorov–Smirnov distance to Φ is below the 0.1% critical
// value 1.95/√N. A failure means the shape is wrong somewhere (a bad wedge
// or layer), even if the moments match.
func TestKS(t *testing.T) {
	x := draws()
	slices.Sort(x)
	var d float64
	n := float64(len(x))
	for i, v := range x {
		c := distuv.UnitNormal.CDF(v)
		d = math.Max(d, math.Max(float64(i+1)/n-c, c-float64(i)/n))
	}
	crit := 1.95 / math.Sqrt(n)
	t.Logf("KS D = %.2e, 0.1%% critical value %.2e", d, crit)
	if d > crit {
		t.Errorf("KS distance %v > %v", d, crit)
	}
}

// TestTails: the frequencies beyond 3σ and 4σ (the 4σ region lies in the
// ziggurat's tail, beyond r ≈ 3.654) match 2Φ(−3) and 2Φ(−4) within 4.5
// binomial standard errors, and each sign gets its share. A failure means
// the tail algorithm or its sign is wrong.
func TestTails(t *testing.T) {
	x := draws()
	for _, c := range []float64{3, 4} {
		p := 2 * distuv.UnitNormal.CDF(-c)
		var hi, lo float64
		for _, v := range x {
			if v > c {
				hi++
			} else if v < -c {
				lo++
			}
		}
		n := float64(len(x))
		for _, k := range []struct {
			what  string
			count float64
			p     float64
		}{{"|x|", hi + lo, p}, {"x", hi, p / 2}, {"-x", lo, p / 2}} {
			z := (k.count - n*k.p) / math.Sqrt(n*k.p*(1-k.p))
			t.Logf("P(%s > %v): %v draws, expected %.1f, z = %.2f", k.what, c, k.count, n*k.p, z)
			if math.Abs(z) > 4.5 {
				t.Errorf("P(%s > %v): %v draws, expected %.1f (z = %.2f)", k.what, c, k.count, n*k.p, z)
			}
		}
	}
}

// TestStreamsUncorrelated: draws from neighbouring chain indices are
// uncorrelated (|z| < 4.5 with SE 1/√N); a failure means New gives
// related streams for related indices.
func TestStreamsUncorrelated(t *testing.T) {
	const n = 200_000
	a, b := New(1, 0), New(1, 1)
	x, y := make([]float64, n), make([]float64, n)
	a.FillNorm(x)
	b.FillNorm(y)
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	if z := s / math.Sqrt(n); math.Abs(z) > 4.5 {
		t.Errorf("streams 0 and 1 correlate: z = %.2f", z)
	}
}

// TestUniforms: Float64 is in [0,1) with mean ½ (SE √(1/12N)), IntN in
// range with each value about equally often; Exp has mean 1 (SE 1/√N).
func TestUniforms(t *testing.T) {
	s := New(9, 9)
	const n = 400_000
	var sum, sumE float64
	var counts [7]float64
	for i := 0; i < n; i++ {
		u := s.Float64()
		if u < 0 || u >= 1 {
			t.Fatalf("Float64 gave %v", u)
		}
		sum += u
		counts[s.IntN(7)]++
		sumE += s.Exp()
	}
	if z := (sum/n - 0.5) / math.Sqrt(1.0/12/n); math.Abs(z) > 4.5 {
		t.Errorf("Float64 mean z = %.2f", z)
	}
	if z := (sumE/n - 1) / math.Sqrt(1.0/n); math.Abs(z) > 4.5 {
		t.Errorf("Exp mean z = %.2f", z)
	}
	for v, c := range counts {
		p := 1.0 / 7
		if z := (c - n*p) / math.Sqrt(n*p*(1-p)); math.Abs(z) > 4.5 {
			t.Errorf("IntN(7) gave %d %v times, z = %.2f", v, c, z)
		}
	}
}

// TestFillNormRows checks that FillNormRows gives every stream's row the
// values, and leaves every stream in the state, of a FillNorm call per row,
// for row lengths around the eight-stream rounds and stream counts with and
// without a remainder, over enough draws to take the slow paths.
func TestFillNormRows(t *testing.T) {
	defer simd.Use(simd.Chosen())
	for _, im := range simd.Available() { // avx512 runs the vector kernel
		if err := simd.Use(im); err != nil {
			t.Fatal(err)
		}
		testFillNormRows(t)
	}
}

func testFillNormRows(t *testing.T) {
	for _, d := range []int{0, 1, 2, 3, 5, 10, 16, 17} {
		for _, n := range []int{0, 1, 3, 4, 7, 64, 300} { // 300: two chunks of the vector kernel
			a, b := make([]Stream, n), make([]Stream, n)
			for i := range a {
				a[i] = New(9, uint64(i))
				b[i] = a[i]
			}
			if n > 2 {
				a[2], b[2] = Stream{}, Stream{} // the zero stream too
			}
			got, want := make([]float64, n*d), make([]float64, n*d)
			for rep := range 300 {
				FillNormRows(a, got, d)
				for i := range b {
					b[i].FillNorm(want[i*d : (i+1)*d])
				}
				for k := range got {
					if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
						t.Fatalf("d=%d n=%d round %d: value %d = %v, want %v", d, n, rep, k, got[k], want[k])
					}
				}
				for i := range a {
					if a[i] != b[i] {
						t.Fatalf("d=%d n=%d round %d: stream %d state differs", d, n, rep, i)
					}
				}
			}
		}
	}
}

// TestZigBelow checks the wedge test's bounds: zigBelow answers as
// y < math.Exp(−x²/2) does, for points spread over every layer's wedge and
// for y within a few ulps of the curve, and it settles most points by the
// bounds alone.
func TestZigBelow(t *testing.T) {
	s := New(4, 2)
	settled, n := 0, 0
	for i := uint64(1); i < zigLayers; i++ {
		a, b := zigX[i+1], zigX[i]
		for range 4000 {
			x := a + s.Float64()*(b-a)
			if s.Uint64()&1 == 1 {
				x = -x
			}
			f := math.Exp(-0.5 * x * x)
			ys := []float64{zigF[i] + s.Float64()*(zigF[i+1]-zigF[i]), f, math.Nextafter(f, 0), math.Nextafter(f, 2)}
			for k := range 3 {
				ys = append(ys, f*(1+float64(k+1)*1e-14), f*(1-float64(k+1)*1e-14))
			}
			for j, y := range ys {
				if got, want := zigBelow(i, x, y), y < f; got != want {
					t.Fatalf("layer %d x=%v y=%v (f=%v): zigBelow = %v", i, x, y, f, got)
				}
				if j == 0 {
					n++
					if b := &zigBand[i]; b.kind != 0 {
						ax := math.Abs(x)
						lo, hi := b.ft+b.slope*(ax-b.t), zigF[i]+b.chord*(zigX[i]-ax)
						if b.kind < 0 {
							lo, hi = hi, lo
						}
						if y < lo-b.slack || y > hi+b.slack {
							settled++
						}
					}
				}
			}
		}
	}
	if frac := float64(settled) / float64(n); frac < 0.9 {
		t.Errorf("the bounds settled %.3f of the wedge points, want most", frac)
	} else {
		t.Logf("the bounds settled %.4f of the wedge points", frac)
	}
}

// TestPerm checks that Perm returns a permutation, the same one for the
// same stream, and that every value lands in every position about equally
// often (n = 4 over 24 000 draws: each of the 16 cells expects 6000).
func TestPerm(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 1000} {
		s, s2 := New(9, 1), New(9, 1)
		p, q := s.Perm(n), s2.Perm(n)
		seen := make([]bool, n)
		for i, v := range p {
			if v < 0 || v >= n || seen[v] {
				t.Fatalf("n=%d: %v is not a permutation", n, p)
			}
			seen[v] = true
			if q[i] != v {
				t.Fatalf("n=%d: the same stream gave %v and %v", n, p, q)
			}
		}
	}
	var counts [4][4]int
	s := New(3, 0)
	for range 24000 {
		for pos, v := range s.Perm(4) {
			counts[pos][v]++
		}
	}
	for pos := range counts {
		for v, c := range counts[pos] {
			if c < 5700 || c > 6300 { // 6000 ± 4.5σ (σ ≈ 67)
				t.Errorf("value %d at position %d %d times of 24000, want about 6000", v, pos, c)
			}
		}
	}
}
