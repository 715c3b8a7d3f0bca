package autodiff

import (
	"encoding/json"
	"os"
	"testing"
)

// torchConvCase is one case of testdata/conv_fixtures.json, written by
// testdata/make_conv_fixtures.py with PyTorch (float64): the inputs, the
// output of torch.nn.functional.conv2d, the gradients of f = Σ r∘P(silu(y))
// (P: avg_pool2d, or none for pool 0) and of q = ‖∂f/∂x‖² (double
// backward) with respect to the input, the weights and the bias.
type torchConvCase struct {
	N, InC, H, W, OutC, K, Stride, Pad, Pool int
	X                                        []float64 `json:"x"`
	Weight, Bias, R, Y                       []float64
	F                                        float64 `json:"f"`
	GX, GW, GB                               []float64
	Q                                        float64 `json:"q"`
	QX, QW, QB                               []float64
}

// torchResults computes on a graph of type T what the fixture records:
// y, f, (gx, gw, gb), q, (qx, qw, qb), as float64.
func torchResults[T Float](c *torchConvCase) (y []float64, f float64, gf [][]float64, q float64, gq [][]float64) {
	s := ConvShape{InC: c.InC, H: c.H, W: c.W, OutC: c.OutC, K: c.K, Stride: c.Stride, Pad: c.Pad}
	g := NewOf[T]()
	in := []Node{
		g.Input(toT[T](c.X), c.N, s.In().Size()),
		g.Input(toT[T](c.Weight), s.OutC, s.KernelSize()),
		g.Input(toT[T](c.Bias), 1, s.OutC),
	}
	yn := g.Conv2D(in[0], in[1], in[2], s)
	z := g.Act(yn, SiLU)
	if c.Pool > 0 {
		z = g.AvgPool(z, s.Out(), c.Pool)
	}
	zr, zc := g.Shape(z)
	fn := g.Sum(g.Mul(z, g.Const(toT[T](c.R), zr, zc)))
	gs := g.Grad([]Node{fn}, in, nil, true)
	qn := g.Sum(g.Square(gs[0]))
	return toF64(g.Value(yn)), float64(g.Value(fn)[0]), vals(g, gs),
		float64(g.Value(qn)[0]), vals(g, g.Grad([]Node{qn}, in, nil, false))
}

// TestConvTorch checks Conv2D, AvgPool and the first and second
// derivatives through them against PyTorch's float64 values (to 1e-12),
// and the float32 graph against the same values (to tol32). CI has no
// PyTorch: the values are in testdata/conv_fixtures.json; regenerate them
// with /usr/bin/python3 testdata/make_conv_fixtures.py.
func TestConvTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/conv_fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Torch string
		Cases []torchConvCase
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) == 0 {
		t.Fatal("no cases in testdata/conv_fixtures.json")
	}
	for ci := range fx.Cases {
		c := &fx.Cases[ci]
		if len(c.X) != c.N*c.InC*c.H*c.W || len(c.Weight) != c.OutC*c.InC*c.K*c.K || len(c.Y) == 0 ||
			len(c.GX) != len(c.X) || len(c.QW) != len(c.Weight) || len(c.QB) != c.OutC {
			t.Fatalf("case %d: malformed fixture", ci)
		}
		check := func(what string, tol float64, got, want []float64) {
			t.Helper()
			if err := closeAll(got, want, tol); err != nil {
				t.Errorf("case %d (%d×%d×%d×%d → %d, k%d s%d p%d pool %d): %s: %v",
					ci, c.N, c.InC, c.H, c.W, c.OutC, c.K, c.Stride, c.Pad, c.Pool, what, err)
			}
		}
		for _, tc := range []struct {
			name string
			tol  float64
			run  func(*torchConvCase) ([]float64, float64, [][]float64, float64, [][]float64)
		}{{"float64", 1e-12, torchResults[float64]}, {"float32", tol32, torchResults[float32]}} {
			y, f, gf, q, gq := tc.run(c)
			check(tc.name+" conv2d", tc.tol, y, c.Y)
			check(tc.name+" f", tc.tol, []float64{f}, []float64{c.F})
			check(tc.name+" ∂f/∂x", tc.tol, gf[0], c.GX)
			check(tc.name+" ∂f/∂w", tc.tol, gf[1], c.GW)
			check(tc.name+" ∂f/∂b", tc.tol, gf[2], c.GB)
			check(tc.name+" q = ‖∂f/∂x‖²", tc.tol, []float64{q}, []float64{c.Q})
			check(tc.name+" ∂q/∂x", tc.tol, gq[0], c.QX)
			check(tc.name+" ∂q/∂w", tc.tol, gq[1], c.QW)
			check(tc.name+" ∂q/∂b", tc.tol, gq[2], c.QB)
		}
	}
}
