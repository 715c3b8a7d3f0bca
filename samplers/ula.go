package samplers

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// ULA is the unadjusted Langevin algorithm,
//
//	x′ = x − η∇E(x) + √(2η) ξ,  ξ ~ N(0, I),
//
// the Euler–Maruyama step of the Langevin diffusion whose stationary density
// is exp(−E). There is no accept step, so the chain targets exp(−E) only up
// to an O(η) bias (Roberts & Tweedie 1996, "Exponential convergence of
// Langevin distributions and their discrete approximations"). A step ε²
// with noise ε, as sometimes written, targets exp(−2E); this is the form
// that targets exp(−E).
//
// NoiseStd > 0 replaces √(2η) by that value, decoupling the noise from the
// step as EBM training papers do (e.g. η = 10, noise 0.005). The chain then
// targets approximately exp(−2ηE/NoiseStd²), not exp(−E): use it for
// short-run sampling in training, not to estimate expectations under E.
//
// ClipValue > 0 clamps every coordinate of ∇E to ±ClipValue before the
// step (Du & Mordatch 2019): the chain then follows the clipped drift,
// which is the gradient of a Huber-like energy that agrees with E where no
// coordinate is clipped.
type ULA struct {
	StepSize float64   `toml:"step_size" doc:"step η of x' = x - η∇E(x) + sqrt(2η)ξ"`
	NoiseStd float64   `toml:"noise_std" doc:"noise standard deviation; 0 means the exact sqrt(2η). A positive value decouples it\n(as EBM training papers do) and the chain then targets exp(-2ηE/noise_std²), not exp(-E)"`
	Bounds   []float64 `toml:"bounds" doc:"[lo, hi], optional: every coordinate is clamped to [lo, hi] after each step (and the start),\nas Du & Mordatch clamp to the data range, e.g. [0.0, 1.0] for images; lo < hi, both finite"`
	// ClipValue is Du & Mordatch's elementwise clip (clip_grad_value).
	ClipValue float64 `toml:"clip_grad_value" doc:"if > 0, every coordinate of ∇ₓE is clamped to [-clip_grad_value, clip_grad_value] before the step\n(Du & Mordatch 2019 use 0.01 with step_size 10 on [0, 1] images), so no pixel moves more than\nstep_size·clip_grad_value plus noise per step; 0 = off"`

	frozen []bool // coordinates held fixed (Freeze); nil: none
}

func init() { Register("ula", func() Sampler { return NewULA() }) }

// NewULA returns a ULA sampler with its defaults: step_size 0.01, noise_std 0.
func NewULA() *ULA { return &ULA{StepSize: 0.01} }

// Description is the one-line summary shown by `ebmrun list`.
func (u *ULA) Description() string {
	return "unadjusted Langevin algorithm (no accept step; O(step_size) bias)"
}

// Provision warns when noise_std decouples the noise from the step: the
// chain then samples a tempered density, which a user reading samples as
// draws from exp(−E) should know.
func (u *ULA) Provision(ctx registry.Context) error {
	if u.NoiseStd > 0 && !math.IsInf(u.NoiseStd, 0) && u.StepSize > 0 {
		t := u.NoiseStd * u.NoiseStd / (2 * u.StepSize)
		ctx.Warnf("noise_std = %g with step_size = %g: the chain targets about exp(−E/T) with T = noise_std²/(2·step_size) = %.3g, not exp(−E) (noise_std = 0 gives the exact √(2·step_size))", u.NoiseStd, u.StepSize, t)
	}
	return nil
}

// Validate checks the keys.
func (u *ULA) Validate() error {
	if err := checkStep(u.StepSize); err != nil {
		return err
	}
	if !(u.NoiseStd >= 0) || math.IsInf(u.NoiseStd, 0) {
		return fmt.Errorf("noise_std must be ≥ 0 and finite (0 means sqrt(2*step_size)), got %v", u.NoiseStd)
	}
	if err := checkClipValue(u.ClipValue); err != nil {
		return err
	}
	return checkBounds(u.Bounds)
}

// checkBounds validates a bounds key: absent, or [lo, hi] with lo < hi,
// both finite.
func checkBounds(b []float64) error {
	if b == nil {
		return nil
	}
	if len(b) != 2 {
		return fmt.Errorf("bounds must be [lo, hi] (two numbers), got %d values", len(b))
	}
	lo, hi := b[0], b[1]
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(lo < hi) {
		return fmt.Errorf("bounds must be [lo, hi] with lo < hi, both finite, got [%v, %v]", lo, hi)
	}
	return nil
}

// box is a bounds key in a kernel: on is false when there are none.
type box struct {
	on     bool
	lo, hi float64
}

func boxOf(b []float64) box {
	if b == nil {
		return box{}
	}
	return box{true, b[0], b[1]}
}

// clamp clamps every value of x to [lo, hi] (nothing when off). A NaN
// stays NaN, so a diverged proposal still counts as one.
func (b box) clamp(x []float64) {
	if !b.on {
		return
	}
	for i, v := range x {
		if v < b.lo {
			x[i] = b.lo
		} else if v > b.hi {
			x[i] = b.hi
		}
	}
}

// contains reports whether every value of x lies in [lo, hi] (true when off).
func (b box) contains(x []float64) bool {
	if !b.on {
		return true
	}
	for _, v := range x {
		if !(v >= b.lo && v <= b.hi) {
			return false
		}
	}
	return true
}

// checkStep validates a step_size key.
func checkStep(s float64) error {
	if !(s > 0) || math.IsInf(s, 0) {
		return fmt.Errorf("step_size must be > 0 and finite, got %v", s)
	}
	return nil
}

// Start computes the initial energies and gradients and returns the kernel.
func (u *ULA) Start(c *Chains) (Kernel, error) {
	if err := u.Validate(); err != nil {
		return nil, fmt.Errorf("samplers: ula: %w", err)
	}
	fz, err := newFrozenSet(u.frozen, c.Dim)
	if err != nil {
		return nil, fmt.Errorf("samplers: ula: %w", err)
	}
	withClipValue(c, u.ClipValue)
	bx := boxOf(u.Bounds)
	fz.clampStart(bx, c.X, c.Dim)
	c.EvalGradient(c.E, c.Grad, c.X)
	if err := checkStartRows(c, true); err != nil {
		return nil, err
	}
	noise := u.NoiseStd
	if noise == 0 {
		noise = math.Sqrt(2 * u.StepSize)
	}
	return &ulaKernel{box: bx, fz: fz, eta: u.StepSize, noise: noise, proposals: newProposals(c), xi: make([]float64, c.N*c.Dim)}, nil
}

// ulaKernel holds one shard's scratch; ULA has no per-chain adaptation.
type ulaKernel struct {
	box        box       // bounds: the proposal is clamped to them
	fz         frozenSet // coordinates that keep their values
	eta, noise float64
	proposals
	xi []float64 // N×d standard normal noise
}

// Step moves every chain by one Langevin step; chain i draws d normals from
// c.Rng[i]. A chain whose new energy or gradient is not finite keeps its
// state and counts a divergence.
func (k *ulaKernel) Step(c *Chains, _ Iter) {
	d := c.Dim
	rng.FillNormRows(c.Rng, k.xi, d) // row i from c.Rng[i], as FillNorm
	// prop = x − η∇E(x) + σξ for the whole shard in one fused SIMD pass.
	simd.LangevinTo(k.prop, c.X, c.Grad, k.xi, -k.eta, k.noise)
	k.box.clamp(k.prop)
	k.fz.restore(k.prop, c.X, d)
	c.EvalGradient(k.eProp, k.gProp, k.prop)
	k.take(c)
}

// Record reports each chain's last step: diverged when the proposal's
// energy or gradient was not finite (the chain stayed), accepted otherwise.
func (k *ulaKernel) Record(c *Chains, st []DrawStats) { k.record(c, st, k.eta) }

var (
	_ Sampler              = (*ULA)(nil)
	_ registry.Provisioner = (*ULA)(nil)
	_ Recorder             = (*ulaKernel)(nil)
)

// proposals holds an unadjusted Langevin kernel's proposals: N×d
// positions, their energies and gradients.
type proposals struct {
	prop, gProp []float64
	eProp       []float64
	// all: at the last step every chain took its proposal, by exchanging
	// the buffers with c.X, c.Grad and c.E, which hold the proposals now
	// (the buffers hold the states before).
	all bool
}

func newProposals(c *Chains) proposals {
	return proposals{prop: make([]float64, c.N*c.Dim), eProp: make([]float64, c.N), gProp: make([]float64, c.N*c.Dim)}
}

// take moves each chain of c to its proposal, except a chain whose
// proposed energy or gradient is not finite: it keeps its state and counts
// a divergence. When every chain moves (the common case) the proposal
// buffers and c's are exchanged instead of copied.
func (k *proposals) take(c *Chains) {
	if simd.AllFinite(k.eProp) && simd.AllFinite(k.gProp) {
		c.X, k.prop = k.prop, c.X
		c.Grad, k.gProp = k.gProp, c.Grad
		c.E, k.eProp = k.eProp, c.E
		k.all = true
		c.Stats.Accepted += int64(c.N)
		c.Stats.AcceptSum += float64(c.N)
		c.Stats.Transitions += int64(c.N)
		return
	}
	k.all = false
	d := c.Dim
	for i := 0; i < c.N; i++ {
		lo, hi := i*d, (i+1)*d
		if !Finite(k.eProp[i]) || !RowFinite(k.gProp, i, d) {
			c.Stats.Divergences++
			continue
		}
		copy(c.X[lo:hi], k.prop[lo:hi])
		copy(c.Grad[lo:hi], k.gProp[lo:hi])
		c.E[i] = k.eProp[i]
		c.Stats.Accepted++
		c.Stats.AcceptSum++
	}
	c.Stats.Transitions += int64(c.N)
}

// record is Record of an unadjusted Langevin kernel whose last step had
// step size eta: a chain diverged when its proposal's energy or gradient
// was not finite (it stayed), and was accepted otherwise.
func (k *proposals) record(c *Chains, st []DrawStats, eta float64) {
	for i := range st[:c.N] {
		div := !k.all && (!Finite(k.eProp[i]) || !RowFinite(k.gProp, i, c.Dim))
		acc := 1.0
		if div {
			acc = 0
		}
		st[i] = DrawStats{Accept: acc, Diverged: div, StepSize: eta,
			TreeDepth: math.NaN(), Steps: math.NaN(), Energy: math.NaN()}
	}
}
