package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestNUTSLanePasses checks every implementation's lane passes against
// the per-chain generic passes of nuts.go, lane by lane and bit for bit:
// each lane of a block must get what nutsDriftGeneric, nutsKickGeneric,
// uTurnFree3Generic and uTurnFree2Generic give its chain's row, at several
// dimensions and block counts, with −0, NaN and ±Inf among the values (in
// some rounds), backward steps, and rho aliased as NUTS calls it; nothing
// past the slices is written.
func TestNUTSLanePasses(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 5))
		for _, d := range []int{1, 2, 3, 7, 8, 10, 17, 40} {
			for _, nb := range []int{1, 2, 5} {
				for round := range 4 {
					checkLanePasses(t, r, d, nb, round)
				}
			}
		}
	})
}

// laneRow gathers lane l's d values from the block slice v.
func laneRow(v []float64, l, d int) []float64 {
	row := make([]float64, d)
	for j := range row {
		row[j] = v[(l/LaneBlock)*LaneBlock*d+j*LaneBlock+l%LaneBlock]
	}
	return row
}

func checkLanePasses(t *testing.T, r *rand.Rand, d, nb, round int) {
	n, nl := nb*LaneBlock*d, nb*LaneBlock
	fresh := func() []float64 {
		s := guarded(r, n)
		for j := range s {
			if j%7 == 3 {
				s[j] = math.Copysign(0, -1)
			}
		}
		if round == 3 {
			for k := 0; k < nb; k++ { // a few lanes get a NaN or an infinity
				poison(s[k*LaneBlock*d:], r.IntN(LaneBlock))
			}
		}
		return s
	}
	masses := func() []float64 {
		s := guarded(r, n)
		for j := range s {
			s[j] = 0.1 + math.Abs(s[j])
		}
		return s
	}
	steps := func() (h, nh []float64) {
		h, nh = guarded(r, nl), guarded(r, nl)
		for l := range h {
			h[l] = 0.1 + r.Float64()
			if round == 1 || l%3 == 0 {
				h[l] = -h[l]
			}
			nh[l] = -(0.5 * h[l])
		}
		return h, nh
	}
	same := func(what string, l int, got, want []float64) {
		t.Helper()
		for j := range got {
			if math.Float64bits(got[j]) != math.Float64bits(want[j]) && !(math.IsNaN(got[j]) && math.IsNaN(want[j])) {
				t.Fatalf("d=%d nb=%d round %d: %s: lane %d, coordinate %d: %v, the chain's pass gives %v", d, nb, round, what, l, j, got[j], want[j])
			}
		}
	}

	// Drift.
	p, x, g, m := fresh(), fresh(), fresh(), masses()
	h, nh := steps()
	p0, x0 := append([]float64(nil), p...), append([]float64(nil), x...)
	NUTSLaneDrift(p, x, g, m, nh, h, d)
	for _, s := range [][]float64{p, x} {
		checkGuards(t, "NUTSLaneDrift", s)
	}
	for l := range nl {
		pr, xr := laneRow(p0, l, d), laneRow(x0, l, d)
		xd := make([]float64, d)
		nutsDriftGeneric(xd, xr, pr, laneRow(g, l, d), laneRow(m, l, d), h[l])
		same("NUTSLaneDrift p", l, laneRow(p, l, d), pr)
		same("NUTSLaneDrift x", l, laneRow(x, l, d), xd)
	}

	// Kick.
	p, x, g = fresh(), fresh(), fresh()
	pc, xc, gc := fresh(), fresh(), fresh()
	twoK := guarded(r, nl)
	fin := make([]uint8, nb)
	p0 = append([]float64(nil), p...)
	NUTSLaneKick(pc, xc, gc, p, x, g, m, nh, twoK, fin, d)
	for _, s := range [][]float64{pc, xc, gc, p, twoK} {
		checkGuards(t, "NUTSLaneKick", s)
	}
	for l := range nl {
		pr := laneRow(p0, l, d)
		wpc, wxc, wgc := make([]float64, d), make([]float64, d), make([]float64, d)
		sum, ok := nutsKickGeneric(wpc, wxc, wgc, pr, laneRow(x, l, d), laneRow(g, l, d), laneRow(m, l, d), h[l])
		same("NUTSLaneKick p", l, laneRow(p, l, d), pr)
		same("NUTSLaneKick pc", l, laneRow(pc, l, d), wpc)
		same("NUTSLaneKick xc", l, laneRow(xc, l, d), wxc)
		same("NUTSLaneKick gc", l, laneRow(gc, l, d), wgc)
		same("NUTSLaneKick twoK", l, twoK[l:l+1], []float64{sum})
		if LaneSet(fin[l/LaneBlock], l%LaneBlock) != ok {
			t.Fatalf("d=%d nb=%d round %d: NUTSLaneKick: lane %d finite %v, the chain's pass says %v", d, nb, round, l, !ok, ok)
		}
	}

	// Masked copies and swaps.
	mask := make([]uint8, nb)
	for b := range mask {
		mask[b] = uint8(r.Uint32())
	}
	mask[0] = 0 // a block without a lane to move
	dst, src := fresh(), fresh()
	dst0, src0 := append([]float64(nil), dst...), append([]float64(nil), src...)
	NUTSLaneCopy(dst, src, mask, d)
	checkGuards(t, "NUTSLaneCopy", dst)
	for l := range nl {
		want := laneRow(dst0, l, d)
		if LaneSet(mask[l/LaneBlock], l%LaneBlock) {
			want = laneRow(src0, l, d)
		}
		same("NUTSLaneCopy", l, laneRow(dst, l, d), want)
		same("NUTSLaneCopy src", l, laneRow(src, l, d), laneRow(src0, l, d))
	}
	dst, src = fresh(), fresh()
	dst0, src0 = append([]float64(nil), dst...), append([]float64(nil), src...)
	NUTSLaneSwap(dst, src, mask, d)
	checkGuards(t, "NUTSLaneSwap", dst)
	checkGuards(t, "NUTSLaneSwap", src)
	for l := range nl {
		wa, wb := laneRow(dst0, l, d), laneRow(src0, l, d)
		if LaneSet(mask[l/LaneBlock], l%LaneBlock) {
			wa, wb = wb, wa
		}
		same("NUTSLaneSwap a", l, laneRow(dst, l, d), wa)
		same("NUTSLaneSwap b", l, laneRow(src, l, d), wb)
	}

	// U-turn checks, rho separate and aliased (rho = ra; rho = a).
	for alias := range 2 {
		a, b, ra, c, dd, rc := fresh(), fresh(), fresh(), fresh(), fresh(), fresh()
		rho := fresh()
		if alias == 1 {
			rho = ra
		}
		ra0 := append([]float64(nil), ra...)
		free := make([]uint8, nb)
		NUTSLaneUTurn3(rho, a, b, ra, c, dd, rc, m, free, d)
		checkGuards(t, "NUTSLaneUTurn3", rho)
		for l := range nl {
			wrho := make([]float64, d)
			ok := uTurnFree3Generic(wrho, laneRow(a, l, d), laneRow(b, l, d), laneRow(ra0, l, d), laneRow(c, l, d), laneRow(dd, l, d), laneRow(rc, l, d), laneRow(m, l, d))
			same("NUTSLaneUTurn3 rho", l, laneRow(rho, l, d), wrho)
			if LaneSet(free[l/LaneBlock], l%LaneBlock) != ok {
				t.Fatalf("d=%d nb=%d round %d: NUTSLaneUTurn3: lane %d free %v, the chain's check says %v", d, nb, round, l, !ok, ok)
			}
		}
		rho = fresh()
		if alias == 1 {
			rho = a
		}
		a0 := append([]float64(nil), a...)
		NUTSLaneUTurn2(rho, a, c, m, free, d)
		checkGuards(t, "NUTSLaneUTurn2", rho)
		for l := range nl {
			wrho := make([]float64, d)
			ok := uTurnFree2Generic(wrho, laneRow(a0, l, d), laneRow(c, l, d), laneRow(m, l, d))
			same("NUTSLaneUTurn2 rho", l, laneRow(rho, l, d), wrho)
			if LaneSet(free[l/LaneBlock], l%LaneBlock) != ok {
				t.Fatalf("d=%d nb=%d round %d: NUTSLaneUTurn2: lane %d free %v, the chain's check says %v", d, nb, round, l, !ok, ok)
			}
		}
	}
}

// TestNUTSLanesToRows checks the block ↔ rows copies of every
// implementation against the definition rows[q·d+j] = blk[j·8+q], both
// ways, at d = 1…40 (tiles and remainders), values kept bit for bit (NaN
// payloads included) and nothing past the slices written.
func TestNUTSLanesToRows(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 9))
		for d := 1; d <= 40; d++ {
			blk := guarded(r, LaneBlock*d)
			blk[0] = math.Float64frombits(0x7ff8dead0000beef)
			rows := guarded(r, LaneBlock*d)
			NUTSLanesToRows(rows, blk, d)
			checkGuards(t, "NUTSLanesToRows", rows)
			back := guarded(r, LaneBlock*d)
			NUTSRowsToLanes(back, rows, d)
			checkGuards(t, "NUTSRowsToLanes", back)
			for q := range LaneBlock {
				for j := range d {
					if math.Float64bits(rows[q*d+j]) != math.Float64bits(blk[j*LaneBlock+q]) {
						t.Fatalf("d=%d: rows[%d·d+%d] = %v, want blk[%d·8+%d] = %v", d, q, j, rows[q*d+j], j, q, blk[j*LaneBlock+q])
					}
				}
			}
			for i := range blk {
				if math.Float64bits(back[i]) != math.Float64bits(blk[i]) {
					t.Fatalf("d=%d: the round trip changed value %d", d, i)
				}
			}
		}
	})
}
