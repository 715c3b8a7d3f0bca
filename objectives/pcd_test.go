package objectives

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/mlp" // registers the mlp energy
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/rng"
)

// PCD on the Gaussian family is maximum likelihood, whose exact solution
// on a finite data set is the sample mean and the (1/n) sample covariance.
// Trained from μ = 0, A = I with Adam, the iterates averaged over the last
// 100 of 400 steps must match those within 0.06 per mean coordinate and
// 10 % per covariance entry (relative to the largest variance). The data's
// own standard error for the mean is ≈ 0.03 (n = 2000), so a bias larger
// than 2 standard errors (wrong loss sign or weight, negatives that do not
// follow the model, a buffer that is not written back) fails the test.
func TestPCDLearnsGaussian(t *testing.T) {
	data := mcGaussData(2000, mcTrueMu, mcTrueCov, 11)
	wantMu, wantCov := mcMoments2(data)
	m := newMCGauss([]float64{0, 0}, []float64{1, 0, 0, 1})
	o, err := FromTable(mcTable("pcd", "k", 5, "buffer", 1000, "alpha", 0, "restart", 0.05))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Start(m, data, 5); err != nil {
		t.Fatal(err)
	}
	opt, err := optim.FromTable(map[string]any{"type": "adam", "lr": 0.05})
	if err != nil {
		t.Fatal(err)
	}
	const steps, avg, batch = 400, 100, 200
	if err := opt.Start(len(m.Params()), steps); err != nil {
		t.Fatal(err)
	}
	grad := make([]float64, len(m.Params()))
	mu, prec := make([]float64, 2), make([]float64, 4)
	for s := 0; s < steps; s++ {
		if _, err := o.Loss(context.Background(), mcBatch(data, s, batch), grad); err != nil {
			t.Fatal(err)
		}
		opt.Step(m.Params(), grad)
		if s >= steps-avg {
			for j, v := range m.mu() {
				mu[j] += v / avg
			}
			for j, v := range m.prec() {
				prec[j] += v / avg
			}
		}
	}
	cov := mcInv2(prec)
	for j := range mu {
		if math.Abs(mu[j]-wantMu[j]) > 0.06 {
			t.Errorf("learned μ[%d] = %.4f, data mean %.4f", j, mu[j], wantMu[j])
		}
	}
	for j := range cov {
		if math.Abs(cov[j]-wantCov[j]) > 0.1*wantCov[3] {
			t.Errorf("learned Σ[%d] = %.4f, data covariance %.4f", j, cov[j], wantCov[j])
		}
	}
	t.Logf("μ %.4f vs %.4f; Σ %.4f vs %.4f", mu, wantMu, cov, wantCov)
}

// mcPCDRun runs steps Loss calls of o on data (batch 40, rotating through
// the data) with a plain gradient step after each, and returns every loss
// and gradient value.
func mcPCDRun(t *testing.T, o Objective, m energies.Trainable, data []float64, from, steps int) []float64 {
	t.Helper()
	var out []float64
	grad := make([]float64, len(m.Params())+len(o.Params()))
	for s := from; s < from+steps; s++ {
		l, err := o.Loss(context.Background(), mcBatch(data, s, 40), grad)
		if err != nil {
			t.Fatal(err)
		}
		for j := range m.Params() {
			m.Params()[j] -= 0.01 * grad[j]
		}
		out = append(append(out, l), grad...)
	}
	return out
}

// A run resumed from a State and the parameters saved mid-run must
// continue bit-identically: same negatives, losses, gradients and buffer.
// Restore must refuse a State that does not fit.
func TestPCDStateRestore(t *testing.T) {
	data := mcGaussData(200, mcTrueMu, mcTrueCov, 12)
	table := func() map[string]any { return mcTable("pcd", "k", 3, "buffer", 300, "restart", 0.2) }
	m := newMCGauss([]float64{0, 0}, []float64{1, 0, 0, 1})
	a, _ := FromTable(table())
	if err := a.Start(m, data, 9); err != nil {
		t.Fatal(err)
	}
	mcPCDRun(t, a, m, data, 0, 4)
	st := a.(Stateful).State()
	params := append([]float64(nil), m.Params()...)
	want := mcPCDRun(t, a, m, data, 4, 4)
	wantBuf := append([]float64(nil), a.(*PCD).Samples()...)

	m2 := newMCGauss([]float64{0, 0}, []float64{1, 0, 0, 1})
	copy(m2.Params(), params)
	b, _ := FromTable(table())
	if err := b.Start(m2, data, 9); err != nil {
		t.Fatal(err)
	}
	if err := b.(Stateful).Restore(st); err != nil {
		t.Fatal(err)
	}
	got := mcPCDRun(t, b, m2, data, 4, 4)
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("value %d after Restore: %v, uninterrupted %v", i, got[i], want[i])
		}
	}
	for i, v := range b.(*PCD).Samples() {
		if math.Float64bits(v) != math.Float64bits(wantBuf[i]) {
			t.Fatalf("buffer value %d after Restore: %v, uninterrupted %v", i, v, wantBuf[i])
		}
	}

	for name, bad := range map[string]State{
		"no buffer":    {RNG: st.RNG},
		"short buffer": {Arrays: map[string][]float64{"buffer": st.Arrays["buffer"][:10]}, RNG: st.RNG},
		"NaN buffer":   {Arrays: map[string][]float64{"buffer": append([]float64{math.NaN()}, st.Arrays["buffer"][1:]...)}, RNG: st.RNG},
		"no rng":       {Arrays: st.Arrays},
		"bad rng":      {Arrays: st.Arrays, RNG: map[string][]uint64{"rng": {1}}},
	} {
		if err := b.(Stateful).Restore(bad); err == nil {
			t.Errorf("Restore with %s: no error", name)
		}
	}
}

// mcCancelling wraps a model and cancels a context at its n-th Gradient call.
type mcCancelling struct {
	*mcGauss
	calls  atomic.Int32
	n      int32
	cancel context.CancelFunc
}

func (c *mcCancelling) Gradient(e, g, x []float64) {
	if c.calls.Add(1) == c.n {
		c.cancel()
	}
	c.mcGauss.Gradient(e, g, x)
}

// A step interrupted by the context mid-sampling must leave the objective
// exactly as before the call (buffer and streams), so that the checkpoint
// written at the interruption resumes bit-identically.
func TestPCDCancelKeepsState(t *testing.T) {
	data := mcGaussData(100, mcTrueMu, mcTrueCov, 13)
	ctx, cancel := context.WithCancel(context.Background())
	// The first Loss makes 4 Gradient calls (the chains' start and 3
	// steps); the 5th, the second Loss's chain start, cancels.
	m := &mcCancelling{mcGauss: mcTrueModel(), n: 5, cancel: cancel}
	o, _ := FromTable(mcTable("pcd", "k", 3, "buffer", 100))
	if err := o.Start(m, data, 1); err != nil {
		t.Fatal(err)
	}
	grad := make([]float64, 6)
	if _, err := o.Loss(ctx, data[:40], grad); err != nil {
		t.Fatal(err)
	}
	before := o.(Stateful).State()
	if _, err := o.Loss(ctx, data[:40], grad); err != context.Canceled {
		t.Fatalf("interrupted Loss: err = %v, want context.Canceled", err)
	}
	after := o.(Stateful).State()
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatal("an interrupted Loss changed the objective's state")
	}
}

// Each step must take batch-size distinct buffer rows and write every
// chain back: with a sampler that always moves (ULA), exactly that many
// rows change. Drawing with replacement or losing chains would change
// fewer.
func TestPCDBufferRows(t *testing.T) {
	data := mcGaussData(100, mcTrueMu, mcTrueCov, 14)
	o, err := FromTable(map[string]any{"type": "pcd", "buffer": 60, "k": 1})
	if err != nil {
		t.Fatal(err)
	}
	m := mcTrueModel()
	if err := o.Start(m, data, 3); err != nil {
		t.Fatal(err)
	}
	p := o.(*PCD)
	before := append([]float64(nil), p.Samples()...)
	grad := make([]float64, 6)
	if _, err := o.Loss(context.Background(), data[:100], grad); err != nil { // 50 rows
		t.Fatal(err)
	}
	changed := 0
	for i := 0; i < 60; i++ {
		if p.Samples()[2*i] != before[2*i] || p.Samples()[2*i+1] != before[2*i+1] {
			changed++
		}
	}
	if changed != 50 {
		t.Errorf("%d buffer rows changed, want 50", changed)
	}
	// The initial buffer is uniform on the data's box enlarged by 25 %.
	q, _ := fitNoise("init", "uniform", data, 2)
	for i := 0; i < 60; i++ {
		if math.IsInf(q.logPdf(before[2*i:2*i+2]), -1) {
			t.Fatalf("initial buffer row %d = %v is outside the enlarged data box", i, before[2*i:2*i+2])
		}
	}
	if _, err := o.Loss(context.Background(), data[:2*61], make([]float64, 6)); err == nil {
		t.Error("a batch larger than the buffer was accepted")
	}
}

// The gradient a pcd step writes must be the derivative of its loss with
// that step's negatives frozen, including α, for the Gaussian family and
// for a small MLP (the real learnable energy).
func TestPCDFiniteDifferences(t *testing.T) {
	mlpModel, err := energies.FromTable(map[string]any{"type": "mlp", "dim": 2, "hidden": []any{int64(5)}, "activation": "tanh", "seed": 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []energies.Trainable{newMCGauss([]float64{0.2, 0.1}, []float64{0.9, 0.1, 0.2, 1.2}), mlpModel.(energies.Trainable)} {
		o, err := FromTable(mcTable("pcd", "k", 2, "buffer", 100, "alpha", 0.2, "clip_grad", 1.0))
		if err != nil {
			t.Fatal(err)
		}
		data := mcGaussData(32, mcTrueMu, mcTrueCov, 15)
		if err := o.Start(m, data, 4); err != nil {
			t.Fatal(err)
		}
		grad := make([]float64, len(m.Params()))
		for s := 0; s < 2; s++ {
			if _, err := o.Loss(context.Background(), data, grad); err != nil {
				t.Fatal(err)
			}
		}
		mcCheckContrastFD(t, fmt.Sprintf("pcd %T", m), &o.(*PCD).c, 32, 0.2, grad)
	}
}

// Example trains nothing but shows one PCD step on the mlp energy: the
// objective from its config table, Start on the data, then Loss writing
// the gradient for the optimizer.
func Example_pcd() {
	model, err := energies.FromTable(map[string]any{"type": "mlp", "dim": 2, "hidden": []any{int64(16)}, "quadratic": 0.1})
	if err != nil {
		panic(err)
	}
	m := model.(energies.Trainable)
	r := rng.New(1, 0)
	data := make([]float64, 2*500)
	r.FillNorm(data)

	o, err := FromTable(map[string]any{"type": "pcd", "buffer": 1000, "k": 10})
	if err != nil {
		panic(err)
	}
	if err := o.Start(m, data, 42); err != nil {
		panic(err)
	}
	grad := make([]float64, len(m.Params()))
	loss, err := o.Loss(context.Background(), data[:2*64], grad)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(grad) == len(m.Params()), !math.IsNaN(loss))
	// Output: true true
}

// mcBenchStep measures one Loss call of the objective on the 2-128-128-1
// SiLU mlp with a batch of 256 two-dimensional points.
func mcBenchStep(b *testing.B, table map[string]any) {
	model, err := energies.FromTable(map[string]any{"type": "mlp", "dim": 2, "quadratic": 0.1})
	if err != nil {
		b.Fatal(err)
	}
	m := model.(energies.Trainable)
	data := mcGaussData(4096, mcTrueMu, mcTrueCov, 1)
	o, err := FromTable(table)
	if err != nil {
		b.Fatal(err)
	}
	if err := o.Start(m, data, 1); err != nil {
		b.Fatal(err)
	}
	grad := make([]float64, len(m.Params())+len(o.Params()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := o.Loss(context.Background(), mcBatch(data, i, 256), grad); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPCDStep is one pcd step with the defaults (k = 10 ULA steps).
func BenchmarkPCDStep(b *testing.B) { mcBenchStep(b, map[string]any{"type": "pcd"}) }

// BenchmarkCDStep is one cd step with the defaults (k = 10 ULA steps).
func BenchmarkCDStep(b *testing.B) { mcBenchStep(b, map[string]any{"type": "cd"}) }

// BenchmarkNCEStep is one nce step with the defaults (ν = 1).
func BenchmarkNCEStep(b *testing.B) { mcBenchStep(b, map[string]any{"type": "nce"}) }
