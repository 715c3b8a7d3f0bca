package simd

// NUTS's lane passes: the per-chain passes of nuts.go over many chains at
// once, laid out across chains. The chains are lanes in blocks of
// LaneBlock; a block stores a vector of d values per chain as d groups of
// LaneBlock lanes, so coordinate j of the block's lane q is at
// b·LaneBlock·d + j·LaneBlock + q, and every slice of vectors holds nb
// whole blocks (nb·LaneBlock·d values; per-lane slices nb·LaneBlock).
// Each pass keeps the reference expressions of nuts.go lane by lane, sums
// included (each lane's sum adds its terms in order j from +0), so a lane
// gets the bits the per-chain pass would give its chain, in every
// implementation. The vector implementations take a block's coordinate
// in one register (AVX-512) and need no horizontal sums.

// LaneBlock is the number of lanes of a block.
const LaneBlock = 8

// NUTSLanes reports whether the chosen implementation has vector code for
// the lane passes, so that laying NUTS's chains out across lanes pays.
func NUTSLanes() bool { return current.nutsLaneDrift != nil }

// NUTSLaneDrift is NUTSDrift in every lane, in place: with per-lane
// steps h and nh = −(h/2),
//
//	v := p + float64(nh*g);  p = v;  x = x + float64(h*float64(m*v))
func NUTSLaneDrift(p, x, g, m, nh, h []float64, d int) {
	nb := laneBlocks(len(p), d)
	if len(x) != len(p) || len(g) != len(p) || len(m) != len(p) || len(nh) < nb*LaneBlock || len(h) < nb*LaneBlock {
		mismatch()
	}
	if f := current.nutsLaneDrift; f != nil && nb > 0 {
		f(p, x, g, m, nh, h, nb, d)
		return
	}
	nutsLaneDriftGeneric(p, x, g, m, nh, h, nb, d)
}

// laneBlocks returns the number of blocks of n values of dimension d,
// panicking unless n is whole blocks.
func laneBlocks(n, d int) int {
	if d < 1 || n%(LaneBlock*d) != 0 {
		mismatch()
	}
	return n / (LaneBlock * d)
}

func nutsLaneDriftGeneric(p, x, g, m, nh, h []float64, nb, d int) {
	for b := range nb {
		nh, h := nh[b*LaneBlock:][:LaneBlock], h[b*LaneBlock:][:LaneBlock]
		for o := b * LaneBlock * d; o < (b+1)*LaneBlock*d; o += LaneBlock {
			p, x, g, m := p[o:o+LaneBlock], x[o:o+LaneBlock], g[o:o+LaneBlock], m[o:o+LaneBlock]
			for q := range LaneBlock {
				v := p[q] + float64(nh[q]*g[q])
				p[q] = v
				x[q] = x[q] + float64(h[q]*float64(m[q]*v))
			}
		}
	}
}

// NUTSLaneKick is NUTSKick in every lane, with the per-lane nh = −(h/2):
//
//	v := p + float64(nh*g);  p, pc, xc, gc = v, v, x, g
//	twoK += float64(m * v * v)
//
// It writes each lane's twoK (summed in order j) and, in bit q of
// fin[b], whether lane q of block b has a finite x and g.
func NUTSLaneKick(pc, xc, gc, p, x, g, m, nh, twoK []float64, fin []uint8, d int) {
	nb := laneBlocks(len(p), d)
	if len(pc) != len(p) || len(xc) != len(p) || len(gc) != len(p) || len(x) != len(p) || len(g) != len(p) || len(m) != len(p) ||
		len(nh) < nb*LaneBlock || len(twoK) < nb*LaneBlock || len(fin) < nb {
		mismatch()
	}
	if f := current.nutsLaneKick; f != nil && nb > 0 {
		f(pc, xc, gc, p, x, g, m, nh, twoK, fin, nb, d)
		return
	}
	nutsLaneKickGeneric(pc, xc, gc, p, x, g, m, nh, twoK, fin, nb, d)
}

func nutsLaneKickGeneric(pc, xc, gc, p, x, g, m, nh, twoK []float64, fin []uint8, nb, d int) {
	for b := range nb {
		nh := nh[b*LaneBlock:][:LaneBlock]
		var s, z [LaneBlock]float64
		for o := b * LaneBlock * d; o < (b+1)*LaneBlock*d; o += LaneBlock {
			p, x, g, m := p[o:o+LaneBlock], x[o:o+LaneBlock], g[o:o+LaneBlock], m[o:o+LaneBlock]
			pc, xc, gc := pc[o:o+LaneBlock], xc[o:o+LaneBlock], gc[o:o+LaneBlock]
			for q := range LaneBlock {
				v := p[q] + float64(nh[q]*g[q])
				p[q], pc[q] = v, v
				xc[q], gc[q] = x[q], g[q]
				s[q] += float64(m[q] * v * v)
				z[q] += x[q] * 0 // NaN once a value is not finite
				z[q] += g[q] * 0
			}
		}
		copy(twoK[b*LaneBlock:], s[:])
		var f uint8
		for q, v := range z {
			if v == 0 {
				f |= 1 << q
			}
		}
		fin[b] = f
	}
}

// NUTSLaneUTurn3 is UTurnFree3 in every lane: it writes rho = ra + rc
// (rho may be ra) and sets bit q of free[b] when the six sums of lane q
// of block b are positive.
func NUTSLaneUTurn3(rho, a, b, ra, c, dd, rc, m []float64, free []uint8, d int) {
	nb := laneBlocks(len(m), d)
	n := len(m)
	if len(rho) != n || len(a) != n || len(b) != n || len(ra) != n || len(c) != n || len(dd) != n || len(rc) != n || len(free) < nb {
		mismatch()
	}
	if f := current.nutsLaneUTurn3; f != nil && nb > 0 {
		f(rho, a, b, ra, c, dd, rc, m, free, nb, d)
		return
	}
	nutsLaneUTurn3Generic(rho, a, b, ra, c, dd, rc, m, free, nb, d)
}

func nutsLaneUTurn3Generic(rho, a, b, ra, c, dd, rc, m []float64, free []uint8, nb, d int) {
	for bl := range nb {
		var s [6][LaneBlock]float64
		for o := bl * LaneBlock * d; o < (bl+1)*LaneBlock*d; o += LaneBlock {
			rho, a, b, ra := rho[o:o+LaneBlock], a[o:o+LaneBlock], b[o:o+LaneBlock], ra[o:o+LaneBlock]
			c, dd, rc, m := c[o:o+LaneBlock], dd[o:o+LaneBlock], rc[o:o+LaneBlock], m[o:o+LaneBlock]
			for q := range LaneBlock {
				r1 := ra[q] + rc[q]
				r2 := ra[q] + c[q]
				r3 := rc[q] + b[q]
				s[0][q] += float64(m[q] * a[q] * r1)
				s[1][q] += float64(m[q] * dd[q] * r1)
				s[2][q] += float64(m[q] * a[q] * r2)
				s[3][q] += float64(m[q] * c[q] * r2)
				s[4][q] += float64(m[q] * b[q] * r3)
				s[5][q] += float64(m[q] * dd[q] * r3)
				rho[q] = r1
			}
		}
		var f uint8
		for q := range LaneBlock {
			if uTurnFree(&[6]float64{s[0][q], s[1][q], s[2][q], s[3][q], s[4][q], s[5][q]}) {
				f |= 1 << q
			}
		}
		free[bl] = f
	}
}

// NUTSLaneUTurn2 is UTurnFree2 in every lane: it writes rho = a + c (rho
// may be a) and sets bit q of free[b] when lane q's two sums are positive.
func NUTSLaneUTurn2(rho, a, c, m []float64, free []uint8, d int) {
	nb := laneBlocks(len(m), d)
	n := len(m)
	if len(rho) != n || len(a) != n || len(c) != n || len(free) < nb {
		mismatch()
	}
	if f := current.nutsLaneUTurn2; f != nil && nb > 0 {
		f(rho, a, c, m, free, nb, d)
		return
	}
	nutsLaneUTurn2Generic(rho, a, c, m, free, nb, d)
}

func nutsLaneUTurn2Generic(rho, a, c, m []float64, free []uint8, nb, d int) {
	for bl := range nb {
		var sa, sc [LaneBlock]float64
		for o := bl * LaneBlock * d; o < (bl+1)*LaneBlock*d; o += LaneBlock {
			rho, a, c, m := rho[o:o+LaneBlock], a[o:o+LaneBlock], c[o:o+LaneBlock], m[o:o+LaneBlock]
			for q := range LaneBlock {
				r := a[q] + c[q]
				sa[q] += float64(m[q] * a[q] * r)
				sc[q] += float64(m[q] * c[q] * r)
				rho[q] = r
			}
		}
		var f uint8
		for q := range LaneBlock {
			if sa[q] > 0 && sc[q] > 0 {
				f |= 1 << q
			}
		}
		free[bl] = f
	}
}

// LaneSet reports whether bit q of mask is set (a lane of a block's
// mask from the lane passes).
func LaneSet(mask uint8, q int) bool { return mask>>q&1 != 0 }

// NUTSLaneCopy copies the lanes whose bit is set in mask (bit q of
// mask[b] for lane q of block b) from src to dst; the other lanes of dst
// keep their values.
func NUTSLaneCopy(dst, src []float64, mask []uint8, d int) {
	nb := laneBlocks(len(dst), d)
	if len(src) != len(dst) || len(mask) < nb {
		mismatch()
	}
	if f := current.nutsLaneCopy; f != nil && nb > 0 {
		f(dst, src, mask, nb, d)
		return
	}
	nutsLaneCopyGeneric(dst, src, mask, nb, d)
}

func nutsLaneCopyGeneric(dst, src []float64, mask []uint8, nb, d int) {
	for b, f := range mask[:nb] {
		if f == 0 {
			continue
		}
		for o := b * LaneBlock * d; o < (b+1)*LaneBlock*d; o += LaneBlock {
			dst, src := dst[o:o+LaneBlock], src[o:o+LaneBlock]
			for q := range LaneBlock {
				if f>>q&1 != 0 {
					dst[q] = src[q]
				}
			}
		}
	}
}

// NUTSLaneSwap swaps the lanes whose bit is set in mask between a and b.
func NUTSLaneSwap(a, b []float64, mask []uint8, d int) {
	nb := laneBlocks(len(a), d)
	if len(b) != len(a) || len(mask) < nb {
		mismatch()
	}
	if f := current.nutsLaneSwap; f != nil && nb > 0 {
		f(a, b, mask, nb, d)
		return
	}
	nutsLaneSwapGeneric(a, b, mask, nb, d)
}

func nutsLaneSwapGeneric(a, b []float64, mask []uint8, nb, d int) {
	for bl, f := range mask[:nb] {
		if f == 0 {
			continue
		}
		for o := bl * LaneBlock * d; o < (bl+1)*LaneBlock*d; o += LaneBlock {
			a, b := a[o:o+LaneBlock], b[o:o+LaneBlock]
			for q := range LaneBlock {
				if f>>q&1 != 0 {
					a[q], b[q] = b[q], a[q]
				}
			}
		}
	}
}

// NUTSLanesToRows writes the eight lanes of one block (blk: d groups of
// LaneBlock values) into eight rows of d values (rows[q·d+j] = blk[j·8+q]),
// and NUTSRowsToLanes the other way: the batch a sampler hands the energy
// and the gradient it gets back. avx512 transposes 8×8 tiles in
// registers; the last d mod 8 coordinates, and every coordinate
// elsewhere, are copied one by one. They panic unless blk and rows hold
// 8·d values.
func NUTSLanesToRows(rows, blk []float64, d int) {
	if len(rows) != LaneBlock*d || len(blk) != LaneBlock*d {
		mismatch()
	}
	j0 := 0
	if f := current.tr8x8; f != nil && d >= 8 {
		j0 = d &^ 7
		f(rows, d, 8, blk, 8, 64, j0/8)
	}
	for j := j0; j < d; j++ {
		v := blk[j*LaneBlock : j*LaneBlock+LaneBlock]
		for q, x := range v {
			rows[q*d+j] = x
		}
	}
}

// NUTSRowsToLanes is NUTSLanesToRows' inverse.
func NUTSRowsToLanes(blk, rows []float64, d int) {
	if len(rows) != LaneBlock*d || len(blk) != LaneBlock*d {
		mismatch()
	}
	j0 := 0
	if f := current.tr8x8; f != nil && d >= 8 {
		j0 = d &^ 7
		f(blk, 8, 64, rows, d, 8, j0/8)
	}
	for j := j0; j < d; j++ {
		v := blk[j*LaneBlock : j*LaneBlock+LaneBlock]
		for q := range v {
			v[q] = rows[q*d+j]
		}
	}
}
