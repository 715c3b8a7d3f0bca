package objectives

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// mcGauss is a test-only Gaussian family for the MCMC and NCE objectives:
// E(x) = ½‖(x − μ)A‖², so the precision is P = AAᵀ (positive semidefinite
// for every A, which keeps samplers stable while A is learned). Params is
// μ (d values) then A (d×d, row-major). exp(−E) is not normalized: its
// log Z is (d/2)·log 2π − log |det A|.
type mcGauss struct {
	d int
	p []float64
}

func newMCGauss(mu, a []float64) *mcGauss {
	if len(a) != len(mu)*len(mu) || len(mu) > 4 {
		panic("mcGauss: bad shapes")
	}
	return &mcGauss{d: len(mu), p: append(append([]float64(nil), mu...), a...)}
}

func (m *mcGauss) Dim() int           { return m.d }
func (m *mcGauss) Params() []float64  { return m.p }
func (m *mcGauss) mu() []float64      { return m.p[:m.d] }
func (m *mcGauss) a(k, j int) float64 { return m.p[m.d+k*m.d+j] }

// row computes y = (x − μ)A for one point and returns ½‖y‖².
func (m *mcGauss) row(y *[4]float64, x []float64) float64 {
	d, mu := m.d, m.mu()
	e := 0.0
	for j := 0; j < d; j++ {
		s := 0.0
		for k := 0; k < d; k++ {
			s += (x[k] - mu[k]) * m.a(k, j)
		}
		y[j] = s
		e += 0.5 * s * s
	}
	return e
}

func (m *mcGauss) Energy(e, x []float64) {
	var y [4]float64
	for i := range e {
		e[i] = m.row(&y, x[i*m.d:(i+1)*m.d])
	}
}

// Gradient: ∇ₓE = A y.
func (m *mcGauss) Gradient(e, grad, x []float64) {
	var y [4]float64
	d := m.d
	for i := range e {
		e[i] = m.row(&y, x[i*d:(i+1)*d])
		for k := 0; k < d; k++ {
			s := 0.0
			for j := 0; j < d; j++ {
				s += m.a(k, j) * y[j]
			}
			grad[i*d+k] = s
		}
	}
}

func (m *mcGauss) Build(g *autodiff.Graph, x autodiff.Node) (autodiff.Node, []autodiff.Node) {
	d := m.d
	mu := g.Input(m.p[:d], 1, d)
	a := g.Input(m.p[d:], d, d)
	y := g.MatMul(g.AddBias(x, g.Neg(mu)), a)
	return g.Scale(g.SumRows(g.Square(y)), 0.5), []autodiff.Node{mu, a}
}

// prec returns P = AAᵀ (d×d).
func (m *mcGauss) prec() []float64 {
	d := m.d
	p := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			for k := 0; k < d; k++ {
				p[i*d+j] += m.a(i, k) * m.a(j, k)
			}
		}
	}
	return p
}

// logZ2 is log ∫exp(−E) for d = 2: log 2π − log |det A|.
func (m *mcGauss) logZ2() float64 {
	if m.d != 2 {
		panic("logZ2 needs d = 2")
	}
	return math.Log(2*math.Pi) - math.Log(math.Abs(m.a(0, 0)*m.a(1, 1)-m.a(0, 1)*m.a(1, 0)))
}

var _ energies.Trainable = (*mcGauss)(nil)

// mcInv2 inverts a 2×2 matrix.
func mcInv2(m []float64) []float64 {
	det := m[0]*m[3] - m[1]*m[2]
	return []float64{m[3] / det, -m[1] / det, -m[2] / det, m[0] / det}
}

// mcChol2 returns the lower Cholesky factor of a 2×2 SPD matrix, row-major.
func mcChol2(c []float64) []float64 {
	l00 := math.Sqrt(c[0])
	l10 := c[2] / l00
	return []float64{l00, 0, l10, math.Sqrt(c[3] - l10*l10)}
}

// mcGaussData draws n points of N(mu, cov) (2-D) from stream (seed, 0).
func mcGaussData(n int, mu, cov []float64, seed uint64) []float64 {
	l := mcChol2(cov)
	r := rng.New(seed, 0)
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		z0, z1 := r.Norm(), r.Norm()
		x[2*i] = mu[0] + l[0]*z0
		x[2*i+1] = mu[1] + l[2]*z0 + l[3]*z1
	}
	return x
}

// mcMoments2 returns the sample mean and the (1/n) covariance of 2-D rows.
func mcMoments2(x []float64) (mean, cov []float64) {
	n := float64(len(x) / 2)
	mean = make([]float64, 2)
	cov = make([]float64, 4)
	for i := 0; i < len(x); i += 2 {
		mean[0] += x[i] / n
		mean[1] += x[i+1] / n
	}
	for i := 0; i < len(x); i += 2 {
		a, b := x[i]-mean[0], x[i+1]-mean[1]
		cov[0] += a * a / n
		cov[1] += a * b / n
		cov[3] += b * b / n
	}
	cov[2] = cov[1]
	return mean, cov
}

// mcMeanSE returns the mean of v and its standard error s/√n.
func mcMeanSE(v []float64) (mean, se float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// mcBatch copies rows [i*n, (i+1)*n) of the 2-D data, wrapping around.
func mcBatch(x []float64, i, n int) []float64 {
	rows := len(x) / 2
	b := make([]float64, 0, 2*n)
	for j := 0; j < n; j++ {
		r := (i*n + j) % rows
		b = append(b, x[2*r], x[2*r+1])
	}
	return b
}

// If the fitted uniform box were not the data's bounding box enlarged by
// 25 %, its log density were not −log(area), or draws left the box, pcd
// restarts and nce's uniform noise would be wrong.
func TestNoiseUniform(t *testing.T) {
	data := []float64{0, 10, 4, 12, 2, 11} // x in [0, 4], y in [10, 12]
	q, err := fitNoise("init", "uniform", data, 2)
	if err != nil {
		t.Fatal(err)
	}
	if q.lo[0] != -0.5 || q.wid[0] != 5 || q.lo[1] != 9.75 || q.wid[1] != 2.5 {
		t.Fatalf("box lo %v width %v, want [-0.5 9.75] and [5 2.5]", q.lo, q.wid)
	}
	if got, want := q.logPdf([]float64{1, 11}), -math.Log(12.5); math.Abs(got-want) > 1e-15 {
		t.Errorf("log q inside = %v, want %v", got, want)
	}
	if got := q.logPdf([]float64{-0.6, 11}); !math.IsInf(got, -1) {
		t.Errorf("log q outside = %v, want -Inf", got)
	}
	r := rng.New(1, 0)
	const n = 20000
	xs := make([]float64, n)
	x := make([]float64, 2)
	for i := 0; i < n; i++ {
		q.sample(x, &r)
		if math.IsInf(q.logPdf(x), -1) {
			t.Fatalf("draw %v outside the box", x)
		}
		xs[i] = x[0]
	}
	// The mean of U(-0.5, 4.5) is 2; z-score against the standard error.
	if m, se := mcMeanSE(xs); math.Abs(m-2)/se > 4 {
		t.Errorf("mean of draws %v ± %v, want 2", m, se)
	}
}

// If the Gaussian fit's mean, covariance (Cholesky) or log density were
// wrong, nce's G = log p − log νq and its learned log Z would be biased.
func TestNoiseGaussian(t *testing.T) {
	mu, cov := []float64{1, -2}, []float64{2, 0.8, 0.8, 1}
	data := mcGaussData(5000, mu, cov, 3)
	q, err := fitNoise("noise", "gaussian", data, 2)
	if err != nil {
		t.Fatal(err)
	}
	m, c := mcMoments2(data)
	n := 5000.0
	unb := []float64{c[0] * n / (n - 1), c[1] * n / (n - 1), c[2] * n / (n - 1), c[3] * n / (n - 1)}
	l := mcChol2(unb)
	for i, v := range []float64{q.mean[0], q.mean[1], q.chol[0], q.chol[2], q.chol[3]} {
		want := []float64{m[0], m[1], l[0], l[2], l[3]}[i]
		if math.Abs(v-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("fit value %d = %v, want %v", i, v, want)
		}
	}
	// log N(x; m, Σ) by the closed form for 2×2.
	inv := mcInv2(unb)
	det := unb[0]*unb[3] - unb[1]*unb[2]
	for _, x := range [][]float64{{0, 0}, {1, -2}, {3.5, 1}} {
		a, b := x[0]-m[0], x[1]-m[1]
		want := -math.Log(2*math.Pi) - 0.5*math.Log(det) - 0.5*(a*a*inv[0]+2*a*b*inv[1]+b*b*inv[3])
		if got := q.logPdf(x); math.Abs(got-want) > 1e-12 {
			t.Errorf("log q(%v) = %v, want %v", x, got, want)
		}
	}
	// Draws: mean and the (0,1) covariance entry z-scored against their SEs.
	r := rng.New(2, 0)
	const draws = 20000
	x0, x01 := make([]float64, draws), make([]float64, draws)
	x := make([]float64, 2)
	for i := 0; i < draws; i++ {
		q.sample(x, &r)
		x0[i] = x[0]
		x01[i] = (x[0] - q.mean[0]) * (x[1] - q.mean[1])
	}
	if mm, se := mcMeanSE(x0); math.Abs(mm-q.mean[0])/se > 4 {
		t.Errorf("draws' mean %v ± %v, want %v", mm, se, q.mean[0])
	}
	if cc, se := mcMeanSE(x01); math.Abs(cc-unb[1])/se > 4 {
		t.Errorf("draws' covariance %v ± %v, want %v", cc, se, unb[1])
	}
}

// If degenerate data were accepted as they are, the noise density would
// be singular (NaN log densities, draws on a line); the uniform box must
// refuse them, naming the key, and the Gaussian fit must add the smallest
// ridge that makes it a density (1e-6 of the mean variance here), or refuse data without any spread.
func TestNoiseDegenerate(t *testing.T) {
	flat := []float64{0, 1, 2, 1, 3, 1} // y constant
	if _, err := fitNoise("init", "uniform", flat, 2); err == nil || !strings.Contains(err.Error(), `"init"`) {
		t.Errorf("uniform on flat data: err = %v, want an error naming \"init\"", err)
	}
	q, err := fitNoise("init", "gaussian", flat, 2)
	if err != nil {
		t.Fatalf("gaussian on flat data: %v", err)
	}
	// x = 0, 2, 3: variance 7/3; y: 0. The ridge is 1e-6 of their mean.
	vx := 7.0 / 3
	ridge := 1e-6 * vx / 2
	if math.Abs(q.chol[3]-math.Sqrt(ridge)) > 1e-15 || math.Abs(q.chol[0]-math.Sqrt(vx+ridge)) > 1e-12 || q.chol[1] != 0 || q.chol[2] != 0 {
		t.Errorf("gaussian on flat data: L = %v, want diag(√(7/3 + r), √r), r = %v", q.chol, ridge)
	}
	if lp := q.logPdf([]float64{1, 1}); math.IsNaN(lp) || math.IsInf(lp, 0) {
		t.Errorf("gaussian on flat data: log q at the mean = %v", lp)
	}
	if _, err := fitNoise("init", "gaussian", []float64{1, 2, 1, 2, 1, 2}, 2); err == nil || !strings.Contains(err.Error(), `"init"`) {
		t.Errorf("gaussian on constant data: err = %v, want an error naming \"init\"", err)
	}
	if _, err := fitNoise("noise", "gaussian", []float64{1, 2}, 2); err == nil {
		t.Error("a Gaussian fitted to one row was accepted")
	}
	if _, err := fitNoise("noise", "cauchy", flat, 2); err == nil || !strings.Contains(err.Error(), "cauchy") {
		t.Errorf("unknown kind: err = %v", err)
	}
}

// If clipping changed short gradients, changed directions, missed long
// ones, or replaced a NaN, clip_grad would distort the sampler or hide a
// divergence.
func TestClippedGradient(t *testing.T) {
	m := newMCGauss([]float64{0, 0}, []float64{1, 0, 0, 1}) // ∇E = x
	c := clipped{m: m, max: 1}
	x := []float64{0.3, 0.4, 3, 4, math.NaN(), 1}
	e, g := make([]float64, 3), make([]float64, 6)
	c.Gradient(e, g, x)
	want := []float64{0.3, 0.4, 0.6, 0.8}
	for i, w := range want {
		if math.Abs(g[i]-w) > 1e-15 {
			t.Errorf("grad[%d] = %v, want %v", i, g[i], w)
		}
	}
	if !math.IsNaN(g[4]) {
		t.Errorf("NaN gradient row became %v", g[4:])
	}
	if e[1] != 12.5 {
		t.Errorf("energy changed by clipping: %v, want 12.5", e[1])
	}
}

// If the negative chains depended on how they are split over goroutines,
// a run would not be reproducible across machines.
func TestChainRunnerWorkers(t *testing.T) {
	m := newMCGauss([]float64{0.5, -1}, []float64{1, 0.3, 0, 0.8})
	s, err := samplers.FromTable(map[string]any{"type": "mala", "step_size": 0.3, "adapt": false})
	if err != nil {
		t.Fatal(err)
	}
	start := mcGaussData(200, []float64{0, 0}, []float64{1, 0, 0, 1}, 5)
	var out [][]float64
	for _, w := range []int{1, 3, 7} {
		r := chainRunner{workers: w}
		x := append([]float64(nil), start...)
		if err := r.run(context.Background(), s, m, x, 4, 42); err != nil {
			t.Fatal(err)
		}
		if len(r.sh.Chains) != min(w, 200/minShard) {
			t.Fatalf("workers %d: %d shards", w, len(r.sh.Chains))
		}
		if r.stats.Transitions != 800 || r.stats.Accepted == 0 {
			t.Fatalf("workers %d: stats %+v", w, r.stats)
		}
		out = append(out, x)
	}
	for w := 1; w < len(out); w++ {
		for i := range out[0] {
			if math.Float64bits(out[w][i]) != math.Float64bits(out[0][i]) {
				t.Fatalf("split %d differs from 1 worker at value %d: %v vs %v", w, i, out[w][i], out[0][i])
			}
		}
	}
}

// If a cancelled context did not stop the chains, or left x half-written,
// an interrupted training step would corrupt the negatives.
func TestChainRunnerCancel(t *testing.T) {
	m := newMCGauss([]float64{0, 0}, []float64{1, 0, 0, 1})
	s, _ := samplers.FromTable(map[string]any{"type": "ula"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := []float64{1, 2, 3, 4}
	var r chainRunner
	if err := r.run(ctx, s, m, x, 3, 1); err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if x[0] != 1 || x[3] != 4 {
		t.Errorf("x changed by a cancelled run: %v", x)
	}
}

// If a sample config printed by `ebmrun config` did not parse back and
// validate, users copying it would get an error.
func TestMCMCSampleConfigs(t *testing.T) {
	for _, name := range []string{"cd", "pcd", "nce"} {
		fresh, err := New(name)
		if err != nil {
			t.Fatal(err)
		}
		text := registry.Sample("objective", name, fresh)
		var m map[string]any
		if _, err := toml.Decode(text, &m); err != nil {
			t.Fatalf("%s: sample does not parse: %v\n%s", name, err, text)
		}
		tab, ok := m["objective"].(map[string]any)
		if !ok {
			t.Fatalf("%s: no [objective] table:\n%s", name, text)
		}
		if _, err := FromTable(tab); err != nil {
			t.Fatalf("%s: sample does not validate: %v\n%s", name, err, text)
		}
		if registry.Describe(fresh) == "" {
			t.Errorf("%s has no description", name)
		}
	}
}

// A nested [objective.sampler] table must decode from TOML as the runner
// reads it, and every mistake in it must be reported naming the table and
// the key, never panic or fall back silently to the default.
func TestNestedSamplerTable(t *testing.T) {
	text := `
[objective]
type = "pcd"
k = 3
[objective.sampler]
type = "mala"
step_size = 0.2
adapt = false
`
	var m map[string]any
	if _, err := toml.Decode(text, &m); err != nil {
		t.Fatal(err)
	}
	o, err := FromTable(m["objective"].(map[string]any))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := o.(*PCD).Sampler.Value.(*samplers.MALA); !ok || s.StepSize != 0.2 || s.Adapt {
		t.Fatalf("sampler = %#v, want mala with step 0.2, no adaptation", o.(*PCD).Sampler.Value)
	}
	// No table: the default ULA, shown in the resolved config.
	o, err = FromTable(map[string]any{"type": "cd"})
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := o.(*CD).Sampler.Value.(*samplers.ULA); !ok || u.StepSize != 0.005 || u.NoiseStd != 0 {
		t.Fatalf("default sampler = %#v, want ula step 0.005 with exact noise", o.(*CD).Sampler.Value)
	}
	if registry.ToMap(o)["sampler"] == nil {
		t.Error("the resolved config does not show the default sampler")
	}

	for _, tc := range []struct {
		sampler any
		want    []string
	}{
		{map[string]any{"type": "ula", "stepsize": 0.1}, []string{"[objective] (OBJ): [objective.sampler] (ula): ", `"stepsize"`, "step_size"}},
		{map[string]any{"type": "ulla"}, []string{"[objective] (OBJ): [objective.sampler]: ", `"ulla"`, `"ula"`}},
		{map[string]any{"step_size": 0.1}, []string{"[objective] (OBJ): ", `key "sampler"`, `"type"`}},
		{map[string]any{"type": "ula", "step_size": -1.0}, []string{"[objective] (OBJ): [objective.sampler] (ula): ", "step_size"}},
		{map[string]any{"type": "ula", "step_size": "big"}, []string{"[objective] (OBJ): [objective.sampler] (ula): ", `"step_size"`}},
		{"ula", []string{"[objective] (OBJ): ", `"sampler"`, "table"}},
	} {
		for _, obj := range []string{"cd", "pcd"} {
			_, err := Registry.Build(registry.Context{Table: "objective"}, map[string]any{"type": obj, "sampler": tc.sampler})
			if err == nil {
				t.Errorf("%s with sampler %v: no error", obj, tc.sampler)
				continue
			}
			for _, w := range tc.want {
				w = strings.ReplaceAll(w, "OBJ", obj)
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s with sampler %v: error %q does not mention %s", obj, tc.sampler, err, w)
				}
			}
		}
	}

	// The whole message, and its structure for callers (errors.As, never
	// the text).
	_, err = Registry.Build(registry.Context{Table: "objective"},
		map[string]any{"type": "pcd", "sampler": map[string]any{"type": "ula", "stepsize": 0.1}})
	want := `[objective] (pcd): [objective.sampler] (ula): unknown key "stepsize" (did you mean "step_size"?); known keys: step_size, noise_std, bounds, clip_grad_value`
	if err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	var uk *registry.UnknownKeyError
	if !errors.As(err, &uk) || uk.Key != "stepsize" {
		t.Errorf("error %v: no *registry.UnknownKeyError for key \"stepsize\"", err)
	}

	// Built without the registry (NewCD, then Validate or Start), the
	// sampler is built by Validate, its errors naming the table as well.
	o2 := NewPCD()
	if err := registry.Decode(map[string]any{"sampler": map[string]any{"type": "ula", "stepsize": 0.1}}, o2); err != nil {
		t.Fatal(err)
	}
	err = o2.Validate()
	if want := `[objective.sampler] (ula): unknown key "stepsize"`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Validate without the registry: %v, want an error starting %q", err, want)
	}
	var re *registry.Error
	if !errors.As(err, &re) || re.Table != "objective.sampler" || re.Type != "ula" {
		t.Errorf("Validate without the registry: %#v, want a *registry.Error for [objective.sampler] (ula)", err)
	}
	c := NewCD()
	if err := c.Validate(); err != nil || !c.Sampler.Built() {
		t.Fatalf("NewCD().Validate(): %v, built %v", err, c.Sampler.Built())
	}
	if _, ok := c.Sampler.Value.(*samplers.ULA); !ok {
		t.Errorf("NewCD's default sampler is %T, want *samplers.ULA", c.Sampler.Value)
	}
}

// Every bad key value must be an error naming the key, never a panic or a
// silent default.
func TestMCMCBadKeys(t *testing.T) {
	for _, tc := range []struct {
		table map[string]any
		key   string
	}{
		{map[string]any{"type": "cd", "k": 0}, `"k"`},
		{map[string]any{"type": "cd", "alpha": -1.0}, `"alpha"`},
		{map[string]any{"type": "cd", "clip_grad": math.Inf(1)}, `"clip_grad"`},
		{map[string]any{"type": "cd", "kk": 3}, `"kk"`},
		{map[string]any{"type": "cd", "k": 2.5}, `"k"`},
		{map[string]any{"type": "pcd", "buffer": 0}, `"buffer"`},
		{map[string]any{"type": "pcd", "restart": 1.5}, `"restart"`},
		{map[string]any{"type": "pcd", "restart": math.NaN()}, `"restart"`},
		{map[string]any{"type": "pcd", "init": "normal"}, `"init"`},
		{map[string]any{"type": "pcd", "k": -1}, `"k"`},
		{map[string]any{"type": "nce", "nu": 0}, `"nu"`},
		{map[string]any{"type": "nce", "nu": math.Inf(1)}, `"nu"`},
		{map[string]any{"type": "nce", "noise": "laplace"}, `"noise"`},
		{map[string]any{"type": "nce", "estimate_log_z": 1}, `"estimate_log_z"`},
	} {
		_, err := FromTable(tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%v: err = %v, want one naming %s", tc.table, err, tc.key)
		}
	}
}

// Misuse of Start and Loss must be a clear error, not a panic or a
// silently wrong gradient.
func TestMCMCCallErrors(t *testing.T) {
	m := newMCGauss([]float64{0, 0}, []float64{1, 0, 0, 1})
	data := mcGaussData(100, []float64{0, 0}, []float64{1, 0, 0, 1}, 1)
	ctx := context.Background()
	for _, name := range []string{"cd", "pcd", "nce"} {
		o, err := FromTable(map[string]any{"type": name})
		if err != nil {
			t.Fatal(err)
		}
		extra := len(o.Params())
		if name == "nce" {
			extra = 1
		}
		grad := make([]float64, len(m.Params())+extra)
		if _, err := o.Loss(ctx, data[:20], grad); err == nil || !strings.Contains(err.Error(), name+": Loss called before Start") {
			t.Errorf("%s: Loss before Start: err = %v", name, err)
		}
		if err := o.Start(m, data[:3], 1); err == nil {
			t.Errorf("%s: Start with a partial row: no error", name)
		}
		if err := o.Start(m, data, 1); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := o.Loss(ctx, data[:21], grad); err == nil || !strings.Contains(err.Error(), "batch") {
			t.Errorf("%s: partial batch row: err = %v", name, err)
		}
		if _, err := o.Loss(ctx, data[:20], grad[:3]); err == nil || !strings.Contains(err.Error(), "grad") {
			t.Errorf("%s: short grad: err = %v", name, err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := o.Loss(cctx, data[:20], grad); err != context.Canceled {
			t.Errorf("%s: cancelled context: err = %v", name, err)
		}
	}
}

// mcCheckFD compares grad (the analytic gradient of f at params) with
// central differences of f, perturbing params in place.
func mcCheckFD(t *testing.T, what string, params []float64, f func() float64, grad []float64) {
	t.Helper()
	for j := range params {
		old := params[j]
		h := 1e-5 * math.Max(1, math.Abs(old))
		params[j] = old + h
		fp := f()
		params[j] = old - h
		fm := f()
		params[j] = old
		fd := (fp - fm) / (2 * h)
		if math.Abs(fd-grad[j]) > 1e-6*(1+math.Abs(fd)) {
			t.Errorf("%s: ∂/∂θ[%d] = %v, central difference %v", what, j, grad[j], fd)
		}
	}
}

// mcCheckContrastFD checks the gradient the last Loss call of cd or pcd
// wrote (grad) against central differences of the loss with that call's
// negatives frozen (c.x is kept between calls).
func mcCheckContrastFD(t *testing.T, what string, c *contrast, n int, alpha float64, grad []float64) {
	t.Helper()
	scratch := make([]float64, len(grad))
	mcCheckFD(t, what, c.m.Params(), func() float64 { return c.loss(n, n, alpha, scratch) }, grad)
}

// TestNoiseGaussianBlocks checks the fit in 7 dimensions on 1000 rows,
// four blocks of the product, the last one short: L·Lᵀ must be the
// covariance computed pair by pair, and L lower triangular. A failure
// means a block's rows skipped or counted twice, centring by the wrong
// mean, or a Cholesky that leaves the upper triangle behind.
func TestNoiseGaussianBlocks(t *testing.T) {
	const n, d = 1000, 7
	r := rng.New(5, 0)
	data := make([]float64, n*d)
	for i := 0; i < n; i++ {
		z := 0.0
		for j := 0; j < d; j++ {
			z = 0.6*z + r.Norm()
			data[i*d+j] = float64(j) + z
		}
	}
	q, err := fitNoise("init", "gaussian", data, d)
	if err != nil {
		t.Fatal(err)
	}
	for a := 0; a < d; a++ {
		for b := 0; b < d; b++ {
			var ma, mb, c float64
			for i := 0; i < n; i++ {
				ma += data[i*d+a]
				mb += data[i*d+b]
			}
			ma, mb = ma/n, mb/n
			for i := 0; i < n; i++ {
				c += (data[i*d+a] - ma) * (data[i*d+b] - mb)
			}
			c /= n - 1
			var llt float64
			for k := 0; k < d; k++ {
				llt += q.chol[a*d+k] * q.chol[b*d+k]
			}
			if math.Abs(llt-c) > 1e-10*math.Max(1, math.Abs(c)) {
				t.Errorf("(L·Lᵀ)[%d][%d] = %v, want the covariance %v", a, b, llt, c)
			}
			if b > a && q.chol[a*d+b] != 0 {
				t.Errorf("L[%d][%d] = %v above the diagonal", a, b, q.chol[a*d+b])
			}
		}
	}
}
