package evaluate_test

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/mlp" // the "mlp" energy
	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
)

// lowRankGauss is E(x) = ½(x−μ)ᵀA(x−μ) + c with the precision
// A = diag(a) + VVᵀ (V is d×r, row-major): a correlated, scaled Gaussian
// whose gradient costs O(d·r), so AIS on it in 784 dimensions is fast.
type lowRankGauss struct {
	d, r int
	mu   []float64
	a    []float64
	v    []float64
	c    float64
}

func (g *lowRankGauss) Dim() int { return g.d }

func (g *lowRankGauss) Energy(e, x []float64) {
	grad := make([]float64, len(x))
	g.Gradient(e, grad, x)
}

func (g *lowRankGauss) Gradient(e, grad, x []float64) {
	d, r := g.d, g.r
	t := make([]float64, d)
	u := make([]float64, r)
	for i := range len(x) / d {
		xi, gi := x[i*d:(i+1)*d], grad[i*d:(i+1)*d]
		for j := range t {
			t[j] = xi[j] - g.mu[j]
		}
		clear(u)
		for j := range d {
			for k := range r {
				u[k] += g.v[j*r+k] * t[j]
			}
		}
		q := 0.0
		for j := range d {
			s := g.a[j] * t[j]
			for k := range r {
				s += g.v[j*r+k] * u[k]
			}
			gi[j] = s
			q += t[j] * s
		}
		e[i] = 0.5*q + g.c
	}
}

// logZ is log ∫exp(−E) = (d/2)log 2π − ½ log det A − c, with det A from
// the matrix determinant lemma: det A = Π a_j · det(I + VᵀD⁻¹V).
func (g *lowRankGauss) logZ() float64 {
	d, r := g.d, g.r
	ld := 0.0
	for _, v := range g.a {
		ld += math.Log(v)
	}
	m := make([]float64, r*r)
	for k := range r {
		m[k*r+k] = 1
		for l := range r {
			for j := range d {
				m[k*r+l] += g.v[j*r+k] * g.v[j*r+l] / g.a[j]
			}
		}
	}
	// Cholesky of the small r×r matrix: log det = 2Σ log L_kk.
	for k := range r {
		for l := 0; l <= k; l++ {
			s := m[k*r+l]
			for p := range l {
				s -= m[k*r+p] * m[l*r+p]
			}
			if l == k {
				m[k*r+k] = math.Sqrt(s)
				ld += 2 * math.Log(m[k*r+k])
			} else {
				m[k*r+l] = s / m[l*r+l]
			}
		}
	}
	return 0.5*float64(d)*math.Log(2*math.Pi) - 0.5*ld - g.c
}

// newGauss returns a d-dimensional Gaussian energy with rank-r
// correlations (r = 0: diagonal), means in [−1, 1], per-coordinate scales
// in [0.5, 2] and an offset c = 3.
func newGauss(d, r int, shift, spread float64, seed uint64) *lowRankGauss {
	s := rng.New(seed, 0)
	g := &lowRankGauss{d: d, r: r, mu: make([]float64, d), a: make([]float64, d), v: make([]float64, d*r), c: 3}
	for j := range d {
		g.mu[j] = shift * (2*s.Float64() - 1)
		sd := math.Exp(math.Log(spread) * (2*s.Float64() - 1))
		g.a[j] = 1 / (sd * sd)
	}
	for j := range g.v {
		g.v[j] = s.Norm() * 0.1
	}
	return g
}

// draws returns n exact draws of the Gaussian (for the fitted base), by
// solving with A's Cholesky factor is costly; instead run the diagonal
// part only when r = 0, and use the rows' empirical moments otherwise.
func (g *lowRankGauss) diagDraws(n int, seed uint64) []float64 {
	s := rng.New(seed, 1)
	x := make([]float64, n*g.d)
	for i := range n {
		for j := range g.d {
			x[i*g.d+j] = g.mu[j] + s.Norm()/math.Sqrt(g.a[j])
		}
	}
	return x
}

var _ energies.Energy = (*lowRankGauss)(nil)

// TestAISGauss784 checks AIS against the closed-form log Z of Gaussians in
// 784 dimensions, diagonal and correlated (rank-4), from the standard
// normal base and from a diagonal base fitted to draws: the estimate must
// lie within 4 of its reported standard errors of the truth, and within
// 0.5 nats of it (a relative error below 1e-3). A wrong weight update, a
// kernel that does not leave p_β invariant, or a wrong base normalizer
// (Σ log std) would each miss by far more.
func TestAISGauss784(t *testing.T) {
	for _, tc := range []struct {
		name          string
		rank          int
		shift, spread float64 // means in ±shift, scales in [1/spread, spread]
		fitted        bool
		kernel        string
	}{
		{"diagonal/standard", 0, 0.3, 1.25, false, "mala"},
		{"diagonal/fitted", 0, 1, 2, true, "mala"},
		{"correlated/standard", 4, 0.3, 1.25, false, "mala"},
		{"correlated/fitted", 4, 1, 2, true, "mala"},
		{"correlated/standard/hmc", 4, 0.3, 1.25, false, "hmc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGauss(784, tc.rank, tc.shift, tc.spread, 7)
			o := evaluate.AISOptions{Chains: 32, Steps: 1000, Seed: 3, Kernel: tc.kernel}
			if tc.kernel == "hmc" { // 3 gradients per transition: fewer βs for a like cost
				o.Steps, o.Leapfrog = 400, 3
			}
			if tc.fitted {
				o.Mean, o.Std = evaluate.FitBase(g.diagDraws(2000, 5), 784)
			}
			res, err := evaluate.AIS(context.Background(), g, o)
			if err != nil {
				t.Fatal(err)
			}
			truth := g.logZ()
			z := (res.LogZ - truth) / res.Stderr
			t.Logf("log Z %.4f ± %.4f, truth %.4f (z = %.2f), ESS %.1f of %d, acceptance %.3f", res.LogZ, res.Stderr, truth, z, res.ESS, o.Chains, res.MeanAccept)
			if math.Abs(z) > 4 || math.Abs(res.LogZ-truth) > 0.5 {
				t.Errorf("log Z = %.4f ± %.4f, truth %.4f: off by %.2f standard errors", res.LogZ, res.Stderr, truth, z)
			}
			if res.ESS < 3 || res.Divergences != 0 || tc.kernel == "mala" && math.Abs(res.MeanAccept-0.574) > 0.05 {
				t.Errorf("ESS %.1f, %d divergences, acceptance %.3f: the run is not healthy", res.ESS, res.Divergences, res.MeanAccept)
			}
		})
	}
}

// TestAISMatchesQuadrature checks AIS against the grid quadrature of
// LogZ on 2-D models: a mixture of 8 Gaussians on a ring (well separated
// modes, with an offset so that log Z ≠ 0) and a shipped-style SiLU MLP
// with a quadratic envelope. Both bases and both kernels must agree with
// the quadrature within 4 standard errors and 0.05 nats.
func TestAISMatchesQuadrature(t *testing.T) {
	means := make([]any, 8)
	for k := range means {
		a := 2 * math.Pi * float64(k) / 8
		means[k] = []any{2 * math.Cos(a), 2 * math.Sin(a)}
	}
	gmm, err := energies.FromTable(map[string]any{"type": "gmm", "means": means, "stds": []any{0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3}})
	if err != nil {
		t.Fatal(err)
	}
	net, err := energies.FromTable(map[string]any{"type": "mlp", "dim": 2, "hidden": []any{32, 32}, "activation": "silu", "quadratic": 0.5, "init_scale": 3.0, "seed": 2})
	if err != nil {
		t.Fatal(err)
	}
	ring := make([]float64, 0, 2*800)
	s := rng.New(9, 0)
	for i := range 800 {
		a := 2 * math.Pi * float64(i%8) / 8
		ring = append(ring, 2*math.Cos(a)+0.3*s.Norm(), 2*math.Sin(a)+0.3*s.Norm())
	}
	for _, tc := range []struct {
		name   string
		e      energies.Energy
		grid   evaluate.Grid
		fitted bool
		kernel string
	}{
		{"gmm/standard/mala", shifted{gmm, -1.5}, evaluate.Grid{Lo: []float64{-5, -5}, Hi: []float64{5, 5}, Res: 400}, false, "mala"},
		{"gmm/fitted/hmc", shifted{gmm, -1.5}, evaluate.Grid{Lo: []float64{-5, -5}, Hi: []float64{5, 5}, Res: 400}, true, "hmc"},
		{"mlp/standard/mala", net, evaluate.Grid{Lo: []float64{-8, -8}, Hi: []float64{8, 8}, Res: 400}, false, "mala"},
		{"mlp/fitted/mala", net, evaluate.Grid{Lo: []float64{-8, -8}, Hi: []float64{8, 8}, Res: 400}, true, "mala"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := evaluate.LogZ(context.Background(), tc.e, tc.grid)
			if err != nil {
				t.Fatal(err)
			}
			if q.BorderMass > 1e-6 {
				t.Fatalf("the quadrature grid is too tight: border mass %g", q.BorderMass)
			}
			o := evaluate.AISOptions{Chains: 256, Steps: 200, Seed: 11, Kernel: tc.kernel}
			if tc.fitted {
				o.Mean, o.Std = evaluate.FitBase(ring, 2)
			}
			res, err := evaluate.AIS(context.Background(), tc.e, o)
			if err != nil {
				t.Fatal(err)
			}
			z := (res.LogZ - q.LogZ) / res.Stderr
			t.Logf("AIS %.4f ± %.4f, quadrature %.4f (z = %.2f), ESS %.0f of %d", res.LogZ, res.Stderr, q.LogZ, z, res.ESS, o.Chains)
			if math.Abs(z) > 4 || math.Abs(res.LogZ-q.LogZ) > 0.05 {
				t.Errorf("AIS log Z %.4f ± %.4f, quadrature %.4f: off by %.2f standard errors", res.LogZ, res.Stderr, q.LogZ, z)
			}
		})
	}
}

// TestAISWorkers checks that the result does not depend on the number of
// goroutines: the same log weights, bit for bit, with 1, 2 and 5 workers
// (uneven shards), for both kernels and the fitted base.
func TestAISWorkers(t *testing.T) {
	g := newGauss(30, 2, 1, 1.5, 4)
	mean, std := evaluate.FitBase(g.diagDraws(100, 2), 30)
	for _, kernel := range []string{"mala", "hmc"} {
		var ref *evaluate.AISResult
		for _, w := range []int{1, 2, 5} {
			res, err := evaluate.AIS(context.Background(), g, evaluate.AISOptions{Chains: 13, Steps: 50, Pilot: 7, Kernel: kernel, Mean: mean, Std: std, Seed: 5, Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = res
				continue
			}
			for i, v := range res.LogWeights {
				if math.Float64bits(v) != math.Float64bits(ref.LogWeights[i]) {
					t.Fatalf("%s, %d workers: log weight %d is %v, with 1 worker %v", kernel, w, i, v, ref.LogWeights[i])
				}
			}
			if res.LogZ != ref.LogZ || res.MeanAccept != ref.MeanAccept {
				t.Fatalf("%s, %d workers: log Z %v acceptance %v, with 1 worker %v %v", kernel, w, res.LogZ, res.MeanAccept, ref.LogZ, ref.MeanAccept)
			}
		}
	}
}

// TestWeightStats checks the log-mean-exp, the delta-method standard error
// and the ESS against direct formulas, far from overflow (weights e^±800).
func TestWeightStats(t *testing.T) {
	lw := []float64{800, 800 + math.Log(2), 800 + math.Log(3), 800 + math.Log(6)}
	// The weights are 1, 2, 3, 6 times e^800.
	m, se, ess := evaluate.WeightStats(lw)
	if want := 800 + math.Log(3); math.Abs(m-want) > 1e-12 {
		t.Errorf("log mean = %v, want %v", m, want)
	}
	sd := math.Sqrt(((1-3)*(1-3) + (2-3)*(2-3) + 0 + (6-3)*(6-3)) / 3.0)
	if want := sd / 3 / 2; math.Abs(se-want) > 1e-12 {
		t.Errorf("stderr = %v, want sd/(√n·mean) = %v", se, want)
	}
	if want := 144.0 / (1 + 4 + 9 + 36); math.Abs(ess-want) > 1e-12 {
		t.Errorf("ESS = %v, want %v", ess, want)
	}
	if m, _, ess := evaluate.WeightStats([]float64{math.Inf(-1), math.Inf(-1)}); !math.IsInf(m, -1) || ess != 0 {
		t.Errorf("all weights 0: log mean %v, ESS %v; want −Inf, 0", m, ess)
	}
}

// TestSchedule checks that every schedule runs from 0 to 1, increasing.
func TestSchedule(t *testing.T) {
	for _, kind := range []string{"sigmoid", "geometric", "linear"} {
		b, err := evaluate.Schedule(kind, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != 11 || b[0] != 0 || b[10] != 1 {
			t.Fatalf("%s: %v: want 11 values from 0 to 1", kind, b)
		}
		for i := 1; i < len(b); i++ {
			if !(b[i] > b[i-1]) {
				t.Fatalf("%s: %v: not increasing at %d", kind, b, i)
			}
		}
	}
	if _, err := evaluate.Schedule("cosine", 10); err == nil {
		t.Error("unknown schedule accepted")
	}
}

// TestAISBadOptions checks that bad options are errors, not panics.
func TestAISBadOptions(t *testing.T) {
	g := newGauss(3, 0, 0, 1, 1)
	for _, o := range []evaluate.AISOptions{
		{Steps: 1}, {Chains: -1}, {Kernel: "nuts"}, {Schedule: "cosine"},
		{Mean: []float64{0, 0, 0}}, {Mean: []float64{0, 0}, Std: []float64{1, 1}},
		{Mean: []float64{0, 0, 0}, Std: []float64{1, 0, 1}}, {TargetAccept: 1.5},
	} {
		if _, err := evaluate.AIS(context.Background(), g, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := evaluate.AIS(ctx, g, evaluate.AISOptions{Steps: 10}); err == nil {
		t.Error("cancelled context: no error")
	}
}
