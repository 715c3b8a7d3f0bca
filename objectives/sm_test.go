package objectives

import (
	"math"
	"strings"
	"testing"
)

// The test Gaussian of the score-matching tests: d = 3, a correlated
// covariance, data drawn from N(smMu, smCov).
var (
	smMu  = []float64{0.5, -1, 0.3}
	smCov = []float64{
		1.0, 0.3, 0.0,
		0.3, 0.5, 0.1,
		0.0, 0.1, 0.8,
	}
)

// smTruth is the Gaussian model at the true parameters (μ*, Σ*⁻¹).
func smTruth() *gaussModel { return newGaussModel(smMu, invert(smCov, 3), false) }

// smOff is the Gaussian model at parameters away from the truth: μ shifted
// and P neither Σ*⁻¹ nor symmetric.
func smOff() *gaussModel {
	p := invert(smCov, 3)
	for i := range p {
		p[i] *= 1.3
	}
	p[1] += 0.2
	return newGaussModel([]float64{0.2, -0.7, 0.6}, p, false)
}

// TestSMClosedForm compares sm's loss and gradient on a batch with their
// closed forms for the quadratic energy E = ½(x−μ)ᵀP(x−μ): with
// S = ½(P + Pᵀ), r = x − μ and u = Sr, ∇ₓE = u, tr ∇ₓ²E = tr P, so
//
//	J = mean ½‖u‖² − tr P,  ∂J/∂μ = −mean S u,  ∂J/∂P_jk = mean ½(u_j r_k + u_k r_j) − δ_jk.
//
// A failure means the trace, the score or the final backward pass to the
// parameters is wrong (a sign, a factor ½, a missing diagonal pass).
func TestSMClosedForm(t *testing.T) {
	m := smOff()
	d := m.d
	x := gaussDraws(50, smMu, smCov, 11)
	o := newObjective(t, "sm")
	if err := o.Start(m, x, 1); err != nil {
		t.Fatal(err)
	}
	loss, grad := lossGrad(t, o, m, x)

	p, mu := m.prec(), m.mu()
	s := make([]float64, d*d)
	for j := 0; j < d; j++ {
		for k := 0; k < d; k++ {
			s[j*d+k] = 0.5 * (p[j*d+k] + p[k*d+j])
		}
	}
	n := len(x) / d
	want := make([]float64, len(grad))
	wantLoss := 0.0
	r, u := make([]float64, d), make([]float64, d)
	for i := 0; i < n; i++ {
		for j := range r {
			r[j] = x[i*d+j] - mu[j]
		}
		for j := range u {
			u[j] = 0
			for k := 0; k < d; k++ {
				u[j] += s[j*d+k] * r[k]
			}
			wantLoss += 0.5 * u[j] * u[j] / float64(n)
		}
		for j := 0; j < d; j++ {
			for k := 0; k < d; k++ {
				want[j] -= s[j*d+k] * u[k] / float64(n)
				want[d+j*d+k] += 0.5 * (u[j]*r[k] + u[k]*r[j]) / float64(n)
			}
		}
	}
	for j := 0; j < d; j++ {
		wantLoss -= p[j*d+j]
		want[d+j*d+j]--
	}
	if math.Abs(loss-wantLoss) > 1e-12*(1+math.Abs(wantLoss)) {
		t.Errorf("loss = %.15g, closed form %.15g", loss, wantLoss)
	}
	for i := range grad {
		if math.Abs(grad[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
			t.Errorf("grad[%d] = %.15g, closed form %.15g", i, grad[i], want[i])
		}
	}
}

// batchGradients returns the gradient of o at m on each of nb consecutive
// batches of size bs of x, one row per batch.
func batchGradients(t *testing.T, o Objective, m *gaussModel, x []float64, nb, bs int) [][]float64 {
	t.Helper()
	if err := o.Start(m, x, 5); err != nil {
		t.Fatal(err)
	}
	d := m.d
	out := make([][]float64, nb)
	for b := range out {
		_, out[b] = lossGrad(t, o, m, x[b*bs*d:(b+1)*bs*d])
	}
	return out
}

// zScores returns, per parameter, the mean over batches of the gradient
// divided by its standard error (batch means: the batches are independent).
func zScores(gs [][]float64) (z, mean, se []float64) {
	np := len(gs[0])
	z, mean, se = make([]float64, np), make([]float64, np), make([]float64, np)
	col := make([]float64, len(gs))
	for p := 0; p < np; p++ {
		for b, g := range gs {
			col[b] = g[p]
		}
		mean[p], se[p] = meanSE(col)
		z[p] = mean[p] / se[p]
	}
	return z, mean, se
}

// TestScoreGradientVanishesAtTruth checks that the gradients of sm, ssm
// and ssm_vr vanish in expectation at the true parameters of Gaussian data
// (μ*, P* = Σ*⁻¹): the mean over 40 independent batches of 500 rows is
// within 4 standard errors of 0 for every parameter. As a check that the
// test has power, the same gradients at parameters away from the truth
// must be far from 0 (some |z| > 10). A failure at the truth means the
// estimator is biased: its minimizer is not the data's density.
func TestScoreGradientVanishesAtTruth(t *testing.T) {
	const nb, bs = 40, 500
	x := gaussDraws(nb*bs, smMu, smCov, 21)
	for _, c := range []struct {
		name, typ string
		kv        []any
	}{
		{"sm", "sm", nil},
		{"ssm", "ssm", nil},
		{"ssm_gaussian_M2", "ssm", []any{"projection", "gaussian", "projections", 2}},
		{"ssm_vr", "ssm_vr", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			z, mean, se := zScores(batchGradients(t, newObjective(t, c.typ, c.kv...), smTruth(), x, nb, bs))
			for p := range z {
				if !(math.Abs(z[p]) < 4) {
					t.Errorf("at the truth, gradient[%d] = %.4g ± %.2g (z = %.2f), want 0", p, mean[p], se[p], z[p])
				}
			}
			zOff, _, _ := zScores(batchGradients(t, newObjective(t, c.typ, c.kv...), smOff(), x, nb, bs))
			big := 0.0
			for _, v := range zOff {
				big = math.Max(big, math.Abs(v))
			}
			if !(big > 10) {
				t.Errorf("away from the truth the largest |z| is %.2f; the gradient should be clearly non-zero", big)
			}
		})
	}
}

// TestSMMaxDim checks that sm refuses a model of more dimensions than
// max_dim, pointing to ssm and dsm, and accepts one at the limit. A
// failure means high-dimensional models would silently run D backward
// passes per step, or the user would not learn what to use instead.
func TestSMMaxDim(t *testing.T) {
	m := smTruth() // d = 3
	x := gaussDraws(10, smMu, smCov, 1)
	err := newObjective(t, "sm", "max_dim", 2).Start(m, x, 1)
	if err == nil {
		t.Fatal("sm with max_dim = 2 accepted a 3-dimensional model")
	}
	for _, want := range []string{"sm:", "max_dim", "ssm", "dsm", "3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if err := newObjective(t, "sm", "max_dim", 3).Start(m, x, 1); err != nil {
		t.Errorf("sm with max_dim = 3 refused a 3-dimensional model: %v", err)
	}
}
