package autodiff

import (
	"fmt"

	"github.com/goebm/ebm/simd"
)

// Convolutions and pooling on batches of images.
//
// A node holding a batch of images is an n×(C·H·W) matrix: one image per
// row, channels then rows then columns within the row (NCHW). Flattening
// such a batch for a dense layer is therefore the identity — pass the node
// to Affine or MatMul as it is — and no reshape operation is needed as
// long as rows stay rows.
//
// Conv2D, its adjoint with respect to the input (ConvTranspose2D) and its
// adjoint with respect to the weights (ConvWeightGrad) are three bilinear
// operations of one trilinear form ⟨Conv2D(x, w), y⟩ = ⟨x,
// ConvTranspose2D(y, w)⟩ = ⟨w, ConvWeightGrad(x, y)⟩, so the backward rule
// of each is written with the other two and gradients of every order close
// on these three. AvgPool and GlobalAvgPool are scaled window sums whose
// adjoint is the spreading of values over the windows, and the other way
// round.

// ConvShape is the geometry of a 2-D convolution: InC input channels of
// H×W pixels, OutC output channels, a K×K kernel moved by Stride, and Pad
// zeros on every side of the input. The weights are an OutC×(InC·K·K)
// matrix (row o: the kernel of output channel o, laid out InC, K, K, as
// PyTorch's OutC×InC×K×K), the output images OutC×OutH()×OutW().
type ConvShape struct {
	InC, H, W int // input channels, height and width
	OutC      int // output channels
	K         int // kernel height and width
	Stride    int // step of the kernel, ≥ 1
	Pad       int // zero padding on each side, ≥ 0
}

// OutH returns the height of the output images, (H + 2·Pad − K)/Stride + 1.
func (s ConvShape) OutH() int { return (s.H+2*s.Pad-s.K)/s.Stride + 1 }

// OutW returns the width of the output images, (W + 2·Pad − K)/Stride + 1.
func (s ConvShape) OutW() int { return (s.W+2*s.Pad-s.K)/s.Stride + 1 }

// In returns the shape of the input images.
func (s ConvShape) In() ImageShape { return ImageShape{s.InC, s.H, s.W} }

// Out returns the shape of the output images.
func (s ConvShape) Out() ImageShape { return ImageShape{s.OutC, s.OutH(), s.OutW()} }

// KernelSize returns InC·K·K, the number of columns of the weights.
func (s ConvShape) KernelSize() int { return s.InC * s.K * s.K }

// check panics unless s is a valid geometry.
func (s ConvShape) check(op string) {
	if s.InC < 1 || s.H < 1 || s.W < 1 || s.OutC < 1 || s.K < 1 || s.Stride < 1 || s.Pad < 0 ||
		s.H+2*s.Pad < s.K || s.W+2*s.Pad < s.K {
		panic(fmt.Sprintf("autodiff: %s: invalid geometry %+v", op, s))
	}
}

// ImageShape is the shape of the images of a batch: C channels of H×W
// pixels, C·H·W values per row.
type ImageShape struct{ C, H, W int }

// Size returns C·H·W.
func (s ImageShape) Size() int { return s.C * s.H * s.W }

// convRec is the geometry of a convolution or pooling node (its k indexes
// the Graph's records): the convolution's shape, or for pooling the image
// (InC, H, W) and the window kh×kw.
type convRec struct {
	s      ConvShape
	kh, kw int
}

// convState holds the geometry records (emptied by Reset) and the scratch
// of the convolution ops, kept across Reset (grown to the largest layer,
// then reused: no allocation in steady state): the chunks' scratch of
// every worker (chunk), ConvWeightGrad's partial sums (part) and a
// weights-sized matrix (wt), and the jobs.
type convState[T Float] struct {
	recs  []convRec
	chunk []T
	part  []T
	wt    []T
	ones  []T // for addConst
	cjob  convChunkJob[T]
	njob  nhwcJob[T]
	offs  []convOffs // gather offsets per geometry, kept across Reset
	runs  []convOffs // the NHWC path's run offsets per geometry, the same
}

// convOffs holds the offsets of convOffsets for the geometry s.
type convOffs struct {
	s   ConvShape
	off []int32
}

// convOffsets returns the offsets (oh·S)·Wp + ow·S of the output pixels
// (oh, ow) of geometry s in its padded input planes, Wp = W + 2·Pad wide:
// im2col's row (c, kh, kw) is the plane of channel c read at these
// offsets from kh·Wp + kw. Computed once per geometry.
func (cv *convState[T]) convOffsets(s ConvShape) []int32 {
	for _, o := range cv.offs {
		if o.s == s {
			return o.off
		}
	}
	ho, wo, wp := s.OutH(), s.OutW(), s.W+2*s.Pad
	off := make([]int32, 0, ho*wo)
	for oh := 0; oh < ho; oh++ {
		for ow := 0; ow < wo; ow++ {
			off = append(off, int32(oh*s.Stride*wp+ow*s.Stride))
		}
	}
	cv.offs = append(cv.offs, convOffs{s, off})
	return off
}

// rec appends a geometry record and returns its index.
func (g *GraphOf[T]) rec(r convRec) int32 {
	g.cv.recs = append(g.cv.recs, r)
	return int32(len(g.cv.recs) - 1)
}

// Conv2D returns the 2-D convolution (cross-correlation, as PyTorch's
// conv2d) of the batch of images x (n×(InC·H·W)) with the weights w
// (OutC×(InC·K·K)) plus the bias b (1×OutC, one value per output channel;
// 0 for none): an n×(OutC·OutH·OutW) batch. The images are unrolled
// (im2col, or im2row with the channels last for many input channels) a
// few at a time and multiplied by w with the simd matrix kernels (see
// convchunk.go and convnhwc.go); with SetWorkers the chunks of images are
// split over the workers, and no value depends on the split. Its gradients are ConvTranspose2D (with respect to x), ConvWeightGrad
// (with respect to w) and the sums of the output channels (b).
func (g *GraphOf[T]) Conv2D(x, w, b Node, s ConvShape) Node {
	s.check("Conv2D")
	n, xc, xv := g.shape(x)
	if xc != s.In().Size() {
		mismatch("Conv2D (input)", n, xc, n, s.In().Size())
	}
	wr, wc, wv := g.shape(w)
	if wr != s.OutC || wc != s.KernelSize() {
		mismatch("Conv2D (weights)", wr, wc, s.OutC, s.KernelSize())
	}
	var bv []T
	if b != 0 {
		var br, bc int
		br, bc, bv = g.shape(b)
		if br != 1 || bc != s.OutC {
			mismatch("Conv2D (bias)", br, bc, 1, s.OutC)
		}
	}
	id, p := g.alloc(opConv, n, s.Out().Size())
	g.link(p, x, w, b)
	p.k = g.rec(convRec{s: s})
	g.convRun(opConv, s, n, p.val, xv, wv, bv)
	return id
}

// ConvTranspose2D returns the transposed convolution of the batch y
// (n×(OutC·OutH·OutW)) with the weights w (OutC×(InC·K·K)): the n×(InC·H·W)
// gradient of ⟨Conv2D(x, w, 0, s), y⟩ with respect to x (col2im of wᵀ·y,
// image by image). Its own gradients are Conv2D (with respect to y) and
// ConvWeightGrad (with respect to w).
func (g *GraphOf[T]) ConvTranspose2D(y, w Node, s ConvShape) Node {
	s.check("ConvTranspose2D")
	n, yc, yv := g.shape(y)
	if yc != s.Out().Size() {
		mismatch("ConvTranspose2D (input)", n, yc, n, s.Out().Size())
	}
	wr, wc, wt := g.shape(w)
	if wr != s.OutC || wc != s.KernelSize() {
		mismatch("ConvTranspose2D (weights)", wr, wc, s.OutC, s.KernelSize())
	}
	if !useNHWC(s) {
		wt = g.transposed(w) // (InC·K·K)×OutC, cached on w
	}
	id, p := g.alloc(opConvT, n, s.In().Size())
	g.link(p, y, w, 0)
	p.k = g.rec(convRec{s: s})
	g.convRun(opConvT, s, n, p.val, yv, wt, nil)
	return id
}

// ConvWeightGrad returns the OutC×(InC·K·K) correlation of the batches x
// (n×(InC·H·W)) and y (n×(OutC·OutH·OutW)), summed over the batch: the
// gradient of ⟨Conv2D(x, w, 0, s), y⟩ with respect to w. Its own
// gradients are ConvTranspose2D (with respect to x) and Conv2D (with
// respect to y).
func (g *GraphOf[T]) ConvWeightGrad(x, y Node, s ConvShape) Node {
	s.check("ConvWeightGrad")
	n, xc, xv := g.shape(x)
	if xc != s.In().Size() {
		mismatch("ConvWeightGrad (x)", n, xc, n, s.In().Size())
	}
	yn, yc, yv := g.shape(y)
	if yn != n || yc != s.Out().Size() {
		mismatch("ConvWeightGrad (y)", yn, yc, n, s.Out().Size())
	}
	id, p := g.alloc(opConvW, s.OutC, s.KernelSize())
	g.link(p, x, y, 0)
	p.k = g.rec(convRec{s: s})
	g.convRun(opConvW, s, n, p.val, xv, yv, nil)
	return id
}

// convRun computes a convolution op of kind op on a batch of n images into
// out: on the NHWC path for many input channels (convNHWC), else on NCHW
// chunks (convChunked). For opConv x is the input, w the weights and bias
// the bias or nil; for opConvT x is the output-side batch and w the
// transposed weights (the weights on the NHWC path); for opConvW x is the
// input and w the output-side batch.
func (g *GraphOf[T]) convRun(op opcode, s ConvShape, n int, out, x, w, bias []T) {
	if n == 0 {
		clear(out)
		return
	}
	if useNHWC(s) {
		switch op {
		case opConvW:
			g.convNHWC(op, s, n, out, x, nil, w, nil)
		default:
			g.convNHWC(op, s, n, out, x, w, nil, bias)
		}
		return
	}
	g.convChunked(op, s, n, out, x, w, bias)
}

// validRange returns the output positions [lo, hi) of the o outputs whose
// input index o·stride + off falls in [0, size).
func validRange(o, stride, off, size int) (lo, hi int) {
	lo = 0
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	hi = 0
	if size-off > 0 {
		hi = (size - off + stride - 1) / stride
	}
	hi = min(hi, o)
	lo = min(lo, hi)
	return lo, hi
}

// padded returns the planes of image x (shape s) with Pad zeros on every
// side, written into xp, or x itself when Pad = 0, and the width of the
// planes.
func padded[T Float](xp, x []T, s ConvShape) ([]T, int) {
	if s.Pad == 0 {
		return x[:s.InC*s.H*s.W], s.W
	}
	p, wp := s.Pad, s.W+2*s.Pad
	plane := (s.H + 2*p) * wp
	xp = xp[:s.InC*plane]
	x = x[:s.InC*s.H*s.W]
	for c := 0; c < s.InC; c++ {
		xc := xp[c*plane : (c+1)*plane]
		clear(xc[:p*wp+p]) // the top rows and the left of the first
		for h := 0; h < s.H; h++ {
			row := xc[(h+p)*wp+p : (h+p+1)*wp+p] // the row and the padding to the next
			copyShort(row[:s.W], x[(c*s.H+h)*s.W:])
			for j := s.W; j < len(row); j++ {
				row[j] = 0
			}
		}
		clear(xc[(s.H+p)*wp+p:]) // the right of the last row and the bottom rows
	}
	return xp, wp
}

// convKernels (a variable for the tests) lets the float32 unrolling and
// folding back (im2col, col2im, im2row, row2im) run on simd's strided and
// run kernels; off, they run the loops, with the same bits.
var convKernels = true

// copyShort copies src into dst (len(src) ≥ len(dst)): with a loop for
// short runs, which are quicker so than with a call of memmove.
// onesFor returns at least min(n, 1024) ones, for addConst.
func (cv *convState[T]) onesFor(n int) []T {
	if n = min(n, 1024); len(cv.ones) < n {
		cv.ones = make([]T, n)
		for i := range cv.ones {
			cv.ones[i] = 1
		}
	}
	return cv.ones
}

// addConst adds b to every value of row on the vector kernels, as
// row += b·1 over ones (at least min(len(row), 1024) of them): row + b
// rounded once, the bits of a plain loop.
func addConst[T Float](row []T, b T, ones []T) {
	for len(row) > 0 {
		m := min(len(row), len(ones))
		kAxpy(row[:m], b, ones[:m])
		row = row[m:]
	}
}

func copyShort[T Float](dst, src []T) {
	if len(dst) >= 64 {
		copy(dst, src)
		return
	}
	src = src[:len(dst)]
	for j := range dst {
		dst[j] = src[j]
	}
}

// im2col writes the (InC·K·K)×(OutH·OutW) matrix of image x's patches into
// the rows of col, ld apart: row (c, kh, kw), column (oh, ow) holds x[c,
// oh·S − P + kh, ow·S − P + kw], or 0 in the padding. It copies x into the
// zero-padded planes xp (when Pad > 0) and gathers each row from there at
// the offsets off (convOffsets(s)): one loop without branches per row, or
// simd.GatherStrided32 in float32.
func im2col[T Float](col []T, ld int, x []T, s ConvShape, off []int32, xp []T) {
	src, wp := padded(xp, x, s)
	plane := len(src) / s.InC
	ho, wo := s.OutH(), s.OutW()
	hw := len(off)
	r := 0
	for c := 0; c < s.InC; c++ {
		for kh := 0; kh < s.K; kh++ {
			for kw := 0; kw < s.K; kw++ {
				d := col[r*ld : r*ld+hw]
				r++
				xs := src[c*plane+kh*wp+kw : (c+1)*plane]
				if is32[T]() && convKernels {
					simd.GatherStrided32(f32(d), f32(xs), wp, ho, wo, s.Stride)
					continue
				}
				for p, o := range off {
					d[p] = xs[o]
				}
			}
		}
	}
}

// col2im sets x to the sum of the entries of col (rows ld apart) at the
// pixels im2col reads them from: the adjoint of im2col. Each pixel sums
// its entries from 0 in the order of the rows (kh, kw) of its channel,
// into the padded planes xp when Pad > 0 (then copied to x); in float32
// each row is added with simd.ScatterAddStrided32 (the same additions).
func col2im[T Float](x, col []T, ld int, s ConvShape, off []int32, xp []T) {
	p, wp := s.Pad, s.W+2*s.Pad
	plane := (s.H + 2*p) * wp
	ho, wo := s.OutH(), s.OutW()
	dst := x[:s.InC*s.H*s.W]
	if p > 0 {
		dst = xp[:s.InC*plane]
	}
	clear(dst)
	hw := len(off)
	r := 0
	for c := 0; c < s.InC; c++ {
		for kh := 0; kh < s.K; kh++ {
			for kw := 0; kw < s.K; kw++ {
				sv := col[r*ld : r*ld+hw]
				r++
				xs := dst[c*plane+kh*wp+kw : (c+1)*plane]
				if is32[T]() && convKernels {
					simd.ScatterAddStrided32(f32(xs), f32(sv), wp, ho, wo, s.Stride)
					continue
				}
				sv = sv[:len(off)]
				for q, o := range off {
					xs[o] += sv[q]
				}
			}
		}
	}
	if p == 0 {
		return
	}
	for c := 0; c < s.InC; c++ {
		for h := 0; h < s.H; h++ {
			copyShort(x[(c*s.H+h)*s.W:(c*s.H+h+1)*s.W], dst[c*plane+(h+p)*wp+p:])
		}
	}
}

// convBackward propagates the adjoint gi of the convolution or pooling
// node p to its operands that depend on a requested input (Grad's
// backward for these ops).
func (g *GraphOf[T]) convBackward(adj []Node, p *node[T], gi Node, dep func(Node) bool) {
	r := g.cv.recs[p.k] // a copy: recording appends records
	a, b, c := p.a, p.b, p.c
	switch p.op {
	case opConv: // Y = Conv2D(X, W) + bias
		if dep(a) {
			g.accumulate(adj, a, g.ConvTranspose2D(gi, b, r.s))
		}
		if dep(b) {
			g.accumulate(adj, b, g.ConvWeightGrad(a, gi, r.s))
		}
		if dep(c) {
			o := r.s.Out()
			g.accumulate(adj, c, g.SumCols(g.pool(gi, o, o.H, o.W, 1)))
		}
	case opConvT: // Z = ConvTranspose2D(G, W)
		if dep(a) {
			g.accumulate(adj, a, g.Conv2D(gi, b, 0, r.s))
		}
		if dep(b) {
			g.accumulate(adj, b, g.ConvWeightGrad(gi, a, r.s))
		}
	case opConvW: // V = ConvWeightGrad(X, G)
		if dep(a) {
			g.accumulate(adj, a, g.ConvTranspose2D(b, gi, r.s))
		}
		if dep(b) {
			g.accumulate(adj, b, g.Conv2D(a, gi, 0, r.s))
		}
	case opPool:
		if dep(a) {
			g.accumulate(adj, a, g.unpool(gi, r.s.In(), r.kh, r.kw, p.s))
		}
	case opUnpool:
		if dep(a) {
			g.accumulate(adj, a, g.pool(gi, r.s.In(), r.kh, r.kw, p.s))
		}
	}
}
