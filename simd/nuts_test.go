package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestNUTSPasses checks every implementation's NUTS passes against the
// generic loops, bit for bit, on every length up to 67 and a few longer,
// with guard values around each slice, −0 and (in some rounds) NaN and
// ±Inf among the values, and aliased rho (rho = ra, rho = a) as NUTS calls
// them.
func TestNUTSPasses(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 11))
		for _, n := range lengths() {
			for round := range 4 {
				fresh := func() []float64 {
					s := guarded(r, n)
					for j := range s {
						if j%5 == 2 {
							s[j] = math.Copysign(0, -1)
						}
					}
					if round == 3 {
						poison(s, r.IntN(4))
					}
					return s
				}
				masses := func() []float64 { // positive, like an inverse mass
					s := guarded(r, n)
					for j := range s {
						s[j] = 0.1 + math.Abs(s[j])
					}
					return s
				}
				h := 0.1 + r.Float64()
				if round == 1 {
					h = -h // a backward doubling
				}
				checkDrift(t, n, h, fresh, masses)
				checkKick(t, n, h, fresh, masses)
				checkMomentum(t, n, fresh, masses)
				checkUTurn(t, n, fresh, masses)
			}
		}
	})
}

func clones(ss ...[]float64) [][]float64 {
	out := make([][]float64, len(ss))
	for i, s := range ss {
		c := guarded(rand.New(rand.NewPCG(1, 1)), len(s))
		copy(c, s)
		out[i] = c
	}
	return out
}

func checkAll(t *testing.T, what string, got, want [][]float64) {
	t.Helper()
	for i := range got {
		sameSlices(t, what, got[i], want[i])
		checkGuards(t, what, got[i])
	}
}

func checkDrift(t *testing.T, n int, h float64, fresh, masses func() []float64) {
	x, p, g, m, xd := fresh(), fresh(), fresh(), masses(), fresh()
	w := clones(p, xd)
	NUTSDrift(xd, x, p, g, m, h)
	nutsDriftGeneric(w[1], x, w[0], g, m, h)
	checkAll(t, "NUTSDrift", [][]float64{p, xd}, w)
}

func checkKick(t *testing.T, n int, h float64, fresh, masses func() []float64) {
	p, x, g, m := fresh(), fresh(), fresh(), masses()
	pc, xc, gc := fresh(), fresh(), fresh()
	w := clones(p, pc, xc, gc)
	sum, fin := NUTSKick(pc, xc, gc, p, x, g, m, h)
	wsum, wfin := nutsKickGeneric(w[1], w[2], w[3], w[0], x, g, m, h)
	if !same(sum, wsum) || fin != wfin {
		t.Fatalf("NUTSKick n=%d: (%v, %v), the generic loop (%v, %v)", n, sum, fin, wsum, wfin)
	}
	checkAll(t, "NUTSKick", [][]float64{p, pc, xc, gc}, w)
	// One value that is not finite, anywhere in x or in g, the rest finite.
	for pos := range min(n, 20) {
		for k, bad := range []float64{math.Inf(1), math.NaN()} {
			xs, gs := append([]float64(nil), x...), append([]float64(nil), g...)
			for j := range xs {
				xs[j] = math.Abs(xs[j]) // finite, whatever the round poisoned
				gs[j] = math.Abs(gs[j])
				if math.IsNaN(xs[j]) || math.IsInf(xs[j], 0) {
					xs[j] = 1
				}
				if math.IsNaN(gs[j]) || math.IsInf(gs[j], 0) {
					gs[j] = 1
				}
			}
			if k == 0 {
				gs[pos] = bad
			} else {
				xs[pos] = bad
			}
			if _, fin := NUTSKick(pc, xc, gc, p, xs, gs, m, h); fin {
				t.Fatalf("NUTSKick n=%d: finite with %v at %d of x or g", n, bad, pos)
			}
		}
	}
}

func checkMomentum(t *testing.T, n int, fresh, masses func() []float64) {
	p, op, rho, m := fresh(), fresh(), fresh(), masses()
	w := clones(p, op, rho)
	sum := NUTSMomentum(p, op, rho, m)
	wsum := nutsMomentumGeneric(w[0], w[1], w[2], m)
	if !same(sum, wsum) {
		t.Fatalf("NUTSMomentum n=%d: %v, the generic loop %v", n, sum, wsum)
	}
	checkAll(t, "NUTSMomentum", [][]float64{p, op, rho}, w)
}

func checkUTurn(t *testing.T, n int, fresh, masses func() []float64) {
	a, b, ra, c, d, rc, m := fresh(), fresh(), fresh(), fresh(), fresh(), fresh(), masses()
	// Momenta that mostly point one way, so that both outcomes occur.
	for _, s := range [][]float64{a, b, c, d} {
		for j := range s {
			s[j] += 1
		}
	}
	for j := range ra {
		ra[j] += 3
		rc[j] += 3
	}
	w := clones(ra)
	ok := UTurnFree3(ra, a, b, ra, c, d, rc, m) // rho = ra, as NUTS calls it
	wok := uTurnFree3Generic(w[0], a, b, w[0], c, d, rc, m)
	if ok != wok {
		t.Fatalf("UTurnFree3 n=%d: %v, the generic loop %v", n, ok, wok)
	}
	checkAll(t, "UTurnFree3", [][]float64{ra}, w)
	rho := fresh()
	w = clones(rho)
	ok, wok = UTurnFree3(rho, a, b, ra, c, d, rc, m), uTurnFree3Generic(w[0], a, b, ra, c, d, rc, m)
	if ok != wok {
		t.Fatalf("UTurnFree3 n=%d (separate rho): %v, the generic loop %v", n, ok, wok)
	}
	checkAll(t, "UTurnFree3", [][]float64{rho}, w)

	w = clones(a)
	ok, wok = UTurnFree2(a, a, c, m), uTurnFree2Generic(w[0], w[0], c, m)
	if ok != wok {
		t.Fatalf("UTurnFree2 n=%d: %v, the generic loop %v", n, ok, wok)
	}
	checkAll(t, "UTurnFree2", [][]float64{a}, w)
	if n == 0 {
		return
	}
	// Each sum alone non-positive: a result that checks only some of the
	// sums must differ. Momenta pointing one way except one vector.
	ones := func(v float64) []float64 {
		s := make([]float64, n)
		for j := range s {
			s[j] = v
		}
		return s
	}
	rho, pos := make([]float64, n), ones(1)
	for k, neg := range []bool{false, true} {
		aa, cc := pos, ones(-3) // a + c points with c: the sum of a's terms is negative
		if neg {
			aa, cc = ones(-3), pos
		}
		if UTurnFree2(rho, aa, cc, pos) || uTurnFree2Generic(rho, aa, cc, pos) {
			t.Fatalf("UTurnFree2 n=%d case %d: no U-turn reported where one sum is negative", n, k)
		}
	}
	// UTurnFree3: a, b, c, d, ra, rc all along +1, then one end momentum
	// reversed at a time, each turning some of the six sums negative.
	for k := range 4 {
		ends := [][]float64{pos, pos, pos, pos}
		ends[k] = ones(-100)
		got := UTurnFree3(rho, ends[0], ends[1], pos, ends[2], ends[3], pos, pos)
		want := uTurnFree3Generic(rho, ends[0], ends[1], pos, ends[2], ends[3], pos, pos)
		if got || want {
			t.Fatalf("UTurnFree3 n=%d: end %d reversed: %v (generic %v), want a U-turn", n, k, got, want)
		}
	}
	if !UTurnFree3(rho, pos, pos, pos, pos, pos, pos, pos) {
		t.Fatalf("UTurnFree3 n=%d: a U-turn reported along a straight line", n)
	}
}
