package samplers

import (
	"errors"
	"fmt"
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
)

// PT is parallel tempering (replica exchange; Swendsen & Wang 1986, Geyer
// 1991; TensorFlow Probability's ReplicaExchangeMC): every chain of the run
// is a ladder of K replicas at temperatures 1 = T_0 < T_1 < … < T_{K−1},
// replica k targeting exp(−E/T_k). Each replica moves by its own kernel of
// the move sampler (any registered sampler, default mala), and every
// swap_every iterations neighbouring replicas exchange their states with
// probability
//
//	min(1, exp((1/T_k − 1/T_{k+1})·(E_k − E_{k+1}))),
//
// which leaves the product of the tempered targets invariant. The hot
// replicas cross the barriers between modes that a local move cannot, and
// the swaps carry what they found down to T = 1. Only the T = 1 replica is
// the chain the driver sees: its positions, energies and gradients are the
// shard's Chains, so only its draws are written.
//
// The ladder is temperatures (a list starting at 1, strictly increasing) or,
// when that is empty, levels temperatures spaced geometrically from 1 to
// t_max: T_k = t_max^(k/(levels−1)).
//
// Replica k ≥ 1 of a shard is a Chains of its own whose energy is E/T_k
// (energy and gradient divided by T_k), started at the shard's initial
// positions, with its own kernel from the move's Start: per-temperature
// adaptation (MALA's step, HMC's step and metric, …) is the move's own
// warmup run on each replica. Replica k of run chain i draws from the
// stream rng.New(u_i, k), u_i being the first draw of chain i's own stream
// at Start; replica 0 uses chain i's stream itself. Everything a chain
// does therefore depends on its run index and the seed alone, and the draws
// are bit-identical at any worker count.
//
// Swaps happen after the moves of iteration i (warmup included) when
// (i+1) is a multiple of swap_every; the m-th such iteration, m = (i+1)/
// swap_every, proposes the pairs (k, k+1) with k ≡ m (mod 2): even pairs
// and odd pairs in turn. The test for pair (k, k+1) of chain i draws one
// uniform from replica k's stream of that chain. On acceptance the two
// replicas exchange position, energy and gradient rows (energies and
// gradients rescaled to the receiving temperature). A move sampler must
// therefore keep no per-chain state tied to the position outside the
// Chains' X, E and Grad (all of ebm's samplers qualify: their per-chain
// state is adaptation, which belongs to the temperature).
//
// Counters: the shard's Stats (transitions, acceptance, divergences, tree
// depths, leapfrog steps) are those of the T = 1 moves; energy and gradient
// evaluations count every replica, since they are the run's cost. The
// kernel reports the rest through PTKernel: per-pair swap statistics,
// warmup and sampling apart (SwapStats), and each replica's own counters
// (ReplicaStats).
type PT struct {
	Temperatures []float64                   `toml:"temperatures" doc:"the ladder T_0 = 1 < T_1 < … < T_{K-1}, strictly increasing (replica k targets exp(-E/T_k));\nwhen given, levels and t_max are ignored"`
	Levels       int                         `toml:"levels" doc:"number of temperatures K when temperatures is not given (>= 1): T_k = t_max^(k/(K-1)), 1 … t_max"`
	TMax         float64                     `toml:"t_max" doc:"highest temperature of the geometric ladder (> 1 when levels > 1)"`
	SwapEvery    int                         `toml:"swap_every" doc:"iterations between swap rounds (>= 1); rounds alternate between the pairs (0,1), (2,3), …\nand (1,2), (3,4), …"`
	Move         registry.Component[Sampler] `toml:"move" doc:"the sampler that moves each replica within its temperature: a table [sampler.move] with\na type and that sampler's keys (each replica adapts on its own during warmup); default: type = \"mala\""`
}

func init() { Register("pt", func() Sampler { return NewPT() }) }

// NewPT returns a parallel tempering sampler with its defaults: no
// temperatures list, levels 5, t_max 10, swap_every 1, move mala with its
// own defaults.
func NewPT() *PT {
	return &PT{Levels: 5, TMax: 10, SwapEvery: 1, Move: registry.With[Sampler]("mala", nil)}
}

// Description is the one-line summary shown by `ebmrun list`.
func (p *PT) Description() string {
	return "parallel tempering (replica exchange): any sampler at each temperature of a ladder 1 … t_max, neighbours swapped; T = 1 kept"
}

// Validate checks the keys and builds the move sampler when the registry
// has not (a PT from NewPT, or decoded without registry.Build), with errors
// naming the table [sampler.move].
func (p *PT) Validate() error {
	if len(p.Temperatures) > 0 {
		for k, t := range p.Temperatures {
			switch {
			case !Finite(t):
				return fmt.Errorf("key %q: temperature %d is %v, want a finite value", "temperatures", k, t)
			case k == 0 && t != 1:
				return fmt.Errorf("key %q: must start at 1 (the target itself), got %v", "temperatures", t)
			case k > 0 && !(t > p.Temperatures[k-1]):
				return fmt.Errorf("key %q: must be strictly increasing, got %v after %v", "temperatures", t, p.Temperatures[k-1])
			}
		}
	} else {
		if p.Levels < 1 {
			return fmt.Errorf("key %q: must be >= 1, got %d", "levels", p.Levels)
		}
		if !(p.TMax >= 1) || math.IsInf(p.TMax, 0) || (p.Levels > 1 && !(p.TMax > 1)) {
			return fmt.Errorf("key %q: must be finite and > 1 (>= 1 with levels = 1), got %v", "t_max", p.TMax)
		}
	}
	if p.SwapEvery < 1 {
		return fmt.Errorf("key %q: must be >= 1, got %d", "swap_every", p.SwapEvery)
	}
	if !p.Move.Built() {
		if p.Move.Type == "" {
			return errors.New(`key "move": no sampler (give a [sampler.move] table with a type)`)
		}
		if err := p.Move.Build(registry.Context{Table: "sampler.move"}); err != nil {
			return err
		}
	}
	return nil
}

// Ladder returns the temperatures T_0 = 1 < … < T_{K−1} (a fresh slice):
// the temperatures key, or the geometric ladder of levels and t_max, whose
// last value is exactly t_max.
func (p *PT) Ladder() []float64 {
	if len(p.Temperatures) > 0 {
		return append([]float64(nil), p.Temperatures...)
	}
	t := make([]float64, p.Levels)
	for k := range t {
		t[k] = math.Pow(p.TMax, float64(k)/float64(max(1, p.Levels-1)))
	}
	t[0] = 1
	if p.Levels > 1 {
		t[p.Levels-1] = p.TMax
	}
	return t
}

// Start validates the keys, sets up the replicas of the shard (replica 0
// is c itself) and starts the move's kernel on each.
func (p *PT) Start(c *Chains) (Kernel, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("samplers: pt: %w", err)
	}
	temps := p.Ladder()
	nk := len(temps)
	k := &ptKernel{temps: temps, beta: make([]float64, nk), every: p.SwapEvery,
		reps: make([]*Chains, nk), kerns: make([]Kernel, nk), seen: make([]Stats, nk),
		warm: newSwapStats(temps), samp: newSwapStats(temps)}
	for j, t := range temps {
		k.beta[j] = 1 / t
	}
	// The replicas' stream keys are drawn before any kernel starts, so that
	// what a move's Start draws cannot shift them.
	keys := make([]uint64, c.N)
	for i := range keys {
		keys[i] = c.Rng[i].Uint64()
	}
	for j := 1; j < nk; j++ {
		r := &Chains{Energy: &temperedEnergy{e: c.Energy, beta: k.beta[j]}, Dim: c.Dim, N: c.N, First: c.First,
			X: append([]float64(nil), c.X...), E: make([]float64, c.N), Grad: make([]float64, c.N*c.Dim),
			Rng: make([]rng.Stream, c.N)}
		for i := range r.Rng {
			r.Rng[i] = rng.New(keys[i], uint64(j))
		}
		k.reps[j] = r
	}
	mv := p.Move.Value
	for j := range temps {
		r := c
		if j > 0 {
			r = k.reps[j]
		}
		before := r.Stats
		kern, err := mv.Start(r)
		if err != nil {
			if j == 0 {
				return nil, fmt.Errorf("samplers: pt: move %s: %w", p.Move.Type, err)
			}
			return nil, fmt.Errorf("samplers: pt: move %s at T = %v: %w", p.Move.Type, temps[j], err)
		}
		k.kerns[j] = kern
		if j > 0 {
			k.addEvals(c, r.Stats.Sub(before))
			k.seen[j] = r.Stats
		}
	}
	k.t1 = c
	return k, nil
}

// temperedEnergy is E/T: energy and gradient multiplied by β = 1/T.
type temperedEnergy struct {
	e    energies.Energy
	beta float64
}

func (t *temperedEnergy) Dim() int { return t.e.Dim() }

func (t *temperedEnergy) Energy(e, x []float64) {
	t.e.Energy(e, x)
	n := len(x) / t.e.Dim()
	for i := range e[:n] {
		e[i] *= t.beta
	}
}

func (t *temperedEnergy) Gradient(e, grad, x []float64) {
	t.e.Gradient(e, grad, x)
	n := len(x) / t.e.Dim()
	for i := range e[:n] {
		e[i] *= t.beta
	}
	if grad != nil {
		for j := range grad[:len(x)] {
			grad[j] *= t.beta
		}
	}
}

// SwapStats counts the swaps proposed between neighbouring temperatures:
// index k is the pair (T_k, T_{k+1}). Attempts and Accepted count chains;
// AcceptSum sums the acceptance probabilities min(1, α), so
// AcceptSum[k]/Attempts[k] (Rates) is an unbiased estimate of the pair's
// swap rate.
type SwapStats struct {
	Temperatures []float64 // the ladder, K values
	Attempts     []int64   // K−1 pairs
	Accepted     []int64
	AcceptSum    []float64
}

func newSwapStats(temps []float64) SwapStats {
	n := max(0, len(temps)-1)
	return SwapStats{Temperatures: temps, Attempts: make([]int64, n), Accepted: make([]int64, n), AcceptSum: make([]float64, n)}
}

// Add accumulates o (from another shard of the same ladder) into s; an
// empty s takes o's ladder.
func (s *SwapStats) Add(o SwapStats) {
	if s.Attempts == nil {
		*s = newSwapStats(append([]float64(nil), o.Temperatures...))
	}
	if len(o.Attempts) != len(s.Attempts) {
		panic("samplers: SwapStats.Add of different ladders")
	}
	for k := range s.Attempts {
		s.Attempts[k] += o.Attempts[k]
		s.Accepted[k] += o.Accepted[k]
		s.AcceptSum[k] += o.AcceptSum[k]
	}
}

// Rates returns each pair's mean acceptance probability, NaN for a pair
// never attempted.
func (s SwapStats) Rates() []float64 {
	r := make([]float64, len(s.Attempts))
	for k, n := range s.Attempts {
		r[k] = math.NaN()
		if n > 0 {
			r[k] = s.AcceptSum[k] / float64(n)
		}
	}
	return r
}

func (s SwapStats) clone() SwapStats {
	return SwapStats{Temperatures: append([]float64(nil), s.Temperatures...), Attempts: append([]int64(nil), s.Attempts...),
		Accepted: append([]int64(nil), s.Accepted...), AcceptSum: append([]float64(nil), s.AcceptSum...)}
}

// PTKernel is what a pt kernel reports beyond the shard's Stats. A caller
// that holds the Kernel of a shard (from PT.Start) finds it with a type
// assertion; SwapStats of several shards add up with SwapStats.Add.
type PTKernel interface {
	Kernel
	// SwapStats returns the swap counts of the warmup and the post-warmup
	// iterations (copies).
	SwapStats() (warmup, sampling SwapStats)
	// ReplicaStats returns each replica's counters, index k for
	// temperature T_k. Index 0 is the shard's own Stats (the T = 1 moves,
	// with every replica's evaluations); the others count since Start.
	ReplicaStats() []Stats
}

// ptKernel holds one shard's replicas and their kernels.
type ptKernel struct {
	temps, beta []float64
	every       int
	reps        []*Chains // reps[0] is nil: replica 0 is the shard's own Chains
	kerns       []Kernel
	seen        []Stats // replica k's counters when last added into the shard's
	warm, samp  SwapStats
	t1          *Chains // the shard's Chains last seen (for ReplicaStats)
}

// addEvals adds the evaluation counts of d (a replica's) to the shard's.
func (k *ptKernel) addEvals(c *Chains, d Stats) {
	c.Stats.EnergyEvals += d.EnergyEvals
	c.Stats.GradEvals += d.GradEvals
}

// Step moves every replica by one transition of its kernel, then, on a
// swap iteration, proposes the swaps of one parity.
func (k *ptKernel) Step(c *Chains, it Iter) {
	k.t1 = c
	k.kerns[0].Step(c, it)
	for j := 1; j < len(k.reps); j++ {
		r := k.reps[j]
		k.kerns[j].Step(r, it)
		k.addEvals(c, r.Stats.Sub(k.seen[j]))
		k.seen[j] = r.Stats
	}
	if len(k.reps) < 2 || (it.I+1)%k.every != 0 {
		return
	}
	st := &k.samp
	if it.IsWarmup() {
		st = &k.warm
	}
	for j := ((it.I + 1) / k.every) % 2; j+1 < len(k.reps); j += 2 {
		k.swapPair(c, j, st)
	}
}

// Record reports the last move of the T = 1 chains, when their kernel is a
// Recorder (the swaps that followed it are not transitions of theirs).
func (k *ptKernel) Record(c *Chains, st []DrawStats) {
	if r, ok := k.kerns[0].(Recorder); ok {
		r.Record(c, st)
		return
	}
	for i := range st[:c.N] {
		st[i] = DrawStats{math.NaN(), false, math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	}
}

// Adapted returns the tuning of the T = 1 chains' kernel (nil when it
// reports none).
func (k *ptKernel) Adapted() (stepSize, invMetric []float64) {
	if a, ok := k.kerns[0].(Adapted); ok {
		return a.Adapted()
	}
	return nil, nil
}

// swapPair proposes exchanging the states of replicas j and j+1 of every
// chain.
func (k *ptKernel) swapPair(c *Chains, j int, st *SwapStats) {
	a, b := c, k.reps[j+1]
	if j > 0 {
		a = k.reps[j]
	}
	d := c.Dim
	tA, tB := k.temps[j], k.temps[j+1]
	dBeta := k.beta[j] - k.beta[j+1]
	rho := tB / tA // a's tempered values × rho are b's temperature's, and back
	for i := 0; i < c.N; i++ {
		logA := dBeta * (a.E[i]*tA - b.E[i]*tB)
		u := a.Rng[i].Float64()
		acc := math.Exp(min(logA, 0))
		if math.IsNaN(logA) { // not reached while both states are finite
			acc = 0
		}
		st.Attempts[j]++
		st.AcceptSum[j] += acc
		// 1 − u is uniform on (0, 1], so P(1 − u < α) = α.
		if !(logA >= 0 || 1-u < acc) {
			continue
		}
		st.Accepted[j]++
		xa, xb := a.X[i*d:(i+1)*d], b.X[i*d:(i+1)*d]
		ga, gb := a.Grad[i*d:(i+1)*d], b.Grad[i*d:(i+1)*d]
		for m := range xa {
			xa[m], xb[m] = xb[m], xa[m]
			ga[m], gb[m] = gb[m]*rho, ga[m]/rho
		}
		a.E[i], b.E[i] = b.E[i]*rho, a.E[i]/rho
	}
}

// SwapStats implements PTKernel.
func (k *ptKernel) SwapStats() (warmup, sampling SwapStats) {
	return k.warm.clone(), k.samp.clone()
}

// ReplicaStats implements PTKernel.
func (k *ptKernel) ReplicaStats() []Stats {
	out := make([]Stats, len(k.reps))
	if k.t1 != nil {
		out[0] = k.t1.Stats
	}
	for j := 1; j < len(k.reps); j++ {
		out[j] = k.reps[j].Stats
	}
	return out
}

var (
	_ Sampler            = (*PT)(nil)
	_ registry.Validator = (*PT)(nil)
	_ PTKernel           = (*ptKernel)(nil)
	_ Recorder           = (*ptKernel)(nil)
	_ Adapted            = (*ptKernel)(nil)
	_ energies.Energy    = (*temperedEnergy)(nil)
)
