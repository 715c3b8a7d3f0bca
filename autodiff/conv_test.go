package autodiff

import (
	"fmt"
	"math"
	"testing"

	"github.com/goebm/ebm/rng"
)

// convShapes are the geometries the convolution tests run over: stride 1,
// 2 and 3, padding 0, 1 and 2, 1 to 3 channels, odd and non-square images,
// and a 1×1 kernel.
var convShapes = []ConvShape{
	{InC: 1, H: 5, W: 5, OutC: 2, K: 3, Stride: 1, Pad: 0},
	{InC: 2, H: 7, W: 6, OutC: 3, K: 3, Stride: 2, Pad: 1},
	{InC: 3, H: 6, W: 5, OutC: 2, K: 2, Stride: 2, Pad: 0},
	{InC: 3, H: 5, W: 7, OutC: 1, K: 3, Stride: 1, Pad: 1},
	{InC: 2, H: 9, W: 8, OutC: 2, K: 5, Stride: 3, Pad: 2},
	{InC: 1, H: 4, W: 3, OutC: 2, K: 1, Stride: 1, Pad: 0},
}

// naiveConv is the direct loop definition of Conv2D (cross-correlation with
// zero padding) on n images, b nil for no bias.
func naiveConv(x, w, b []float64, s ConvShape, n int) []float64 {
	ho, wo := s.OutH(), s.OutW()
	out := make([]float64, n*s.OutC*ho*wo)
	for i := 0; i < n; i++ {
		for o := 0; o < s.OutC; o++ {
			for oh := 0; oh < ho; oh++ {
				for ow := 0; ow < wo; ow++ {
					var t float64
					if b != nil {
						t = b[o]
					}
					for c := 0; c < s.InC; c++ {
						for kh := 0; kh < s.K; kh++ {
							for kw := 0; kw < s.K; kw++ {
								ih, iw := oh*s.Stride-s.Pad+kh, ow*s.Stride-s.Pad+kw
								if ih < 0 || ih >= s.H || iw < 0 || iw >= s.W {
									continue
								}
								t += w[((o*s.InC+c)*s.K+kh)*s.K+kw] * x[((i*s.InC+c)*s.H+ih)*s.W+iw]
							}
						}
					}
					out[((i*s.OutC+o)*ho+oh)*wo+ow] = t
				}
			}
		}
	}
	return out
}

// naivePool is the direct definition of k×k average pooling with stride k.
func naivePool(x []float64, s ImageShape, k, n int) []float64 {
	ho, wo := s.H/k, s.W/k
	out := make([]float64, n*s.C*ho*wo)
	for i := 0; i < n*s.C; i++ {
		for oh := 0; oh < ho; oh++ {
			for ow := 0; ow < wo; ow++ {
				var t float64
				for a := 0; a < k; a++ {
					for b := 0; b < k; b++ {
						t += x[(i*s.H+oh*k+a)*s.W+ow*k+b]
					}
				}
				out[(i*ho+oh)*wo+ow] = t / float64(k*k)
			}
		}
	}
	return out
}

func closeAll(got, want []float64, tol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("lengths %d and %d", len(got), len(want))
	}
	for i := range got {
		if !near(got[i], want[i], tol) {
			return fmt.Errorf("element %d: got %.15g, want %.15g", i, got[i], want[i])
		}
	}
	return nil
}

func dot64(a, b []float64) float64 {
	var t float64
	for i := range a {
		t += a[i] * b[i]
	}
	return t
}

// TestConv2DForward checks Conv2D (with and without bias) against the
// direct loops, and ConvTranspose2D and ConvWeightGrad against the
// identities ⟨Conv2D(x, w), y⟩ = ⟨x, ConvTranspose2D(y, w)⟩ = ⟨w,
// ConvWeightGrad(x, y)⟩ and against the direct loops' adjoints (column by
// column of the linear maps). A failure: wrong im2col/col2im indexing.
func TestConv2DForward(t *testing.T) {
	for si, s := range convShapes {
		for _, n := range []int{1, 3} {
			r := rng.New(21, uint64(si))
			x := randAway(&r, n*s.In().Size(), 1)
			w := randAway(&r, s.OutC*s.KernelSize(), 1)
			b := randAway(&r, s.OutC, 1)
			y := randAway(&r, n*s.Out().Size(), 1)
			g := New()
			xn, wn, bn := g.Const(x, n, s.In().Size()), g.Const(w, s.OutC, s.KernelSize()), g.Const(b, 1, s.OutC)
			yn := g.Const(y, n, s.Out().Size())
			if err := closeAll(g.Value(g.Conv2D(xn, wn, bn, s)), naiveConv(x, w, b, s, n), 1e-13); err != nil {
				t.Errorf("%+v n=%d: Conv2D: %v", s, n, err)
			}
			c0 := g.Conv2D(xn, wn, 0, s)
			if err := closeAll(g.Value(c0), naiveConv(x, w, nil, s, n), 1e-13); err != nil {
				t.Errorf("%+v n=%d: Conv2D without bias: %v", s, n, err)
			}
			// Adjoint of x ↦ Conv2D(x, w): column j is ConvT(e_j) read off
			// ⟨Conv2D(e_j, w), y⟩.
			ct := g.Value(g.ConvTranspose2D(yn, wn, s))
			want := make([]float64, len(x))
			for j := range x {
				e := make([]float64, len(x))
				e[j] = 1
				want[j] = dot64(naiveConv(e, w, nil, s, n), y)
			}
			if err := closeAll(ct, want, 1e-13); err != nil {
				t.Errorf("%+v n=%d: ConvTranspose2D: %v", s, n, err)
			}
			cw := g.Value(g.ConvWeightGrad(xn, yn, s))
			want = make([]float64, len(w))
			for j := range w {
				e := make([]float64, len(w))
				e[j] = 1
				want[j] = dot64(naiveConv(x, e, nil, s, n), y)
			}
			if err := closeAll(cw, want, 1e-13); err != nil {
				t.Errorf("%+v n=%d: ConvWeightGrad: %v", s, n, err)
			}
		}
	}
}

// TestAvgPoolForward checks AvgPool and GlobalAvgPool against the direct
// definitions, for windows that do and do not divide the image, and the
// adjoint (Grad of ⟨AvgPool(x), y⟩) against the transpose of the map.
func TestAvgPoolForward(t *testing.T) {
	for _, tc := range []struct {
		s ImageShape
		k int
	}{{ImageShape{2, 4, 4}, 2}, {ImageShape{3, 7, 5}, 2}, {ImageShape{1, 6, 6}, 3}, {ImageShape{2, 5, 4}, 1}} {
		const n = 2
		r := rng.New(22, uint64(tc.k))
		x := randAway(&r, n*tc.s.Size(), 1)
		g := New()
		xn := g.Input(x, n, tc.s.Size())
		p := g.AvgPool(xn, tc.s, tc.k)
		want := naivePool(x, tc.s, tc.k, n)
		if err := closeAll(g.Value(p), want, 1e-14); err != nil {
			t.Errorf("%+v k=%d: AvgPool: %v", tc.s, tc.k, err)
		}
		gp := g.GlobalAvgPool(xn, tc.s)
		wantG := make([]float64, n*tc.s.C)
		for i := range wantG {
			for _, v := range x[i*tc.s.H*tc.s.W : (i+1)*tc.s.H*tc.s.W] {
				wantG[i] += v / float64(tc.s.H*tc.s.W)
			}
		}
		if err := closeAll(g.Value(gp), wantG, 1e-13); err != nil {
			t.Errorf("%+v: GlobalAvgPool: %v", tc.s, err)
		}
		y := randAway(&r, len(want), 1)
		gx := g.Value(g.Grad([]Node{p}, []Node{xn}, []Node{g.Const(y, n, len(want)/n)}, false)[0])
		wantX := make([]float64, len(x))
		for j := range x {
			e := make([]float64, len(x))
			e[j] = 1
			wantX[j] = dot64(naivePool(e, tc.s, tc.k, n), y)
		}
		if err := closeAll(gx, wantX, 1e-14); err != nil {
			t.Errorf("%+v k=%d: AvgPool adjoint: %v", tc.s, tc.k, err)
		}
	}
}

// convCase is a small convolutional energy: conv (+ bias) → SiLU → pool →
// affine, E n×1. pool is the AvgPool window, or 0 for a global average
// pool.
type convCase struct {
	s    ConvShape
	pool int
	n    int
}

var convCases = []convCase{
	{convShapes[0], 2, 2},
	{convShapes[1], 2, 2},
	{convShapes[2], 0, 2},
	{convShapes[3], 3, 1},
	{convShapes[4], 1, 2},
	{convShapes[5], 2, 3},
}

// pooled returns the width of the pooled features.
func (c convCase) pooled() int {
	o := c.s.Out()
	if c.pool == 0 {
		return o.C
	}
	return o.C * (o.H / c.pool) * (o.W / c.pool)
}

// leafShapes: x, W, b, V (pooled×1), c (1×1).
func (c convCase) leafShapes() [][2]int {
	return [][2]int{{c.n, c.s.In().Size()}, {c.s.OutC, c.s.KernelSize()}, {1, c.s.OutC}, {c.pooled(), 1}, {1, 1}}
}

// energy records E (n×1) on g from the leaves in = x, W, b, V, c.
func convEnergy[T Float](g *GraphOf[T], c convCase, in []Node) Node {
	h := g.Act(g.Conv2D(in[0], in[1], in[2], c.s), SiLU)
	if c.pool == 0 {
		h = g.GlobalAvgPool(h, c.s.Out())
	} else {
		h = g.AvgPool(h, c.s.Out(), c.pool)
	}
	return g.Affine(h, in[3], in[4])
}

// convF records the scalar of the given order on g: order 1 ΣE; order 2
// Σ u∘(∇ₓΣE)² + ⟨∇_W ΣE, r⟩ (through ConvTranspose2D and ConvWeightGrad);
// order 3 Σ u∘(∇ₓF₂)² + Σ (∇_W F₂)². Their gradients are derivatives of E
// of orders 1 to 3. u and r are fixed weights (consts).
func convF[T Float](g *GraphOf[T], c convCase, in []Node, order int, u, r []T) Node {
	f := g.Sum(convEnergy(g, c, in))
	xs := c.leafShapes()
	for o := 2; o <= order; o++ {
		gs := g.Grad([]Node{f}, in[:2], nil, true)
		un := g.Const(u, xs[0][0], xs[0][1])
		t := g.Sum(g.Mul(g.Square(gs[0]), un))
		if o == 2 {
			f = g.Add(t, g.Sum(g.Mul(gs[1], g.Const(r, xs[1][0], xs[1][1]))))
		} else {
			f = g.Add(t, g.Sum(g.Square(gs[1])))
		}
	}
	return f
}

// convData returns random leaves for case c and the weights u, r.
func convData(c convCase, seed uint64) (data [][]float64, u, r []float64) {
	s := rng.New(seed, 0)
	for i, sh := range c.leafShapes() {
		scale := 0.5
		if i == 0 {
			scale = 1
		}
		data = append(data, randAway(&s, sh[0]*sh[1], scale))
	}
	return data, randAway(&s, len(data[0]), 1), randAway(&s, len(data[1]), 1)
}

// convGrads returns F's value and its gradients with respect to every leaf
// (createGraph as given) on a graph of type T.
func convGrads[T Float](c convCase, data [][]float64, u, r []float64, order int, create bool, workers int) (float64, [][]float64) {
	g := NewOf[T]()
	g.SetWorkers(workers)
	in := make([]Node, len(data))
	for i, sh := range c.leafShapes() {
		in[i] = g.Input(toT[T](data[i]), sh[0], sh[1])
	}
	f := convF(g, c, in, order, toT[T](u), toT[T](r))
	return float64(g.Value(f)[0]), vals(g, g.Grad([]Node{f}, in, nil, create))
}

// TestConvGradFD checks the gradients of F of orders 1, 2 and 3 (so
// derivatives of the convolutional energy of orders 1 to 3 through Conv2D,
// ConvTranspose2D, ConvWeightGrad and the pooling ops) with respect to
// every leaf — the images, the kernel, the bias and the dense layer —
// against central differences of F at random points, with and without
// createGraph. A failure: a wrong backward rule of one of these ops.
func TestConvGradFD(t *testing.T) {
	for ci, c := range convCases {
		data, u, r := convData(c, 30+uint64(ci))
		for order := 1; order <= 3; order++ {
			if order == 3 && ci%2 == 1 && testing.Short() {
				continue
			}
			_, gs := convGrads[float64](c, data, u, r, order, false, 1)
			_, gsc := convGrads[float64](c, data, u, r, order, true, 1)
			for li := range data {
				if err := sameBits(gs[li], gsc[li]); err != nil {
					t.Errorf("case %d order %d leaf %d: createGraph changes the gradient: %v", ci, order, li, err)
				}
				for j := range data[li] {
					old := data[li][j]
					data[li][j] = old + fdStep
					fp, _ := convValue(c, data, u, r, order)
					data[li][j] = old - fdStep
					fm, _ := convValue(c, data, u, r, order)
					data[li][j] = old
					fd := (fp - fm) / (2 * fdStep)
					if !near(gs[li][j], fd, 1e-5) {
						t.Errorf("case %d (%+v pool %d) order %d leaf %d element %d: Grad %.10g, finite difference %.10g",
							ci, c.s, c.pool, order, li, j, gs[li][j], fd)
					}
				}
			}
		}
	}
}

// convValue returns F (float64) without gradients.
func convValue(c convCase, data [][]float64, u, r []float64, order int) (float64, *Graph) {
	g := New()
	in := make([]Node, len(data))
	for i, sh := range c.leafShapes() {
		in[i] = g.Input(data[i], sh[0], sh[1])
	}
	return g.Value(convF(g, c, in, order, u, r))[0], g
}

// TestConvHVP checks Hessian-vector products ∇ₓ⟨∇ₓE, v⟩ and the mixed
// ∇_W⟨∇ₓE, v⟩ of the convolutional energy against central differences of
// ∇ₓE along v and along W.
func TestConvHVP(t *testing.T) {
	for ci, c := range convCases {
		data, _, _ := convData(c, 50+uint64(ci))
		s := rng.New(51, uint64(ci))
		v := randAway(&s, len(data[0]), 1)
		sh := c.leafShapes()
		gradX := func() []float64 {
			g := New()
			in := make([]Node, len(data))
			for i := range data {
				in[i] = g.Input(data[i], sh[i][0], sh[i][1])
			}
			return append([]float64(nil), g.Value(g.Grad([]Node{convEnergy(g, c, in)}, in[:1], nil, false)[0])...)
		}
		g := New()
		in := make([]Node, len(data))
		for i := range data {
			in[i] = g.Input(data[i], sh[i][0], sh[i][1])
		}
		gx := g.Grad([]Node{convEnergy(g, c, in)}, in[:1], nil, true)[0]
		hv := g.Grad([]Node{g.Sum(g.Mul(gx, g.Const(v, sh[0][0], sh[0][1])))}, in[:2], nil, false)
		hvx, hvw := g.Value(hv[0]), g.Value(hv[1])
		x0 := append([]float64(nil), data[0]...)
		for j := range x0 {
			data[0][j] = x0[j] + fdStep*v[j]
		}
		gp := gradX()
		for j := range x0 {
			data[0][j] = x0[j] - fdStep*v[j]
		}
		gm := gradX()
		copy(data[0], x0)
		for j := range hvx {
			if fd := (gp[j] - gm[j]) / (2 * fdStep); !near(hvx[j], fd, 1e-6) {
				t.Errorf("case %d: (Hv)_%d = %.10g, finite difference %.10g", ci, j, hvx[j], fd)
			}
		}
		for j := range data[1] {
			old := data[1][j]
			data[1][j] = old + fdStep
			fp := dot64(gradX(), v)
			data[1][j] = old - fdStep
			fm := dot64(gradX(), v)
			data[1][j] = old
			if fd := (fp - fm) / (2 * fdStep); !near(hvw[j], fd, 1e-6) {
				t.Errorf("case %d: ∂⟨∇ₓE, v⟩/∂W_%d = %.10g, finite difference %.10g", ci, j, hvw[j], fd)
			}
		}
	}
}

// TestConvFloat32 checks the float32 graph against the float64 one on the
// convolutional energy: F and its gradients of orders 1 to 3, on inputs
// both represent exactly.
func TestConvFloat32(t *testing.T) {
	for ci, c := range convCases {
		data, u, r := convData(c, 60+uint64(ci))
		for i := range data {
			data[i] = round32(data[i])
		}
		u, r = round32(u), round32(r)
		for order := 1; order <= 3; order++ {
			f64, g64 := convGrads[float64](c, data, u, r, order, false, 1)
			f32, g32 := convGrads[float32](c, data, u, r, order, true, 1)
			if !near(f32, f64, tol32) {
				t.Errorf("case %d order %d: F float32 %.9g, float64 %.12g", ci, order, f32, f64)
			}
			for li := range g64 {
				if err := agree32(g32[li], g64[li], tol32); err != nil {
					t.Errorf("case %d order %d leaf %d: %v", ci, order, li, err)
				}
			}
		}
	}
}

// TestConvWorkers checks that splitting the convolutions over workers
// changes no bit of the values and gradients (orders 1 to 2), for both
// element types, on a batch large enough to be split.
func TestConvWorkers(t *testing.T) {
	c := convCase{ConvShape{InC: 3, H: 12, W: 11, OutC: 8, K: 3, Stride: 1, Pad: 1}, 2, 16}
	data, u, r := convData(c, 70)
	for order := 1; order <= 2; order++ {
		f1, g1 := convGrads[float64](c, data, u, r, order, true, 1)
		f3, g3 := convGrads[float64](c, data, u, r, order, true, 3)
		if err := sameBits([]float64{f1}, []float64{f3}); err != nil {
			t.Errorf("float64 order %d: F: %v", order, err)
		}
		for li := range g1 {
			if err := sameBits(g1[li], g3[li]); err != nil {
				t.Errorf("float64 order %d leaf %d: %v", order, li, err)
			}
		}
		h1, k1 := convGrads[float32](c, data, u, r, order, true, 1)
		h3, k3 := convGrads[float32](c, data, u, r, order, true, 3)
		if err := sameBits([]float64{h1}, []float64{h3}); err != nil {
			t.Errorf("float32 order %d: F: %v", order, err)
		}
		for li := range k1 {
			if err := sameBits(k1[li], k3[li]); err != nil {
				t.Errorf("float32 order %d leaf %d: %v", order, li, err)
			}
		}
	}
}

// convStep is a DSM-like step of a convolutional energy on a graph of
// type T: E, ∇ₓE with createGraph, ½·mean‖∇ₓE − target‖², and the
// parameter gradients (a second backward pass through the first), into
// grad.
type convStep[T Float] struct {
	layers          []ConvShape
	n, dense        int
	x, target, grad []T
	params          [][]T
	ps, outs, ins   []Node
	g               *GraphOf[T]
}

func newConvStep[T Float](layers []ConvShape, n, workers int) *convStep[T] {
	s := rng.New(80, 0)
	st := &convStep[T]{layers: layers, n: n, g: NewOf[T]()}
	st.g.SetWorkers(workers)
	d := layers[0].In().Size()
	st.x, st.target = toT[T](randAway(&s, n*d, 1)), toT[T](randAway(&s, n*d, 1))
	total := 0
	for _, l := range layers {
		sd := math.Sqrt(1 / float64(l.KernelSize()))
		st.params = append(st.params, toT[T](randAway(&s, l.OutC*l.KernelSize(), sd)), toT[T](randAway(&s, l.OutC, 0.1)))
		total += l.OutC*l.KernelSize() + l.OutC
	}
	st.dense = layers[len(layers)-1].Out().Size()
	st.params = append(st.params, toT[T](randAway(&s, st.dense, 1/math.Sqrt(float64(st.dense)))), toT[T](randAway(&s, 1, 0.1)))
	total += st.dense + 1
	st.grad = make([]T, total)
	st.ps = make([]Node, 0, len(st.params))
	st.outs, st.ins = make([]Node, 1), make([]Node, 1)
	return st
}

func (st *convStep[T]) step() T {
	g := st.g
	g.Reset()
	d := st.layers[0].In().Size()
	xn := g.Input(st.x, st.n, d)
	st.ps = st.ps[:0]
	h := xn
	for i, l := range st.layers {
		w := g.Input(st.params[2*i], l.OutC, l.KernelSize())
		b := g.Input(st.params[2*i+1], 1, l.OutC)
		st.ps = append(st.ps, w, b)
		h = g.Act(g.Conv2D(h, w, b, l), SiLU)
	}
	k := len(st.layers)
	v := g.Input(st.params[2*k], st.dense, 1)
	c := g.Input(st.params[2*k+1], 1, 1)
	st.ps = append(st.ps, v, c)
	e := g.Affine(h, v, c) // flatten: the NCHW rows are the features
	st.outs[0], st.ins[0] = e, xn
	gx := g.Grad(st.outs, st.ins, nil, true)[0]
	r := g.Sub(gx, g.Const(st.target, st.n, d))
	loss := g.Scale(g.Sum(g.Square(r)), 0.5/float64(st.n))
	st.outs[0] = loss
	g.Flatten(st.grad, g.Grad(st.outs, st.ps, nil, false))
	return g.Value(loss)[0]
}

// TestConvSteadyStateAllocs replays a DSM-like step of a two-layer
// convolutional energy (with a pooling op) after Reset and requires zero
// allocations per step, serial and split over two workers, for both
// element types.
func TestConvSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	layers := []ConvShape{{InC: 1, H: 12, W: 12, OutC: 4, K: 3, Stride: 2, Pad: 1}, {InC: 4, H: 6, W: 6, OutC: 6, K: 3, Stride: 1, Pad: 1}}
	for _, workers := range []int{1, 2} {
		s64 := newConvStep[float64](layers, 16, workers)
		s64.step()
		if a := testing.AllocsPerRun(5, func() { s64.step() }); a != 0 {
			t.Errorf("Graph workers %d: %v allocations per step, want 0", workers, a)
		}
		s32 := newConvStep[float32](layers, 16, workers)
		s32.step()
		if a := testing.AllocsPerRun(5, func() { s32.step() }); a != 0 {
			t.Errorf("Graph32 workers %d: %v allocations per step, want 0", workers, a)
		}
	}
	// Pooling too.
	g := New()
	x := make([]float64, 4*2*6*6)
	img := ImageShape{2, 6, 6}
	step := func() {
		g.Reset()
		xn := g.Input(x, 4, img.Size())
		p := g.Sum(g.Square(g.AvgPool(xn, img, 2)))
		gx := g.Grad([]Node{p}, []Node{xn}, nil, true)[0]
		g.Grad([]Node{g.Sum(g.Square(g.GlobalAvgPool(gx, img)))}, []Node{xn}, nil, false)
	}
	step()
	if a := testing.AllocsPerRun(5, step); a != 0 {
		t.Errorf("pooling: %v allocations per step, want 0", a)
	}
}

// defaultConvNet is the default convolutional energy's trunk on MNIST-sized
// images: 1×28×28 → 32 (k3 s2 p1) → 64 (k3 s2 p1) → 64 (k3 s2 p1).
var defaultConvNet = []ConvShape{
	{InC: 1, H: 28, W: 28, OutC: 32, K: 3, Stride: 2, Pad: 1},
	{InC: 32, H: 14, W: 14, OutC: 64, K: 3, Stride: 2, Pad: 1},
	{InC: 64, H: 7, W: 7, OutC: 64, K: 3, Stride: 2, Pad: 1},
}

// BenchmarkConvDSMStep is a DSM-like step of the default convolutional
// energy (three SiLU conv layers, flatten, dense → 1) on a batch of 128:
// forward, ∇ₓE with createGraph, the loss, and the parameter gradients
// through the recorded backward pass.
func BenchmarkConvDSMStep(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("float64/workers=%d", workers), func(b *testing.B) {
			s := newConvStep[float64](defaultConvNet, 128, workers)
			s.step()
			cpuLoop(b, func() { s.step() })
		})
		b.Run(fmt.Sprintf("float32/workers=%d", workers), func(b *testing.B) {
			s := newConvStep[float32](defaultConvNet, 128, workers)
			s.step()
			cpuLoop(b, func() { s.step() })
		})
	}
}

// TestConvUnrollReuse checks the reuse of a node's im2col matrix between
// Conv2D and a ConvWeightGrad of the same node right after it (the
// backward rule of ConvTranspose2D), and that nothing stale is reused
// after another op or a Reset that gives a new node the same index.
func TestConvUnrollReuse(t *testing.T) {
	s := convShapes[1]
	const n = 2
	r := rng.New(90, 0)
	x1, x2 := randAway(&r, n*s.In().Size(), 1), randAway(&r, n*s.In().Size(), 1)
	w := randAway(&r, s.OutC*s.KernelSize(), 1)
	y := randAway(&r, n*s.Out().Size(), 1)
	wantW := func(x []float64) []float64 {
		out := make([]float64, len(w))
		for j := range w {
			e := make([]float64, len(w))
			e[j] = 1
			out[j] = dot64(naiveConv(x, e, nil, s, n), y)
		}
		return out
	}
	g := New()
	for _, tc := range []struct {
		name string
		pool bool
	}{{"reused", false}, {"after Reset", false}, {"after a pooling op", true}} {
		g.Reset()
		xn := g.Input(x1, n, s.In().Size())
		yn := g.Input(y, n, s.Out().Size())
		if tc.name == "reused" {
			g.Conv2D(xn, g.Input(w, s.OutC, s.KernelSize()), 0, s)
			if err := closeAll(g.Value(g.ConvWeightGrad(xn, yn, s)), wantW(x1), 1e-13); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		// The previous step left x1's matrix in the scratch; x2 gets the
		// same node index.
		g.Conv2D(xn, g.Input(w, s.OutC, s.KernelSize()), 0, s)
		g.Reset()
		xn = g.Input(x2, n, s.In().Size())
		yn = g.Input(y, n, s.Out().Size())
		if tc.pool {
			g.GlobalAvgPool(yn, s.Out())
		}
		if err := closeAll(g.Value(g.ConvWeightGrad(xn, yn, s)), wantW(x2), 1e-13); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
