package objectives

import (
	"math"
	"testing"
)

// TestSlicedMatchesExactInExpectation checks, on one fixed batch at
// parameters away from the truth, that ssm and ssm_vr equal sm in
// expectation over the projections: E_v ½(vᵀ∇E)² = ½‖∇E‖² and
// E_v vᵀ(∇²E)v = tr ∇²E when E[vvᵀ] = I. The loss and every gradient
// component averaged over 400 calls (fresh projections each) must be within
// 4 standard errors of sm's exact value; a component with no variance over
// the projections (ssm_vr's gradient in μ, whose Hessian term does not
// depend on μ for a quadratic energy, or in the diagonal of P with
// Rademacher projections, v_j² = 1) must match to rounding. A failure
// means a projection distribution without E[vvᵀ] = I, or a wrong
// Hessian-vector product or seed.
func TestSlicedMatchesExactInExpectation(t *testing.T) {
	m := smOff()
	x := gaussDraws(64, smMu, smCov, 31)
	sm := newObjective(t, "sm")
	if err := sm.Start(m, x, 1); err != nil {
		t.Fatal(err)
	}
	exactLoss, exactGrad := lossGrad(t, sm, m, x)
	exact := append([]float64{exactLoss}, exactGrad...)

	const calls = 400
	for _, c := range []struct {
		name, typ string
		kv        []any
	}{
		{"ssm_rademacher", "ssm", nil},
		{"ssm_gaussian", "ssm", []any{"projection", "gaussian"}},
		{"ssm_rademacher_M3", "ssm", []any{"projections", 3}},
		{"ssm_vr_rademacher", "ssm_vr", nil},
		{"ssm_vr_gaussian_M2", "ssm_vr", []any{"projection", "gaussian", "projections", 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := newObjective(t, c.typ, c.kv...)
			if err := o.Start(m, x, 41); err != nil {
				t.Fatal(err)
			}
			vals := make([][]float64, len(exact))
			for k := 0; k < calls; k++ {
				l, g := lossGrad(t, o, m, x)
				vals[0] = append(vals[0], l)
				for p, v := range g {
					vals[p+1] = append(vals[p+1], v)
				}
			}
			varied := false
			for p, vs := range vals {
				mean, se := meanSE(vs)
				what, idx := "loss", 0
				if p > 0 {
					what, idx = "grad", p-1
				}
				if se < 1e-12*(1+math.Abs(mean)) { // constant up to rounding
					if math.Abs(mean-exact[p]) > 1e-12*(1+math.Abs(exact[p])) {
						t.Errorf("%s[%d]: constant %.15g over the projections, sm %.15g", what, idx, mean, exact[p])
					}
					continue
				}
				varied = true
				if z := (mean - exact[p]) / se; !(math.Abs(z) < 4) {
					t.Errorf("%s[%d]: mean %.6g ± %.2g over the projections, sm %.6g (z = %.2f)", what, idx, mean, se, exact[p], z)
				}
			}
			if !varied {
				t.Error("nothing varied over the projections: they are not random")
			}
		})
	}
}

// TestSSMProjections checks the projections' distributions directly:
// Rademacher entries are ±1 with frequency ½ each, Gaussian entries have
// mean 0 and variance 1, and both have uncorrelated entries (so
// E[vvᵀ] = I), each within 4 standard errors over 20000 draws. A failure
// means the sliced estimators are biased (the trace identity needs
// E[vvᵀ] = I).
func TestSSMProjections(t *testing.T) {
	for _, kind := range []string{"rademacher", "gaussian"} {
		o := newObjective(t, "ssm", "projection", kind).(*SSM)
		if err := o.Start(smTruth(), make([]float64, 3), 9); err != nil {
			t.Fatal(err)
		}
		o.v = make([]float64, 20000*2)
		o.draw()
		var sq, cross, mean []float64
		for i := 0; i < len(o.v); i += 2 {
			a, b := o.v[i], o.v[i+1]
			if kind == "rademacher" && (math.Abs(a) != 1 || math.Abs(b) != 1) {
				t.Fatalf("rademacher entry %v, %v is not ±1", a, b)
			}
			mean = append(mean, a)
			sq = append(sq, a*a)
			cross = append(cross, a*b)
		}
		m, se := meanSE(mean)
		if z := m / se; !(math.Abs(z) < 4) {
			t.Errorf("%s: mean entry %.4f ± %.4f, want 0", kind, m, se)
		}
		if kind == "gaussian" {
			m, se = meanSE(sq)
			if z := (m - 1) / se; !(math.Abs(z) < 4) {
				t.Errorf("%s: mean square %.4f ± %.4f, want 1", kind, m, se)
			}
		}
		m, se = meanSE(cross)
		if z := m / se; !(math.Abs(z) < 4) {
			t.Errorf("%s: mean product of neighbouring entries %.4f ± %.4f, want 0", kind, m, se)
		}
	}
}
