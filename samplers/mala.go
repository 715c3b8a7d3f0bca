package samplers

import (
	"fmt"
	"github.com/goebm/ebm/rng"
	"math"

	"github.com/goebm/ebm/simd"
)

// MALA is the Metropolis-adjusted Langevin algorithm: the ULA proposal
// x′ = x − η∇E(x) + √(2η)ξ, accepted with probability min(1, α),
//
//	log α = E(x) − E(x′) + log q(x|x′) − log q(x′|x),
//	log q(a|b) = −‖a − b + η∇E(b)‖² / (4η),
//
// so the chain targets exp(−E) exactly (Roberts & Tweedie 1996,
// "Exponential convergence of Langevin distributions and their discrete
// approximations"). During warmup (when Adapt is set)
// each chain tunes its own η by dual averaging toward TargetAccept; η is
// frozen at the averaged value when warmup ends.
//
// Bounds [lo, hi], when set, restrict the target to the box [lo, hi]^d:
// a proposal with any coordinate outside it is rejected (its acceptance
// probability is 0, as the truncated target's density is 0 there), so MALA
// stays exact for exp(−E) restricted to the box. It is not clamped: a
// clamped proposal would no longer be the Gaussian q(x′|x) the acceptance
// ratio assumes. The start is clamped into the box once. A rejection
// counts as an ordinary rejection (acceptance 0), not a divergence.
type MALA struct {
	StepSize     float64   `toml:"step_size" doc:"initial step η of the Langevin proposal (the final one when adapt = false)"`
	TargetAccept float64   `toml:"target_accept" doc:"acceptance probability the warmup adapts the step toward, in (0, 1)"`
	Adapt        bool      `toml:"adapt" doc:"adapt the step of each chain during warmup (frozen afterwards)"`
	Bounds       []float64 `toml:"bounds" doc:"[lo, hi], optional: the target is restricted to the box [lo, hi]^d; a proposal outside it\nis rejected (not clamped), which keeps MALA exact for exp(-E) on the box; the start is clamped into it;\nlo < hi, both finite"`

	frozen []bool // coordinates held fixed (Freeze); nil: none
}

func init() { Register("mala", func() Sampler { return NewMALA() }) }

// NewMALA returns a MALA sampler with its defaults: step_size 0.1,
// target_accept 0.574, adapt true.
func NewMALA() *MALA { return &MALA{StepSize: 0.1, TargetAccept: 0.574, Adapt: true} }

// Description is the one-line summary shown by `ebmrun list`.
func (m *MALA) Description() string {
	return "Metropolis-adjusted Langevin algorithm, step adapted per chain"
}

// Validate checks the keys.
func (m *MALA) Validate() error {
	if err := checkStep(m.StepSize); err != nil {
		return err
	}
	if err := checkTarget(m.TargetAccept); err != nil {
		return err
	}
	return checkBounds(m.Bounds)
}

// Start computes the initial energies and gradients and returns the kernel.
func (m *MALA) Start(c *Chains) (Kernel, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("samplers: mala: %w", err)
	}
	fz, err := newFrozenSet(m.frozen, c.Dim)
	if err != nil {
		return nil, fmt.Errorf("samplers: mala: %w", err)
	}
	bx := boxOf(m.Bounds)
	fz.clampStart(bx, c.X, c.Dim)
	c.EvalGradient(c.E, c.Grad, c.X)
	if err := checkStartRows(c, true); err != nil {
		return nil, err
	}
	k := &malaKernel{box: bx, fz: fz, adapt: m.Adapt, eta: make([]float64, c.N), prop: make([]float64, c.N*c.Dim), xi: make([]float64, c.N*c.Dim), a: make([]float64, c.N), b: make([]float64, c.N),
		eProp: make([]float64, c.N), gProp: make([]float64, c.N*c.Dim), logA: make([]float64, c.N), acc: make([]float64, c.N)}
	for i := range k.eta {
		k.eta[i] = m.StepSize
	}
	if m.Adapt {
		k.da = make([]DualAveraging, c.N)
		for i := range k.da {
			k.da[i] = NewDualAveraging(m.StepSize, m.TargetAccept)
		}
	}
	return k, nil
}

// malaKernel holds one shard's per-chain state and scratch.
type malaKernel struct {
	box           box       // bounds: a proposal outside them is rejected
	fz            frozenSet // coordinates that keep their values
	adapt, frozen bool
	eta           []float64       // per-chain step
	da            []DualAveraging // per-chain adaptation (nil when !adapt)
	prop, gProp   []float64       // N×d proposals and their gradients
	xi            []float64       // N×d standard normal noise
	a, b          []float64       // per-chain −η and √(2η) for the fused update
	abReady       bool            // a and b are those of the current η
	eProp         []float64
	logA, acc     []float64 // per-chain log α (NaN when divergent) and min(1, α)
}

// Step proposes for every chain, evaluates energies and gradients of the
// whole batch once, and accepts or rejects each chain: the acceptance
// probabilities min(1, α) of the whole shard go through one simd.Exp, and
// chain i moves when log α ≥ 0 or 1 − U < α. Chain i draws, in order, d
// normals for ξ and one uniform U for the accept test.
func (k *malaKernel) Step(c *Chains, it Iter) {
	d := c.Dim
	warm := k.adapt && it.IsWarmup()
	if k.adapt && !warm && !k.frozen {
		for i := range k.eta {
			k.eta[i] = k.da[i].Final()
		}
		k.frozen = true
		k.abReady = false
	}
	if warm || !k.abReady { // the steps changed (or this is the first step)
		for i, eta := range k.eta {
			k.a[i], k.b[i] = -eta, math.Sqrt(2*eta)
		}
		k.abReady = !warm
	}
	rng.FillNormRows(c.Rng, k.xi, d) // row i from c.Rng[i], as FillNorm
	// prop = x − η_i∇E(x) + √(2η_i)ξ for the whole shard in one fused SIMD pass.
	copy(k.prop, c.X)
	simd.LangevinRows(k.prop, c.Grad, k.xi, k.a, k.b, d)
	k.fz.restore(k.prop, c.X, d)
	c.EvalGradient(k.eProp, k.gProp, k.prop)
	for i := 0; i < c.N; i++ {
		lo, hi := i*d, (i+1)*d
		logA := math.NaN()
		if !k.fz.contains(k.box, k.prop[lo:hi]) {
			logA = math.Inf(-1) // outside the box: the target's density is 0
		} else if Finite(k.eProp[i]) && RowFinite(k.gProp, i, d) {
			eta := k.eta[i]
			x, xp := c.X[lo:hi], k.prop[lo:hi]
			logA = c.E[i] - k.eProp[i] +
				(k.fz.langevinSqDist(xp, x, c.Grad[lo:hi], eta)-k.fz.langevinSqDist(x, xp, k.gProp[lo:hi], eta))/(4*eta)
		}
		k.logA[i] = logA
		k.acc[i] = min(logA, 0) // NaN stays NaN
	}
	simd.Exp(k.acc, k.acc)
	for i := 0; i < c.N; i++ {
		lo, hi := i*d, (i+1)*d
		u := c.Rng[i].Float64()
		acc, logA := k.acc[i], k.logA[i]
		if math.IsNaN(logA) {
			acc = 0
			c.Stats.Divergences++
		} else {
			// 1 − u is uniform on (0, 1], so P(1 − u < α) = α.
			if logA >= 0 || 1-u < acc {
				for j := lo; j < hi; j++ { // rows are short: no memmove call
					c.X[j], c.Grad[j] = k.prop[j], k.gProp[j]
				}
				c.E[i] = k.eProp[i]
				c.Stats.Accepted++
			}
		}
		c.Stats.AcceptSum += acc
		if warm {
			k.eta[i] = k.da[i].Update(acc)
		}
	}
	c.Stats.Transitions += int64(c.N)
}

// langevinSqDist returns ‖a − b + η·gb‖² for one row: −4η log q(a|b), where
// gb = ∇E(b).
func langevinSqDist(a, b, gb []float64, eta float64) float64 {
	b, gb = b[:len(a)], gb[:len(a)]
	s := 0.0
	for j, v := range a {
		r := v - b[j] + eta*gb[j]
		s += r * r
	}
	return s
}

// Adapted returns each chain's step η.
func (k *malaKernel) Adapted() (stepSize, invMetric []float64) { return k.eta, nil }

// Record reports each chain's last transition: min(1, α) (0 when the
// proposal diverged) and the step η.
func (k *malaKernel) Record(c *Chains, st []DrawStats) {
	for i := range st[:c.N] {
		div := math.IsNaN(k.logA[i])
		acc := k.acc[i]
		if div {
			acc = 0
		}
		st[i] = DrawStats{Accept: acc, Diverged: div, StepSize: k.eta[i],
			TreeDepth: math.NaN(), Steps: math.NaN(), Energy: math.NaN()}
	}
}

var (
	_ Sampler  = (*MALA)(nil)
	_ Recorder = (*malaKernel)(nil)
)
