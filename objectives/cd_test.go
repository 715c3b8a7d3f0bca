package objectives

import (
	"context"
	"math"
	"testing"
)

// The test target: N(μ*, Σ*) in two dimensions, and the Gaussian family's
// parameters (μ*, A*) with A*A*ᵀ = Σ*⁻¹.
var (
	mcTrueMu  = []float64{1, -0.5}
	mcTrueCov = []float64{1, 0.5, 0.5, 2}
)

func mcTrueModel() *mcGauss { return newMCGauss(mcTrueMu, mcChol2(mcInv2(mcTrueCov))) }

// mcTable is an objective table whose sampler is MALA without
// adaptation: an exact (target-invariant) chain.
func mcTable(typ string, kv ...any) map[string]any {
	t := map[string]any{"type": typ, "sampler": map[string]any{"type": "mala", "step_size": 0.5, "adapt": false}}
	for i := 0; i < len(kv); i += 2 {
		t[kv[i].(string)] = kv[i+1]
	}
	return t
}

// mcCDGradients returns the CD gradient of m on nb independent data batches
// of size n from N(μ*, Σ*): one row per batch.
func mcCDGradients(t *testing.T, m *mcGauss, nb, n int) [][]float64 {
	t.Helper()
	o, err := FromTable(mcTable("cd", "k", 5))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Start(m, mcGaussData(n, mcTrueMu, mcTrueCov, 99), 7); err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, nb)
	for b := range out {
		out[b] = make([]float64, len(m.Params()))
		if _, err := o.Loss(context.Background(), mcGaussData(n, mcTrueMu, mcTrueCov, uint64(100+b)), out[b]); err != nil {
			t.Fatal(err)
		}
	}
	st := o.(*CD).SamplerStats()
	if rate := st.AcceptanceRate(); st.Transitions != int64(nb*n*5) || !(rate > 0.3 && rate < 0.99) {
		t.Fatalf("negative chains: %d transitions, acceptance %v; want %d and a rate in (0.3, 0.99)", st.Transitions, rate, nb*n*5)
	}
	return out
}

// At the data's own parameters the data are stationary for the exact MALA
// chain, so the negatives have the data's distribution and the CD gradient
// E_data[∇θE] − E_neg[∇θE] has mean exactly 0. If a component's mean over
// 40 independent batches of 2000 were more than 4 standard errors from 0,
// the loss would be mis-signed or mis-weighted (a 5 % error in the
// negatives' weight fails it), or the negatives would not follow the model.
func TestCDGradientVanishesAtTruth(t *testing.T) {
	g := mcCDGradients(t, mcTrueModel(), 40, 2000)
	for j := range g[0] {
		col := make([]float64, len(g))
		for b := range g {
			col[b] = g[b][j]
		}
		if m, se := mcMeanSE(col); math.Abs(m) > 4*se {
			t.Errorf("∂loss/∂θ[%d] = %.4g ± %.2g at the true parameters, want 0 within 4 SE", j, m, se)
		}
	}
}

// With μ shifted by δ the chains drift from the data toward the model's
// mean, so the CD gradient with respect to μ is ≈ f·Pδ for some mixing
// fraction f in (0, 1]: a descent step moves μ back. If its first
// component were not significantly positive, CD would not learn (the
// zero-gradient test above alone would also pass with chains that never
// move).
func TestCDGradientPointsBack(t *testing.T) {
	m := mcTrueModel()
	m.p[0] += 0.6
	g := mcCDGradients(t, m, 40, 2000)
	col := make([]float64, len(g))
	for b := range g {
		col[b] = g[b][0]
	}
	mean, se := mcMeanSE(col)
	if !(mean > 6*se) {
		t.Errorf("∂loss/∂μ₀ = %.4g ± %.2g with μ₀ too large by 0.6; want significantly > 0", mean, se)
	}
}

// The gradient written by Loss must be the derivative of the returned loss
// with the negatives held fixed, including the α regularizer; otherwise
// the optimizer follows the wrong direction.
func TestCDFiniteDifferences(t *testing.T) {
	m := newMCGauss([]float64{0.3, -0.2}, []float64{1.1, 0.2, -0.3, 0.9})
	o, err := FromTable(mcTable("cd", "k", 3, "alpha", 0.3))
	if err != nil {
		t.Fatal(err)
	}
	data := mcGaussData(64, mcTrueMu, mcTrueCov, 1)
	if err := o.Start(m, data, 2); err != nil {
		t.Fatal(err)
	}
	grad := make([]float64, len(m.Params()))
	loss, err := o.Loss(context.Background(), data, grad)
	if err != nil {
		t.Fatal(err)
	}
	c := &o.(*CD).c
	if l2 := c.loss(64, 64, 0.3, make([]float64, len(grad))); l2 != loss {
		t.Fatalf("loss with frozen negatives %v, Loss returned %v", l2, loss)
	}
	mcCheckContrastFD(t, "cd", c, 64, 0.3, grad)
}

// A resumed run must continue bit-identically: the same negatives, hence
// the same losses and gradients, after Restore of a State taken mid-run.
func TestCDStateRestore(t *testing.T) {
	m := mcTrueModel()
	data := mcGaussData(50, mcTrueMu, mcTrueCov, 4)
	run := func(o Objective, steps int) []float64 {
		var out []float64
		grad := make([]float64, len(m.Params()))
		for i := 0; i < steps; i++ {
			l, err := o.Loss(context.Background(), data, grad)
			if err != nil {
				t.Fatal(err)
			}
			out = append(append(out, l), grad...)
		}
		return out
	}
	a, _ := FromTable(mcTable("cd", "k", 2))
	if err := a.Start(m, data, 3); err != nil {
		t.Fatal(err)
	}
	run(a, 2)
	st := a.(Stateful).State()
	want := run(a, 3)
	b, _ := FromTable(mcTable("cd", "k", 2))
	if err := b.Start(m, data, 3); err != nil {
		t.Fatal(err)
	}
	if err := b.(Stateful).Restore(st); err != nil {
		t.Fatal(err)
	}
	got := run(b, 3)
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("value %d after Restore: %v, uninterrupted %v", i, got[i], want[i])
		}
	}
	if err := b.(Stateful).Restore(State{}); err == nil {
		t.Error("Restore of an empty State: no error")
	}
	if err := b.(Stateful).Restore(State{RNG: map[string][]uint64{"rng": {1, 2}}}); err == nil {
		t.Error("Restore of a stream with an even increment: no error")
	}
}
