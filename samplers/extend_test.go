package samplers_test

import (
	"context"
	"math"
	"testing"

	"github.com/goebm/ebm/samplers"
)

// The samplers package is open to extension: a third party can write an
// adaptive gradient sampler out of its exported pieces (Adapter, Leapfrog,
// SearchStepSize, DualAveraging, Windows) without copying ebm's warmup. The
// tests below do so from outside the package.

// diagGauss is E(x) = ½ Σ (x_j/s_j)², a Gaussian with standard deviations s.
type diagGauss struct{ s []float64 }

func (g diagGauss) Dim() int { return len(g.s) }

func (g diagGauss) Energy(e, x []float64) {
	d := len(g.s)
	for i := range e {
		v := 0.0
		for j, s := range g.s {
			z := x[i*d+j] / s
			v += 0.5 * z * z
		}
		e[i] = v
	}
}

func (g diagGauss) Gradient(e, grad, x []float64) {
	g.Energy(e, x)
	d := len(g.s)
	for i := range e {
		for j, s := range g.s {
			grad[i*d+j] = x[i*d+j] / (s * s)
		}
	}
}

// tinyHMC is a third party's adaptive HMC: L leapfrog steps, no
// divergence handling, the warmup entirely samplers.Adapter's.
type tinyHMC struct {
	eps0, target float64
	steps        int
}

type tinyKernel struct {
	steps      int
	ad         *samplers.Adapter
	lf         *samplers.Leapfrog
	x, p, g, e []float64
	h0, acc    []float64
}

func (s *tinyHMC) Start(c *samplers.Chains) (samplers.Kernel, error) {
	n, d := c.N, c.Dim
	c.EvalGradient(c.E, c.Grad, c.X)
	k := &tinyKernel{steps: s.steps, ad: samplers.NewAdapter(n, d, s.eps0, s.target, true),
		lf: samplers.NewLeapfrog(n, d),
		x:  make([]float64, n*d), p: make([]float64, n*d), g: make([]float64, n*d),
		e: make([]float64, n), h0: make([]float64, n), acc: make([]float64, n)}
	return k, nil
}

func tinyKinetic(p, invM []float64) float64 {
	s := 0.0
	for j, v := range p {
		s += invM[j] * v * v
	}
	return 0.5 * s
}

func (k *tinyKernel) Step(c *samplers.Chains, it samplers.Iter) {
	a := k.ad
	a.Begin(c, it)
	n, d := c.N, c.Dim
	rows := k.lf.Rows()
	for i := 0; i < n; i++ {
		lo, hi := i*d, (i+1)*d
		for j := lo; j < hi; j++ {
			k.p[j] = c.Rng[i].Norm() / math.Sqrt(a.InvM[j])
		}
		copy(k.x[lo:hi], c.X[lo:hi])
		copy(k.g[lo:hi], c.Grad[lo:hi])
		k.e[i] = c.E[i]
		k.h0[i] = c.E[i] + tinyKinetic(k.p[lo:hi], a.InvM[lo:hi])
		rows = append(rows, i)
	}
	for s := 0; s < k.steps; s++ {
		k.lf.Step(c, rows, k.x, k.p, k.g, k.e, a.InvM, a.Eps)
	}
	for i := 0; i < n; i++ {
		lo, hi := i*d, (i+1)*d
		acc := math.Min(1, math.Exp(k.h0[i]-k.e[i]-tinyKinetic(k.p[lo:hi], a.InvM[lo:hi])))
		if math.IsNaN(acc) {
			acc = 0
		}
		k.acc[i] = acc
		c.Stats.Transitions++
		c.Stats.AcceptSum += acc
		if c.Rng[i].Float64() < acc {
			copy(c.X[lo:hi], k.x[lo:hi])
			copy(c.Grad[lo:hi], k.g[lo:hi])
			c.E[i] = k.e[i]
			c.Stats.Accepted++
		}
	}
	a.End(c, it, k.acc)
}

// A third-party HMC built on samplers.Adapter must adapt as ebm's own do.
// Started at a step 30 times too large for the narrowest dimension (where,
// without warmup, it accepts almost nothing), the warmup must bring the
// mean acceptance over the terminal buffer (the last 50 warmup
// iterations, where only the step size adapts) to within 0.05 of the
// target; the kept draws, with the averaged (smaller) step, must accept at
// least target − 0.05; every chain's step size must move from 3 to order 1
// (the inverse mass whitens the target), and each dimension's variance
// must be in the inverse mass to within 50 %. If not, the Adapter depends
// on something only the package's own samplers provide.
func TestExternalAdaptiveHMC(t *testing.T) {
	const target, warmup, chains = 0.8, 1000, 32
	g := diagGauss{[]float64{0.1, 1, 3}}

	s := &tinyHMC{eps0: 3, target: target, steps: 8}
	res, err := samplers.Run(context.Background(), g, s, samplers.Options{
		Chains: chains, Draws: 200, Seed: 5, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rate := res.Sampling.AcceptanceRate(); rate > 0.2 {
		t.Fatalf("without warmup the step 3 accepts %.3f; the test needs a bad start", rate)
	}

	c := samplers.NewChains(g, chains, 0, 5)
	for i := range c.N {
		c.Rng[i].FillNorm(c.X[i*3 : (i+1)*3])
	}
	k, err := s.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	var term, post samplers.Stats
	for it := 0; it < warmup+200; it++ {
		switch it {
		case warmup - 50:
			term = c.Stats
		case warmup:
			term, post = c.Stats.Sub(term), c.Stats
		}
		k.Step(c, samplers.Iter{I: it, Warmup: warmup, Total: warmup + 200})
	}
	post = c.Stats.Sub(post)
	if r := term.AcceptanceRate(); math.Abs(r-target) > 0.05 {
		t.Errorf("acceptance over the terminal buffer %.3f, want %.2f ± 0.05", r, target)
	}
	if r := post.AcceptanceRate(); r < target-0.05 {
		t.Errorf("acceptance after warmup %.3f, want at least %.2f", r, target-0.05)
	}
	a := k.(*tinyKernel).ad
	d := len(g.s)
	for i, eps := range a.Eps {
		if !(eps > 0.3 && eps < 2) {
			t.Errorf("chain %d: step size %.3g after warmup, want it moved from 3 to order 1", i, eps)
		}
		for j, sj := range g.s {
			if r := a.InvM[i*d+j] / (sj * sj); math.Abs(r-1) > 0.5 {
				t.Errorf("chain %d dim %d: inverse mass %.4g, variance %.4g", i, j, a.InvM[i*d+j], sj*sj)
			}
		}
	}
}

// Dual averaging alone, from outside: fed the acceptance exp(−ε) of a
// made-up sampler, the step must settle where exp(−ε) = target, ε = −log
// target, whether it starts too small or too large. A wrong sign or a
// missing average leaves it far off.
func TestExternalDualAveraging(t *testing.T) {
	const target = 0.8
	want := -math.Log(target)
	for _, eps0 := range []float64{1e-3, 10} {
		da := samplers.NewDualAveraging(eps0, target)
		if math.Abs(da.Current()-eps0) > 1e-12*eps0 || da.Iterations() != 0 {
			t.Fatalf("fresh: step %v after %d updates, want %v after 0", da.Current(), da.Iterations(), eps0)
		}
		eps := eps0
		for i := 0; i < 2000; i++ {
			eps = da.Update(math.Exp(-eps))
		}
		if da.Iterations() != 2000 || da.Current() != eps {
			t.Errorf("from %v: Iterations %d, Current %v; want 2000 and the last step %v", eps0, da.Iterations(), da.Current(), eps)
		}
		if got := da.Final(); math.Abs(got-want) > 0.05*want {
			t.Errorf("from %v: averaged step %.4f, want %.4f", eps0, got, want)
		}
	}
}

// Windows from outside: the schedule Stan uses for 1000 warmup iterations.
func TestExternalWindows(t *testing.T) {
	w := samplers.NewWindows(1000)
	init, term := w.Buffers()
	ends := w.Ends()
	if init != 75 || term != 50 || len(ends) != 5 || ends[4] != 949 || w.Warmup() != 1000 {
		t.Fatalf("buffers %d/%d, ends %v; want 75/50 and [99 149 249 449 949]", init, term, ends)
	}
	if c, e := w.At(949); !c || !e {
		t.Errorf("At(949) = %v, %v; want a collecting window end", c, e)
	}
	if c, e := w.At(960); c || e {
		t.Errorf("At(960) = %v, %v; want the terminal buffer", c, e)
	}
}
