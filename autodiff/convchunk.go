package autodiff

import "unsafe"

// Convolutions with few input channels (NCHW; see convnhwc.go for many)
// run over the batch in chunks of a few images whose im2col matrix and
// output channels fit in a core's second-level cache together: a chunk is
// unrolled, multiplied and scattered (or gathered, multiplied and folded
// back with col2im) before the next one starts, so the matrices never
// travel to memory and back, and the product's panels of B stay in cache
// while every row block of A passes over them. The chunks are
// independent, so the workers take ranges of chunks, each with its own
// scratch, and one hand-over serves the whole op. Each output of Conv2D
// and ConvTranspose2D is one chain of multiply-adds (the simd products
// compute every element on its own), so neither the chunk size nor the
// split changes a bit; ConvWeightGrad's chunks write partial sums, added
// in the order of the chunks, whose size depends on the geometry only.

// convChunkBytes (a variable for the tests) bounds the scratch of one
// chunk (its im2col matrix and its output channels): about a third of a
// second-level cache of 1 MiB, leaving room for the weights and the
// images.
var convChunkBytes = 384 << 10

// convChunk returns the number of images of a chunk for geometry s and
// values of size bytes: the count, within the bound convChunkBytes, whose
// columns (rounded up to 16 for the product's panels) waste the least,
// the larger on a tie.
func convChunk(s ConvShape, size int) int {
	hw := s.OutH() * s.OutW()
	rows := s.KernelSize() + s.OutC
	best, bestWaste := 1, 2.0
	for ch := 1; ch <= 256; ch++ {
		cols := ch * hw
		ld := (cols + 15) &^ 15
		if ch > 1 && rows*ld*size > convChunkBytes {
			break
		}
		if w := float64(ld) / float64(cols); w <= bestWaste {
			best, bestWaste = ch, w
		}
	}
	return best
}

// convChunkJob is Conv2D (opConv), ConvTranspose2D (opConvT) or
// ConvWeightGrad (opConvW) over a range of chunks of images.
type convChunkJob[T Float] struct {
	op          opcode
	s           ConvShape
	n, ch       int // images, images per chunk
	per         int // chunks per range of the split
	out, x, w   []T // see convChunked
	bias, ones  []T // ones: for addConst
	part        []T // opConvW: the chunks' (InC·K·K)×OutC partial sums
	off         []int32
	scr         []T // per range: padded image, then the chunk's col and cat
	psize, slot int // sizes of a range's padded image and of its whole scratch
}

// run does the chunks [c0, c1).
func (t *convChunkJob[T]) run(c0, c1 int) {
	s := t.s
	hw, ckk := s.OutH()*s.OutW(), s.KernelSize()
	in, on := s.In().Size(), s.OutC*hw
	scr := t.scr[c0/t.per*t.slot : (c0/t.per+1)*t.slot]
	xp := scr[:t.psize]
	ldMax := ((t.ch*hw + 15) &^ 15)
	mw := convWRows(ckk)
	colBuf := scr[t.psize : t.psize+mw*ldMax]
	catBuf := scr[t.psize+mw*ldMax:]
	for c := c0; c < c1; c++ {
		i0 := c * t.ch
		i1 := min(t.n, i0+t.ch)
		cols := (i1 - i0) * hw
		ld := (cols + 15) &^ 15
		col, cat := colBuf[:ckk*ld], catBuf[:s.OutC*ld]
		switch t.op {
		case opConv: // col = the chunk's im2col, cat = w·col, then out (+ bias)
			for i := i0; i < i1; i++ {
				im2col(col[(i-i0)*hw:], ld, t.x[i*in:(i+1)*in], s, t.off, xp)
			}
			if ld > cols {
				for r := 0; r < ckk; r++ {
					clear(col[r*ld+cols : (r+1)*ld])
				}
			}
			kMatMul(cat, t.w, col, s.OutC, ckk, ld)
			for i := i0; i < i1; i++ {
				o := t.out[i*on : (i+1)*on]
				for oc := 0; oc < s.OutC; oc++ {
					row, src := o[oc*hw:(oc+1)*hw], cat[oc*ld+(i-i0)*hw:]
					if t.bias == nil {
						copyShort(row, src)
						continue
					}
					copyShort(row, src)
					addConst(row, t.bias[oc], t.ones)
				}
			}
		case opConvT: // cat = the chunk's channels, col = wᵀ·cat, then col2im
			for i := i0; i < i1; i++ {
				y := t.x[i*on : (i+1)*on]
				for oc := 0; oc < s.OutC; oc++ {
					copyShort(cat[oc*ld+(i-i0)*hw:oc*ld+(i-i0+1)*hw], y[oc*hw:(oc+1)*hw])
				}
			}
			if ld > cols {
				for r := 0; r < s.OutC; r++ {
					clear(cat[r*ld+cols : (r+1)*ld])
				}
			}
			kMatMul(col, t.w, cat, ckk, s.OutC, ld)
			for i := i0; i < i1; i++ {
				col2im(t.out[i*in:(i+1)*in], col[(i-i0)*hw:], ld, s, t.off, xp)
			}
		case opConvW: // col = the chunk's im2col (mw rows), cat = its yᵀ, part = col·cat
			col, cat = colBuf[:mw*cols], catBuf[:cols*s.OutC]
			for i := i0; i < i1; i++ {
				im2col(col[(i-i0)*hw:], cols, t.x[i*in:(i+1)*in], s, t.off, xp)
				transpose(cat[(i-i0)*on:(i-i0+1)*on], t.w[i*on:(i+1)*on], s.OutC, hw)
			}
			clear(col[ckk*cols:])
			part := t.part[c*mw*s.OutC : (c+1)*mw*s.OutC]
			kMatMul(part, col, cat, mw, cols, s.OutC)
		}
	}
}

// convWRows returns the rows of ConvWeightGrad's product for ckk rows of
// im2col: ckk rounded up to a multiple of 4 (a 9-row product would leave
// a row to the slow single-row kernel), the extra rows zero.
func convWRows(ckk int) int { return (ckk + 3) &^ 3 }

// convChunked computes Conv2D (op = opConv: x the input, w the weights),
// ConvTranspose2D (opConvT: x the output-side batch, w the transposed
// weights) or ConvWeightGrad (opConvW: x the input, w the output-side
// batch) of n images into out, chunk by chunk. ConvWeightGrad's chunks
// write partial sums, which are then added in the order of the chunks:
// the same bits whatever the split.
func (g *GraphOf[T]) convChunked(op opcode, s ConvShape, n int, out, x, w, bias []T) {
	var zero T
	ch := min(n, convChunk(s, int(unsafe.Sizeof(zero))))
	chunks := (n + ch - 1) / ch
	hw, ckk := s.OutH()*s.OutW(), s.KernelSize()
	large := n*s.OutC*ckk*hw >= parMin
	workers := 1 // as split will run the ranges of chunks
	if large {
		workers = max(1, min(g.nworkers(), chunks))
	}
	per := (chunks + workers - 1) / workers
	psize := 0
	if s.Pad > 0 {
		psize = s.InC * (s.H + 2*s.Pad) * (s.W + 2*s.Pad)
	}
	ld, mw := (ch*hw+15)&^15, convWRows(ckk)
	slot := psize + (mw+s.OutC)*ld
	if cap(g.cv.chunk) < workers*slot {
		g.cv.chunk = make([]T, workers*slot)
	}
	var part []T
	if op == opConvW {
		if cap(g.cv.part) < chunks*mw*s.OutC {
			g.cv.part = make([]T, chunks*mw*s.OutC)
		}
		part = g.cv.part[:chunks*mw*s.OutC]
	}
	t := &g.cv.cjob
	*t = convChunkJob[T]{op: op, s: s, n: n, ch: ch, per: per, out: out, x: x, w: w, bias: bias, ones: g.cv.onesFor(hw), part: part,
		off: g.cv.convOffsets(s), scr: g.cv.chunk[:workers*slot], psize: psize, slot: slot}
	g.split(t, chunks, 1, large)
	*t = convChunkJob[T]{} // drop the references to the operands
	if op != opConvW {
		return
	}
	// The sum of the partial sums (rows ckk… of each are zero), then its
	// transpose into out.
	size := ckk * s.OutC
	if cap(g.cv.wt) < size {
		g.cv.wt = make([]T, size)
	}
	wt := g.cv.wt[:size]
	copy(wt, part[:size])
	for c := 1; c < chunks; c++ {
		p := part[c*mw*s.OutC : c*mw*s.OutC+size]
		for j := range wt {
			wt[j] += p[j]
		}
	}
	transpose(out, wt, ckk, s.OutC)
}
