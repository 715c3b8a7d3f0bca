package evaluate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
)

// AIS schedules, kernels: the values of AISOptions.Schedule and .Kernel.
const (
	ScheduleSigmoid   = "sigmoid"
	ScheduleGeometric = "geometric"
	ScheduleLinear    = "linear"
	KernelMALA        = "mala"
	KernelHMC         = "hmc"
)

// AISOptions configures AIS. Zero values take the defaults named.
type AISOptions struct {
	Chains   int    // R independent runs (default 32)
	Steps    int    // K: distributions β_1 < … < β_K = 1 after the base β_0 = 0 (default 1000, ≥ 2)
	Schedule string // spacing of the β: "sigmoid" (default), "geometric" or "linear"
	Kernel   string // transition at each β: "mala" (default) or "hmc"
	Leapfrog int    // HMC: leapfrog steps per transition (default 5)

	// Mean and Std give the Gaussian base N(Mean, diag(Std²)); both nil
	// is the standard normal. FitBase fits them to data.
	Mean, Std []float64

	TargetAccept float64 // the pilot adapts the steps toward it (default 0.574 MALA, 0.65 HMC)
	Pilot        int     // chains of the pilot run that sets the steps (default max(4, Chains/4))

	Seed     uint64
	Workers  int                   // goroutines (0: GOMAXPROCS); the result does not depend on it
	Progress func(done, total int) // called after each step with steps done of pilot + main run (nil: none)
}

// AISResult is the outcome of AIS.
type AISResult struct {
	// LogZ is log of the mean importance weight times the base's
	// normalizer: an unbiased estimate of Z in exp, so log Z itself is
	// estimated low on average (Jensen) by about Stderr²/2.
	LogZ float64
	// Stderr is the delta-method standard error of LogZ:
	// sd(w)/(√R·mean(w)) over the R weights.
	Stderr float64
	// ESS is the effective sample size of the weights, (Σw)²/Σw², between
	// 1 and Chains: well below Chains means a few runs dominate and Stderr
	// is itself unreliable.
	ESS float64

	LogWeights  []float64 // log w of each run, in chain order (log Z = log Z₀ + log mean w)
	LogZBase    float64   // log Z₀ of the Gaussian base
	Betas       []float64 // β_0 = 0 … β_K = 1
	StepSizes   []float64 // the step used at β_1 … β_{K−1} (MALA's η, HMC's ε), set by the pilot
	Accept      []float64 // mean acceptance probability over the chains at β_1 … β_{K−1}
	MeanAccept  float64   // mean of Accept
	PilotAccept float64   // mean acceptance of the pilot run
	Divergences int64     // proposals with a non-finite energy or gradient (rejected), pilot included
	GradEvals   int64     // points at which E and ∇E were evaluated, pilot included
}

// FitBase returns the mean and standard deviation of each column of x
// (row-major, dim values per row), for AISOptions.Mean and Std. Each
// variance is raised to at least 1 % of the mean variance (and to 1e-12),
// so that constant columns (an image's always-black border) still give a
// proper Gaussian. Such a base suits a model about as spread as the data;
// AIS from a base narrower than the model (a dsm model, smoothed by σ in
// every direction, say) must widen its runs by slow moves, and a broader
// base, such as N(0, I) for data in [0, 1], does better. It panics on rows
// that are not whole (a programming error).
func FitBase(x []float64, dim int) (mean, std []float64) {
	if dim <= 0 || len(x) == 0 || len(x)%dim != 0 {
		panic(fmt.Sprintf("evaluate: FitBase: len(x) = %d is not a positive multiple of dim = %d", len(x), dim))
	}
	n := len(x) / dim
	mean, std = make([]float64, dim), make([]float64, dim)
	for i := range n {
		for j, v := range x[i*dim : (i+1)*dim] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range x[i*dim : (i+1)*dim] {
			std[j] += (v - mean[j]) * (v - mean[j])
		}
	}
	avg := 0.0
	for j := range std {
		std[j] /= float64(n)
		avg += std[j]
	}
	floor := max(0.01*avg/float64(dim), 1e-12)
	for j, v := range std {
		std[j] = math.Sqrt(max(v, floor))
	}
	return mean, std
}

// Schedule returns the K+1 inverse temperatures β_0 = 0 < β_1 < … < β_K = 1
// of an AIS schedule: "linear" spaces them evenly; "geometric" spaces
// β_1 … β_K evenly in log between 10⁻⁴ and 1; "sigmoid" (Grosse, Maddison
// & Salakhutdinov 2013) is σ(δ(2k/K − 1)) with δ = 4, shifted and scaled
// to run from 0 to 1, dense at both ends.
func Schedule(kind string, k int) ([]float64, error) {
	if k < 2 {
		return nil, fmt.Errorf("evaluate: AIS: %d steps; need at least 2", k)
	}
	b := make([]float64, k+1)
	switch kind {
	case ScheduleLinear:
		for i := range b {
			b[i] = float64(i) / float64(k)
		}
	case ScheduleGeometric:
		for i := 1; i <= k; i++ {
			b[i] = math.Pow(1e-4, float64(k-i)/float64(k-1))
		}
	case ScheduleSigmoid, "":
		const delta = 4.0
		sig := func(t float64) float64 { return 1 / (1 + math.Exp(-delta*(2*t-1))) }
		lo, hi := sig(0), sig(1)
		for i := range b {
			b[i] = (sig(float64(i)/float64(k)) - lo) / (hi - lo)
		}
	default:
		return nil, fmt.Errorf("evaluate: AIS: unknown schedule %q: use sigmoid, geometric or linear", kind)
	}
	b[0], b[k] = 0, 1
	return b, nil
}

// AIS estimates log Z = log ∫ exp(−E(x)) dx by annealed importance sampling
// (Neal 2001, "Annealed importance sampling"). R independent runs start
// from the Gaussian base p₀ = N(Mean, diag(Std²)) with energy E₀ and move
// through the geometric path
//
//	p_β ∝ exp(−(1−β)·E₀(x) − β·E(x)),  β_0 = 0 < β_1 < … < β_K = 1,
//
// by one MALA (or HMC) transition that leaves p_β invariant at each of
// β_1 … β_{K−1}, each run accumulating the log weight
// Σ_k (β_k − β_{k−1})(E₀(x_{k−1}) − E(x_{k−1})). The mean weight is an
// unbiased estimate of Z/Z₀. The runs work in the base's whitened
// coordinates y = (x − Mean)/Std, where the base is N(0, I) and one step
// size fits every coordinate.
//
// Step sizes: a pilot of Pilot runs, on random streams of its own, goes
// through the same path first, adapting the step after each β from the
// mean acceptance at that β toward TargetAccept (log η += acceptance −
// target); the log steps it used, smoothed over ±K/100 neighbours, are
// then fixed for the R runs. The kernels of the main run are thus chosen
// before it starts, and its weights are exactly unbiased (adapting from the
// main run's own acceptances would make each kernel depend on the runs it
// moves, a bias of order 1/R).
//
// Chain i draws from rng.New(Seed, i) (the pilot's from streams of a
// derived seed); the chains are batched into contiguous shards run on
// Workers goroutines, and the energy's rows are independent, so the result
// is bit-identical whatever Workers is. A NaN energy at a state a run
// keeps (the base draw) is an error; a proposal with a non-finite energy or
// gradient is rejected and counted in Divergences. Cancelling ctx stops
// the runs and returns its error.
func AIS(ctx context.Context, e energies.Energy, o AISOptions) (*AISResult, error) {
	d := e.Dim()
	if err := o.fill(d); err != nil {
		return nil, err
	}
	betas, err := Schedule(o.Schedule, o.Steps)
	if err != nil {
		return nil, err
	}
	k := o.Steps
	total := (o.Pilot + o.Chains) * (k - 1)
	var done atomic.Int64
	var mu sync.Mutex
	report := func(n int) {
		v := done.Add(int64(n))
		if o.Progress != nil {
			mu.Lock()
			o.Progress(int(v), total)
			mu.Unlock()
		}
	}
	res := &AISResult{Betas: betas, LogZBase: baseLogZ(d, o.Std)}

	// The pilot: steps adapted after each β from the pilot's acceptance.
	ps := rng.New(o.Seed, 1<<62)
	pilot := newAISShards(e, o, o.Pilot, ps.Uint64())
	forShards(pilot, func(s *aisShard) { s.start() })
	eta := make([]float64, k) // eta[j]: step at β_j, j = 1 … K−1
	eta[1] = o.initialStep(d)
	accSum := 0.0
	for j := 1; j < k; j++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("evaluate: AIS: %w", err)
		}
		forShards(pilot, func(s *aisShard) { s.step(betas, j, eta[j]) })
		a := 0.0 // summed in chain order: the same bits for any sharding
		for _, s := range pilot {
			for _, v := range s.acc {
				a += v
			}
		}
		a /= float64(o.Pilot)
		accSum += a
		if j+1 < k {
			eta[j+1] = min(max(eta[j]*math.Exp(a-o.TargetAccept), 1e-12), 10)
		}
		report(o.Pilot)
	}
	res.PilotAccept = accSum / float64(k-1)
	res.StepSizes = smoothSteps(eta[1:], max(1, k/100))
	for _, s := range pilot {
		res.Divergences += s.div
		res.GradEvals += s.grads
	}

	// The main run: fixed steps, each shard on its own.
	main := newAISShards(e, o, o.Chains, o.Seed)
	// Acceptance sums per shard and β in fixed point (units of 2⁻⁴⁰): integer
	// sums do not depend on how the chains are grouped, so the means are the
	// same bits at any worker count, and memory is shards × K, not R × K.
	acc := make([][]int64, len(main))
	forShards(main, func(s *aisShard) {
		a := make([]int64, k)
		s.start()
		for j := 1; j < k; j++ {
			if ctx.Err() != nil {
				return
			}
			s.step(betas, j, res.StepSizes[j-1])
			for _, v := range s.acc {
				a[j] += int64(math.Round(v * (1 << 40)))
			}
			report(s.n)
		}
		s.finish(betas)
		acc[s.index] = a
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: AIS: %w", err)
	}
	res.Accept = make([]float64, k-1)
	res.LogWeights = make([]float64, 0, o.Chains)
	for _, s := range main {
		res.Divergences += s.div
		res.GradEvals += s.grads
		res.LogWeights = append(res.LogWeights, s.logw...)
	}
	for j := range res.Accept {
		var t int64 // < R·2⁴⁰: no overflow below 8 million chains
		for _, a := range acc {
			t += a[j+1]
		}
		res.Accept[j] = float64(t) / (float64(o.Chains) * (1 << 40))
		res.MeanAccept += res.Accept[j] / float64(k-1)
	}
	for i, lw := range res.LogWeights {
		if math.IsNaN(lw) {
			return nil, fmt.Errorf("evaluate: AIS: run %d has a NaN log weight: the energy is NaN at a state it reached", i)
		}
	}
	lz, se, ess := WeightStats(res.LogWeights)
	if math.IsInf(lz, -1) {
		return nil, errors.New("evaluate: AIS: every run has weight 0: the energy is +Inf wherever the runs went")
	}
	res.LogZ, res.Stderr, res.ESS = res.LogZBase+lz, se, ess
	return res, nil
}

// WeightStats returns, for importance log weights lw, log of their mean
// weight, the delta-method standard error of that log mean, sd(w)/(√n·w̄)
// (sd with n−1; +Inf for a single weight), and the effective sample size
// (Σw)²/Σw². The delta method is used rather than a bootstrap: it is
// deterministic, costs nothing, and the bootstrap is no better in the case
// where either fails, weights so heavy-tailed that the sample misses their
// tail; a low ESS is the sign of that.
func WeightStats(lw []float64) (logMean, stderr, ess float64) {
	n := float64(len(lw))
	m := math.Inf(-1)
	for _, v := range lw {
		m = max(m, v)
	}
	if math.IsInf(m, -1) || math.IsNaN(m) {
		return m, math.NaN(), 0
	}
	s, s2 := 0.0, 0.0
	for _, v := range lw {
		w := math.Exp(v - m)
		s += w
		s2 += w * w
	}
	mean := s / n
	logMean = m + math.Log(mean)
	ess = s * s / s2
	if len(lw) < 2 {
		return logMean, math.Inf(1), ess
	}
	v := 0.0
	for _, l := range lw {
		r := math.Exp(l-m)/mean - 1
		v += r * r
	}
	return logMean, math.Sqrt(v / (n - 1) / n), ess
}

// fill checks o and sets its defaults for an energy of dimension d.
func (o *AISOptions) fill(d int) error {
	if o.Chains == 0 {
		o.Chains = 32
	}
	if o.Steps == 0 {
		o.Steps = 1000
	}
	if o.Kernel == "" {
		o.Kernel = KernelMALA
	}
	if o.Leapfrog == 0 {
		o.Leapfrog = 5
	}
	if o.TargetAccept == 0 {
		o.TargetAccept = 0.574
		if o.Kernel == KernelHMC {
			o.TargetAccept = 0.65
		}
	}
	if o.Pilot == 0 {
		o.Pilot = max(4, o.Chains/4)
	}
	switch {
	case d <= 0:
		return fmt.Errorf("evaluate: AIS: the energy has dimension %d", d)
	case o.Chains < 1 || o.Pilot < 1:
		return fmt.Errorf("evaluate: AIS: %d chains and %d pilot chains; need at least 1 of each", o.Chains, o.Pilot)
	case o.Steps < 2:
		return fmt.Errorf("evaluate: AIS: %d steps; need at least 2", o.Steps)
	case o.Kernel != KernelMALA && o.Kernel != KernelHMC:
		return fmt.Errorf("evaluate: AIS: unknown kernel %q: use mala or hmc", o.Kernel)
	case o.Leapfrog < 1:
		return fmt.Errorf("evaluate: AIS: %d leapfrog steps; need at least 1", o.Leapfrog)
	case !(o.TargetAccept > 0 && o.TargetAccept < 1):
		return fmt.Errorf("evaluate: AIS: target acceptance %v must be in (0, 1)", o.TargetAccept)
	case (o.Mean == nil) != (o.Std == nil):
		return errors.New("evaluate: AIS: give both the base's Mean and Std, or neither")
	case o.Mean != nil && (len(o.Mean) != d || len(o.Std) != d):
		return fmt.Errorf("evaluate: AIS: the base has %d means and %d standard deviations; the energy has dimension %d", len(o.Mean), len(o.Std), d)
	}
	for j := range o.Std {
		if !(o.Std[j] > 0) || math.IsInf(o.Std[j], 0) || math.IsNaN(o.Mean[j]) || math.IsInf(o.Mean[j], 0) {
			return fmt.Errorf("evaluate: AIS: base coordinate %d has mean %v and std %v; they must be finite with std > 0", j, o.Mean[j], o.Std[j])
		}
	}
	return nil
}

// initialStep is the first pilot step for the whitened base N(0, I) in d
// dimensions: the optimal MALA step 1.36·d^(−1/3) (Roberts & Rosenthal
// 1998), or HMC's d^(−1/4) per leapfrog step shared over Leapfrog steps.
func (o *AISOptions) initialStep(d int) float64 {
	if o.Kernel == KernelHMC {
		return math.Pow(float64(d), -0.25)
	}
	return 1.36 * math.Pow(float64(d), -1.0/3)
}

// baseLogZ is log Z₀ = (d/2)·log 2π + Σ log std of the base (std nil: 1).
func baseLogZ(d int, std []float64) float64 {
	z := 0.5 * float64(d) * math.Log(2*math.Pi)
	for _, s := range std {
		z += math.Log(s)
	}
	return z
}

// smoothSteps returns the steps with log η averaged over the ±w neighbours
// (fewer at the ends).
func smoothSteps(eta []float64, w int) []float64 {
	out := make([]float64, len(eta))
	for i := range eta {
		lo, hi := max(0, i-w), min(len(eta), i+w+1)
		s := 0.0
		for _, v := range eta[lo:hi] {
			s += math.Log(v)
		}
		out[i] = math.Exp(s / float64(hi-lo))
	}
	return out
}

// forShards runs f on every shard, each on its own goroutine, and waits.
func forShards(sh []*aisShard, f func(*aisShard)) {
	if len(sh) == 1 {
		f(sh[0])
		return
	}
	var wg sync.WaitGroup
	for _, s := range sh {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(s)
		}()
	}
	wg.Wait()
}

// newAISShards splits n chains into contiguous shards, chain i drawing
// from rng.New(seed, i).
func newAISShards(e energies.Energy, o AISOptions, n int, seed uint64) []*aisShard {
	w := o.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	w = max(1, min(w, n))
	sh := make([]*aisShard, w)
	for k := range sh {
		lo, hi := k*n/w, (k+1)*n/w
		sh[k] = newAISShard(e, o, lo, hi-lo, seed)
		sh[k].index = k
	}
	return sh
}
