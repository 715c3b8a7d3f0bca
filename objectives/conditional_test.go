package objectives

import (
	"math"
	"testing"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
)

// levelGauss is a noise-conditional isotropic Gaussian with one precision
// per level of a fixed ladder: E(x, σ_k) = ½·exp(θ_k)·‖x − μ‖², μ shared.
// Params are μ (d values) then θ (one per level). Energy and Gradient are
// at the level sigma.
type levelGauss struct {
	d      int
	sigmas []float64
	sigma  float64
	p      []float64
}

func (m *levelGauss) level(s float64) int {
	for k, v := range m.sigmas {
		if v == s {
			return k
		}
	}
	panic("levelGauss: σ not on the ladder")
}

func (m *levelGauss) Dim() int               { return m.d }
func (m *levelGauss) Params() []float64      { return m.p }
func (m *levelGauss) NoiseConditional() bool { return true }
func (m *levelGauss) Sigma() float64         { return m.sigma }
func (m *levelGauss) At(s float64) energies.Energy {
	return &levelGauss{d: m.d, sigmas: m.sigmas, sigma: s, p: m.p}
}
func (m *levelGauss) Energy(e, x []float64) { m.Gradient(e, make([]float64, len(x)), x) }
func (m *levelGauss) Gradient(e, grad, x []float64) {
	a := math.Exp(m.p[m.d+m.level(m.sigma)])
	for i := range e {
		e[i] = 0
		for j := 0; j < m.d; j++ {
			r := x[i*m.d+j] - m.p[j]
			e[i] += 0.5 * a * r * r
			grad[i*m.d+j] = a * r
		}
	}
}

func (m *levelGauss) Build(g *autodiff.Graph, x autodiff.Node) (autodiff.Node, []autodiff.Node) {
	n, _ := g.Shape(x)
	sig := make([]float64, n)
	for i := range sig {
		sig[i] = m.sigma
	}
	return m.BuildAt(g, x, sig)
}

// BuildAt picks each row's θ with a one-hot n×L constant times θ.
func (m *levelGauss) BuildAt(g *autodiff.Graph, x autodiff.Node, sigma []float64) (autodiff.Node, []autodiff.Node) {
	n, _ := g.Shape(x)
	L := len(m.sigmas)
	hot := make([]float64, n*L)
	for i, s := range sigma {
		hot[i*L+m.level(s)] = 1
	}
	mu := g.Input(m.p[:m.d], 1, m.d)
	th := g.Input(m.p[m.d:], L, 1)
	diff := g.Sub(x, g.BroadcastRows(mu, n))
	prec := g.Exp(g.MatMul(g.Const(hot, n, L), th))
	return g.Scale(g.MulCol(g.SumRows(g.Square(diff)), prec), 0.5), []autodiff.Node{mu, th}
}

func (m *levelGauss) BuildAt32(*autodiff.Graph32, autodiff.Node, []float64) (autodiff.Node, []autodiff.Node) {
	panic("levelGauss: no float32 path")
}

// TestMSDSMConditionalFitsEveryLevel checks what msdsm trains a
// noise-conditional model to: on data N(μ*, s²I) each level σ_k fits its
// own smoothed density N(μ*, (s² + σ_k²)I), so the gradient vanishes in
// expectation (40 batches of 500 rows, every component within 4 standard
// errors of 0) at θ_k = −ln(s² + σ_k²), and not where every level has the
// middle level's precision (some |z| > 10), which is near what one
// unconditional energy would settle on. A failure at the per-level truth
// means the rows are not recorded at their own levels.
func TestMSDSMConditionalFitsEveryLevel(t *testing.T) {
	const nb, bs, s2 = 40, 500, 0.3
	cov := []float64{s2, 0, 0, 0, s2, 0, 0, 0, s2}
	x := gaussDraws(nb*bs, smMu, cov, 91)
	o := newObjective(t, "msdsm", "sigma_min", 0.2, "sigma_max", 1.0, "levels", 3)
	sigmas := o.(*MSDSM).Sigmas()
	grads := func(theta func(k int) float64) [][]float64 {
		m := &levelGauss{d: 3, sigmas: sigmas, sigma: sigmas[2], p: append([]float64(nil), smMu...)}
		for k := range sigmas {
			m.p = append(m.p, theta(k))
		}
		if err := o.Start(m, x, 5); err != nil {
			t.Fatal(err)
		}
		out := make([][]float64, nb)
		for b := range out {
			_, out[b] = lossGrad(t, o, m, x[b*bs*3:(b+1)*bs*3])
		}
		return out
	}
	z, mean, se := zScores(grads(func(k int) float64 { return -math.Log(s2 + sigmas[k]*sigmas[k]) }))
	for p := range z {
		if !(math.Abs(z[p]) < 4) {
			t.Errorf("at the per-level smoothed truth, gradient[%d] = %.4g ± %.2g (z = %.2f), want 0", p, mean[p], se[p], z[p])
		}
	}
	zMid, _, _ := zScores(grads(func(int) float64 { return -math.Log(s2 + sigmas[1]*sigmas[1]) }))
	big := 0.0
	for _, v := range zMid {
		big = math.Max(big, math.Abs(v))
	}
	if !(big > 10) {
		t.Errorf("with one precision at every level the largest |z| is %.2f; the levels should pull apart", big)
	}
}
