package evaluate_test

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
)

// isoGauss is E(x) = ½‖x‖²/s² in d dimensions (NaN gradients when bad).
type isoGauss struct {
	d   int
	s2  float64
	bad bool
}

func (g isoGauss) Dim() int { return g.d }
func (g isoGauss) Energy(e, x []float64) {
	grad := make([]float64, len(x))
	g.Gradient(e, grad, x)
}
func (g isoGauss) Gradient(e, grad, x []float64) {
	for i := range len(x) / g.d {
		q := 0.0
		for j := i * g.d; j < (i+1)*g.d; j++ {
			grad[j] = x[j] / g.s2
			q += x[j] * x[j]
			if g.bad && i == 3 {
				grad[j] = math.NaN()
			}
		}
		e[i] = 0.5 * q / g.s2
	}
}

// TestDenoisingLossGaussian checks the loss against its closed form: for
// data x ~ N(0, τ²I) in d dimensions and E = ½‖x‖²/s², the expected loss
// at σ is ½d(τ²/s⁴ + (σ/s² − 1/σ)²). Each σ must agree within 4 reported
// standard errors; and the model with s² = τ² + σ², the exact score of
// the smoothed data, must score lower than models a little off.
func TestDenoisingLossGaussian(t *testing.T) {
	const d, n, tau = 10, 4000, 0.7
	x := make([]float64, n*d)
	s := rng.New(2, 0)
	for i := range x {
		x[i] = tau * s.Norm()
	}
	sigmas := []float64{0.1, 0.3, 0.5}
	for _, s2 := range []float64{0.3, 0.5, 1} {
		res, err := evaluate.DenoisingLoss(context.Background(), isoGauss{d: d, s2: s2}, x, sigmas, 5, 0)
		if err != nil {
			t.Fatal(err)
		}
		for k, r := range res {
			sg := sigmas[k]
			want := 0.5 * d * (tau*tau/(s2*s2) + math.Pow(sg/s2-1/sg, 2))
			if r.Sigma != sg || math.Abs(r.Loss-want) > 4*r.Stderr {
				t.Errorf("s² = %v, σ = %v: loss %.4f ± %.4f, want %.4f", s2, sg, r.Loss, r.Stderr, want)
			}
		}
	}
	for _, sg := range sigmas {
		best := tau*tau + sg*sg
		var at [3]float64
		for k, s2 := range []float64{best, best * 0.8, best * 1.25} {
			r, err := evaluate.DenoisingLoss(context.Background(), isoGauss{d: d, s2: s2}, x, []float64{sg}, 5, 0)
			if err != nil {
				t.Fatal(err)
			}
			at[k] = r[0].Loss
		}
		if !(at[0] < at[1] && at[0] < at[2]) {
			t.Errorf("σ = %v: the smoothed data's own score has loss %.4f, models off by 20 %% %.4f and %.4f: it should be lowest", sg, at[0], at[1], at[2])
		}
	}
}

// TestDenoisingLossWorkersAndErrors checks the result is the same bits at
// any number of workers and that bad input is an error.
func TestDenoisingLossWorkersAndErrors(t *testing.T) {
	x := make([]float64, 700*3)
	s := rng.New(3, 0)
	s.FillNorm(x)
	g := isoGauss{d: 3, s2: 2}
	ref, err := evaluate.DenoisingLoss(context.Background(), g, x, []float64{0.2, 1}, 9, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := evaluate.DenoisingLoss(context.Background(), g, x, []float64{0.2, 1}, 9, 3)
	if err != nil {
		t.Fatal(err)
	}
	for k := range ref {
		if ref[k] != got[k] {
			t.Errorf("σ = %v: 1 worker %+v, 3 workers %+v", ref[k].Sigma, ref[k], got[k])
		}
	}
	if _, err := evaluate.DenoisingLoss(context.Background(), isoGauss{d: 3, s2: 1, bad: true}, x, []float64{0.1}, 1, 0); err == nil {
		t.Error("NaN gradient: no error")
	}
	for _, sg := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if _, err := evaluate.DenoisingLoss(context.Background(), g, x, []float64{sg}, 1, 0); err == nil {
			t.Errorf("σ = %v: no error", sg)
		}
	}
	if _, err := evaluate.DenoisingLoss(context.Background(), g, x[:4], []float64{0.1}, 1, 0); err == nil {
		t.Error("ragged rows: no error")
	}
}
