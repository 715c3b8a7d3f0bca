package mlp_test

import (
	"math"
	"testing"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies/mlp"
)

// TestBuildMatchesEnergy checks that the graph Build records gives the
// energies of the fused Energy (to 1e-12 relative) for every activation
// and shape. A failure means training optimizes a different function from
// the one the samplers sample (a layer, bias, activation or quadratic term
// recorded differently).
func TestBuildMatchesEnergy(t *testing.T) {
	const n = 9
	for _, act := range allActs {
		for _, s := range shapes {
			m := build(t, act, s, 4)
			x := points(n, s.dim, 8)
			want := nans(n)
			m.Energy(want, x)
			g := autodiff.New()
			e, _ := m.Build(g, g.Input(x, n, s.dim))
			if r, c := g.Shape(e); r != n || c != 1 {
				t.Fatalf("%s %s: energy node is %d×%d, want %d×1", act, s.name, r, c, n)
			}
			for i, v := range g.Value(e) {
				if !(relErr(v, want[i]) <= 1e-12) {
					t.Errorf("%s %s point %d: Build %v, Energy %v", act, s.name, i, v, want[i])
				}
			}
		}
	}
}

// TestBuildGradXMatchesGradient checks ∇ₓ of Build's energies (by
// autodiff) against the fused Gradient, and the Hessian-vector product
// (autodiff's grad of grad) against central differences of Gradient. A
// failure means the objectives see other x-derivatives than the samplers
// (score matching would fit the wrong score), or Build is not twice
// differentiable in x.
func TestBuildGradXMatchesGradient(t *testing.T) {
	const n = 7
	for _, act := range allActs {
		for _, s := range shapes {
			m := build(t, act, s, 6)
			d := s.dim
			x := points(n, d, 9)
			e, want := nans(n), nans(n*d)
			m.Gradient(e, want, x)
			g := autodiff.New()
			xn := g.Input(x, n, d)
			en, _ := m.Build(g, xn)
			gx := g.Grad([]autodiff.Node{en}, []autodiff.Node{xn}, nil, act != "relu")[0]
			got := g.Value(gx)
			for i := range n {
				scale := 1.0
				for _, v := range want[i*d : i*d+d] {
					scale = max(scale, math.Abs(v))
				}
				for j := range d {
					if r := math.Abs(got[i*d+j]-want[i*d+j]) / scale; !(r <= 1e-12) {
						t.Errorf("%s %s point %d: ∂E/∂x%d by autodiff %v, Gradient %v", act, s.name, i, j, got[i*d+j], want[i*d+j])
					}
				}
			}
			if act == "relu" {
				continue // its Hessian is 0 where it exists
			}
			// H·v by autodiff against (∇E(x + εv) − ∇E(x − εv))/2ε.
			v := points(n, d, 10)
			hv := g.Value(g.Grad([]autodiff.Node{gx}, []autodiff.Node{xn}, []autodiff.Node{g.Const(v, n, d)}, false)[0])
			const eps = 1e-5
			xp, xm := make([]float64, n*d), make([]float64, n*d)
			for k := range x {
				xp[k], xm[k] = x[k]+eps*v[k], x[k]-eps*v[k]
			}
			gp, gm := nans(n*d), nans(n*d)
			m.Gradient(e, gp, xp)
			m.Gradient(e, gm, xm)
			for i := range n {
				scale := 1.0
				for j := range d {
					scale = max(scale, math.Abs(hv[i*d+j]))
				}
				for j := range d {
					k := i*d + j
					fd := (gp[k] - gm[k]) / (2 * eps)
					if r := math.Abs(hv[k]-fd) / scale; !(r <= 1e-6) {
						t.Errorf("%s %s point %d: (H·v)_%d by autodiff %v, central differences %v", act, s.name, i, j, hv[k], fd)
					}
				}
			}
		}
	}
}

// TestBuildParams checks that Build's parameter leaves alias consecutive
// segments of Params in order, with the documented shapes, covering it
// exactly. A failure means an optimizer applying g.Flatten of their
// gradients to Params would update the wrong parameters.
func TestBuildParams(t *testing.T) {
	for _, s := range shapes {
		m := build(t, "tanh", s, 1)
		g := autodiff.New()
		_, ps := m.Build(g, g.Input(points(2, s.dim, 1), 2, s.dim))
		p, layers := m.Params(), m.Layers()
		if len(ps) != 2*(len(layers)-1) {
			t.Fatalf("%s: %d parameter leaves, want %d", s.name, len(ps), 2*(len(layers)-1))
		}
		off := 0
		for i, node := range ps {
			l := i/2 + 1
			wantR, wantC := layers[l-1], layers[l]
			if i%2 == 1 {
				wantR = 1
			}
			r, c := g.Shape(node)
			v := g.Value(node)
			if r != wantR || c != wantC || len(v) != r*c || &v[0] != &p[off] {
				t.Errorf("%s: leaf %d is %d×%d at another place than Params[%d:], want %d×%d there", s.name, i, r, c, off, wantR, wantC)
			}
			off += len(v)
		}
		if off != len(p) {
			t.Errorf("%s: the leaves cover %d of %d parameters", s.name, off, len(p))
		}
	}
}

// TestBuildParamGradient checks the parameter gradient of Σᵢ E(xᵢ) by
// autodiff, flattened, against central differences on every entry of
// Params (through the fused Energy). A failure means maximum-likelihood
// and score-matching training would follow a wrong gradient.
func TestBuildParamGradient(t *testing.T) {
	const n = 4
	for _, act := range smoothActs {
		for _, s := range shapes[:3] {
			m := build(t, act, s, 12)
			x := points(n, s.dim, 13)
			g := autodiff.New()
			en, ps := m.Build(g, g.Const(x, n, s.dim))
			grads := g.Grad([]autodiff.Node{g.Sum(en)}, ps, nil, false)
			got := make([]float64, m.NumParams())
			g.Flatten(got, grads)
			p, e := m.Params(), make([]float64, n)
			loss := func() float64 {
				m.Energy(e, x)
				sum := 0.0
				for _, v := range e {
					sum += v
				}
				return sum
			}
			scale := 1.0
			for _, v := range got {
				scale = max(scale, math.Abs(v))
			}
			const h = 1e-6
			for k := range p {
				old := p[k]
				p[k] = old + h
				lp := loss()
				p[k] = old - h
				lm := loss()
				p[k] = old
				fd := (lp - lm) / (2 * h)
				if r := math.Abs(got[k]-fd) / scale; !(r <= 1e-6) {
					t.Errorf("%s %s: ∂L/∂θ%d by autodiff %v, central differences %v", act, s.name, k, got[k], fd)
				}
			}
		}
	}
}

// TestSmooth checks Smooth against the activations' second derivatives:
// false for relu and identity (zero Hessian almost everywhere), true for
// the others. A failure means score matching would accept a model whose
// objective is degenerate, or refuse a good one.
func TestSmooth(t *testing.T) {
	for _, act := range allActs {
		m, err := mlp.New(2, []int{3}, act, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := act != "relu" && act != "leaky_relu" && act != "identity"
		if m.Smooth() != want || m.Activation().Smooth() != want || m.Activation().String() != act {
			t.Errorf("%s: Smooth() = %v, Activation() = %v; want Smooth %v", act, m.Smooth(), m.Activation(), want)
		}
	}
}

// TestShardRows checks which MLPs ask the score-matching objectives for
// shards of 64 rows: those on inputs of 256 values or more, not the 2-D
// ones, whose shards (and so their training bits) stay at the default.
func TestShardRows(t *testing.T) {
	for _, c := range []struct{ dim, want int }{{2, 0}, {255, 0}, {256, 64}, {784, 64}} {
		m, err := mlp.New(c.dim, []int{8}, "silu", 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.ShardRows(); got != c.want {
			t.Errorf("dim %d: ShardRows() = %d, want %d", c.dim, got, c.want)
		}
	}
}
