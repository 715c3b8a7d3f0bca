package samplers

import (
	"fmt"
	"github.com/goebm/ebm/rng"
	"math"

	"github.com/goebm/ebm/registry"
)

// MH is random-walk Metropolis–Hastings with an isotropic Gaussian proposal
// x′ = x + scale·ξ, ξ ~ N(0, I), accepted with probability
// min(1, exp(E(x) − E(x′))). During warmup (when Adapt is set) each chain
// tunes its own log(scale) by dual averaging toward TargetAccept; the scale
// is frozen at the averaged value when warmup ends.
type MH struct {
	Scale        float64 `toml:"scale" doc:"proposal standard deviation; 0 picks 2.38/sqrt(dim), optimal for a standard normal target (the resolved config records that value)"`
	TargetAccept float64 `toml:"target_accept" doc:"acceptance probability the warmup adapts the scale toward, in (0, 1)"`
	Adapt        bool    `toml:"adapt" doc:"adapt the scale of each chain during warmup (frozen afterwards)"`
}

func init() { Register("mh", func() Sampler { return NewMH() }) }

// NewMH returns an MH sampler with its defaults: scale 0 (2.38/√dim),
// target_accept 0.234, adapt true.
func NewMH() *MH { return &MH{TargetAccept: 0.234, Adapt: true} }

// Description is the one-line summary shown by `ebmrun list`.
func (m *MH) Description() string {
	return "random-walk Metropolis–Hastings with a Gaussian proposal, scale adapted per chain"
}

// Provision replaces an absent scale (0) by the value it stands for,
// 2.38/√dim, once the dimension is known (from the energy or the data),
// so that the resolved config records the scale used. Start computes the
// same value the same way when it is still 0, so both give the same bits.
func (m *MH) Provision(ctx registry.Context) error {
	if d := ctx.Dim(); m.Scale == 0 && d > 0 {
		m.Scale = defaultMHScale(d)
	}
	return nil
}

// defaultMHScale is the proposal scale that scale = 0 stands for.
func defaultMHScale(dim int) float64 { return 2.38 / math.Sqrt(float64(dim)) }

// Validate checks the keys.
func (m *MH) Validate() error {
	if !(m.Scale >= 0) || math.IsInf(m.Scale, 0) {
		return fmt.Errorf("scale must be ≥ 0 and finite (0 picks 2.38/sqrt(dim)), got %v", m.Scale)
	}
	return checkTarget(m.TargetAccept)
}

// checkTarget validates a target_accept key.
func checkTarget(t float64) error {
	if !(t > 0 && t < 1) {
		return fmt.Errorf("target_accept must be in (0, 1), got %v", t)
	}
	return nil
}

// Start computes the initial energies and returns the shard's kernel.
func (m *MH) Start(c *Chains) (Kernel, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("samplers: mh: %w", err)
	}
	c.EvalEnergy(c.E, c.X)
	if err := checkStartRows(c, false); err != nil {
		return nil, err
	}
	s0 := m.Scale
	if s0 == 0 {
		s0 = defaultMHScale(c.Dim)
	}
	k := &mhKernel{adapt: m.Adapt, scale: make([]float64, c.N),
		prop: make([]float64, c.N*c.Dim), eProp: make([]float64, c.N), acc: make([]float64, c.N)}
	for i := range k.scale {
		k.scale[i] = s0
	}
	if m.Adapt {
		k.da = make([]DualAveraging, c.N)
		for i := range k.da {
			k.da[i] = NewDualAveraging(s0, m.TargetAccept)
		}
	}
	return k, nil
}

// checkStartRows returns an error naming the first chain whose initial
// energy (or gradient, when grad is set) is not finite: such a chain could
// never move in a meaningful way.
func checkStartRows(c *Chains, grad bool) error {
	for i := 0; i < c.N; i++ {
		if !Finite(c.E[i]) || (grad && !RowFinite(c.Grad, i, c.Dim)) {
			return fmt.Errorf("chain %d starts where the energy or its gradient is not finite (E = %v); start the chains inside the support", c.First+i, c.E[i])
		}
	}
	return nil
}

// mhKernel holds one shard's per-chain state and scratch.
type mhKernel struct {
	adapt  bool
	frozen bool
	scale  []float64       // per-chain proposal std
	da     []DualAveraging // per-chain adaptation (nil when !adapt)
	prop   []float64       // N×d proposals
	eProp  []float64       // E at the proposals
	acc    []float64       // acceptance probability of the last transition
}

// Step proposes for every chain, evaluates the whole batch once, and
// accepts or rejects each chain. Chain i draws, in order, d normals for ξ
// and one exponential for the accept test, all from c.Rng[i].
func (k *mhKernel) Step(c *Chains, it Iter) {
	d := c.Dim
	warm := k.adapt && it.IsWarmup()
	if k.adapt && !warm && !k.frozen {
		for i := range k.scale {
			k.scale[i] = k.da[i].Final()
		}
		k.frozen = true
	}
	rng.FillNormRows(c.Rng, k.prop, d) // row i from c.Rng[i], as FillNorm
	for i := 0; i < c.N; i++ {
		rwPropose(k.prop[i*d:(i+1)*d], c.X[i*d:(i+1)*d], k.scale[i])
	}
	c.EvalEnergy(k.eProp, k.prop)
	for i := 0; i < c.N; i++ {
		u := c.Rng[i].Exp()
		acc := 0.0
		en := k.eProp[i]
		if !Finite(en) {
			c.Stats.Divergences++
		} else {
			logA := c.E[i] - en
			acc = math.Exp(min(logA, 0))
			if logA >= 0 || u > -logA {
				copy(c.X[i*d:(i+1)*d], k.prop[i*d:(i+1)*d])
				c.E[i] = en
				c.Stats.Accepted++
			}
		}
		c.Stats.AcceptSum += acc
		k.acc[i] = acc
		if warm {
			k.scale[i] = k.da[i].Update(acc)
		}
	}
	c.Stats.Transitions += int64(c.N)
}

// Record reports each chain's last transition: its acceptance
// probability, divergence (a non-finite proposed energy) and proposal scale.
func (k *mhKernel) Record(c *Chains, st []DrawStats) {
	for i := range st[:c.N] {
		st[i] = DrawStats{Accept: k.acc[i], Diverged: !Finite(k.eProp[i]), StepSize: k.scale[i],
			TreeDepth: math.NaN(), Steps: math.NaN(), Energy: math.NaN()}
	}
}

// Adapted returns each chain's proposal scale.
func (k *mhKernel) Adapted() (stepSize, invMetric []float64) { return k.scale, nil }

// rwPropose turns dst, holding ξ on entry, into the random-walk proposal
// dst = x + s·ξ (one row).
func rwPropose(dst, x []float64, s float64) {
	x = x[:len(dst)]
	for j, z := range dst {
		dst[j] = x[j] + s*z
	}
}

var (
	_ Sampler  = (*MH)(nil)
	_ Recorder = (*mhKernel)(nil)
)
