// Package samplers holds the Sampler contract, its registry, the batched
// MCMC samplers shipped with ebm (mh, hmc, nuts, ula, mala, annealed_langevin,
// annealed_langevin_sigma, predictor_corrector, pt)
// and the driver that runs any of them over many chains in parallel.
//
// A sampler advances a whole shard of chains per call: positions are an
// n×d row-major batch and the energy is evaluated for the batch at once.
// Adaptation state is per chain, and each chain has its own random stream
// derived from (seed, chain index), so results do not depend on how the
// chains are split over workers (Shards does the splitting, for Run and for
// any other caller).
//
// The warmup pieces are exported so that a sampler written outside the
// package adapts as the shipped ones do: DualAveraging (step size),
// Windows (Stan's mass-matrix schedule), SearchStepSize and Leapfrog, and
// Adapter, which puts them together per chain and is what hmc and nuts use.
package samplers

import (
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
)

// Chains is one shard of chains: all per-chain state a kernel needs that is
// not specific to the sampler. A kernel's Step may exchange X, E and Grad
// for buffers of its own of the same lengths (the unadjusted Langevin
// kernels do, instead of copying their proposals in), so callers read
// them from the Chains after each Step rather than keep the slices.
type Chains struct {
	Energy energies.Energy
	Dim    int
	N      int          // number of chains in this shard
	First  int          // index of this shard's first chain in the run
	X      []float64    // N×Dim positions
	E      []float64    // E at X
	Grad   []float64    // ∇E at X (kept current by gradient-based samplers)
	Rng    []rng.Stream // one stream per chain
	Stats  Stats        // counters for this shard
}

// NewChains allocates a shard of n chains of the given energy. X is zero;
// Rng streams are derived from (seed, first+i).
func NewChains(e energies.Energy, n, first int, seed uint64) *Chains {
	d := e.Dim()
	c := &Chains{Energy: e, Dim: d, N: n, First: first,
		X: make([]float64, n*d), E: make([]float64, n), Grad: make([]float64, n*d),
		Rng: make([]rng.Stream, n)}
	for i := range c.Rng {
		c.Rng[i] = rng.New(seed, uint64(first+i))
	}
	return c
}

// EvalEnergy computes e = E(x) for a batch and counts the evaluations.
func (c *Chains) EvalEnergy(e, x []float64) {
	c.Energy.Energy(e, x)
	c.Stats.EnergyEvals += int64(len(x) / c.Dim)
}

// EvalGradient computes e = E(x) and grad = ∇E(x) for a batch and counts them.
func (c *Chains) EvalGradient(e, grad, x []float64) {
	c.Energy.Gradient(e, grad, x)
	c.Stats.GradEvals += int64(len(x) / c.Dim)
}

// Finite reports whether v is neither NaN nor ±Inf.
func Finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// RowFinite reports whether every value of row i (Dim values) of a is finite.
func RowFinite(a []float64, i, dim int) bool {
	for _, v := range a[i*dim : (i+1)*dim] {
		if !Finite(v) {
			return false
		}
	}
	return true
}

// Stats counts what a run did. Acceptance is the mean Metropolis acceptance
// probability per transition (for NUTS, the mean over the tree), which is an
// unbiased estimate of the acceptance rate.
type Stats struct {
	Transitions int64   // chain-steps taken (one per chain per Step)
	AcceptSum   float64 // sum of per-transition acceptance probabilities
	Accepted    int64   // transitions that moved (accepted proposals)
	Divergences int64   // non-finite or exploding energy errors
	EnergyEvals int64   // points at which E alone was evaluated
	GradEvals   int64   // points at which E and ∇E were evaluated
	TreeDepth   int64   // NUTS: sum of tree depths
	Leapfrogs   int64   // leapfrog steps taken (HMC, NUTS)
}

// Add accumulates o into s.
func (s *Stats) Add(o Stats) {
	s.Transitions += o.Transitions
	s.AcceptSum += o.AcceptSum
	s.Accepted += o.Accepted
	s.Divergences += o.Divergences
	s.EnergyEvals += o.EnergyEvals
	s.GradEvals += o.GradEvals
	s.TreeDepth += o.TreeDepth
	s.Leapfrogs += o.Leapfrogs
}

// Sub returns s − o (counters accumulated since snapshot o).
func (s Stats) Sub(o Stats) Stats {
	return Stats{s.Transitions - o.Transitions, s.AcceptSum - o.AcceptSum, s.Accepted - o.Accepted,
		s.Divergences - o.Divergences, s.EnergyEvals - o.EnergyEvals, s.GradEvals - o.GradEvals,
		s.TreeDepth - o.TreeDepth, s.Leapfrogs - o.Leapfrogs}
}

// AcceptanceRate is the mean acceptance probability, or NaN before any transition.
func (s Stats) AcceptanceRate() float64 {
	if s.Transitions == 0 {
		return math.NaN()
	}
	return s.AcceptSum / float64(s.Transitions)
}

// Iter tells a kernel where the run is. Warmup iterations are 0 … Warmup−1.
type Iter struct {
	I      int // iteration index, counting warmup
	Warmup int // number of warmup iterations
	Total  int // warmup + post-warmup iterations
}

// IsWarmup reports whether this iteration adapts.
func (it Iter) IsWarmup() bool { return it.I < it.Warmup }

// Sampler is a configured MCMC method: a value decoded from its TOML table.
// It holds no per-chain state, so one Sampler can start any number of shards.
type Sampler interface {
	// Start prepares a shard: c.X holds the initial positions; Start fills
	// c.E (and c.Grad for gradient-based samplers) and returns the Kernel
	// holding this shard's per-chain state.
	Start(c *Chains) (Kernel, error)
}

// Kernel advances every chain of its shard by one transition.
type Kernel interface {
	Step(c *Chains, it Iter)
}

// DrawStats are the statistics of one chain's last transition, as Stan
// and ArviZ name them per draw. A field that does not apply to a sampler is
// NaN.
type DrawStats struct {
	Accept    float64 // acceptance probability (NUTS: mean over the tree's leaves; ULA: 1, or 0 when diverged)
	Diverged  bool    // the transition diverged (non-finite, or an energy error above 1000)
	StepSize  float64 // step size used (MH: proposal scale; MALA, ULA: η)
	TreeDepth float64 // NUTS: completed doublings
	Steps     float64 // HMC, NUTS: leapfrog steps taken
	Energy    float64 // HMC, NUTS: the Hamiltonian E(x) + ½pᵀM⁻¹p at the state kept
}

// A Recorder is a Kernel that reports the statistics of each chain's last
// transition. Record writes those of chain i of c (the shard the kernel
// last stepped) into st[i], len(st) = c.N; it reads what Step left behind
// and must neither draw random numbers nor change any state, so that a run
// gives the same draws whether or not it records. The driver calls it
// after the steps whose draws it keeps, when Options.Stats is set.
type Recorder interface {
	Kernel
	Record(c *Chains, st []DrawStats)
}

// An Adapted kernel reports the tuning its warmup settled on. Adapted
// returns each chain's step size (N values: MH's proposal scale, MALA's η,
// HMC's and NUTS's ε) and, for kernels with a mass matrix, each chain's
// diagonal inverse metric (N×Dim, row i chain i's; nil otherwise). The
// slices may be the kernel's own: the caller copies them.
type Adapted interface {
	Kernel
	Adapted() (stepSize, invMetric []float64)
}

// Registry holds every registered sampler.
var Registry = registry.New[Sampler]("sampler")

// Register makes a sampler available by name. factory returns a fresh value
// with its defaults set; Register panics on an empty or taken name.
func Register(name string, factory func() Sampler) { Registry.Register(name, factory) }

// New returns a fresh sampler of the named type with its defaults.
func New(name string) (Sampler, error) { return Registry.New(name) }

// Names lists the registered samplers, sorted.
func Names() []string { return Registry.Names() }

// FromTable builds a sampler from a TOML table (type plus keys), strictly.
func FromTable(table map[string]any) (Sampler, error) { return Registry.FromTable(table) }
