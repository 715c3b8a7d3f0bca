package samplers

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/rng"
)

// HMC is Hamiltonian Monte Carlo (Neal 2011, "MCMC using Hamiltonian
// dynamics", Handbook of Markov Chain Monte Carlo) with a diagonal mass
// matrix M and a static number of leapfrog steps. With p ~ N(0, M) and H = E(x) + ½pᵀM⁻¹p, each
// transition runs L leapfrog steps
//
//	p −= (ε/2)∇E(x);  x += ε M⁻¹p;  p −= (ε/2)∇E(x)
//
// and accepts the end point with probability min(1, exp(H − H′)). An energy
// error H′ − H above 1000, or a non-finite energy, gradient or position, is a
// divergence: the chain stops integrating, the proposal is rejected and the
// divergence is counted.
//
// With Jitter set, each chain draws its own L uniformly from
// 1 … LeapfrogSteps at every transition, which breaks the periodic orbits a
// fixed L can fall into.
//
// When Adapt is set, the warmup tunes each chain's ε by dual averaging toward
// TargetAccept and its inverse mass diagonal by Stan's windowed variance
// estimates (see Adapter, which NUTS shares); ε starts from a Stan-like search (double or
// halve until the one-step acceptance crosses 0.8) at the first warmup
// iteration and after every window, and is frozen at its averaged value when
// warmup ends. Without Adapt, ε = StepSize and M = I throughout.
//
// Chain i draws from c.Rng[i], per transition and in order: d normals for the
// momentum, one integer for L (only with Jitter), one uniform for the accept
// test. The step-size search draws d normals per trial.
type HMC struct {
	StepSize      float64 `toml:"step_size" doc:"leapfrog step ε: the starting point of the adaptation, or the step used throughout when adapt = false"`
	LeapfrogSteps int     `toml:"leapfrog_steps" doc:"leapfrog steps per transition (the maximum when jitter = true)"`
	Jitter        bool    `toml:"jitter" doc:"draw each chain's number of steps uniformly from 1…leapfrog_steps at every transition"`
	TargetAccept  float64 `toml:"target_accept" doc:"mean acceptance probability the warmup adapts ε toward, in (0, 1)"`
	Adapt         bool    `toml:"adapt" doc:"adapt ε and a diagonal inverse mass per chain during warmup (Stan's windows), frozen afterwards"`

	frozen []bool // coordinates held fixed (Freeze); nil: none
}

func init() { Register("hmc", func() Sampler { return NewHMC() }) }

// NewHMC returns an HMC sampler with its defaults: step_size 0.1,
// leapfrog_steps 16, jitter false, target_accept 0.8, adapt true.
func NewHMC() *HMC {
	return &HMC{StepSize: 0.1, LeapfrogSteps: 16, TargetAccept: 0.8, Adapt: true}
}

// Description is the one-line summary shown by `ebmrun list`.
func (h *HMC) Description() string {
	return "Hamiltonian Monte Carlo, static path length, step size and diagonal mass adapted per chain"
}

// Validate checks the keys.
func (h *HMC) Validate() error {
	if err := checkStep(h.StepSize); err != nil {
		return err
	}
	if h.LeapfrogSteps < 1 || h.LeapfrogSteps > 1<<20 {
		return fmt.Errorf("leapfrog_steps must be in 1…%d, got %d", 1<<20, h.LeapfrogSteps)
	}
	return checkTarget(h.TargetAccept)
}

// Start computes the initial energies and gradients and returns the kernel
// holding this shard's per-chain state and scratch.
func (h *HMC) Start(c *Chains) (Kernel, error) {
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("samplers: hmc: %w", err)
	}
	fz, err := newFrozenSet(h.frozen, c.Dim)
	if err != nil {
		return nil, fmt.Errorf("samplers: hmc: %w", err)
	}
	if fz.any() {
		c.Energy = maskedGradient{c.Energy, fz}
	}
	c.EvalGradient(c.E, c.Grad, c.X)
	if err := checkStartRows(c, true); err != nil {
		return nil, fmt.Errorf("samplers: hmc: %w", err)
	}
	n, d := c.N, c.Dim
	k := &hmcKernel{
		steps: h.LeapfrogSteps, jitter: h.Jitter, fz: fz,
		ad: NewAdapter(n, d, h.StepSize, h.TargetAccept, h.Adapt),
		lf: NewLeapfrog(n, d),
		x:  make([]float64, n*d), p: make([]float64, n*d), g: make([]float64, n*d),
		e: make([]float64, n), h0: make([]float64, n), acc: make([]float64, n),
		len: make([]int, n), dead: make([]bool, n), h: make([]float64, n),
		kin: make([]float64, n), all: make([]int, n),
	}
	for i := range k.all {
		k.all[i] = i
	}
	return k, nil
}

// hmcKernel is one shard's HMC state, one entry per chain.
type hmcKernel struct {
	steps  int
	jitter bool
	fz     frozenSet // coordinates that keep their values (no momentum, no gradient)
	ad     *Adapter
	lf     *Leapfrog
	x, p   []float64 // N×d trajectory positions and momenta
	g      []float64 // N×d gradients along the trajectory
	e      []float64 // energies along the trajectory
	h0     []float64 // H at the start of the transition
	acc    []float64 // acceptance probability of the last transition
	len    []int     // leapfrog steps of this transition
	dead   []bool    // diverged during this transition
	h      []float64 // H at the state kept by the last transition
	kin    []float64 // kinetic energy at the trajectory's last point
	all    []int     // 0 … N−1: the rows while every chain integrates
}

// Step advances every chain by one HMC transition; each leapfrog step is a
// single gradient evaluation over the chains still integrating.
func (k *hmcKernel) Step(c *Chains, it Iter) {
	a := k.ad
	a.Begin(c, it)
	n, d := c.N, c.Dim
	lmax := 0
	// The momenta: drawMomentum for every chain, the normals of all rows
	// drawn first (each stream's draws keep their order).
	rng.FillNormRows(c.Rng, k.p, d)
	for j, m := range a.InvM[:n*d] {
		k.p[j] /= math.Sqrt(m)
	}
	k.fz.zero(k.p[:n*d], d)
	for i := 0; i < n; i++ {
		lo, hi := i*d, (i+1)*d
		p := k.p[lo:hi]
		k.len[i] = k.steps
		if k.jitter {
			k.len[i] = 1 + c.Rng[i].IntN(k.steps)
		}
		lmax = max(lmax, k.len[i])
		copy(k.x[lo:hi], c.X[lo:hi])
		copy(k.g[lo:hi], c.Grad[lo:hi])
		k.e[i] = c.E[i]
		k.h0[i] = c.E[i] + kinetic(p, a.InvM[lo:hi])
		k.dead[i] = false
	}
	// While no chain has diverged and none stops early (no jitter), every
	// chain steps: no row list to build.
	everyone := !k.jitter
	for s := 0; s < lmax; s++ {
		rows := k.all
		if !everyone {
			rows = k.lf.Rows()
			for i := 0; i < n; i++ {
				if !k.dead[i] && s < k.len[i] {
					rows = append(rows, i)
				}
			}
			if len(rows) == 0 {
				break
			}
		}
		if everyone && d < hmcFusedBelow {
			if !k.stepAll(c, s) {
				everyone = false
			}
			continue
		}
		k.lf.Step(c, rows, k.x, k.p, k.g, k.e, a.InvM, a.Eps)
		c.Stats.Leapfrogs += int64(len(rows))
		for _, i := range rows {
			if !k.check(i, d, a.InvM) {
				k.dead[i] = true
				k.len[i] = s + 1 // the steps taken
				c.Stats.Divergences++
				everyone = false
			}
		}
	}
	k.fz.restore(k.x[:n*d], c.X, d) // x + ε·0 is x but for −0
	for i := 0; i < n; i++ {
		lo, hi := i*d, (i+1)*d
		acc, kin := 0.0, 0.0
		if !k.dead[i] {
			kin = k.kin[i] // kinetic(k.p[lo:hi], a.InvM[lo:hi]) at the last step
			acc = min(1, math.Exp(k.h0[i]-k.e[i]-kin))
		}
		k.acc[i] = acc
		k.h[i] = k.h0[i]
		c.Stats.Transitions++
		c.Stats.AcceptSum += acc
		if c.Rng[i].Float64() < acc {
			copy(c.X[lo:hi], k.x[lo:hi])
			copy(c.Grad[lo:hi], k.g[lo:hi])
			c.E[i] = k.e[i]
			c.Stats.Accepted++
			k.h[i] = k.e[i] + kin
		}
	}
	a.End(c, it, k.acc)
}

// Adapted returns each chain's step size and diagonal inverse metric.
func (k *hmcKernel) Adapted() (stepSize, invMetric []float64) { return k.ad.Eps, k.ad.InvM }

// Record reports each chain's last transition: acceptance probability,
// divergence, step size, leapfrog steps taken and the Hamiltonian of the
// state kept (the proposal's when accepted, the start's otherwise, as Stan's
// energy__).
func (k *hmcKernel) Record(c *Chains, st []DrawStats) {
	for i := range st[:c.N] {
		st[i] = DrawStats{Accept: k.acc[i], Diverged: k.dead[i], StepSize: k.ad.Eps[i],
			TreeDepth: math.NaN(), Steps: float64(k.len[i]), Energy: k.h[i]}
	}
}

// maxEnergyError is the energy error H′ − H beyond which a trajectory is
// declared divergent.
const maxEnergyError = 1000

// fusedBelow is the row length below which hmc takes a leapfrog step of
// every chain with stepAll, and Leapfrog.Step with stepShort, rather than
// through the simd row kernels: those run the same reference loops on rows
// shorter than 8 values, one kernel per update and row.
const fusedBelow = 8

// hmcFusedBelow is the row length below which hmc's steps of every chain
// go through stepAll. Above fusedBelow the simd kernels run assembly, but
// up to here stepAll's two passes (the check folded into the second) cost
// less than the kernels' three calls per row and the separate check:
// measured at d = 10 (BenchmarkBookkeeping), 0.77× the time per transition.
const hmcFusedBelow = 16

// stepAll is Leapfrog.Step over every chain (step s of the transition)
// followed by check on every row, in two passes over the rows instead of
// five: p −= (ε/2)g and x += ε M⁻¹p in one, the gradient, then
// p −= (ε/2)g with the row's check in the other. Each value goes through
// the expressions of the simd reference kernels (MomentumRows,
// PositionRows), so the bits are Leapfrog.Step's. A diverged chain is
// marked as in Step; stepAll reports whether none diverged.
func (k *hmcKernel) stepAll(c *Chains, s int) bool {
	n, d := c.N, c.Dim
	eps, invM := k.ad.Eps[:n], k.ad.InvM[:n*d]
	x, p, g := k.x[:n*d], k.p[:n*d], k.g[:n*d]
	for i, e := range eps {
		nh := -(0.5 * e)
		for j := i * d; j < (i+1)*d; j++ {
			p[j] += float64(nh * g[j])
			x[j] += float64(e * float64(invM[j]*p[j]))
		}
	}
	c.EvalGradient(k.e[:n], g, x)
	c.Stats.Leapfrogs += int64(n)
	ok := true
	for i, e := range eps {
		nh := -(0.5 * e)
		sum, z := 0.0, 0.0
		for j := i * d; j < (i+1)*d; j++ {
			p[j] += float64(nh * g[j])
			v := p[j]
			sum += invM[j] * v * v
			z += x[j] * 0
			z += g[j] * 0
		}
		kin := 0.5 * sum
		k.kin[i] = kin
		if h := k.e[i] + kin; !(h-k.h0[i] <= maxEnergyError && z == 0) {
			k.dead[i] = true
			k.len[i] = s + 1
			c.Stats.Divergences++
			ok = false
		}
	}
	return ok
}

// check reports whether row i of the trajectory is sound: a finite
// position and gradient and an energy error H − h0 of at most
// maxEnergyError (a non-finite H counts as divergent). One pass over the
// row; it keeps the row's kinetic energy in k.kin[i].
func (k *hmcKernel) check(i, d int, invM []float64) bool {
	lo := i * d
	x, p, g, m := k.x[lo:lo+d], k.p[lo:lo+d], k.g[lo:lo+d], invM[lo:lo+d]
	s, z := 0.0, 0.0
	for j, v := range p {
		s += m[j] * v * v
		z += x[j] * 0
		z += g[j] * 0
	}
	kin := 0.5 * s
	k.kin[i] = kin
	h := k.e[i] + kin
	return h-k.h0[i] <= maxEnergyError && z == 0
}
