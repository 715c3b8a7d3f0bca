package objectives

import (
	"context"

	"errors"
	"github.com/BurntSushi/toml"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/registry"
)

// scoreCases are the score-matching objectives with non-default keys that
// exercise every code path.
var scoreCases = []struct {
	name, typ string
	kv        []any
}{
	{"sm", "sm", nil},
	{"dsm", "dsm", []any{"sigma", 0.3}},
	{"msdsm", "msdsm", []any{"sigma_min", 0.1, "sigma_max", 1.0, "levels", 4}},
	{"ssm_rademacher_M2", "ssm", []any{"projections", 2}},
	{"ssm_gaussian", "ssm", []any{"projection", "gaussian"}},
	{"ssm_vr_rademacher", "ssm_vr", nil},
	{"ssm_vr_gaussian_M3", "ssm_vr", []any{"projection", "gaussian", "projections", 3}},
}

// scoreNames are the registered score-matching objectives.
var scoreNames = []string{"sm", "dsm", "msdsm", "ssm", "ssm_vr"}

// TestScoreFiniteDifferences checks every objective's parameter gradient
// against central differences of its loss on a tiny 2-4-1 network (SiLU and
// tanh), with the same random draws at every evaluation (the stream's state
// is restored before each Loss). Differences use the step h = 1e-5 and must
// agree within 1e-6·(1 + |g|) (their error is O(h²) plus rounding of
// O(ε/h)). A failure means the backward pass through ∇ₓE, the
// Hessian-vector products or the trace to the parameters is wrong.
func TestScoreFiniteDifferences(t *testing.T) {
	x := gaussDraws(6, []float64{0.3, -0.2}, []float64{1, 0.4, 0.4, 0.8}, 91)
	for _, act := range []string{"silu", "tanh"} {
		for _, c := range scoreCases {
			t.Run(act+"/"+c.name, func(t *testing.T) {
				m := tinyMLP(t, act)
				o := newObjective(t, c.typ, c.kv...)
				if err := o.Start(m, x, 13); err != nil {
					t.Fatal(err)
				}
				st := o.(Stateful).State()
				eval := func() float64 {
					if err := o.(Stateful).Restore(st); err != nil {
						t.Fatal(err)
					}
					l, _ := lossGrad(t, o, m, x)
					return l
				}
				if err := o.(Stateful).Restore(st); err != nil {
					t.Fatal(err)
				}
				_, grad := lossGrad(t, o, m, x)
				p := m.Params()
				const h = 1e-5
				for i := range p {
					v := p[i]
					p[i] = v + h
					fp := eval()
					p[i] = v - h
					fm := eval()
					p[i] = v
					fd := (fp - fm) / (2 * h)
					if !(math.Abs(fd-grad[i]) <= 1e-6*(1+math.Abs(grad[i]))) {
						t.Errorf("param %d: gradient %.10g, central difference %.10g", i, grad[i], fd)
					}
				}
			})
		}
	}
}

// TestScoreStateRestore checks that a run resumed from State continues
// bit-identically: an objective started with another seed and restored
// from the state saved after two steps gives exactly the loss and gradient
// of the third step of the original. A failure means checkpointed runs
// would diverge on resume.
func TestScoreStateRestore(t *testing.T) {
	x := gaussDraws(24, []float64{0, 0}, []float64{1, 0, 0, 1}, 3)
	b := func(i int) []float64 { return x[i*16 : (i+1)*16] }
	for _, c := range scoreCases {
		t.Run(c.name, func(t *testing.T) {
			m := tinyMLP(t, "silu")
			a := newObjective(t, c.typ, c.kv...)
			if err := a.Start(m, x, 17); err != nil {
				t.Fatal(err)
			}
			lossGrad(t, a, m, b(0))
			lossGrad(t, a, m, b(1))
			st := a.(Stateful).State()
			want, wantG := lossGrad(t, a, m, b(2))

			r := newObjective(t, c.typ, c.kv...)
			if err := r.Start(m, x, 99); err != nil {
				t.Fatal(err)
			}
			if err := r.(Stateful).Restore(st); err != nil {
				t.Fatal(err)
			}
			got, gotG := lossGrad(t, r, m, b(2))
			if got != want {
				t.Errorf("resumed loss %v, original %v", got, want)
			}
			for i := range wantG {
				if gotG[i] != wantG[i] {
					t.Fatalf("resumed grad[%d] %v, original %v", i, gotG[i], wantG[i])
				}
			}
		})
	}
}

// TestScoreRestoreErrors checks that Restore refuses states that cannot
// be this objective's: a missing stream, a wrong length, an invalid
// (even) increment, and a call before Start. A failure means a corrupt
// checkpoint would be resumed silently.
func TestScoreRestoreErrors(t *testing.T) {
	for _, name := range scoreNames {
		o := newObjective(t, name)
		if err := o.(Stateful).Restore(State{RNG: map[string][]uint64{"rng": {1, 3}}}); err == nil {
			t.Errorf("%s: Restore before Start succeeded", name)
		}
		if err := o.Start(smTruth(), make([]float64, 3), 1); err != nil {
			t.Fatal(err)
		}
		for _, st := range []State{
			{},
			{RNG: map[string][]uint64{"rng": {1}}},
			{RNG: map[string][]uint64{"rng": {1, 2}}},
		} {
			err := o.(Stateful).Restore(st)
			if err == nil || !strings.Contains(err.Error(), name+":") {
				t.Errorf("%s: Restore(%v) = %v, want an error naming the objective", name, st, err)
			}
		}
	}
}

// TestScoreRefusesNonSmooth checks that every score-matching objective
// refuses a ReLU (or identity) network, naming itself and the activation,
// and a model that reports Smooth() == false without an activation. A
// failure means training would silently fit a model whose Hessian
// vanishes.
func TestScoreRefusesNonSmooth(t *testing.T) {
	x := make([]float64, 4)
	for _, name := range scoreNames {
		for _, act := range []string{"relu", "identity"} {
			err := newObjective(t, name).Start(tinyMLP(t, act), x, 1)
			if err == nil {
				t.Errorf("%s accepted a %s network", name, act)
				continue
			}
			if !strings.HasPrefix(err.Error(), name+":") || !strings.Contains(err.Error(), `"`+act+`"`) {
				t.Errorf("%s with %s: error %q should name the objective and the activation", name, act, err)
			}
		}
		err := newObjective(t, name).Start(roughModel{smTruth()}, make([]float64, 3), 1)
		if err == nil || !strings.Contains(err.Error(), "not smooth") {
			t.Errorf("%s with a non-smooth model: error %v, want one saying it is not smooth", name, err)
		}
	}
}

// TestScoreBadKeys checks that invalid keys are refused by FromTable with
// an error naming the objective and the key. A failure means a bad config
// would start a run (or panic) instead of telling the user what to fix.
func TestScoreBadKeys(t *testing.T) {
	for _, c := range []struct {
		typ, key string
		val      any
	}{
		{"sm", "max_dim", 0},
		{"dsm", "sigma", 0.0},
		{"dsm", "sigma", -0.1},
		{"dsm", "sigma", math.NaN()},
		{"dsm", "sigma", math.Inf(1)},
		{"dsm", "sigam", 0.1},
		{"msdsm", "sigma_min", 0.0},
		{"msdsm", "sigma_max", 0.01}, // below the default sigma_min 0.05
		{"msdsm", "levels", 0},
		{"msdsm", "levels", 1}, // with different sigma_min and sigma_max
		{"msdsm", "sigma0", -0.1},
		{"msdsm", "sigma0", math.Inf(1)},
		{"ssm", "projection", "sobol"},
		{"ssm", "projections", 0},
		{"ssm_vr", "projections", -1},
		{"ssm_vr", "projection", 3},
	} {
		_, err := FromTable(map[string]any{"type": c.typ, c.key: c.val})
		if err == nil {
			t.Errorf("%s with %s = %v: accepted", c.typ, c.key, c.val)
			continue
		}
		if !strings.Contains(err.Error(), c.typ) || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%s with %s = %v: error %q should name the objective and the key", c.typ, c.key, c.val, err)
		}
	}
}

// TestScoreCallErrors checks the errors of misuse: Loss before Start, a
// batch that is not whole rows, a gradient of the wrong length, a nil
// model, data that are not whole rows, and a cancelled context (which must
// leave the random stream untouched). A failure means misuse panics or
// corrupts the run.
func TestScoreCallErrors(t *testing.T) {
	m := smTruth()
	x := gaussDraws(4, smMu, smCov, 1)
	grad := make([]float64, len(m.Params()))
	for _, name := range scoreNames {
		o := newObjective(t, name)
		if _, err := o.Loss(context.Background(), x, grad); err == nil {
			t.Errorf("%s: Loss before Start succeeded", name)
		}
		if err := o.Start(nil, x, 1); err == nil {
			t.Errorf("%s: Start with a nil model succeeded", name)
		}
		if err := o.Start(m, x[:5], 1); err == nil {
			t.Errorf("%s: Start with 5 values of a 3-dimensional model succeeded", name)
		}
		if err := o.Start(m, x, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Loss(context.Background(), x[:4], grad); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: a batch of 4 values in dimension 3: error %v", name, err)
		}
		if _, err := o.Loss(context.Background(), x, grad[1:]); err == nil || !strings.Contains(err.Error(), "grad") {
			t.Errorf("%s: a short grad: error %v", name, err)
		}
		before := o.(Stateful).State()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := o.Loss(ctx, x, grad); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: cancelled context: error %v, want context.Canceled", name, err)
		}
		after := o.(Stateful).State()
		if before.RNG["rng"][0] != after.RNG["rng"][0] {
			t.Errorf("%s: a cancelled Loss advanced the random stream", name)
		}
	}
}

// TestScoreNonFiniteLoss checks that a NaN in the batch comes back as a
// NaN loss, not an error or a replaced value, so the caller can stop the
// run. A failure means divergence would be hidden.
func TestScoreNonFiniteLoss(t *testing.T) {
	x := []float64{0.1, 0.2, math.NaN(), 0.4}
	for _, name := range scoreNames {
		m := tinyMLP(t, "silu")
		o := newObjective(t, name)
		if err := o.Start(m, []float64{0, 0}, 1); err != nil {
			t.Fatal(err)
		}
		l, _ := lossGrad(t, o, m, x)
		if !math.IsNaN(l) {
			t.Errorf("%s: loss %v on a batch with a NaN, want NaN", name, l)
		}
	}
}

// TestScoreNoSteadyStateAllocation checks that, once warm, a Loss call
// allocates no more than the model's own Build does (the graph's buffers
// and the objective's scratch are reused). A failure means allocations
// grow with the number of training steps.
func TestScoreNoSteadyStateAllocation(t *testing.T) {
	if scoreRaceEnabled {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	m := tinyMLP(t, "silu")
	x := gaussDraws(32, []float64{0, 0}, []float64{1, 0, 0, 1}, 5)
	g := autodiff.New()
	xs := append([]float64(nil), x...)
	build := testing.AllocsPerRun(20, func() {
		g.Reset()
		m.Build(g, g.Input(xs, 32, 2))
	})
	for _, c := range scoreCases {
		o := newObjective(t, c.typ, c.kv...)
		if err := o.Start(m, x, 1); err != nil {
			t.Fatal(err)
		}
		grad := make([]float64, len(m.Params()))
		loss := testing.AllocsPerRun(20, func() {
			if _, err := o.Loss(context.Background(), x, grad); err != nil {
				t.Fatal(err)
			}
		})
		if loss > build {
			t.Errorf("%s: %v allocations per Loss, the model's Build alone makes %v", c.name, loss, build)
		}
	}
}

// TestScoreSampleConfigs checks that every score-matching objective's
// sample config (generated from its fields and doc tags) decodes and
// validates, and that it has a description. A failure means `ebmrun list`
// would show a config that does not load.
func TestScoreSampleConfigs(t *testing.T) {
	for _, name := range scoreNames {
		o, err := New(name)
		if err != nil {
			t.Fatal(err)
		}
		if registry.Describe(o) == "" {
			t.Errorf("%s: no description", name)
		}
		text := registry.Sample("objective", name, o)
		var file map[string]any
		if _, err := toml.Decode(text, &file); err != nil {
			t.Fatalf("%s: its sample config does not parse: %v\n%s", name, err, text)
		}
		tab, ok := file["objective"].(map[string]any)
		if !ok {
			t.Fatalf("%s: no [objective] table in its sample:\n%s", name, text)
		}
		if _, err := FromTable(tab); err != nil {
			t.Errorf("%s: its sample config does not validate: %v\n%s", name, err, text)
		}
	}
}

// BenchmarkDSMStep measures one dsm Loss plus one Adam step on a
// 2-128-128-1 SiLU network with a batch of 256: a training step of
// configs/train_dsm_moons.toml.
func BenchmarkDSMStep(b *testing.B) {
	e, err := energies.FromTable(map[string]any{"type": "mlp", "dim": 2, "hidden": []any{int64(128), int64(128)},
		"activation": "silu", "quadratic": 0.01})
	if err != nil {
		b.Fatal(err)
	}
	m := e.(energies.Trainable)
	x := gaussDraws(256, []float64{0, 0}, []float64{1, 0, 0, 1}, 1)
	o := newObjective(b, "dsm")
	if err := o.Start(m, x, 1); err != nil {
		b.Fatal(err)
	}
	opt, err := optim.FromTable(map[string]any{"type": "adam", "lr": 1e-3})
	if err != nil {
		b.Fatal(err)
	}
	if err := opt.Start(len(m.Params()), 0); err != nil {
		b.Fatal(err)
	}
	grad := make([]float64, len(m.Params()))
	step := func() {
		if _, err := o.Loss(context.Background(), x, grad); err != nil {
			b.Fatal(err)
		}
		opt.Step(m.Params(), grad)
	}
	step()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
}

// TestGaussModel checks the test-only Gaussian family that the statistical
// tests rest on: Build's energies equal Energy's, autodiff's ∇ₓ of Build
// equals Gradient, and with P = Σ⁻¹ and c = ½ log det(2πΣ) the energy is
// −log N(x; μ, Σ) (the bivariate normal density written out). A failure
// means the reference model itself is wrong, and every test using it moot.
func TestGaussModel(t *testing.T) {
	mu := []float64{0.4, -0.3}
	cov := []float64{0.9, -0.3, -0.3, 0.5}
	m := newGaussModel(mu, invert(cov, 2), true)
	det := cov[0]*cov[3] - cov[1]*cov[2]
	m.Params()[len(m.Params())-1] = 0.5 * math.Log(4*math.Pi*math.Pi*det)
	x := gaussDraws(5, mu, cov, 2)
	e, grad := make([]float64, 5), make([]float64, 10)
	m.Gradient(e, grad, x)
	g := autodiff.New()
	xs := g.Input(x, 5, 2)
	en, params := m.Build(g, xs)
	if len(params) != 3 {
		t.Fatalf("Build returned %d parameter leaves, want 3 (μ, P, c)", len(params))
	}
	gx := g.Value(g.Grad([]autodiff.Node{en}, []autodiff.Node{xs}, nil, false)[0])
	for i := 0; i < 5; i++ {
		dx, dy := x[2*i]-mu[0], x[2*i+1]-mu[1]
		q := (cov[3]*dx*dx - 2*cov[1]*dx*dy + cov[0]*dy*dy) / det
		want := 0.5*q + math.Log(2*math.Pi*math.Sqrt(det))
		if math.Abs(e[i]-want) > 1e-12 || math.Abs(g.Value(en)[i]-e[i]) > 1e-12 {
			t.Errorf("row %d: Energy %.15g, Build %.15g, −log N %.15g", i, e[i], g.Value(en)[i], want)
		}
	}
	for i := range grad {
		if math.Abs(grad[i]-gx[i]) > 1e-12 {
			t.Errorf("∇ₓE[%d]: Gradient %.15g, autodiff of Build %.15g", i, grad[i], gx[i])
		}
	}
}
