package autodiff

import "fmt"

// AvgPool returns the k×k average pooling with stride k of the batch of
// images x (n×(C·H·W), NCHW rows): an n×(C·(H/k)·(W/k)) batch, the last
// H mod k rows and W mod k columns dropped (as PyTorch's avg_pool2d
// without padding). Its gradient spreads each value over its window,
// divided by k², and the gradient of that is AvgPool again.
func (g *GraphOf[T]) AvgPool(x Node, s ImageShape, k int) Node {
	if k < 1 || k > s.H || k > s.W {
		panic(fmt.Sprintf("autodiff: AvgPool: window %d for images %+v", k, s))
	}
	return g.pool(x, s, k, k, 1/float64(k*k))
}

// GlobalAvgPool returns the mean of every channel of every image of x
// (n×(C·H·W), NCHW rows): an n×C matrix.
func (g *GraphOf[T]) GlobalAvgPool(x Node, s ImageShape) Node {
	return g.pool(x, s, s.H, s.W, 1/float64(s.H*s.W))
}

// checkImages panics unless x holds images of shape s.
func (g *GraphOf[T]) checkImages(op string, x Node, s ImageShape, size int) (int, []T) {
	if s.C < 1 || s.H < 1 || s.W < 1 {
		panic(fmt.Sprintf("autodiff: %s: invalid image shape %+v", op, s))
	}
	n, c, v := g.shape(x)
	if c != size {
		mismatch(op, n, c, n, size)
	}
	return n, v
}

// pool records scale·(the sums over the kh×kw windows, stride kh×kw, of
// the images x of shape s).
func (g *GraphOf[T]) pool(x Node, s ImageShape, kh, kw int, scale float64) Node {
	n, xv := g.checkImages("AvgPool", x, s, s.Size())
	ho, wo := s.H/kh, s.W/kw
	id, p := g.alloc(opPool, n, s.C*ho*wo)
	g.link(p, x, 0, 0)
	p.k = g.rec(convRec{s: ConvShape{InC: s.C, H: s.H, W: s.W}, kh: kh, kw: kw})
	p.s = scale
	out, st := p.val, T(scale)
	for i := 0; i < n*s.C; i++ { // every channel of every image
		src, dst := xv[i*s.H*s.W:(i+1)*s.H*s.W], out[i*ho*wo:(i+1)*ho*wo]
		for oh := 0; oh < ho; oh++ {
			d := dst[oh*wo : (oh+1)*wo]
			clear(d)
			for a := 0; a < kh; a++ {
				xr := src[(oh*kh+a)*s.W : (oh*kh+a+1)*s.W]
				for ow := range d {
					var t T
					for _, v := range xr[ow*kw : (ow+1)*kw] {
						t += v
					}
					d[ow] += t
				}
			}
			for ow := range d {
				d[ow] *= st
			}
		}
	}
	return id
}

// unpool records scale·y spread over the kh×kw windows of images of shape
// s (zeros in the rows and columns pooling drops): the adjoint of pool.
func (g *GraphOf[T]) unpool(y Node, s ImageShape, kh, kw int, scale float64) Node {
	ho, wo := s.H/kh, s.W/kw
	n, yv := g.checkImages("AvgPool (adjoint)", y, s, s.C*ho*wo)
	id, p := g.alloc(opUnpool, n, s.Size())
	g.link(p, y, 0, 0)
	p.k = g.rec(convRec{s: ConvShape{InC: s.C, H: s.H, W: s.W}, kh: kh, kw: kw})
	p.s = scale
	out, st := p.val, T(scale)
	for i := 0; i < n*s.C; i++ {
		src, dst := yv[i*ho*wo:(i+1)*ho*wo], out[i*s.H*s.W:(i+1)*s.H*s.W]
		for ih := 0; ih < s.H; ih++ {
			d := dst[ih*s.W : (ih+1)*s.W]
			if ih >= ho*kh {
				clear(d)
				continue
			}
			yr := src[(ih/kh)*wo : (ih/kh+1)*wo]
			for ow, v := range yr {
				v *= st
				for j := ow * kw; j < (ow+1)*kw; j++ {
					d[j] = v
				}
			}
			clear(d[wo*kw:])
		}
	}
	return id
}
