package mlp_test

import (
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/mlp"
	"github.com/goebm/ebm/rng"
)

// smoothActs are the activations whose gradients are checked against
// finite differences (relu is not differentiable at its kink).
var smoothActs = []string{"identity", "softplus", "silu", "tanh", "sigmoid", "elu", "gaussian"}

// allActs is every activation the model accepts.
var allActs = append(append([]string(nil), smoothActs...), "relu", "leaky_relu")

// shape is a network shape under test, with options that reach the other
// code paths: a quadratic term, another init scheme, wide layers (vek's
// matrix product in the backward pass rather than dot products).
type shape struct {
	name   string
	dim    int
	hidden []int
	extra  map[string]any
}

var shapes = []shape{
	{"1-1-1", 1, []int{1}, nil},
	{"3-5-7-1", 3, []int{5, 7}, map[string]any{"quadratic": 0.5}},
	{"2-20-17-1/he", 2, []int{20, 17}, map[string]any{"init": "he", "init_scale": 1.5}},
	{"17-3-1/normal", 17, []int{3}, map[string]any{"init": "normal", "init_scale": 0.5, "quadratic": 2.0}},
}

// build makes an MLP from a config table through the registry, as a user's
// config would, and fails the test on error.
func build(t testing.TB, act string, s shape, seed uint64) *mlp.MLP {
	t.Helper()
	hidden := make([]any, len(s.hidden))
	for i, w := range s.hidden {
		hidden[i] = w
	}
	table := map[string]any{"type": "mlp", "dim": s.dim, "hidden": hidden, "activation": act, "seed": int64(seed)}
	for k, v := range s.extra {
		table[k] = v
	}
	e, err := energies.FromTable(table)
	if err != nil {
		t.Fatalf("%s %s: %v", act, s.name, err)
	}
	return e.(*mlp.MLP)
}

// points returns n×d values from N(0, 1.5²), from a fixed seed.
func points(n, d int, seed uint64) []float64 {
	s := rng.New(seed, 0)
	x := make([]float64, n*d)
	for i := range x {
		x[i] = 1.5 * s.Norm()
	}
	return x
}

// nans returns n NaNs: outputs start dirty so that unwritten values show.
func nans(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.NaN()
	}
	return v
}

// relErr is |a − b| / max(1, |b|).
func relErr(a, b float64) float64 { return math.Abs(a-b) / max(1, math.Abs(b)) }

// refAct is the activation by its textbook definition, for the reference.
func refAct(name string, z float64) float64 {
	switch name {
	case "identity":
		return z
	case "softplus":
		if z > 30 {
			return z + math.Exp(-z)
		}
		return math.Log(1 + math.Exp(z))
	case "silu":
		return z / (1 + math.Exp(-z))
	case "tanh":
		return math.Tanh(z)
	case "sigmoid":
		return 1 / (1 + math.Exp(-z))
	case "elu":
		if z > 0 {
			return z
		}
		return math.Exp(z) - 1
	case "relu":
		return math.Max(z, 0)
	case "leaky_relu":
		if z > 0 {
			return z
		}
		return 0.2 * z
	case "gaussian":
		return math.Exp(-z * z / 2)
	}
	panic("unknown activation " + name)
}

// reference computes E(x) for one point straight from the documented
// parameter layout, with plain loops: for each layer Wₗ (in×out,
// row-major) then bₗ, h ← f(h·W + b) on hidden layers, linear output, plus
// quadratic·½‖x‖².
func reference(m *mlp.MLP, act string, x []float64) float64 {
	p, layers := m.Params(), m.Layers()
	h := append([]float64(nil), x...)
	off := 0
	for l := 1; l < len(layers); l++ {
		in, out := layers[l-1], layers[l]
		w, b := p[off:off+in*out], p[off+in*out:off+in*out+out]
		off += in*out + out
		z := make([]float64, out)
		for j := range out {
			s := b[j]
			for i := range in {
				s += h[i] * w[i*out+j]
			}
			if l < len(layers)-1 {
				s = refAct(act, s)
			}
			z[j] = s
		}
		h = z
	}
	ss := 0.0
	for _, v := range x {
		ss += v * v
	}
	return h[0] + 0.5*m.Quadratic*ss
}
