package autodiff

import (
	"unsafe"

	"github.com/goebm/ebm/simd"
)

// Convolutions with many input channels run with the channels last inside
// the op (NHWC): an image is transposed into zero-padded planes of
// (H+2·Pad)×(W+2·Pad) pixels of InC values each, so that the K pixels a
// kernel row covers are K·InC consecutive values. Unrolling (im2row: one
// row of K·K·InC values per output pixel, ordered kh, kw, c) and folding
// back (its adjoint) then copy or add K runs of K·InC values per output
// pixel instead of gathering or scattering single values, and the products
// take the output pixels of a chunk of images as rows against the weights
// (permuted to the order kh, kw, c) as a small right-hand side that stays
// in cache. The results are NCHW rows again. Each value is a fixed chain
// of operations whatever the chunking and the split over workers.

// nhwcMinC (a variable for the tests) is the number of input channels from which the convolutions use
// the NHWC path (with fewer, a run of K·InC values is too short and the
// products too narrow).
var nhwcMinC = 8

// useNHWC reports whether the convolutions of geometry s run on the NHWC
// path.
func useNHWC(s ConvShape) bool { return s.InC >= nhwcMinC }

// nhwcGeom holds the sizes of the NHWC path for a geometry.
type nhwcGeom struct {
	s                ConvShape
	hp, wp, kc, ckk  int // padded height and width, run length K·InC, K·K·InC
	ho, wo, hw, hwin int // output height, width and pixels; input pixels
	// runs are the offsets in the padded planes of the K runs of each
	// output pixel (oh, ow, kh in order): ((oh·S + kh)·Wp + ow·S)·InC,
	// for simd.GatherRuns32 and ScatterAddRuns32 (float32); nil for the
	// loops.
	runs []int32
}

func newNHWC(s ConvShape) nhwcGeom {
	ho, wo := s.OutH(), s.OutW()
	return nhwcGeom{s: s, hp: s.H + 2*s.Pad, wp: s.W + 2*s.Pad, kc: s.K * s.InC, ckk: s.KernelSize(),
		ho: ho, wo: wo, hw: ho * wo, hwin: s.H * s.W}
}

// runOffsets returns q's runs, computed once per geometry (kept across
// Reset, as convOffsets).
func (cv *convState[T]) runOffsets(q nhwcGeom) []int32 {
	s := q.s
	for _, o := range cv.runs {
		if o.s == s {
			return o.off
		}
	}
	off := make([]int32, 0, q.hw*s.K)
	for oh := 0; oh < q.ho; oh++ {
		for ow := 0; ow < q.wo; ow++ {
			for kh := 0; kh < s.K; kh++ {
				off = append(off, int32(((oh*s.Stride+kh)*q.wp+ow*s.Stride)*s.InC))
			}
		}
	}
	cv.runs = append(cv.runs, convOffs{s, off})
	return off
}

// planeSize returns the size of a zero-padded NHWC image.
func (q nhwcGeom) planeSize() int { return q.hp * q.wp * q.s.InC }

// nhwcIn writes image x (InC rows of H·W pixels) into xp as zero-padded
// NHWC planes, through tmp (H·W·InC values).
func nhwcIn[T Float](q nhwcGeom, xp, tmp, x []T) {
	s := q.s
	transpose(tmp, x[:s.InC*q.hwin], s.InC, q.hwin)
	xp = xp[:q.planeSize()]
	clear(xp)
	rowLen := s.W * s.InC
	for h := 0; h < s.H; h++ {
		d := ((h+s.Pad)*q.wp + s.Pad) * s.InC
		copy(xp[d:d+rowLen], tmp[h*rowLen:(h+1)*rowLen])
	}
}

// nhwcOut writes the interior of the NHWC planes xp into image x (InC
// rows of H·W pixels), through tmp.
func nhwcOut[T Float](q nhwcGeom, x, tmp, xp []T) {
	s := q.s
	rowLen := s.W * s.InC
	for h := 0; h < s.H; h++ {
		d := ((h+s.Pad)*q.wp + s.Pad) * s.InC
		copy(tmp[h*rowLen:(h+1)*rowLen], xp[d:d+rowLen])
	}
	transpose(x[:s.InC*q.hwin], tmp[:q.hwin*s.InC], q.hwin, s.InC)
}

// im2row writes the columns [c0, c1) of the im2row matrix of the NHWC
// planes xp into the rows of a, ld apart: row (oh, ow), column (kh, kw, c)
// holds pixel (oh·S + kh, ow·S + kw), channel c, of the padded planes.
// In float32, the whole matrix (c0 = 0, c1 = K·K·InC = ld) is one call of
// simd.GatherRuns32 over q.runs.
func im2row[T Float](q nhwcGeom, a []T, ld int, xp []T, c0, c1 int) {
	s := q.s
	if is32[T]() && q.runs != nil && c0 == 0 && c1 == q.ckk && ld == q.ckk {
		simd.GatherRuns32(f32(a[:q.hw*q.ckk]), f32(xp[:q.planeSize()]), q.runs, q.kc)
		return
	}
	r := 0
	for oh := 0; oh < q.ho; oh++ {
		for ow := 0; ow < q.wo; ow++ {
			row := a[r*ld : r*ld+c1-c0]
			r++
			for kh := 0; kh < s.K; kh++ {
				lo, hi := max(c0, kh*q.kc), min(c1, (kh+1)*q.kc)
				if lo >= hi {
					continue
				}
				src := ((oh*s.Stride+kh)*q.wp+ow*s.Stride)*s.InC - kh*q.kc
				copy(row[lo-c0:hi-c0], xp[src+lo:src+hi])
			}
		}
	}
}

// row2im adds the rows of the im2row matrix a (rows ckk apart) at the
// pixels im2row reads them from, into the NHWC planes xp (not cleared):
// the adjoint of im2row. In float32 it is one call of
// simd.ScatterAddRuns32 over q.runs: the same additions in the same order.
func row2im[T Float](q nhwcGeom, xp, a []T) {
	s := q.s
	if is32[T]() && q.runs != nil {
		simd.ScatterAddRuns32(f32(xp[:q.planeSize()]), f32(a[:q.hw*q.ckk]), q.runs, q.kc)
		return
	}
	r := 0
	for oh := 0; oh < q.ho; oh++ {
		for ow := 0; ow < q.wo; ow++ {
			row := a[r*q.ckk : (r+1)*q.ckk]
			r++
			for kh := 0; kh < s.K; kh++ {
				d := ((oh*s.Stride+kh)*q.wp + ow*s.Stride) * s.InC
				kAxpy(xp[d:d+q.kc], 1, row[kh*q.kc:(kh+1)*q.kc])
			}
		}
	}
}

// permuteWeights writes w (OutC×(InC·K·K), columns c, kh, kw) with its
// columns in the order kh, kw, c into wp (OutC×(K·K·InC)) when tr is
// false, or its transpose ((K·K·InC)×OutC) when tr is true, through tmp
// (as large as w) then. Both are transposes: of each output channel's
// InC×(K·K) block, then of the whole.
func permuteWeights[T Float](wp, w, tmp []T, s ConvShape, tr bool) {
	kk, ckk := s.K*s.K, s.KernelSize()
	dst := wp
	if tr {
		dst = tmp
	}
	for o := 0; o < s.OutC; o++ {
		transpose(dst[o*ckk:(o+1)*ckk], w[o*ckk:(o+1)*ckk], s.InC, kk)
	}
	if tr {
		transpose(wp[:ckk*s.OutC], tmp[:ckk*s.OutC], s.OutC, ckk)
	}
}

// nhwcChunk returns the number of images of a chunk on the NHWC path: as
// many as keep a chunk's im2row matrix and output channels within
// convChunkBytes.
func nhwcChunk(s ConvShape, size int) int {
	hw := s.OutH() * s.OutW()
	return max(1, convChunkBytes/((s.KernelSize()+s.OutC)*hw*size))
}

// nhwcJob is a convolution op on the NHWC path: Conv2D (opConv) and
// ConvTranspose2D (opConvT) over ranges of chunks of images,
// ConvWeightGrad (opConvW) over ranges of the rows of its transposed
// result.
type nhwcJob[T Float] struct {
	op      opcode
	q       nhwcGeom
	n, ch   int // images, images per chunk
	per     int // chunks (rows for opConvW) per range of the split
	out, x  []T // for opConvT, x is the output-side batch
	y, bias []T // opConvW: the output-side batch; opConv: the bias or nil
	wp      []T // the permuted weights; for opConvW the transposed result
	scr     []T // per range: slot values
	slot    int
}

// nhwcSlot returns the scratch one range of an nhwcJob needs.
func nhwcSlot(q nhwcGeom, ch int) int {
	s := q.s
	return q.planeSize() + q.hwin*s.InC + ch*q.hw*(q.ckk+s.OutC) + q.ckk*s.OutC
}

func (t *nhwcJob[T]) run(r0, r1 int) {
	q, s := t.q, t.q.s
	in, on := s.In().Size(), s.OutC*q.hw
	scr := t.scr[r0/t.per*t.slot : (r0/t.per+1)*t.slot]
	xp, scr := scr[:q.planeSize()], scr[q.planeSize():]
	tmp, scr := scr[:q.hwin*s.InC], scr[q.hwin*s.InC:]
	big, scr := scr[:t.ch*q.hw*q.ckk], scr[t.ch*q.hw*q.ckk:]
	small, acc := scr[:t.ch*q.hw*s.OutC], scr[t.ch*q.hw*s.OutC:]
	if t.op == opConvW {
		t.weightGrad(r0, r1, xp, tmp, big, small, acc)
		return
	}
	for c := r0; c < r1; c++ {
		i0 := c * t.ch
		i1 := min(t.n, i0+t.ch)
		rows := (i1 - i0) * q.hw
		switch t.op {
		case opConv: // big = im2row, small = big·wp (+ bias), then out
			for i := i0; i < i1; i++ {
				nhwcIn(q, xp, tmp, t.x[i*in:(i+1)*in])
				im2row(q, big[(i-i0)*q.hw*q.ckk:], q.ckk, xp, 0, q.ckk)
			}
			if t.bias != nil { // each value the product's sum plus the bias, as a loop after it
				kMatMulBias(small[:rows*s.OutC], big[:rows*q.ckk], t.wp, t.bias[:s.OutC], rows, q.ckk, s.OutC)
			} else {
				kMatMul(small[:rows*s.OutC], big[:rows*q.ckk], t.wp, rows, q.ckk, s.OutC)
			}
			for i := i0; i < i1; i++ {
				transpose(t.out[i*on:(i+1)*on], small[(i-i0)*on:(i-i0+1)*on], q.hw, s.OutC)
			}
		case opConvT: // small = the chunk's yᵀ, big = small·wp, then row2im
			for i := i0; i < i1; i++ {
				transpose(small[(i-i0)*on:(i-i0+1)*on], t.x[i*on:(i+1)*on], s.OutC, q.hw)
			}
			kMatMul(big[:rows*q.ckk], small[:rows*s.OutC], t.wp, rows, s.OutC, q.ckk)
			for i := i0; i < i1; i++ {
				clear(xp)
				row2im(q, xp, big[(i-i0)*q.hw*q.ckk:(i-i0+1)*q.hw*q.ckk])
				nhwcOut(q, t.out[i*in:(i+1)*in], tmp, xp)
			}
		}
	}
}

// weightGrad computes the rows [r0, r1) of the transposed weight gradient
// ((K·K·InC)×OutC, rows kh, kw, c) into t.wp: for each chunk of images in
// order, the product of the chunk's im2row columns [r0, r1) (transposed)
// and its yᵀ, the first chunk's written, the others' added.
func (t *nhwcJob[T]) weightGrad(r0, r1 int, xp, tmp, big, small, acc []T) {
	q, s := t.q, t.q.s
	in, on, m := s.In().Size(), s.OutC*q.hw, r1-r0
	dst := t.wp[r0*s.OutC : r1*s.OutC]
	part := acc[:m*s.OutC]
	for i0 := 0; i0 < t.n; i0 += t.ch {
		i1 := min(t.n, i0+t.ch)
		rows := (i1 - i0) * q.hw
		for i := i0; i < i1; i++ {
			nhwcIn(q, xp, tmp, t.x[i*in:(i+1)*in])
			im2row(q, big[(i-i0)*q.hw*m:], m, xp, r0, r1)
			transpose(small[(i-i0)*on:(i-i0+1)*on], t.y[i*on:(i+1)*on], s.OutC, q.hw)
		}
		if i0 == 0 {
			kMatMulAT(dst, big[:rows*m], small[:rows*s.OutC], m, rows, s.OutC)
			continue
		}
		kMatMulAT(part, big[:rows*m], small[:rows*s.OutC], m, rows, s.OutC)
		for j, v := range part {
			dst[j] += v
		}
	}
}

// convNHWC computes Conv2D (op = opConv: x the input, w the weights),
// ConvTranspose2D (opConvT: x the output-side batch) or ConvWeightGrad
// (opConvW: x the input, y the output-side batch) of n images into out on
// the NHWC path.
func (g *GraphOf[T]) convNHWC(op opcode, s ConvShape, n int, out, x, w, y, bias []T) {
	var zero T
	q := newNHWC(s)
	if is32[T]() && convKernels {
		q.runs = g.cv.runOffsets(q)
	}
	size := int(unsafe.Sizeof(zero))
	ch := min(n, nhwcChunk(s, size))
	chunks := (n + ch - 1) / ch
	large := n*s.OutC*q.ckk*q.hw >= parMin
	units, quantum := chunks, 1 // what split divides
	if op == opConvW {
		units, quantum = q.ckk, 12
	}
	workers := 1 // as split will run the ranges
	if large {
		workers = max(1, min(g.nworkers(), units/quantum))
	}
	per := (units + workers - 1) / workers
	per = (per + quantum - 1) / quantum * quantum
	slot := nhwcSlot(q, ch)
	if cap(g.cv.chunk) < workers*slot {
		g.cv.chunk = make([]T, workers*slot)
	}
	if cap(g.cv.wt) < 2*q.ckk*s.OutC {
		g.cv.wt = make([]T, 2*q.ckk*s.OutC)
	}
	wp, wtmp := g.cv.wt[:q.ckk*s.OutC], g.cv.wt[q.ckk*s.OutC:2*q.ckk*s.OutC]
	if op != opConvW {
		permuteWeights(wp, w, wtmp, s, op == opConv)
	}
	t := &g.cv.njob
	*t = nhwcJob[T]{op: op, q: q, n: n, ch: ch, per: per, out: out, x: x, y: y, bias: bias, wp: wp,
		scr: g.cv.chunk[:workers*slot], slot: slot}
	g.split(t, units, quantum, large)
	*t = nhwcJob[T]{}  // drop the references to the operands
	if op == opConvW { // out[o][(c, kh, kw)] = wp[(kh, kw, c)][o]
		kk := s.K * s.K
		for o := 0; o < s.OutC; o++ {
			row := out[o*q.ckk : (o+1)*q.ckk]
			for c := 0; c < s.InC; c++ {
				for k := 0; k < kk; k++ {
					row[c*kk+k] = wp[(k*s.InC+c)*s.OutC+o]
				}
			}
		}
	}
}
