package autodiff

import (
	"fmt"
	"math"
	"testing"

	"github.com/goebm/ebm/rng"
)

// The float32 graph is checked against the float64 graph, whose
// derivatives of every order the other tests check against finite
// differences: both run on the same inputs (rounded to float32, so that
// both represent them exactly), and every float32 value, gradient and
// higher derivative must agree with the float64 one to tol32 relative to
// 1 + |float64 value| (float32 carries about 7 digits; the small graphs
// here lose at most two of them). A failure means a rule or kernel that
// differs between the element types, or a float32 computation that loses
// far more precision than rounding explains.
const tol32 = 1e-4

// agree32 reports the first element where a float32 result a and the
// float64 result b disagree beyond tol.
func agree32(a, b []float64, tol float64) error {
	if len(a) != len(b) {
		return fmt.Errorf("lengths %d and %d", len(a), len(b))
	}
	for i := range a {
		if !near(a[i], b[i], tol) {
			return fmt.Errorf("element %d: float32 %.9g, float64 %.12g", i, a[i], b[i])
		}
	}
	return nil
}

// opResults records op case c on a graph of type T for the given leaves
// and returns its value, its first-order gradients (createGraph) with
// respect to every leaf, the same without createGraph, and the gradients
// of Σ_i ⟨∇_i, w_i∘leaf_i⟩ (second order, through the recorded backward
// pass), all as float64.
func opResults[T Float](c opCase, shapes [][2]int, data, w [][]float64) (val []float64, g1, g1c, g2 [][]float64) {
	g := NewOf[T]()
	in := make([]Node, len(shapes))
	for i, sh := range shapes {
		in[i] = g.Input(toT[T](data[i]), sh[0], sh[1])
	}
	out := c.build(g, in)
	val = toF64(g.Value(out))
	gs := g.Grad([]Node{out}, in, nil, true)
	g1 = vals(g, gs)
	g1c = vals(g, g.Grad([]Node{out}, in, nil, false))
	var tot Node
	for i, gi := range gs {
		d := g.Sum(g.Mul(gi, g.Mul(g.Const(toT[T](w[i]), shapes[i][0], shapes[i][1]), in[i])))
		if tot == 0 {
			tot = d
		} else {
			tot = g.Add(tot, d)
		}
	}
	g2 = vals(g, g.Grad([]Node{tot}, in, nil, false))
	return val, g1, g1c, g2
}

// TestOpGradients32 checks every op case (every operation, and every
// activation with orders 0 to 2) over the edge shapes on Graph32: value,
// first and second derivatives against Graph's, and createGraph false
// against true bit for bit.
func TestOpGradients32(t *testing.T) {
	for ci, c := range opCases {
		for _, dims := range edgeShapes {
			n, k, m := dims[0], dims[1], dims[2]
			t.Run(fmt.Sprintf("%s/%dx%dx%d", c.name, n, k, m), func(t *testing.T) {
				s := rng.New(8, uint64(ci))
				shapes := c.shapes(n, k, m)
				data, w := make([][]float64, len(shapes)), make([][]float64, len(shapes))
				for i, sh := range shapes {
					data[i] = round32(randAway(&s, sh[0]*sh[1], 1))
					w[i] = round32(randAway(&s, sh[0]*sh[1], 1))
				}
				v32, a32, c32, b32 := opResults[float32](c, shapes, data, w)
				v64, a64, _, b64 := opResults[float64](c, shapes, data, w)
				if err := agree32(v32, v64, tol32); err != nil {
					t.Errorf("value: %v", err)
				}
				for i := range a64 {
					if err := sameBits(c32[i], a32[i]); err != nil {
						t.Errorf("leaf %d: createGraph=false differs from true: %v", i, err)
					}
					if err := agree32(a32[i], a64[i], tol32); err != nil {
						t.Errorf("leaf %d, first order: %v", i, err)
					}
					if err := agree32(b32[i], b64[i], tol32); err != nil {
						t.Errorf("leaf %d, second order: %v", i, err)
					}
				}
			})
		}
	}
}

// TestActDerivatives32 checks f⁽ᵏ⁾ of every activation for orders 0 to 6
// on Graph32 against Graph at the same points, and that extreme inputs
// give finite values and NaN gives NaN (a failure: an exponential,
// cancellation or polynomial that misbehaves in single precision).
func TestActDerivatives32(t *testing.T) {
	pts := round32(actPoints)
	for f := Activation(0); f < numActivations; f++ {
		for k := 0; k <= 6; k++ {
			got := toF64(actAtOf(f, k, toT[float32](pts)))
			if err := agree32(got, actAt(f, k, pts), tol32); err != nil {
				t.Errorf("%v order %d: %v", f, k, err)
			}
			for i, v := range actAtOf(f, k, []float32{-800, -50, 50, 800}) {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Errorf("%v order %d at extreme point %d: %v", f, k, i, v)
				}
			}
			if f == Identity && k > 0 {
				continue // identity's derivatives are the constants 1, 0, … everywhere
			}
			if v := actAtOf(f, k, []float32{float32(math.NaN())})[0]; v == v {
				t.Errorf("%v order %d at NaN: %v, want NaN", f, k, v)
			}
		}
	}
}

// netResults returns, for net on the points x (n rows) on a graph of type
// T: E, ∇ₓE, the Hessian-vector product H·v, tr ∇ₓ²E per row, the
// parameter gradient of Σ tr ∇ₓ²E (third order) and the parameter
// gradient of the score-matching loss against target (second order), as
// float64.
func netResults[T Float](net *testNet, x, v, target []float64, n int) [][]float64 {
	d := net.dims[0]
	params := toT[T](net.params)
	g := NewOf[T]()
	xn := g.Input(toT[T](x), n, d)
	e, ps := buildNet(net, g, xn, params, nil)
	gx := g.Grad([]Node{e}, []Node{xn}, nil, true)[0]
	hv := g.Grad([]Node{gx}, []Node{xn}, []Node{g.Const(toT[T](v), n, d)}, false)[0]
	tr := hessTrace(g, e, xn, n, d)
	dth := make([]T, len(params))
	g.Flatten(dth, g.Grad([]Node{g.Sum(tr)}, ps, nil, false))
	g2 := NewOf[T]()
	loss, ps2 := dsmLossOf(g2, net, params, toT[T](x), toT[T](target), n)
	dl := make([]T, len(params))
	g2.Flatten(dl, g2.Grad([]Node{loss}, ps2, nil, false))
	return [][]float64{toF64(g.Value(e)), toF64(g.Value(gx)), toF64(g.Value(hv)), toF64(g.Value(tr)), toF64(dth), toF64(g2.Value(loss)), toF64(dl)}
}

// TestNets32 checks whole small networks (each smooth activation, both
// layer forms) on Graph32 against Graph at random points and parameters
// rounded to float32: energies, gradients, Hessian-vector products,
// Hessian traces, their parameter gradients, and the score-matching loss
// and its parameter gradient.
func TestNets32(t *testing.T) {
	names := []string{"E", "∇ₓE", "H·v", "tr H", "∂(Σ tr H)/∂θ", "DSM loss", "∂L/∂θ"}
	for _, net := range smoothNets() {
		net.params = round32(net.params)
		d, n := net.dims[0], 5
		s := rng.New(26, 0)
		x, v, target := round32(randAway(&s, n*d, 1)), round32(randAway(&s, n*d, 1)), round32(randAway(&s, n*d, 1))
		r32 := netResults[float32](net, x, v, target, n)
		r64 := netResults[float64](net, x, v, target, n)
		for i := range r64 {
			if err := agree32(r32[i], r64[i], tol32); err != nil {
				t.Errorf("%s: %s: %v", netName(net), names[i], err)
			}
		}
	}
}

// TestFD32 checks Graph32's own first and second derivatives of whole
// networks against central differences computed in float32 (step 2⁻⁷:
// truncation error h²·f‴/6 ≈ 1e-5·|f‴|, rounding about 1e-5; the largest
// error seen is 1.5e-4, for the Gaussian net), without reference to the
// float64 graph: ∇ₓE against differences of E, and H·v against
// differences of ∇ₓE along v. It catches a wrong rule, not a small loss
// of precision (TestNets32 does that).
func TestFD32(t *testing.T) {
	const h, tol = 1.0 / 128, 5e-4
	for _, net := range smoothNets() {
		d, n := net.dims[0], 4
		params := toT[float32](net.params)
		s := rng.New(27, 0)
		x, v := toT[float32](randAway(&s, n*d, 1)), toT[float32](randAway(&s, n*d, 1))
		eval := func(x []float32) (e, gx, hv []float32) {
			g := New32()
			xn := g.Input(x, n, d)
			en, _ := buildNet(net, g, xn, params, nil)
			gn := g.Grad([]Node{en}, []Node{xn}, nil, true)[0]
			hn := g.Grad([]Node{gn}, []Node{xn}, []Node{g.Const(v, n, d)}, false)[0]
			return append([]float32(nil), g.Value(en)...), append([]float32(nil), g.Value(gn)...), append([]float32(nil), g.Value(hn)...)
		}
		_, gx, hv := eval(x)
		xp, xm := append([]float32(nil), x...), append([]float32(nil), x...)
		for i := range x {
			xp[i], xm[i] = x[i]+h*v[i], x[i]-h*v[i]
		}
		_, gp, _ := eval(xp)
		_, gm, _ := eval(xm)
		for i := range x {
			fd := float64(gp[i]-gm[i]) / (2 * h)
			if !near(float64(hv[i]), fd, tol) {
				t.Errorf("%s: (Hv)[%d] = %.7g, central difference %.7g", netName(net), i, hv[i], fd)
			}
		}
		for j := range x {
			xv := x[j]
			x[j] = xv + h
			ep, _, _ := eval(x)
			x[j] = xv - h
			em, _, _ := eval(x)
			x[j] = xv
			fd := float64(ep[j/d]-em[j/d]) / (2 * h)
			if !near(float64(gx[j]), fd, tol) {
				t.Errorf("%s: ∂E/∂x[%d] = %.7g, central difference %.7g", netName(net), j, gx[j], fd)
			}
		}
	}
}

// TestStepWorkersInvariant32 is TestStepWorkersInvariant on Graph32: a
// whole score-matching step split over 1, 2 and 3 workers must give the
// same bits, and agree with Graph's step.
func TestStepWorkersInvariant32(t *testing.T) {
	net := newTestNet([]int{3, 48, 40, 1}, SiLU, 31)
	net.params = round32(net.params)
	const n = 400 // n·48·40 > parMin, n·48 > parMinElems
	s := rng.New(25, 0)
	x, target := round32(randAway(&s, n*3, 1)), round32(randAway(&s, n*3, 1))
	step := func(workers int) []float64 {
		g := New32()
		g.SetWorkers(workers)
		loss, ps := dsmLossOf(g, net, toT[float32](net.params), toT[float32](x), toT[float32](target), n)
		out := make([]float32, len(net.params)+1)
		g.Flatten(out[1:], g.Grad([]Node{loss}, ps, nil, false))
		out[0] = g.Value(loss)[0]
		return toF64(out)
	}
	ref := step(1)
	for _, w := range []int{2, 3} {
		if err := sameBits(step(w), ref); err != nil {
			t.Errorf("%d workers differ from 1: %v", w, err)
		}
	}
	g := New()
	loss, ps := dsmLoss(g, net, x, target, n)
	want := make([]float64, len(net.params)+1)
	g.Flatten(want[1:], g.Grad([]Node{loss}, ps, nil, false))
	want[0] = g.Value(loss)[0]
	if err := agree32(ref, want, tol32); err != nil {
		t.Errorf("Graph32 step against Graph's: %v", err)
	}
}

// TestShapePanics32 checks that Graph32 reports misuse as Graph does.
func TestShapePanics32(t *testing.T) {
	g := New32()
	a := g.Const(make([]float32, 6), 2, 3)
	for _, f := range []func(){
		func() { g.MatMul(a, a) },
		func() { g.Input(make([]float32, 5), 2, 3) },
		func() { g.Flatten(make([]float32, 5), []Node{a}) },
		func() { g.Value(0) },
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); len(msg) < 10 || msg[:10] != "autodiff: " {
					t.Errorf("recovered %q, want a panic starting \"autodiff: \"", msg)
				}
			}()
			f()
		}()
	}
}
