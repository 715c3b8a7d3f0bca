// Package samplertest checks any samplers.Sampler against the contract, the
// way testing/fstest.TestFS checks an fs.FS. A third party calls it from its
// own tests; ebm runs it over every registered sampler.
//
//	func TestMySampler(t *testing.T) {
//		samplertest.Check(t, &MySampler{Step: 0.1}, samplertest.Options{})
//	}
//
// The checks (TestSampler runs all of them and reports every failure):
//
//   - moments: on targets with known moments (Targets: a correlated 4-D
//     Gaussian, a two-component mixture with unequal weights, a banana), the
//     mean and variance of every coordinate agree with the exact values
//     within MaxZ Monte Carlo standard errors, the MCSE coming from the
//     effective sample size (diagnostics.ESS); seeds are fixed;
//   - workers: draws, energies and counters are bit-identical when the same
//     run is split over 1, 2 and 3 workers;
//   - cancel: a context cancelled mid-run makes samplers.Run return promptly
//     with the partial draws, Partial set and the context's error, and leaves
//     no goroutine behind.
package samplertest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goebm/ebm/diagnostics"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/samplers"
)

// Target is an energy with known moments.
type Target struct {
	Name   string
	Energy energies.Energy // must implement energies.Moments
}

// Targets returns the default targets: a correlated, anisotropic 4-D
// Gaussian (stds 0.5…3, correlations −0.5…0.8, covariance eigenvalues from
// about 0.17 to 12), an overlapping two-component 2-D mixture with weights
// 0.3 and 0.7, and a mildly curved 2-D banana.
func Targets() []Target {
	sd := []float64{0.5, 1, 2, 3}
	corr := [][]float64{
		{1, -0.5, 0, 0},
		{-0.5, 1, 0.3, 0},
		{0, 0.3, 1, 0.8},
		{0, 0, 0.8, 1},
	}
	cov := make([]any, 4)
	for i := range cov {
		row := make([]any, 4)
		for j := range row {
			row[j] = corr[i][j] * sd[i] * sd[j]
		}
		cov[i] = row
	}
	tables := []struct {
		name  string
		table map[string]any
	}{
		{"gauss4", map[string]any{"type": "gaussian", "mean": []any{1.0, -1.0, 0.5, 2.0}, "cov": cov}},
		{"gmm2", map[string]any{"type": "gmm", "weights": []any{0.3, 0.7},
			"means": []any{[]any{-1.0, 0.0}, []any{1.0, 0.0}}, "stds": []any{1.0, 1.0}}},
		{"banana", map[string]any{"type": "banana", "dim": 2, "scale": 2.0, "curvature": 0.3}},
	}
	out := make([]Target, len(tables))
	for i, tb := range tables {
		e, err := energies.FromTable(tb.table)
		if err != nil {
			panic(fmt.Sprintf("samplertest: target %s: %v", tb.name, err)) // a bug in this package
		}
		out[i] = Target{tb.name, e}
	}
	return out
}

// Budget is the size of one moment run.
type Budget struct {
	Chains, Warmup, Draws, Thin int
}

// Options tune the checks. The zero value is the default for every field.
type Options struct {
	// Targets for the moment check; default Targets().
	Targets []Target
	// Budget of each moment run; zero fields default to 300 chains, 1000
	// warmup iterations, 1000 draws, thin 1. Fewer chains keep CI fast at
	// the price of power: the MCSE grows as 1/√chains.
	Budget Budget
	// Tune, when set, is called before each target's moment run with the
	// target's name and a copy of the budget, which it may change (a longer
	// warmup, thinning). It returns the sampler to use on that target (a
	// biased sampler like ULA needs a smaller step on a narrow target), or
	// nil for the sampler under test.
	Tune func(target string, b *Budget) samplers.Sampler
	// Seed of the runs (every seed, 0 included, is a fixed seed).
	Seed uint64
	// MaxZ is the largest |z| accepted for a mean or a variance; default 4.
	// With 3 targets and a few dimensions each, a correct sampler fails at
	// |z| ≥ 4 with probability about 1e-3 per run (for a fixed seed: never
	// or always).
	MaxZ float64
	// Workers are the worker counts whose results must be bit-identical;
	// default {1, 2, 3}.
	Workers []int
	// Log, when set, receives one line per moment run (acceptance,
	// divergences, z-scores).
	Log func(format string, args ...any)
	// SkipMoments, SkipWorkers, SkipCancel turn checks off.
	SkipMoments, SkipWorkers, SkipCancel bool
}

func (o Options) withDefaults() Options {
	if o.Targets == nil {
		o.Targets = Targets()
	}
	b := &o.Budget
	if b.Chains <= 0 {
		b.Chains = 300
	}
	if b.Warmup <= 0 {
		b.Warmup = 1000
	}
	if b.Draws <= 0 {
		b.Draws = 1000
	}
	if b.Thin <= 0 {
		b.Thin = 1
	}
	if o.MaxZ <= 0 {
		o.MaxZ = 4
	}
	if len(o.Workers) == 0 {
		o.Workers = []int{1, 2, 3}
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	return o
}

// Check runs TestSampler and reports its error, if any, with t.Error; the
// per-run lines go to t.Logf.
func Check(t testing.TB, s samplers.Sampler, o Options) {
	t.Helper()
	if o.Log == nil {
		o.Log = t.Logf
	}
	if err := TestSampler(s, o); err != nil {
		t.Error(err)
	}
}

// TestSampler checks s (see the package comment) and returns an error
// listing every failure found, or nil.
func TestSampler(s samplers.Sampler, o Options) error {
	o = o.withDefaults()
	var msgs []string
	fail := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	if !o.SkipWorkers {
		checkWorkers(s, o, fail)
	}
	if !o.SkipCancel {
		checkCancel(s, o, fail)
	}
	if !o.SkipMoments {
		for _, tg := range o.Targets {
			checkMoments(s, tg, o, fail)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New("samplertest: " + strings.Join(msgs, "\n\t"))
}

// checkMoments runs s on one target and compares means and variances.
func checkMoments(s samplers.Sampler, tg Target, o Options, fail func(string, ...any)) {
	mo, ok := tg.Energy.(energies.Moments)
	if !ok {
		fail("moments on %s: target energy %T does not implement energies.Moments", tg.Name, tg.Energy)
		return
	}
	b := o.Budget
	if o.Tune != nil {
		if t := o.Tune(tg.Name, &b); t != nil {
			s = t
		}
	}
	res, err := samplers.Run(context.Background(), tg.Energy, s, samplers.Options{
		Chains: b.Chains, Warmup: b.Warmup, Draws: b.Draws, Thin: b.Thin, Seed: o.Seed})
	if err != nil {
		fail("moments on %s: samplers.Run: %v", tg.Name, err)
		return
	}
	mean, cov := mo.Mean(), mo.Covariance()
	zm, zv := ZScores(res, mean, cov)
	o.Log("moments on %s (%d chains × %d draws, warmup %d, thin %d): accept %.3f, divergences %d; mean z %+.2f; variance z %+.2f",
		tg.Name, b.Chains, b.Draws, b.Warmup, b.Thin, res.Sampling.AcceptanceRate(), res.Sampling.Divergences, zm, zv)
	d := res.Dim
	for j := range zm {
		if !(math.Abs(zm[j]) < o.MaxZ) {
			fail("moments on %s: mean of dim %d is %.4g, want %.4g: z = %.2f (|z| must be < %g; MCSE from ESS)",
				tg.Name, j, mean[j]+zm[j]*mcse(res, j, mean[j], false), mean[j], zm[j], o.MaxZ)
		}
		if !(math.Abs(zv[j]) < o.MaxZ) {
			fail("moments on %s: variance of dim %d is %.4g, want %.4g: z = %.2f (|z| must be < %g; MCSE from ESS)",
				tg.Name, j, cov[j*d+j]+zv[j]*mcse(res, j, mean[j], true), cov[j*d+j], zv[j], o.MaxZ)
		}
	}
}

// ZScores returns, for every dimension j, the z-score of the sample mean
// against mean[j] and of the sample variance about the true mean,
// mean((x − mean[j])²), against cov[j*Dim+j], each divided by its Monte
// Carlo standard error sd/√ESS with ESS from diagnostics.ESS over the
// chains.
func ZScores(res *samplers.Result, mean, cov []float64) (zm, zv []float64) {
	d := res.Dim
	for j := range d {
		x := res.Dimension(j)
		zm = append(zm, zMean(x, mean[j]))
		square(x, mean[j])
		zv = append(zv, zMean(x, cov[j*d+j]))
	}
	return zm, zv
}

func square(x [][]float64, m float64) {
	for _, ch := range x {
		for t, v := range ch {
			ch[t] = (v - m) * (v - m)
		}
	}
}

// mcse is the Monte Carlo standard error of the mean (or, with sq, of the
// variance about m) of dimension j.
func mcse(res *samplers.Result, j int, m float64, sq bool) float64 {
	x := res.Dimension(j)
	if sq {
		square(x, m)
	}
	_, se := meanSE(x)
	return se
}

// zMean is (mean(x) − want)/MCSE with MCSE = sd(x)/√ESS(x).
func zMean(x [][]float64, want float64) float64 {
	m, se := meanSE(x)
	return (m - want) / se
}

func meanSE(x [][]float64) (m, se float64) {
	var n, s, s2 float64
	for _, ch := range x {
		for _, v := range ch {
			n++
			s += v
			s2 += v * v
		}
	}
	m = s / n
	sd := math.Sqrt((s2/n - m*m) * n / (n - 1))
	return m, sd / math.Sqrt(diagnostics.ESS(x))
}

// invarianceOptions is the small run compared across worker counts: 7
// chains split unevenly (3 workers: 2, 2, 3), warmup long enough for
// adaptation to act, thinning on.
func invarianceOptions(seed uint64, workers int) samplers.Options {
	return samplers.Options{Chains: 7, Warmup: 40, Draws: 25, Thin: 2, Seed: seed, Workers: workers}
}

// checkWorkers runs the same small run with each worker count on the first
// target and demands bit-identical results.
func checkWorkers(s samplers.Sampler, o Options, fail func(string, ...any)) {
	if len(o.Targets) == 0 {
		return
	}
	tg := o.Targets[0]
	var ref *samplers.Result
	for _, w := range o.Workers {
		res, err := samplers.Run(context.Background(), tg.Energy, s, invarianceOptions(o.Seed, w))
		if err != nil {
			fail("workers on %s: samplers.Run with %d workers: %v", tg.Name, w, err)
			return
		}
		if ref == nil {
			ref = res
			continue
		}
		if i := firstDiff(res.Samples, ref.Samples); i >= 0 {
			fail("workers on %s: draws differ between %d and %d workers: value %d (chain %d) is %.17g vs %.17g; per-chain state or random streams depend on the shard layout",
				tg.Name, o.Workers[0], w, i, i/(res.Draws*res.Dim), ref.Samples[i], res.Samples[i])
			return
		}
		if i := firstDiff(res.Energy, ref.Energy); i >= 0 {
			fail("workers on %s: energies differ between %d and %d workers at draw %d: %.17g vs %.17g",
				tg.Name, o.Workers[0], w, i, ref.Energy[i], res.Energy[i])
			return
		}
		a, b := res.Warmup, ref.Warmup
		a2, b2 := res.Sampling, ref.Sampling
		if a.Transitions != b.Transitions || a2.Transitions != b2.Transitions || a.Accepted != b.Accepted ||
			a2.Accepted != b2.Accepted || a.Divergences != b.Divergences || a2.Divergences != b2.Divergences ||
			math.Abs(a2.AcceptSum-b2.AcceptSum) > 1e-9*max(1, b2.AcceptSum) {
			fail("workers on %s: counters differ between %d and %d workers: warmup %+v vs %+v, sampling %+v vs %+v",
				tg.Name, o.Workers[0], w, b, a, b2, a2)
		}
	}
}

func firstDiff(a, b []float64) int {
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i
		}
	}
	return -1
}

// cancelAfter wraps an energy and cancels a context once it has been called
// a given number of times.
type cancelAfter struct {
	e      energies.Energy
	calls  atomic.Int64
	after  int64
	cancel context.CancelFunc
}

func (c *cancelAfter) tick() {
	if c.calls.Add(1) == c.after {
		c.cancel()
	}
}
func (c *cancelAfter) Dim() int              { return c.e.Dim() }
func (c *cancelAfter) Energy(e, x []float64) { c.tick(); c.e.Energy(e, x) }
func (c *cancelAfter) Gradient(e, g, x []float64) {
	c.tick()
	c.e.Gradient(e, g, x)
}

// runGoroutines counts goroutines started by samplers.Run that are alive.
func runGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Count(string(buf), "created by github.com/goebm/ebm/samplers.Run")
}

// checkCancel cancels runs from inside (from the energy, after a number of
// calls) and checks what Run returns, then that a run whose context is
// already cancelled returns at once, and that no goroutine of Run is left.
func checkCancel(s samplers.Sampler, o Options, fail func(string, ...any)) {
	if len(o.Targets) == 0 {
		return
	}
	tg := o.Targets[0]
	before := runGoroutines()
	const chains, warmup, short, long = 4, 5, 50, 5000
	opts := func(draws, workers int) samplers.Options {
		return samplers.Options{Chains: chains, Warmup: warmup, Draws: draws, Seed: o.Seed, Workers: workers}
	}
	// Count the energy calls of a complete short run on one worker (the
	// calls, like the draws, are fixed by the seed) ...
	count := &cancelAfter{e: tg.Energy, after: -1, cancel: func() {}}
	if _, err := samplers.Run(context.Background(), count, s, opts(short, 1)); err != nil {
		fail("cancel on %s: samplers.Run: %v", tg.Name, err)
		return
	}
	// ... then cancel a long run after as many calls: it stops near draw
	// 50 of 5000. On 2 workers the shards race, so only 0 < draws is not
	// guaranteed there; the rest is.
	for _, workers := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		e := &cancelAfter{e: tg.Energy, after: count.calls.Load(), cancel: cancel}
		r, ok := runWithin(ctx, e, s, opts(long, workers))
		cancel()
		if !ok {
			fail("cancel on %s: samplers.Run on %d workers did not return within 30 s of the context's cancellation (%d energy calls so far): a kernel hangs", tg.Name, workers, e.calls.Load())
			return
		}
		where := fmt.Sprintf("cancel on %s (%d workers, cancelled after %d energy calls)", tg.Name, workers, e.after)
		switch {
		case !errors.Is(r.err, context.Canceled):
			fail("%s: samplers.Run returned error %v, want context.Canceled", where, r.err)
		case r.res == nil:
			fail("%s: samplers.Run returned no result; want the partial draws", where)
		case !r.res.Partial:
			fail("%s: result has Partial = false", where)
		case r.res.Draws >= long || (workers == 1 && r.res.Draws <= 0):
			fail("%s: result has %d draws per chain; want about %d (a complete %d-draw run makes that many calls)", where, r.res.Draws, short, short)
		case len(r.res.Samples) != chains*r.res.Draws*r.res.Dim || len(r.res.Energy) != chains*r.res.Draws:
			fail("%s: partial result has %d samples and %d energies for %d chains × %d draws × %d dims",
				where, len(r.res.Samples), len(r.res.Energy), chains, r.res.Draws, r.res.Dim)
		default:
			for i, v := range r.res.Samples {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					fail("%s: partial draw value %d is %v", where, i, v)
					break
				}
			}
		}
	}
	// An already cancelled context: no draws, the error, promptly.
	pre, precancel := context.WithCancel(context.Background())
	precancel()
	r, ok := runWithin(pre, tg.Energy, s, opts(long, 2))
	if !ok {
		fail("cancel on %s: samplers.Run with an already cancelled context did not return within 30 s", tg.Name)
		return
	}
	if !errors.Is(r.err, context.Canceled) || r.res == nil || r.res.Draws != 0 {
		draws := -1
		if r.res != nil {
			draws = r.res.Draws
		}
		fail("cancel on %s: samplers.Run with an already cancelled context returned error %v and %d draws; want context.Canceled and 0 draws", tg.Name, r.err, draws)
	}
	// Goroutines started by Run must all be gone once it has returned.
	deadline := time.Now().Add(2 * time.Second)
	for runGoroutines() > before {
		if time.Now().After(deadline) {
			fail("cancel on %s: %d goroutines started by samplers.Run still running after it returned", tg.Name, runGoroutines()-before)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type runOut struct {
	res *samplers.Result
	err error
}

// runWithin runs samplers.Run and waits at most 30 s for it.
func runWithin(ctx context.Context, e energies.Energy, s samplers.Sampler, o samplers.Options) (runOut, bool) {
	done := make(chan runOut, 1)
	go func() {
		res, err := samplers.Run(ctx, e, s, o)
		done <- runOut{res, err}
	}()
	select {
	case r := <-done:
		return r, true
	case <-time.After(30 * time.Second):
		return runOut{}, false
	}
}
