package samplers

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
)

// hmGauss is a test-local centred diagonal Gaussian, E(x) = Σ x_j²/(2 s_j²),
// so these tests do not depend on the energies package.
type hmGauss struct{ s []float64 }

func (g hmGauss) Dim() int              { return len(g.s) }
func (g hmGauss) Energy(e, x []float64) { g.Gradient(e, nil, x) }
func (g hmGauss) Gradient(e, grad, x []float64) {
	d := len(g.s)
	n := energies.CheckBatch(d, e, grad, x)
	for i := 0; i < n; i++ {
		sum := 0.0
		for j, s := range g.s {
			z := x[i*d+j] / s
			sum += z * z / 2
			if grad != nil {
				grad[i*d+j] = z / s
			}
		}
		e[i] = sum
	}
}

// hmScales returns d scales log-spaced from lo to hi.
func hmScales(d int, lo, hi float64) []float64 {
	s := make([]float64, d)
	for j := range s {
		s[j] = lo * math.Pow(hi/lo, float64(j)/float64(max(d-1, 1)))
	}
	return s
}

// hmQuartic is a non-linear, coupled energy, E(x) = ¼‖x‖⁴ + ½‖x‖², with
// gradient (‖x‖² + 1)x: the leapfrog map it induces is not linear.
type hmQuartic struct{ d int }

func (q hmQuartic) Dim() int              { return q.d }
func (q hmQuartic) Energy(e, x []float64) { q.Gradient(e, nil, x) }
func (q hmQuartic) Gradient(e, grad, x []float64) {
	n := energies.CheckBatch(q.d, e, grad, x)
	for i := 0; i < n; i++ {
		row := x[i*q.d : (i+1)*q.d]
		r2 := 0.0
		for _, v := range row {
			r2 += v * v
		}
		e[i] = r2*r2/4 + r2/2
		if grad != nil {
			for j, v := range row {
				grad[i*q.d+j] = (r2 + 1) * v
			}
		}
	}
}

// hmWall is a 1-D standard normal cut at x = 1.5: beyond it E = +Inf and
// the gradient is NaN, so any trajectory that crosses it must be caught.
type hmWall struct{}

func (hmWall) Dim() int              { return 1 }
func (hmWall) Energy(e, x []float64) { hmWall{}.Gradient(e, nil, x) }
func (hmWall) Gradient(e, grad, x []float64) {
	n := energies.CheckBatch(1, e, grad, x)
	for i := 0; i < n; i++ {
		if x[i] > 1.5 {
			e[i] = math.Inf(1)
			if grad != nil {
				grad[i] = math.NaN()
			}
			continue
		}
		e[i] = x[i] * x[i] / 2
		if grad != nil {
			grad[i] = x[i]
		}
	}
}

// hmRun starts s on n chains of e (standard normal starts from the chains'
// own streams) and steps them through warmup and draws iterations,
// returning the kernel, the post-warmup draws as [dim][chain][draw], the
// post-warmup stats and those of the last 50 warmup iterations (Stan's
// terminal buffer, where only the step size adapts).
func hmRun(t *testing.T, s Sampler, e energies.Energy, n, warmup, draws int, seed uint64) (Kernel, [][][]float64, Stats, Stats) {
	t.Helper()
	c := NewChains(e, n, 0, seed)
	for i := 0; i < n; i++ {
		c.Rng[i].FillNorm(c.X[i*c.Dim : (i+1)*c.Dim])
	}
	k, err := s.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Dim
	out := make([][][]float64, d)
	for j := range out {
		out[j] = make([][]float64, n)
		for i := range out[j] {
			out[j][i] = make([]float64, draws)
		}
	}
	total := warmup + draws
	var atTerm, atWarm Stats
	for it := 0; it < total; it++ {
		if it == warmup-50 {
			atTerm = c.Stats
		}
		if it == warmup {
			atWarm = c.Stats
		}
		k.Step(c, Iter{I: it, Warmup: warmup, Total: total})
		if it >= warmup {
			for i := 0; i < n; i++ {
				for j := 0; j < d; j++ {
					out[j][i][it-warmup] = c.X[i*d+j]
				}
			}
		}
	}
	return k, out, c.Stats.Sub(atWarm), atWarm.Sub(atTerm)
}

// TestHMCAcceptByHand replays one HMC transition (one leapfrog step, no
// adaptation) on a 1-D standard normal by hand: if it fails, the momentum
// draw, the leapfrog, the Hamiltonian or the acceptance probability is wrong.
func TestHMCAcceptByHand(t *testing.T) {
	const seed, x0, eps = 11, 0.7, 0.9
	for _, start := range []float64{x0, -2.1} {
		h := NewHMC()
		h.LeapfrogSteps, h.StepSize, h.Adapt = 1, eps, false
		c := NewChains(hmGauss{[]float64{1}}, 1, 0, seed)
		c.X[0] = start
		k, err := h.Start(c)
		if err != nil {
			t.Fatal(err)
		}
		k.Step(c, Iter{I: 0, Warmup: 0, Total: 1})

		r := rng.New(seed, 0)
		p := r.Norm()
		p1 := p - eps/2*start
		x1 := start + eps*p1
		p2 := p1 - eps/2*x1
		H := start*start/2 + p*p/2
		H1 := x1*x1/2 + p2*p2/2
		want := min(1, math.Exp(H-H1))
		if math.Abs(c.Stats.AcceptSum-want) > 1e-12 {
			t.Errorf("x0 = %v: AcceptSum = %.15g, want min(1, exp(H − H′)) = %.15g", start, c.Stats.AcceptSum, want)
		}
		wantX := start
		if r.Float64() < want {
			wantX = x1
		}
		if c.X[0] != wantX || c.E[0] != wantX*wantX/2 || c.Grad[0] != wantX {
			t.Errorf("x0 = %v: chain at x = %v (E %v, ∇E %v), want %v after the accept draw",
				start, c.X[0], c.E[0], c.Grad[0], wantX)
		}
		if c.Stats.Leapfrogs != 1 || c.Stats.Transitions != 1 {
			t.Errorf("x0 = %v: %d leapfrogs in %d transitions, want 1 and 1", start, c.Stats.Leapfrogs, c.Stats.Transitions)
		}
	}
}

// hmIntegrate runs steps leapfrog steps of every row of (x, p, g, e) with
// per-row steps eps and inverse mass invM, using rows (nil: every chain).
func hmIntegrate(c *Chains, rows []int, x, p, g, e, invM, eps []float64, steps int) {
	lf := NewLeapfrog(c.N, c.Dim)
	if rows == nil {
		for i := 0; i < c.N; i++ {
			rows = append(rows, i)
		}
	}
	for s := 0; s < steps; s++ {
		lf.Step(c, rows, x, p, g, e, invM, eps)
	}
}

// TestLeapfrogReversible integrates forward, negates the momenta and
// integrates back, on a non-linear energy with a non-unit mass, for all
// chains at once and for a gathered subset: the start must come back to
// 1e-12, else the leapfrog is not the symmetric (time-reversible) scheme
// HMC's detailed balance relies on, or the gather/scatter mixes rows up.
func TestLeapfrogReversible(t *testing.T) {
	const n, d, steps = 5, 3, 25
	q := hmQuartic{d}
	c := NewChains(q, n, 0, 3)
	r := rng.New(3, 99)
	x, p := make([]float64, n*d), make([]float64, n*d)
	r.FillNorm(x)
	r.FillNorm(p)
	invM := make([]float64, n*d)
	for j := range invM {
		invM[j] = 0.5 + r.Float64()
	}
	eps := []float64{0.01, 0.02, 0.03, 0.015, 0.025}
	for _, rows := range [][]int{nil, {1, 3, 4}} {
		x1, p1 := append([]float64(nil), x...), append([]float64(nil), p...)
		g, e := make([]float64, n*d), make([]float64, n)
		q.Gradient(e, g, x1)
		hmIntegrate(c, rows, x1, p1, g, e, invM, eps, steps)
		if rows != nil && (x1[0] != x[0] || p1[2*d] != p[2*d]) {
			t.Fatal("Leapfrog.Step moved a chain that was not listed")
		}
		for j := range p1 {
			p1[j] = -p1[j]
		}
		hmIntegrate(c, rows, x1, p1, g, e, invM, eps, steps)
		for j := range x {
			if math.Abs(x1[j]-x[j]) > 1e-12 || math.Abs(-p1[j]-p[j]) > 1e-12 {
				t.Fatalf("rows %v: after forward, flip, back: x[%d] = %.17g (start %.17g), p = %.17g (start %.17g)",
					rows, j, x1[j], x[j], -p1[j], p[j])
			}
		}
	}
}

// TestLeapfrogVolumePreserving checks that the Jacobian of L leapfrog steps
// (x, p) → (x′, p′) on a non-linear energy has determinant 1, by central
// differences: otherwise the acceptance probability min(1, exp(H − H′))
// would need a Jacobian factor.
func TestLeapfrogVolumePreserving(t *testing.T) {
	const d, steps, eps, h = 2, 10, 0.1, 1e-5
	q := hmQuartic{d}
	c := NewChains(q, 1, 0, 1)
	z0 := []float64{0.3, -0.8, 0.5, 1.1} // x then p
	invM := []float64{1.5, 0.7}
	flow := func(z []float64) []float64 {
		x, p := append([]float64(nil), z[:d]...), append([]float64(nil), z[d:]...)
		g, e := make([]float64, d), make([]float64, 1)
		q.Gradient(e, g, x)
		hmIntegrate(c, nil, x, p, g, e, invM, []float64{eps}, steps)
		return append(x, p...)
	}
	m := 2 * d
	jac := make([][]float64, m)
	for i := range jac {
		jac[i] = make([]float64, m)
	}
	for k := 0; k < m; k++ {
		zp, zm := append([]float64(nil), z0...), append([]float64(nil), z0...)
		zp[k] += h
		zm[k] -= h
		fp, fm := flow(zp), flow(zm)
		for i := 0; i < m; i++ {
			jac[i][k] = (fp[i] - fm[i]) / (2 * h)
		}
	}
	if det := hmDet(jac); math.Abs(det-1) > 1e-6 {
		t.Fatalf("det of the leapfrog Jacobian = %.10f, want 1 (volume preservation)", det)
	}
}

// hmDet is the determinant by Gaussian elimination with partial pivoting.
func hmDet(a [][]float64) float64 {
	n := len(a)
	det := 1.0
	for k := 0; k < n; k++ {
		piv := k
		for i := k + 1; i < n; i++ {
			if math.Abs(a[i][k]) > math.Abs(a[piv][k]) {
				piv = i
			}
		}
		if piv != k {
			a[k], a[piv] = a[piv], a[k]
			det = -det
		}
		det *= a[k][k]
		for i := k + 1; i < n; i++ {
			f := a[i][k] / a[k][k]
			for j := k; j < n; j++ {
				a[i][j] -= f * a[k][j]
			}
		}
	}
	return det
}

// TestLeapfrogEnergyErrorOrder integrates the quartic energy to a fixed time
// with ε, ε/2, ε/4: the largest energy error along the path must shrink by
// about 4 per halving (second order); a first-order scheme (or a wrong half
// step) would shrink it by about 2.
func TestLeapfrogEnergyErrorOrder(t *testing.T) {
	const d, T = 2, 2.0
	q := hmQuartic{d}
	c := NewChains(q, 1, 0, 1)
	invM := []float64{1, 1}
	maxErr := func(eps float64) float64 {
		x, p := []float64{0.9, -0.4}, []float64{0.2, 0.7}
		g, e := make([]float64, d), make([]float64, 1)
		q.Gradient(e, g, x)
		h0 := e[0] + kinetic(p, invM)
		worst := 0.0
		for s := 0; s < int(math.Round(T/eps)); s++ {
			hmIntegrate(c, nil, x, p, g, e, invM, []float64{eps}, 1)
			worst = max(worst, math.Abs(e[0]+kinetic(p, invM)-h0))
		}
		return worst
	}
	prev := maxErr(0.1)
	for _, eps := range []float64{0.05, 0.025} {
		cur := maxErr(eps)
		if ratio := prev / cur; ratio < 3.5 || ratio > 4.5 {
			t.Errorf("energy error %.3g → %.3g when ε halves to %v: ratio %.2f, want ≈ 4 (O(ε²))", prev, cur, eps, ratio)
		}
		prev = cur
	}
}

// TestHMCDivergences runs HMC with steps too long for a target that is +Inf
// (with NaN gradients) past x = 1.5: divergences must be counted, and no
// draw may be non-finite or beyond the wall.
func TestHMCDivergences(t *testing.T) {
	h := NewHMC()
	h.StepSize, h.LeapfrogSteps, h.Adapt = 0.8, 8, false
	hmCheckWall(t, h)
}

// hmCheckWall runs s on hmWall from x = 0 and checks that divergences are
// counted and that the draws stay finite and inside the support.
func hmCheckWall(t *testing.T, s Sampler) {
	t.Helper()
	o := Options{Chains: 3, Warmup: 0, Draws: 1000, Seed: 5, Workers: 1,
		Init: func(int, *rng.Stream, []float64) {}}
	res, err := Run(context.Background(), hmWall{}, s, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sampling.Divergences == 0 {
		t.Error("no divergence counted, though trajectories must cross the +Inf wall")
	}
	for i, v := range res.Samples {
		if !(v <= 1.5) || !Finite(res.Energy[i]) {
			t.Fatalf("draw %d = %v with E = %v: a point outside the support reached the draws", i, v, res.Energy[i])
		}
	}
	t.Logf("%d divergences in %d transitions", res.Sampling.Divergences, res.Sampling.Transitions)
}

// TestHMCAdapts warms HMC up on a 10-D Gaussian with scales 0.1…10 (see
// hmCheckAdapted).
func TestHMCAdapts(t *testing.T) {
	s := hmScales(10, 0.1, 10)
	k, _, post, term := hmRun(t, NewHMC(), hmGauss{s}, 8, 1000, 300, 21)
	hmCheckAdapted(t, k.(*hmcKernel).ad, s, post, term, 0.8)
}

// hmCheckAdapted checks what a warmup produced.
//
// Dual averaging drives the mean acceptance of the step sizes it tries to
// the target: over the terminal buffer it must be within 0.05 of it, else
// the adaptation (or the acceptance statistic fed to it) is wrong. The step
// kept after warmup is the average of log ε, smaller than the steps tried,
// and acceptance is concave in log ε there, so the kept draws accept more
// often than the target, as in Stan (≈ 0.88 for 0.8 here): that rate must
// lie in [target − 0.05, target + 0.15].
//
// The inverse mass of each dimension, averaged over the chains, must be
// within 20% of the variance (each chain's comes from the ~500 draws of the
// last window, so it scatters by ~10%); each chain's alone within 50%, so a
// standard deviation in place of a variance, or a mix-up of chains or
// dimensions, fails.
func hmCheckAdapted(t *testing.T, a *Adapter, s []float64, post, term Stats, target float64) {
	t.Helper()
	if r := term.AcceptanceRate(); math.Abs(r-target) > 0.05 {
		t.Errorf("acceptance over the terminal buffer %.3f, want %.2f ± 0.05", r, target)
	}
	if r := post.AcceptanceRate(); r < target-0.05 || r > target+0.15 {
		t.Errorf("acceptance after warmup %.3f, want within [%.2f, %.2f]", r, target-0.05, target+0.15)
	}
	d, n := len(s), len(a.Eps)
	worst, worstMean := 0.0, 0.0
	for j, sj := range s {
		mean := 0.0
		for i := 0; i < n; i++ {
			ratio := a.InvM[i*d+j] / (sj * sj)
			mean += ratio / float64(n)
			worst = max(worst, math.Abs(ratio-1))
			if math.Abs(ratio-1) > 0.5 {
				t.Errorf("chain %d dim %d: inverse mass %.4g, variance %.4g", i, j, a.InvM[i*d+j], sj*sj)
			}
		}
		worstMean = max(worstMean, math.Abs(mean-1))
		if math.Abs(mean-1) > 0.2 {
			t.Errorf("dim %d: inverse mass averaged over chains %.4g × the variance %.4g, want within 20%%", j, mean, sj*sj)
		}
	}
	t.Logf("acceptance: terminal buffer %.3f, after warmup %.3f; step sizes %.3f; inverse mass error: worst %.0f%%, worst chain mean %.0f%%",
		term.AcceptanceRate(), post.AcceptanceRate(), a.Eps, 100*worst, 100*worstMean)
}

// TestHMCJitter checks that with jitter the number of leapfrog steps per
// transition averages (1 + L)/2, not L: otherwise the draw of L is ignored.
func TestHMCJitter(t *testing.T) {
	h := NewHMC()
	h.Jitter, h.Adapt, h.LeapfrogSteps, h.StepSize = true, false, 9, 0.2
	_, _, st, _ := hmRun(t, h, hmGauss{[]float64{1, 1}}, 4, 50, 2000, 8)
	mean := float64(st.Leapfrogs) / float64(st.Transitions)
	// L is uniform on 1…9: mean 5, sd √((81−1)/12) ≈ 2.58; 8000 draws.
	if se := 2.58 / math.Sqrt(8000); math.Abs(mean-5) > 4*se {
		t.Errorf("mean leapfrog steps %.3f with jitter, want 5 ± %.3f", mean, 4*se)
	}
}

// TestHMCNUTSConfig checks the keys: `type` alone is valid for both, and a
// bad value is an error that names its key.
func TestHMCNUTSConfig(t *testing.T) {
	for _, name := range []string{"hmc", "nuts"} {
		if _, err := FromTable(map[string]any{"type": name}); err != nil {
			t.Errorf("%s with defaults: %v", name, err)
		}
	}
	for _, tc := range []struct {
		table map[string]any
		key   string
	}{
		{map[string]any{"type": "hmc", "step_size": -0.1}, "step_size"},
		{map[string]any{"type": "hmc", "leapfrog_steps": int64(0)}, "leapfrog_steps"},
		{map[string]any{"type": "hmc", "target_accept": 1.0}, "target_accept"},
		{map[string]any{"type": "nuts", "max_depth": int64(0)}, "max_depth"},
		{map[string]any{"type": "nuts", "step_size": math.Inf(1)}, "step_size"},
		{map[string]any{"type": "nuts", "target_accept": 0.0}, "target_accept"},
		{map[string]any{"type": "nuts", "leapfrog_steps": int64(3)}, "leapfrog_steps"},
	} {
		_, err := FromTable(tc.table)
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%v: err = %v, want one naming %q", tc.table, err, tc.key)
		}
	}
}

// TestStepSizeSearch starts the step-size search far too small and far too
// large on a standard normal: both must end where one leapfrog step's
// acceptance crosses 0.8, which for a 2-D standard normal is a step of
// order 1. The crossing is judged from one random momentum per trial, so it
// scatters: a step within [0.1, 10] is required (past 2 the leapfrog is
// unstable and one step's energy error grows like ε⁴). A search that does
// not move, or moves the wrong way, ends near where it started.
func TestStepSizeSearch(t *testing.T) {
	for _, eps0 := range []float64{1e-4, 100} {
		c := NewChains(hmGauss{[]float64{1, 1}}, 6, 0, 13)
		for i := range c.X {
			c.X[i] = 0.3 * float64(i%3)
		}
		hmc := NewHMC()
		hmc.StepSize = eps0
		k, err := hmc.Start(c)
		if err != nil {
			t.Fatal(err)
		}
		hk := k.(*hmcKernel)
		x0 := append([]float64(nil), c.X...)
		SearchStepSize(c, hk.lf, hk.ad.Eps, hk.ad.InvM, hk.x, hk.p, hk.g, hk.e)
		for i, eps := range hk.ad.Eps {
			if eps < 0.1 || eps > 10 {
				t.Errorf("from ε = %v: chain %d ended at ε = %v, want within [0.1, 10]", eps0, i, eps)
			}
		}
		if !slices.Equal(x0, c.X) {
			t.Errorf("from ε = %v: the search moved the chains", eps0)
		}
	}
}
