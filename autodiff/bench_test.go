package autodiff

import (
	"fmt"
	"testing"

	"github.com/goebm/ebm/rng"
)

// dsmBench holds one denoising score-matching step of the 2-128-128-1 SiLU
// network on a batch: E, ∇ₓE with createGraph, ½·mean‖∇ₓE − target‖², the
// parameter gradients flattened into grad.
type dsmBench struct {
	net             *testNet
	x, target, grad []float64
	ps, outs, ins   []Node
	g               *Graph
	n, d            int
}

func newDSMBench(n int, affine bool, workers int) *dsmBench {
	net := newTestNet([]int{2, 128, 128, 1}, SiLU, 1)
	net.affine = affine
	s := rng.New(9, 0)
	b := &dsmBench{net: net, n: n, d: 2, g: New()}
	b.x, b.target = randAway(&s, n*2, 1), randAway(&s, n*2, 1)
	b.grad = make([]float64, len(net.params))
	b.ps, b.outs, b.ins = make([]Node, 0, 8), make([]Node, 1), make([]Node, 1)
	b.g.SetWorkers(workers)
	return b
}

func (b *dsmBench) step() float64 {
	g := b.g
	g.Reset()
	xn := g.Input(b.x, b.n, b.d)
	var e Node
	e, b.ps = b.net.buildInto(g, xn, b.ps[:0])
	b.outs[0], b.ins[0] = e, xn
	gx := g.Grad(b.outs, b.ins, nil, true)[0]
	r := g.Sub(gx, g.Const(b.target, b.n, b.d))
	loss := g.Scale(g.Sum(g.Square(r)), 0.5/float64(b.n))
	b.outs[0] = loss
	g.Flatten(b.grad, g.Grad(b.outs, b.ps, nil, false))
	return g.Value(loss)[0]
}

// BenchmarkDSMStep is the graph part of one denoising score-matching
// training step (no optimizer) of the 2-128-128-1 SiLU MLP on a batch of
// 256: forward, ∇ₓE with createGraph, the loss, parameter gradients.
// layer=matmul+addbias writes dense layers as MatMul then AddBias,
// layer=affine as one Affine; workers is SetWorkers' argument.
func BenchmarkDSMStep(b *testing.B) {
	for _, affine := range []bool{false, true} {
		for _, workers := range []int{1, 2} {
			name := "matmul+addbias"
			if affine {
				name = "affine"
			}
			b.Run(fmt.Sprintf("layer=%s/workers=%d", name, workers), func(b *testing.B) {
				s := newDSMBench(256, affine, workers)
				s.step()
				b.ReportAllocs()
				for b.Loop() {
					s.step()
				}
			})
		}
	}
}

// BenchmarkGradX is E and ∇ₓE (no createGraph) of the 2-128-128-1 SiLU
// MLP on a batch of 1024, as a sampler would use it.
func BenchmarkGradX(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			const n = 1024
			net := newTestNet([]int{2, 128, 128, 1}, SiLU, 1)
			s := rng.New(9, 0)
			x := randAway(&s, n*2, 1)
			g := New()
			g.SetWorkers(workers)
			outs, ins := make([]Node, 1), make([]Node, 1)
			ps := make([]Node, 0, 8)
			step := func() {
				g.Reset()
				xn := g.Input(x, n, 2)
				var e Node
				e, ps = net.buildInto(g, xn, ps[:0])
				outs[0], ins[0] = e, xn
				g.Grad(outs, ins, nil, false)
			}
			step()
			b.ReportAllocs()
			for b.Loop() {
				step()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// benchDSM is dsmBench's step on a graph of type T, for the float32
// comparison: the same network, batch and loss.
func benchDSM[T Float](b *testing.B, n, workers int) {
	net := newTestNet([]int{2, 128, 128, 1}, SiLU, 1)
	params := toT[T](net.params)
	s := rng.New(9, 0)
	x, target := toT[T](randAway(&s, n*2, 1)), toT[T](randAway(&s, n*2, 1))
	grad := make([]T, len(params))
	ps, outs, ins := make([]Node, 0, 8), make([]Node, 1), make([]Node, 1)
	g := NewOf[T]()
	g.SetWorkers(workers)
	step := func() {
		g.Reset()
		xn := g.Input(x, n, 2)
		var e Node
		e, ps = buildNet(net, g, xn, params, ps[:0])
		outs[0], ins[0] = e, xn
		gx := g.Grad(outs, ins, nil, true)[0]
		r := g.Sub(gx, g.Const(target, n, 2))
		outs[0] = g.Scale(g.Sum(g.Square(r)), 0.5/float64(n))
		g.Flatten(grad, g.Grad(outs, ps, nil, false))
	}
	step()
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

// BenchmarkDSMStepDtype is BenchmarkDSMStep (matmul+addbias, one worker)
// on Graph and Graph32.
func BenchmarkDSMStepDtype(b *testing.B) {
	b.Run("dtype=float64", func(b *testing.B) { benchDSM[float64](b, 256, 1) })
	b.Run("dtype=float32", func(b *testing.B) { benchDSM[float32](b, 256, 1) })
}

// benchWide records E of a 784-512-512-1 SiLU MLP (dense layers as
// Affine) on 128 rows and ∇ₓE with createGraph, on a graph of type T.
func benchWide[T Float](b *testing.B) {
	const n = 128
	net := newTestNet([]int{784, 512, 512, 1}, SiLU, 1)
	net.affine = true
	params := toT[T](net.params)
	s := rng.New(9, 0)
	x := toT[T](randAway(&s, n*784, 1))
	ps, outs, ins := make([]Node, 0, 8), make([]Node, 1), make([]Node, 1)
	g := NewOf[T]()
	step := func() {
		g.Reset()
		xn := g.Input(x, n, 784)
		var e Node
		e, ps = buildNet(net, g, xn, params, ps[:0])
		outs[0], ins[0] = e, xn
		g.Grad(outs, ins, nil, true)
	}
	step()
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

// BenchmarkWideMLPGrad is the forward pass and ∇ₓE (createGraph) of a
// 784-512-512-1 SiLU MLP on 128 rows (an image-sized energy), on Graph and
// Graph32, one worker.
func BenchmarkWideMLPGrad(b *testing.B) {
	b.Run("dtype=float64", func(b *testing.B) { benchWide[float64](b) })
	b.Run("dtype=float32", func(b *testing.B) { benchWide[float32](b) })
}
