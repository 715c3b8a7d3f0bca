package objectives

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/mlp" // registers "mlp" for the tests' tiny networks
	"github.com/goebm/ebm/rng"
)

// gaussModel is a test-only Trainable for any dimension d: the Gaussian
// family
//
//	E(x) = ½(x−μ)ᵀP(x−μ) [+ c]
//
// with learnable mean μ, learnable precision P (a full d×d matrix, used as
// given, so only its symmetric part shapes the energy) and, optionally, a
// learnable log-normalizer c (for objectives such as NCE that learn one).
// Params is [μ (d), P (d×d, row-major), c (if any)]. With P = Σ⁻¹ and
// c = ½ log det(2πΣ) it is exactly −log N(x; μ, Σ).
type gaussModel struct {
	d     int
	withC bool
	p     []float64
}

// newGaussModel returns the model with mean mu and precision prec (d×d,
// row-major), copied; withC adds the parameter c, starting at 0.
func newGaussModel(mu, prec []float64, withC bool) *gaussModel {
	d := len(mu)
	if len(prec) != d*d {
		panic("objectives test: newGaussModel: prec must be d×d")
	}
	m := &gaussModel{d: d, withC: withC, p: make([]float64, d+d*d)}
	if withC {
		m.p = append(m.p, 0)
	}
	copy(m.p, mu)
	copy(m.p[d:], prec)
	return m
}

func (m *gaussModel) Dim() int          { return m.d }
func (m *gaussModel) Params() []float64 { return m.p }
func (m *gaussModel) mu() []float64     { return m.p[:m.d] }
func (m *gaussModel) prec() []float64   { return m.p[m.d : m.d+m.d*m.d] }

// c is the log-normalizer parameter, or 0 without one.
func (m *gaussModel) c() float64 {
	if !m.withC {
		return 0
	}
	return m.p[len(m.p)-1]
}

func (m *gaussModel) rowE(x []float64) float64 {
	d, mu, p := m.d, m.mu(), m.prec()
	e := 0.0
	for j := 0; j < d; j++ {
		for k := 0; k < d; k++ {
			e += (x[j] - mu[j]) * p[j*d+k] * (x[k] - mu[k])
		}
	}
	return 0.5*e + m.c()
}

// Energy sets e[i] = E(x_i).
func (m *gaussModel) Energy(e, x []float64) {
	for i := range e {
		e[i] = m.rowE(x[i*m.d : (i+1)*m.d])
	}
}

// Gradient sets e[i] = E(x_i) and row i of grad to ½(P + Pᵀ)(x_i − μ).
func (m *gaussModel) Gradient(e, grad, x []float64) {
	d, mu, p := m.d, m.mu(), m.prec()
	for i := range e {
		xi := x[i*d : (i+1)*d]
		e[i] = m.rowE(xi)
		for j := 0; j < d; j++ {
			s := 0.0
			for k := 0; k < d; k++ {
				s += 0.5 * (p[j*d+k] + p[k*d+j]) * (xi[k] - mu[k])
			}
			grad[i*d+j] = s
		}
	}
}

// Build records E on g: μ (1×d), P (d×d) and c (1×1) are input leaves
// aliasing Params in order.
func (m *gaussModel) Build(g *autodiff.Graph, x autodiff.Node) (autodiff.Node, []autodiff.Node) {
	d := m.d
	n, _ := g.Shape(x)
	mu := g.Input(m.p[:d], 1, d)
	p := g.Input(m.p[d:d+d*d], d, d)
	diff := g.Sub(x, g.BroadcastRows(mu, n))
	e := g.Scale(g.RowDot(g.MatMul(diff, p), diff), 0.5)
	params := []autodiff.Node{mu, p}
	if m.withC {
		c := g.Input(m.p[d+d*d:], 1, 1)
		e = g.Add(e, g.BroadcastRows(c, n))
		params = append(params, c)
	}
	return e, params
}

var _ energies.Trainable = (*gaussModel)(nil)

// roughModel is a gaussModel that reports itself not smooth and has no
// activation to name.
type roughModel struct{ *gaussModel }

func (roughModel) Smooth() bool { return false }

// gaussDraws returns n draws from N(mu, cov) (cov d×d, row-major) from
// stream (seed, 0).
func gaussDraws(n int, mu, cov []float64, seed uint64) []float64 {
	d := len(mu)
	l := cholesky(cov, d)
	r := rng.New(seed, 0)
	z := make([]float64, d)
	x := make([]float64, n*d)
	for i := 0; i < n; i++ {
		r.FillNorm(z)
		for j := 0; j < d; j++ {
			s := mu[j]
			for k := 0; k <= j; k++ {
				s += l[j*d+k] * z[k]
			}
			x[i*d+j] = s
		}
	}
	return x
}

// cholesky returns the lower factor L of the symmetric positive-definite
// d×d matrix a (a = LLᵀ).
func cholesky(a []float64, d int) []float64 {
	l := make([]float64, d*d)
	for j := 0; j < d; j++ {
		s := a[j*d+j]
		for k := 0; k < j; k++ {
			s -= l[j*d+k] * l[j*d+k]
		}
		if !(s > 0) {
			panic("objectives test: cholesky: not positive definite")
		}
		l[j*d+j] = math.Sqrt(s)
		for i := j + 1; i < d; i++ {
			t := a[i*d+j]
			for k := 0; k < j; k++ {
				t -= l[i*d+k] * l[j*d+k]
			}
			l[i*d+j] = t / l[j*d+j]
		}
	}
	return l
}

// invert returns the inverse of the d×d matrix a by Gauss–Jordan
// elimination with partial pivoting.
func invert(a []float64, d int) []float64 {
	m := append([]float64(nil), a...)
	inv := make([]float64, d*d)
	for i := 0; i < d; i++ {
		inv[i*d+i] = 1
	}
	for c := 0; c < d; c++ {
		p := c
		for r := c + 1; r < d; r++ {
			if math.Abs(m[r*d+c]) > math.Abs(m[p*d+c]) {
				p = r
			}
		}
		if m[p*d+c] == 0 {
			panic("objectives test: invert: singular matrix")
		}
		for k := 0; k < d; k++ {
			m[c*d+k], m[p*d+k] = m[p*d+k], m[c*d+k]
			inv[c*d+k], inv[p*d+k] = inv[p*d+k], inv[c*d+k]
		}
		f := 1 / m[c*d+c]
		for k := 0; k < d; k++ {
			m[c*d+k] *= f
			inv[c*d+k] *= f
		}
		for r := 0; r < d; r++ {
			if r == c || m[r*d+c] == 0 {
				continue
			}
			f := m[r*d+c]
			for k := 0; k < d; k++ {
				m[r*d+k] -= f * m[c*d+k]
				inv[r*d+k] -= f * inv[c*d+k]
			}
		}
	}
	return inv
}

// meanSE returns the mean of xs and its standard error sd/√n.
func meanSE(xs []float64) (mean, se float64) {
	n := float64(len(xs))
	for _, v := range xs {
		mean += v
	}
	mean /= n
	ss := 0.0
	for _, v := range xs {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// tinyMLP returns a 2-4-1 network of the energies registry with the given
// activation (and a weak quadratic envelope, so that its Hessian has a
// constant part too).
func tinyMLP(t testing.TB, act string) energies.Trainable {
	t.Helper()
	e, err := energies.FromTable(map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(4)},
		"activation": act, "seed": int64(3), "quadratic": 0.3, "init_scale": 1.5})
	if err != nil {
		t.Fatal(err)
	}
	return e.(energies.Trainable)
}

// newObjective builds a registered objective from its type and key-value
// pairs, failing the test on error.
func newObjective(t testing.TB, typ string, kv ...any) Objective {
	t.Helper()
	table := map[string]any{"type": typ}
	for i := 0; i < len(kv); i += 2 {
		table[kv[i].(string)] = kv[i+1]
	}
	o, err := FromTable(table)
	if err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	return o
}

// lossGrad calls o.Loss on batch and returns the loss and a fresh gradient,
// failing the test on error.
func lossGrad(t testing.TB, o Objective, m energies.Trainable, batch []float64) (float64, []float64) {
	t.Helper()
	grad := make([]float64, len(m.Params())+len(o.Params()))
	l, err := o.Loss(context.Background(), batch, grad)
	if err != nil {
		t.Fatal(err)
	}
	return l, grad
}
