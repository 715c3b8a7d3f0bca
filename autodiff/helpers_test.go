package autodiff

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/rng"
)

// randAway returns n standard normal values (times scale) from the stream,
// none closer than 0.05·scale to 0, so that finite differences do not
// straddle the kinks of ReLU and ELU at 0.
func randAway(s *rng.Stream, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		x := s.Norm()
		if math.Abs(x) < 0.05 {
			x = math.Copysign(0.05+math.Abs(x), x)
		}
		v[i] = scale * x
	}
	return v
}

// fdStep is the central-difference step: its truncation error h²·f‴/6 is
// about 1e-11 and its rounding error ε·|f|/h about 1e-11 for values of
// order 1, so a tolerance of 1e-6 leaves a wide margin for correct
// derivatives while any wrong rule is off by O(1).
const fdStep = 1e-5

// near reports whether a and b agree to tol relative to 1 + |b|.
func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*(1+math.Abs(b))
}

// testNet is a small fully connected network x → E (one energy per row)
// built with the ops, its parameters in one flat vector laid out layer by
// layer as W (in×out, row-major) then b (1×out).
type testNet struct {
	dims   []int // input dimension, hidden widths…, 1
	f      Activation
	affine bool // use Affine instead of MatMul + AddBias
	params []float64
}

func newTestNet(dims []int, f Activation, seed uint64) *testNet {
	t := &testNet{dims: dims, f: f}
	s := rng.New(seed, 0)
	for l := 0; l+1 < len(dims); l++ {
		in, out := dims[l], dims[l+1]
		sd := math.Sqrt(2 / float64(in+out))
		for i := 0; i < in*out; i++ {
			t.params = append(t.params, sd*s.Norm())
		}
		for i := 0; i < out; i++ {
			t.params = append(t.params, 0.3*s.Norm())
		}
	}
	return t
}

// build records E(x) (n×1) on g and returns it with the parameter leaves.
func (t *testNet) build(g *Graph, x Node) (Node, []Node) { return t.buildInto(g, x, nil) }

// buildInto is build appending the parameter leaves to ps (which need not
// allocate when it has the capacity).
func (t *testNet) buildInto(g *Graph, x Node, ps []Node) (Node, []Node) {
	return buildNet(t, g, x, t.params, ps)
}

// buildNet records t's network on a graph of any element type with the
// parameters params (t.params converted to T), appending the parameter
// leaves to ps.
func buildNet[T Float](t *testNet, g *GraphOf[T], x Node, params []T, ps []Node) (Node, []Node) {
	h, off := x, 0
	for l := 0; l+1 < len(t.dims); l++ {
		in, out := t.dims[l], t.dims[l+1]
		w := g.Input(params[off:off+in*out], in, out)
		off += in * out
		b := g.Input(params[off:off+out], 1, out)
		off += out
		ps = append(ps, w, b)
		if t.affine {
			h = g.Affine(h, w, b)
		} else {
			h = g.AddBias(g.MatMul(h, w), b)
		}
		if l+2 < len(t.dims) {
			h = g.Act(h, t.f)
		}
	}
	return h, ps
}

// energies returns E(x) for the n×d points x.
func (t *testNet) energies(x []float64) []float64 {
	g := New()
	n := len(x) / t.dims[0]
	e, _ := t.build(g, g.Const(x, n, t.dims[0]))
	return append([]float64(nil), g.Value(e)...)
}

// gradX returns ∇ₓE (n×d) by the first-order Grad.
func (t *testNet) gradX(x []float64) []float64 {
	g := New()
	n := len(x) / t.dims[0]
	xn := g.Input(x, n, t.dims[0])
	e, _ := t.build(g, xn)
	return append([]float64(nil), g.Value(g.Grad([]Node{e}, []Node{xn}, nil, false)[0])...)
}

// vals copies the values of nodes, as float64.
func vals[T Float](g *GraphOf[T], nodes []Node) [][]float64 {
	out := make([][]float64, len(nodes))
	for i, n := range nodes {
		out[i] = toF64(g.Value(n))
	}
	return out
}

// toT returns v converted to T (rounded to nearest).
func toT[T Float](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

// toF64 returns v converted to float64 (exact).
func toF64[T Float](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// round32 returns v rounded to float32 precision, in float64: inputs the
// float32 and float64 graphs both represent exactly.
func round32(v []float64) []float64 { return toF64(toT[float32](v)) }

func sameBits(a, b []float64) error {
	if len(a) != len(b) {
		return fmt.Errorf("lengths %d and %d", len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return fmt.Errorf("element %d: %v and %v", i, a[i], b[i])
		}
	}
	return nil
}
