package autodiff

import (
	"fmt"
	"math"
	"testing"

	"github.com/goebm/ebm/rng"
)

// smoothNets are the small networks of the higher-order checks: two and
// three layers, with each smooth activation family and both ways of
// writing a dense layer.
func smoothNets() []*testNet {
	var nets []*testNet
	for i, f := range []Activation{SiLU, Tanh, Softplus, Sigmoid, Gaussian, ELU} {
		dims := []int{3, 5, 4, 1}
		if i%2 == 1 {
			dims = []int{2, 6, 1}
		}
		t := newTestNet(dims, f, uint64(10+i))
		t.affine = i%3 == 0
		nets = append(nets, t)
	}
	return nets
}

func netName(t *testNet) string { return fmt.Sprintf("%v%v/affine=%v", t.f, t.dims, t.affine) }

// TestGradXAgainstFD checks the first-order ∇ₓE of whole networks against
// central differences of E (a failure: ops that pass alone compose
// wrongly, e.g. a bad accumulation of two contributions).
func TestGradXAgainstFD(t *testing.T) {
	for _, net := range smoothNets() {
		d, n := net.dims[0], 4
		s := rng.New(21, 0)
		x := randAway(&s, n*d, 1)
		gx := net.gradX(x)
		for j := range x {
			v := x[j]
			x[j] = v + fdStep
			ep := net.energies(x)
			x[j] = v - fdStep
			em := net.energies(x)
			x[j] = v
			row := j / d
			fd := (ep[row] - em[row]) / (2 * fdStep)
			if !near(gx[j], fd, 1e-6) {
				t.Errorf("%s: ∂E/∂x[%d] = %.12g, central difference %.12g", netName(net), j, gx[j], fd)
			}
		}
	}
}

// TestHVP checks Hessian-vector products, Grad of ⟨∇ₓE, v⟩ with respect to
// x, against central differences of the analytic gradient along v (rows
// are independent points, so row i of H·v only involves x_i). A failure
// means a wrong second-order rule (the derivative of a backward op).
func TestHVP(t *testing.T) {
	for _, net := range smoothNets() {
		d, n := net.dims[0], 5
		s := rng.New(22, 0)
		x, v := randAway(&s, n*d, 1), randAway(&s, n*d, 1)
		g := New()
		xn := g.Input(x, n, d)
		e, _ := net.build(g, xn)
		gx := g.Grad([]Node{e}, []Node{xn}, nil, true)[0]
		hv := g.Value(g.Grad([]Node{gx}, []Node{xn}, []Node{g.Const(v, n, d)}, false)[0])
		xp, xm := make([]float64, len(x)), make([]float64, len(x))
		for i := range x {
			xp[i], xm[i] = x[i]+fdStep*v[i], x[i]-fdStep*v[i]
		}
		gp, gm := net.gradX(xp), net.gradX(xm)
		for i := range x {
			fd := (gp[i] - gm[i]) / (2 * fdStep)
			if !near(hv[i], fd, 1e-6) {
				t.Errorf("%s: (Hv)[%d] = %.12g, central difference %.12g", netName(net), i, hv[i], fd)
			}
		}
		// The same product through a scalar output, Grad of Sum(RowDot(∇ₓE, v)).
		hv2 := g.Value(g.Grad([]Node{g.Sum(g.RowDot(gx, g.Const(v, n, d)))}, []Node{xn}, nil, false)[0])
		for i := range hv {
			if !near(hv2[i], hv[i], 1e-13) {
				t.Errorf("%s: Hv through RowDot %v, through a seed %v", netName(net), hv2[i], hv[i])
			}
		}
	}
}

// hessTrace records tr ∇ₓ²E for each row of x (n×1) with one backward
// pass per input dimension: column j of Grad(⟨∇ₓE, e_j⟩) is ∂²E/∂x_j².
func hessTrace[T Float](g *GraphOf[T], e, xn Node, n, d int) Node {
	gx := g.Grad([]Node{e}, []Node{xn}, nil, true)[0]
	var tr Node
	for j := 0; j < d; j++ {
		mask := make([]T, n*d)
		for i := 0; i < n; i++ {
			mask[i*d+j] = 1
		}
		hj := g.Grad([]Node{gx}, []Node{xn}, []Node{g.Const(mask, n, d)}, true)[0]
		c := g.Col(hj, j)
		if tr == 0 {
			tr = c
		} else {
			tr = g.Add(tr, c)
		}
	}
	return tr
}

// TestHessianTrace checks tr ∇ₓ²E (one backward per dimension) against
// central differences of the analytic gradient, and the third-order mixed
// derivative ∂/∂θ Σ_i tr ∇ₓ²E(x_i) against central differences of that
// trace over every parameter (a failure: a wrong rule of order two or
// three, e.g. in an activation's derivative chain or in placeCol/Col).
func TestHessianTrace(t *testing.T) {
	for _, net := range smoothNets() {
		d, n := net.dims[0], 3
		s := rng.New(23, 0)
		x := randAway(&s, n*d, 1)
		g := New()
		xn := g.Input(x, n, d)
		e, ps := net.build(g, xn)
		tr := hessTrace(g, e, xn, n, d)
		trv := append([]float64(nil), g.Value(tr)...)
		for i := 0; i < n; i++ {
			var fd float64
			for j := 0; j < d; j++ {
				xp := append([]float64(nil), x...)
				xm := append([]float64(nil), x...)
				xp[i*d+j] += fdStep
				xm[i*d+j] -= fdStep
				fd += (net.gradX(xp)[i*d+j] - net.gradX(xm)[i*d+j]) / (2 * fdStep)
			}
			if !near(trv[i], fd, 1e-6) {
				t.Errorf("%s: tr H at row %d = %.12g, central difference %.12g", netName(net), i, trv[i], fd)
			}
		}

		// Third order: gradient of Σ_i tr H_i over the parameters.
		total := g.Sum(tr)
		dth := make([]float64, len(net.params))
		g.Flatten(dth, g.Grad([]Node{total}, ps, nil, false))
		traceSum := func() float64 {
			g := New()
			xn := g.Input(x, n, d)
			e, _ := net.build(g, xn)
			return g.Value(g.Sum(hessTrace(g, e, xn, n, d)))[0]
		}
		for j := range net.params {
			v := net.params[j]
			net.params[j] = v + fdStep
			fp := traceSum()
			net.params[j] = v - fdStep
			fm := traceSum()
			net.params[j] = v
			fd := (fp - fm) / (2 * fdStep)
			if !near(dth[j], fd, 1e-6) {
				t.Errorf("%s: ∂(Σ tr H)/∂θ[%d] = %.12g, central difference %.12g", netName(net), j, dth[j], fd)
			}
		}
	}
}

// dsmLoss records ½·mean over rows of ‖∇ₓE − target‖² (the denoising
// score-matching loss) and returns it with the parameter leaves.
func dsmLoss(g *Graph, net *testNet, x, target []float64, n int) (Node, []Node) {
	return dsmLossOf(g, net, net.params, x, target, n)
}

// dsmLossOf is dsmLoss on a graph of any element type, with the
// parameters params.
func dsmLossOf[T Float](g *GraphOf[T], net *testNet, params, x, target []T, n int) (Node, []Node) {
	d := net.dims[0]
	xn := g.Input(x, n, d)
	e, ps := buildNet(net, g, xn, params, nil)
	gx := g.Grad([]Node{e}, []Node{xn}, nil, true)[0]
	r := g.Sub(gx, g.Const(target, n, d))
	return g.Scale(g.Sum(g.Square(r)), 0.5/float64(n)), ps
}

// TestDSMParamGrad checks the parameter gradient of a loss built on ∇ₓE
// (second-order mixed derivatives, the training objectives' main use)
// against central differences, for each net (a failure: gradients of
// gradients are wrong and score-matching training would diverge or stall).
func TestDSMParamGrad(t *testing.T) {
	for _, net := range smoothNets() {
		d, n := net.dims[0], 4
		s := rng.New(24, 0)
		x, target := randAway(&s, n*d, 1), randAway(&s, n*d, 1)
		g := New()
		loss, ps := dsmLoss(g, net, x, target, n)
		grad := make([]float64, len(net.params))
		g.Flatten(grad, g.Grad([]Node{loss}, ps, nil, false))
		lossAt := func() float64 {
			g := New()
			l, _ := dsmLoss(g, net, x, target, n)
			return g.Value(l)[0]
		}
		for j := range net.params {
			v := net.params[j]
			net.params[j] = v + fdStep
			fp := lossAt()
			net.params[j] = v - fdStep
			fm := lossAt()
			net.params[j] = v
			fd := (fp - fm) / (2 * fdStep)
			if !near(grad[j], fd, 1e-6) {
				t.Errorf("%s: ∂L/∂θ[%d] = %.12g, central difference %.12g", netName(net), j, grad[j], fd)
			}
		}
	}
}

// TestGradSpecialInputs covers inputs the outputs do not depend on (zeros
// of the input's shape), Const leaves (zeros: never differentiated),
// intermediate nodes as inputs, an input requested twice, an output listed
// twice (contributions add up), nil seeds (all ones), and results of a
// Grad without createGraph being constants for a later Grad. Each failure
// message says which contract broke.
func TestGradSpecialInputs(t *testing.T) {
	g := New()
	xs := []float64{1, -2, 3, 0.5}
	x := g.Input(xs, 2, 2)
	u := g.Input([]float64{7, 8, 9}, 1, 3)
	c := g.Const([]float64{2, 2, 2, 2}, 2, 2)
	h := g.Mul(x, c)        // 2x
	y := g.Sum(g.Square(h)) // Σ 4x²
	res := g.Grad([]Node{y}, []Node{u, c, h, x, x}, nil, false)
	want := func(name string, n Node, w []float64) {
		t.Helper()
		r, cc := g.Shape(n)
		v := g.Value(n)
		if len(v) != len(w) || r*cc != len(w) {
			t.Fatalf("%s: shape %d×%d, want %d values", name, r, cc, len(w))
		}
		for i := range w {
			if math.Abs(v[i]-w[i]) > 1e-12 {
				t.Errorf("%s: value %d = %v, want %v", name, i, v[i], w[i])
			}
		}
	}
	want("unconnected input", res[0], []float64{0, 0, 0})
	if r, cc := g.Shape(res[0]); r != 1 || cc != 3 {
		t.Errorf("unconnected input: shape %d×%d, want 1×3", r, cc)
	}
	want("Const input", res[1], []float64{0, 0, 0, 0})
	want("intermediate input", res[2], []float64{4, -8, 12, 2}) // ∂/∂h Σh² = 2h
	want("input", res[3], []float64{8, -16, 24, 4})             // 8x
	want("input again", res[4], []float64{8, -16, 24, 4})

	// Output listed twice with explicit seeds: 1·∇y + 2·∇y = 3·∇y.
	two := g.Const([]float64{2}, 1, 1)
	want("output twice", g.Grad([]Node{y, y}, []Node{x}, []Node{0, two}, false)[0], []float64{24, -48, 72, 12})

	// A constant result: its gradient with respect to x is zero, while the
	// createGraph result has the Hessian diag(8).
	g0 := g.Grad([]Node{y}, []Node{x}, nil, false)[0]
	g1 := g.Grad([]Node{y}, []Node{x}, nil, true)[0]
	want("grad of a constant grad", g.Grad([]Node{g.Sum(g0)}, []Node{x}, nil, false)[0], []float64{0, 0, 0, 0})
	want("grad of a recorded grad", g.Grad([]Node{g.Sum(g1)}, []Node{x}, nil, false)[0], []float64{8, 8, 8, 8})

	// No outputs depending on anything, and an output that is the input.
	want("output is input", g.Grad([]Node{x}, []Node{x}, nil, false)[0], []float64{1, 1, 1, 1})
	want("no outputs", g.Grad(nil, []Node{x}, nil, false)[0], []float64{0, 0, 0, 0})
}

// TestFlatten checks Flatten's order and the zero node's handling (a
// failure: optimizers would read gradients at the wrong offsets).
func TestFlatten(t *testing.T) {
	g := New()
	a := g.Const([]float64{1, 2}, 1, 2)
	b := g.Const([]float64{3, 4, 5}, 3, 1)
	dst := make([]float64, 5)
	g.Flatten(dst, []Node{b, a})
	for i, w := range []float64{3, 4, 5, 1, 2} {
		if dst[i] != w {
			t.Fatalf("Flatten = %v", dst)
		}
	}
	if g.Len() != 2 {
		t.Errorf("Len = %d, want 2", g.Len())
	}
	g.Reset()
	if g.Len() != 0 {
		t.Errorf("Len after Reset = %d", g.Len())
	}
}

// TestStepWorkersInvariant runs a whole score-matching step on a network
// large enough for its products to be split over goroutines, with 1, 2 and
// 3 workers, and requires bit-identical loss and gradients; it also
// requires Affine and MatMul + AddBias to agree to rounding. A failure:
// training results would depend on the machine's core count, or the fused
// layer computes something else.
func TestStepWorkersInvariant(t *testing.T) {
	net := newTestNet([]int{3, 48, 40, 1}, SiLU, 31)
	const n = 400 // n·48·40 > parMin, n·48 > parMinElems
	s := rng.New(25, 0)
	x, target := randAway(&s, n*3, 1), randAway(&s, n*3, 1)
	step := func(workers int, affine bool) []float64 {
		net.affine = affine
		g := New()
		g.SetWorkers(workers)
		loss, ps := dsmLoss(g, net, x, target, n)
		out := make([]float64, len(net.params)+1)
		g.Flatten(out[1:], g.Grad([]Node{loss}, ps, nil, false))
		out[0] = g.Value(loss)[0]
		return out
	}
	ref := step(1, false)
	for _, w := range []int{2, 3} {
		if err := sameBits(step(w, false), ref); err != nil {
			t.Errorf("%d workers differ from 1: %v", w, err)
		}
	}
	aff := step(2, true)
	for i := range ref {
		if !near(aff[i], ref[i], 1e-12) {
			t.Errorf("Affine: value %d is %v, MatMul + AddBias gives %v", i, aff[i], ref[i])
		}
	}
}
