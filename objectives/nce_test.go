package objectives

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/optim"
)

// NCE is consistent for unnormalized models: trained on N(μ*, Σ*) data with
// the Gaussian family, whose exp(−E) carries no normalizer, the learned
// c = Params()[0] must be log Z. log Z is log 2π + ½ log det Σ* = 2.118 for
// the truth, and log 2π − log |det A| for the learned A; c starts at 0
// (estimate_log_z = false), μ at 0 and A at I. With n = 20000 data rows
// the estimate's standard deviation is ≈ 0.01, so the 0.05 tolerance is
// about 5 of them: a mis-signed or mis-weighted noise term, a wrong log q
// or a wrong ∂/∂c moves c by far more.
func TestNCERecoversLogZ(t *testing.T) {
	for _, noise := range []string{"gaussian", "uniform"} {
		t.Run(noise, func(t *testing.T) {
			data := mcGaussData(20000, mcTrueMu, mcTrueCov, 21)
			m := newMCGauss([]float64{0, 0}, []float64{1, 0, 0, 1})
			o, err := FromTable(map[string]any{"type": "nce", "noise": noise, "estimate_log_z": false})
			if err != nil {
				t.Fatal(err)
			}
			if err := o.Start(m, data, 3); err != nil {
				t.Fatal(err)
			}
			if o.Params()[0] != 0 {
				t.Fatalf("log Z starts at %v, want 0", o.Params()[0])
			}
			opt, _ := optim.FromTable(map[string]any{"type": "adam", "lr": 0.05})
			const steps, avg, batch = 600, 200, 1000
			np := len(m.Params())
			if err := opt.Start(np+1, steps); err != nil {
				t.Fatal(err)
			}
			params := make([]float64, np+1)
			grad := make([]float64, np+1)
			var c, learned float64
			for s := 0; s < steps; s++ {
				if _, err := o.Loss(context.Background(), mcBatch(data, s, batch), grad); err != nil {
					t.Fatal(err)
				}
				copy(params, m.Params())
				params[np] = o.Params()[0]
				opt.Step(params, grad)
				copy(m.Params(), params[:np])
				o.Params()[0] = params[np]
				if s >= steps-avg {
					c += params[np] / avg
					learned += m.logZ2() / avg
				}
			}
			truth := math.Log(2*math.Pi) + 0.5*math.Log(mcTrueCov[0]*mcTrueCov[3]-mcTrueCov[1]*mcTrueCov[2])
			if math.Abs(c-truth) > 0.05 {
				t.Errorf("learned log Z %.4f, true %.4f", c, truth)
			}
			if math.Abs(c-learned) > 0.05 {
				t.Errorf("learned log Z %.4f, log Z of the learned energy %.4f", c, learned)
			}
			t.Logf("c %.4f, log Z of the learned E %.4f, true %.4f; μ %.3f", c, learned, truth, m.mu())
		})
	}
}

// At the true parameters the Gaussian noise fitted to the data is nearly
// the model's own density, so the importance weights exp(−E − log q) are
// almost constant and Start's estimate of log Z must be within 0.02 of
// the truth; a wrong sign or a missing log q term would be off by units.
func TestNCELogZEstimate(t *testing.T) {
	data := mcGaussData(5000, mcTrueMu, mcTrueCov, 22)
	m := mcTrueModel()
	o, err := FromTable(map[string]any{"type": "nce"})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Start(m, data, 1); err != nil {
		t.Fatal(err)
	}
	if got, want := o.Params()[0], m.logZ2(); math.Abs(got-want) > 0.02 {
		t.Errorf("estimated log Z %.4f, true %.4f", got, want)
	}
}

// The gradient NCE writes (model parameters, then log Z) must be the
// derivative of its loss with the noise draws fixed (the stream restored
// before each evaluation); otherwise training follows a wrong direction.
// Checked for the Gaussian family with both noises and for a small MLP.
func TestNCEFiniteDifferences(t *testing.T) {
	mlpModel, err := energies.FromTable(map[string]any{"type": "mlp", "dim": 2, "hidden": []any{int64(4)}, "activation": "softplus", "seed": 5})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		m     energies.Trainable
		noise string
		nu    float64
	}{
		{newMCGauss([]float64{0.5, 0}, []float64{0.8, 0.1, -0.2, 0.7}), "gaussian", 1},
		{newMCGauss([]float64{0.5, 0}, []float64{0.8, 0.1, -0.2, 0.7}), "uniform", 2.5},
		{mlpModel.(energies.Trainable), "gaussian", 0.5},
	} {
		o, err := FromTable(map[string]any{"type": "nce", "noise": tc.noise, "nu": tc.nu})
		if err != nil {
			t.Fatal(err)
		}
		data := mcGaussData(50, mcTrueMu, mcTrueCov, 23)
		if err := o.Start(tc.m, data, 7); err != nil {
			t.Fatal(err)
		}
		st := o.(Stateful).State()
		np := len(tc.m.Params())
		grad := make([]float64, np+1)
		if _, err := o.Loss(context.Background(), data, grad); err != nil {
			t.Fatal(err)
		}
		scratch := make([]float64, np+1)
		f := func() float64 {
			if err := o.(Stateful).Restore(st); err != nil {
				t.Fatal(err)
			}
			l, err := o.Loss(context.Background(), data, scratch)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		what := fmt.Sprintf("case %d (%s noise)", i, tc.noise)
		mcCheckFD(t, what+" model", tc.m.Params(), f, grad[:np])
		mcCheckFD(t, what+" log Z", o.Params(), f, grad[np:])
	}
}

// Far from the data the logistic terms saturate; the stable softplus and
// sigmoid forms must keep the loss and gradient finite where the exact
// values are (a naive log(σ(G)) gives −Inf, σ gives NaN from ∞/∞), and
// the loss must then grow like the energy gap rather than saturate.
func TestNCEStableFarFromData(t *testing.T) {
	data := mcGaussData(100, mcTrueMu, mcTrueCov, 24)
	m := newMCGauss([]float64{40, -40}, []float64{30, 0, 0, 30})
	o, _ := FromTable(map[string]any{"type": "nce", "estimate_log_z": false})
	if err := o.Start(m, data, 1); err != nil {
		t.Fatal(err)
	}
	grad := make([]float64, 7)
	loss, err := o.Loss(context.Background(), data, grad)
	if err != nil {
		t.Fatal(err)
	}
	// Every data row has E ≈ ½·900·(39² + 39.5²) ≈ 1.4e6, so −G₊ ≈ E and
	// the loss is about mean E(x₊).
	e := make([]float64, 100)
	m.Energy(e, data)
	mean, _ := mcMeanSE(e)
	if math.IsNaN(loss) || math.IsInf(loss, 0) || math.Abs(loss-mean)/mean > 1e-3 {
		t.Errorf("loss %v, want ≈ mean E(x₊) = %v", loss, mean)
	}
	for j, g := range grad {
		if math.IsNaN(g) || math.IsInf(g, 0) {
			t.Errorf("grad[%d] = %v", j, g)
		}
	}
	if d := grad[6]; math.Abs(d-1) > 1e-9 {
		t.Errorf("∂loss/∂c = %v, want 1 (every data term saturated)", d)
	}
}

// A resumed run must draw the same noise: losses and gradients after
// Restore equal the uninterrupted run's bit for bit.
func TestNCEStateRestore(t *testing.T) {
	data := mcGaussData(60, mcTrueMu, mcTrueCov, 25)
	m := mcTrueModel()
	newO := func() Objective {
		o, _ := FromTable(map[string]any{"type": "nce", "nu": 2})
		if err := o.Start(m, data, 8); err != nil {
			t.Fatal(err)
		}
		return o
	}
	run := func(o Objective, n int) []float64 {
		var out []float64
		grad := make([]float64, 7)
		for i := 0; i < n; i++ {
			l, err := o.Loss(context.Background(), mcBatch(data, i, 20), grad)
			if err != nil {
				t.Fatal(err)
			}
			out = append(append(out, l), grad...)
		}
		return out
	}
	a := newO()
	run(a, 2)
	st := a.(Stateful).State()
	want := run(a, 3)
	b := newO()
	if err := b.(Stateful).Restore(st); err != nil {
		t.Fatal(err)
	}
	got := run(b, 3)
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("value %d after Restore: %v, uninterrupted %v", i, got[i], want[i])
		}
	}
	if err := b.(Stateful).Restore(State{RNG: map[string][]uint64{"noise": {1, 3}}}); err == nil {
		t.Error("Restore without the \"rng\" stream: no error")
	}
}
