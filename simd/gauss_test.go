package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// colBlock returns a guarded column block of d columns of n values with
// stride ld = n + pad, the padding filled with values no kernel may use.
func colBlock(r *rand.Rand, n, d, pad int) (x []float64, ld int) {
	ld = n + pad
	x = guarded(r, (d-1)*ld+n)
	return x, ld
}

// TestGaussColumnKernels: GaussLogits and AddWeightedDiffs give the generic
// twin's bits for every implementation, at n = 0…67 and large, d = 1…5,
// with padded strides, NaN and ±Inf in the inputs and in the running
// maximum; nothing past the outputs is written. A failure means a wrong
// column stride, a lost tail, a wrong lane, a maximum that drops a NaN, or
// an FMA where the contract rounds every product.
func TestGaussColumnKernels(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, d := range []int{1, 2, 3, 5} {
			for _, n := range lengths() {
				for _, poisoned := range []bool{false, true} {
					name := fmt.Sprintf("d=%d n=%d poisoned=%v", d, n, poisoned)
					x, ld := colBlock(r, n, d, n%3)
					c := guarded(r, d)
					a, m := guarded(r, n), guarded(r, n)
					if poisoned {
						poison(x, d)
						poison(m, 1)
					}
					lc, h := r.NormFloat64(), r.Float64()
					wantA, wantM := slices.Clone(a), slices.Clone(m)
					gaussLogitsGeneric(wantA, wantM, x, ld, c, lc, h)
					GaussLogits(a, m, x, ld, c, lc, h)
					sameSlices(t, "GaussLogits a "+name, a, wantA)
					sameSlices(t, "GaussLogits m "+name, m, wantM)
					checkGuards(t, "GaussLogits a", a)
					checkGuards(t, "GaussLogits m", m)

					g := guarded(r, len(x))
					w := guarded(r, n)
					if poisoned {
						poison(w, 2)
					}
					wantG := slices.Clone(g)
					addWeightedDiffsGeneric(wantG, x, ld, c, w, h)
					AddWeightedDiffs(g, x, ld, c, w, h)
					sameSlices(t, "AddWeightedDiffs "+name, g, wantG)
					checkGuards(t, "AddWeightedDiffs", g)
				}
			}
		}
	})
}

// TestGaussLogitsMaxNaN: the running maximum keeps a NaN already in m and
// takes a NaN log-term, and is raised only by larger terms. A failure means
// a divergent point could look finite to the mixture's log-sum-exp.
func TestGaussLogitsMaxNaN(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		x := []float64{0, 1, math.NaN(), 3, 0, 1, 2, 3}
		m := []float64{math.NaN(), -1e9, -1e9, 1e9, 0, 0, 0, 0}
		a := make([]float64, 8)
		GaussLogits(a, m, x, 8, []float64{0}, 0, 1)
		want := []float64{math.NaN(), -1, math.NaN(), 1e9, 0, 0, 0, 0}
		sameSlices(t, "m", m, want)
	})
}

// TestExpSubAcc: w is e^(a − m) within Exp's accuracy of the generic twin,
// s gains exactly w, and a point's bits do not depend on its position. A
// failure means the mixture weights or their sum are wrong, or batched
// energies depend on how chains are sharded.
func TestExpSubAcc(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 16))
		for _, n := range lengths() {
			w, s, a, m := guarded(r, n), guarded(r, n), guarded(r, n), guarded(r, n)
			for i := range a {
				a[i] *= 100
			}
			poison(a, 1)
			s0 := slices.Clone(s)
			wantW, wantS := make([]float64, n), slices.Clone(s)
			expSubAccGeneric(wantW, wantS, a, m)
			ExpSubAcc(w, s, a, m)
			for i := range w {
				if d := ulpDiff(w[i], wantW[i]); d > expMaxULP {
					t.Fatalf("n=%d: w[%d] = %v, generic %v (%d ulp)", n, i, w[i], wantW[i], d)
				}
				if !same(s[i], s0[i]+w[i]) {
					t.Fatalf("n=%d: s[%d] = %v, want s0 + w = %v", n, i, s[i], s0[i]+w[i])
				}
			}
			checkGuards(t, "ExpSubAcc w", w)
			checkGuards(t, "ExpSubAcc s", s)
			for off := 0; off+3 <= n && off < 9; off++ {
				pw, ps := make([]float64, 3), slices.Clone(s0[off:off+3])
				ExpSubAcc(pw, ps, a[off:off+3], m[off:off+3])
				sameSlices(t, "ExpSubAcc part", pw, w[off:off+3])
				sameSlices(t, "ExpSubAcc part s", ps, s[off:off+3])
			}
		}
	})
}

func BenchmarkGaussLogits(b *testing.B) {
	benchImpls(b, []int{128, 4096}, func(b *testing.B, n int) {
		const d = 2
		x, a, m := filled(d*n), filled(n), filled(n)
		b.SetBytes(int64(8 * (d + 3) * n))
		for b.Loop() {
			GaussLogits(a, m, x, n, []float64{0.5, -1}, 0.1, 0.5)
		}
	})
}

// FuzzGaussLogits: for any bit patterns (NaN, Inf, subnormals), the
// dispatched GaussLogits and AddWeightedDiffs give the generic bits, with
// the point count and dimension taken from the input.
func FuzzGaussLogits(f *testing.F) {
	f.Add(uint8(2), []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"), 0.5, 0.25)
	f.Fuzz(func(t *testing.T, db uint8, data []byte, lc, h float64) {
		v := floats(data)
		d := 1 + int(db%4)
		n := (len(v) - d) / (d + 2) // x: d·n, c: d, m and w: n each
		if n <= 0 {
			return
		}
		x, c, m, w := v[:d*n], v[d*n:d*n+d], v[d*n+d:d*n+d+n], v[d*n+d+n:d*n+d+2*n]
		a, wantA := make([]float64, n), make([]float64, n)
		gotM, wantM := slices.Clone(m), slices.Clone(m)
		gaussLogitsGeneric(wantA, wantM, x, n, c, lc, h)
		GaussLogits(a, gotM, x, n, c, lc, h)
		sameSlices(t, "GaussLogits a", a, wantA)
		sameSlices(t, "GaussLogits m", gotM, wantM)
		g, wantG := make([]float64, d*n), make([]float64, d*n)
		addWeightedDiffsGeneric(wantG, x, n, c, w, h)
		AddWeightedDiffs(g, x, n, c, w, h)
		sameSlices(t, "AddWeightedDiffs", g, wantG)
	})
}
