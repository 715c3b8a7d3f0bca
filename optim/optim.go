// Package optim holds the Optimizer contract, its registry, and the
// first-order optimizers shipped with ebm: sgd (with momentum, Nesterov
// momentum and L2 weight decay) and adam (Kingma & Ba 2015, "Adam: A Method
// for Stochastic Optimization", with the decoupled weight decay of AdamW,
// Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization").
//
// An optimizer updates one flat parameter vector in place from its
// gradient. Every optimizer shares the keys of Common: gradient clipping by
// global norm, a linear warmup and a learning-rate schedule (constant,
// cosine as in SGDR, Loshchilov & Hutter 2017, "SGDR: Stochastic Gradient
// Descent with Warm Restarts", without restarts, or step decay). One Step
// clips, then computes the step's learning rate, then applies the update
// rule. State and Restore carry everything needed to continue a run
// bit-identically (the step counter and the moment vectors), for
// checkpoints.
//
// A non-finite gradient (any NaN or ±Inf component) is never applied: Step
// leaves the parameters, the moments and the step counter untouched and
// returns the non-finite gradient norm, and the caller stops the run.
package optim

import (
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/goebm/ebm/internal/team"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/simd"
)

// Optimizer updates a flat parameter vector from its gradient.
type Optimizer interface {
	// Start prepares state for n parameters; total is the planned number of
	// steps (cosine decay ends there; 0 = unknown, then cosine needs
	// decay_steps). It validates the keys and resets the step counter and
	// the moments.
	Start(n, total int) error
	// Step applies one update in place: clip grad by global norm (if
	// clip_norm > 0; grad may be modified), then the schedule's learning
	// rate, then the rule. It returns the lr used and the global gradient
	// norm before clipping. When that norm is not finite (a NaN or an
	// infinite component), Step changes nothing — not params, not the
	// moments, not the step counter — and returns the norm as it is: the
	// caller must stop the run (or skip the batch), never continue as if the
	// step was taken. len(params) and len(grad) must be n (else a panic: a
	// programming error).
	Step(params, grad []float64) (lr, gradNorm float64)
	// State returns a copy of everything needed to continue bit-identically
	// (step counter, moments).
	State() State
	// Restore replaces the state with a saved one, after Start with the same
	// n and total. It returns a clear error on wrong vector names or sizes.
	Restore(State) error
}

// State is an optimizer's resumable state: the number of steps taken and
// its named vectors (sgd: "momentum" when momentum > 0; adam: "m" and "v"),
// each of the parameter vector's length.
type State struct {
	Step    int64
	Vectors map[string][]float64
}

// Registry holds every registered optimizer.
var Registry = registry.New[Optimizer]("optimizer")

// Register makes an optimizer available by name to configs. factory returns
// a fresh value whose exported fields, tagged `toml:"…"`, are its keys with
// their defaults set; an optional Validate() error validates them. Register
// panics on an empty or taken name.
func Register(name string, factory func() Optimizer) { Registry.Register(name, factory) }

// New returns a fresh, undecoded optimizer of the named type with its defaults.
func New(name string) (Optimizer, error) { return Registry.New(name) }

// Names lists the registered optimizers, sorted.
func Names() []string { return Registry.Names() }

// FromTable builds an optimizer from a TOML table: table["type"] names it,
// the other keys are its parameters (decoded strictly), then Init validates it.
func FromTable(table map[string]any) (Optimizer, error) { return Registry.FromTable(table) }

// Schedules lists the accepted values of the schedule key.
var Schedules = []string{"constant", "cosine", "step"}

// Common holds the keys every optimizer shares; optimizers embed it. LR is
// the base learning rate the schedule scales.
//
// The learning rate of the step with index t (t = 0 for the first step) is:
// during warmup (t < warmup) lr·(t+1)/warmup, a linear ramp up from 0 that
// reaches lr at the last warmup step; afterwards, with s = t − warmup,
//
//	constant: lr
//	cosine:   min_lr + (lr − min_lr)·½(1 + cos(π·min(s, D)/D)), D = decay_steps
//	          (default: total − warmup), so lr at s = 0 and min_lr from s = D on
//	step:     lr·gamma^⌊s/step_every⌋
type Common struct {
	LR         float64 `toml:"lr" doc:"base learning rate, > 0"`
	ClipNorm   float64 `toml:"clip_norm" doc:"clip the gradient to this global L2 norm before each step (direction kept); 0 = no clipping"`
	Warmup     int     `toml:"warmup" doc:"number of steps of linear warmup, the learning rate ramping up from 0 to lr; 0 = none"`
	Schedule   string  `toml:"schedule" doc:"learning-rate schedule after warmup: constant, cosine (half a cosine from lr down to min_lr over decay_steps, as in SGDR without restarts) or step (multiply by gamma every step_every steps)"`
	MinLR      float64 `toml:"min_lr" doc:"cosine schedule: final learning rate, in [0, lr]"`
	DecaySteps int     `toml:"decay_steps" doc:"cosine schedule: steps from the end of warmup to min_lr; 0 = the planned total steps minus warmup"`
	StepEvery  int     `toml:"step_every" doc:"step schedule: multiply the learning rate by gamma every step_every steps, >= 1"`
	Gamma      float64 `toml:"gamma" doc:"step schedule: decay factor, in (0, 1]"`

	decay int   // cosine length resolved by Start
	n     int   // number of parameters, -1 before Start
	step  int64 // steps taken

	split   team.Ranges // the update's ranges over the cores
	overlap struct {    // the update beside the norm (apply)
		t      team.Team
		grad   []float64
		update func(lo, hi int)
		per    int
		norm   float64
	}
}

// defaultCommon returns the shared keys at their defaults, with base
// learning rate lr.
func defaultCommon(lr float64) Common {
	return Common{LR: lr, Schedule: "constant", StepEvery: 1000, Gamma: 0.1, n: -1}
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Init validates the shared keys; errors name the key.
func (c *Common) Validate() error {
	if !(c.LR > 0) || !finite(c.LR) {
		return fmt.Errorf("key %q: must be > 0 and finite, got %v", "lr", c.LR)
	}
	if !(c.ClipNorm >= 0) || !finite(c.ClipNorm) {
		return fmt.Errorf("key %q: must be >= 0 and finite (0 turns clipping off), got %v", "clip_norm", c.ClipNorm)
	}
	if c.Warmup < 0 {
		return fmt.Errorf("key %q: must be >= 0, got %d", "warmup", c.Warmup)
	}
	if !slices.Contains(Schedules, c.Schedule) {
		msg := fmt.Sprintf("key %q: unknown schedule %q", "schedule", c.Schedule)
		if s := registry.Nearest(c.Schedule, Schedules); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fmt.Errorf("%s; known: %s", msg, strings.Join(Schedules, ", "))
	}
	if !(c.MinLR >= 0 && c.MinLR <= c.LR) {
		return fmt.Errorf("key %q: must be in [0, lr] = [0, %v], got %v", "min_lr", c.LR, c.MinLR)
	}
	if c.DecaySteps < 0 {
		return fmt.Errorf("key %q: must be >= 0 (0 = total steps minus warmup), got %d", "decay_steps", c.DecaySteps)
	}
	if c.Schedule == "step" && c.StepEvery < 1 {
		return fmt.Errorf("key %q: must be >= 1 with schedule \"step\", got %d", "step_every", c.StepEvery)
	}
	if !(c.Gamma > 0 && c.Gamma <= 1) {
		return fmt.Errorf("key %q: must be in (0, 1], got %v", "gamma", c.Gamma)
	}
	return nil
}

// start validates n and total and resolves the cosine length.
func (c *Common) start(n, total int) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("number of parameters must be >= 0, got %d", n)
	}
	if total < 0 {
		return fmt.Errorf("total number of steps must be >= 0 (0 = unknown), got %d", total)
	}
	c.decay = c.DecaySteps
	if c.Schedule == "cosine" && c.decay == 0 {
		if total == 0 {
			return fmt.Errorf("key %q: schedule \"cosine\" needs decay_steps when the total number of steps is not known", "decay_steps")
		}
		if total <= c.Warmup {
			return fmt.Errorf("key %q: schedule \"cosine\" with warmup = %d needs decay_steps, or more than %d total steps (got %d)", "decay_steps", c.Warmup, c.Warmup, total)
		}
		c.decay = total - c.Warmup
	}
	c.n, c.step = n, 0
	return nil
}

// LRAt returns the learning rate of the step with index t (0 for the first
// step), per the schedule described at Common. Start must have been called
// when the schedule is cosine without decay_steps.
func (c *Common) LRAt(t int64) float64 {
	if t < int64(c.Warmup) {
		return c.LR * float64(t+1) / float64(c.Warmup)
	}
	s := t - int64(c.Warmup)
	switch c.Schedule {
	case "cosine":
		d := int64(c.decay)
		if d == 0 {
			d = int64(c.DecaySteps)
		}
		if d <= 0 || s >= d {
			return c.MinLR
		}
		return c.MinLR + (c.LR-c.MinLR)*0.5*(1+math.Cos(math.Pi*float64(s)/float64(d)))
	case "step":
		return c.LR * math.Pow(c.Gamma, float64(s/int64(c.StepEvery)))
	}
	return c.LR
}

// Steps returns the number of steps taken since Start (or restored).
func (c *Common) Steps() int64 { return c.step }

// apply is the shared body of Step, after the caller has taken the step's
// learning rate: it checks the sizes, takes the gradient's global norm,
// clips, and runs update, an element-wise rule, over [0, n) in ranges on
// the cores (any cut gives the same bits). ok is false, and nothing has
// changed, when the gradient is not finite.
//
// Without clipping the rule does not need the norm, whose sequential sum
// (kept for the logged norms' bits) takes a third of a large model's
// optimizer step: once a pass over the cores has found the gradient finite
// (and so its norm too), one goroutine sums while the others update.
func (c *Common) apply(name string, params, grad []float64, update func(lo, hi int)) (norm float64, ok bool) {
	if c.n < 0 {
		panic(fmt.Sprintf("optim: %s: Step before Start", name))
	}
	if len(params) != c.n || len(grad) != c.n {
		panic(fmt.Sprintf("optim: %s: Step with len(params)=%d, len(grad)=%d, want %d (the n given to Start)", name, len(params), len(grad), c.n))
	}
	n, w := len(grad), runtime.GOMAXPROCS(0)
	if c.ClipNorm > 0 || w < 2 || n < 2*team.MinRange {
		norm = Norm(grad)
		if !finite(norm) {
			return norm, false
		}
		if c.ClipNorm > 0 && norm > c.ClipNorm {
			f := c.ClipNorm / norm
			for i := range grad {
				grad[i] *= f
			}
		}
		c.split.Run(n, w, team.MinRange, update)
		return norm, true
	}
	if !c.split.All(n, w, team.MinRange, func(lo, hi int) bool { return simd.AllFinite(grad[lo:hi]) }) {
		return Norm(grad), false
	}
	o := &c.overlap
	o.grad, o.update = grad, update
	o.per = ((n+4*w-1)/(4*w) + 7) &^ 7 // about four pieces per core, whole vectors
	if o.t.Do == nil {
		o.t.Do = func(i int) {
			if i == 0 {
				o.norm = Norm(o.grad)
				return
			}
			lo := (i - 1) * o.per
			o.update(lo, min(len(o.grad), lo+o.per))
		}
	}
	o.t.Run(1+(n+o.per-1)/o.per, w)
	norm = o.norm
	o.grad, o.update = nil, nil
	return norm, true
}

// Norm returns the Euclidean norm of g: NaN if any component is NaN, +Inf
// if any is infinite, and otherwise the finite norm, rescaled when the sum
// of squares would overflow or underflow.
func Norm(g []float64) float64 {
	var ss float64
	for _, v := range g {
		ss += v * v
	}
	if finite(ss) && ss > 0x1p-900 {
		return math.Sqrt(ss)
	}
	// Zero, overflow, underflow or a non-finite component: look closer.
	scale := 0.0
	for _, v := range g {
		if math.IsNaN(v) {
			return math.NaN()
		}
		scale = math.Max(scale, math.Abs(v))
	}
	if math.IsInf(scale, 0) || scale == 0 {
		return scale
	}
	ss = 0
	for _, v := range g {
		r := v / scale
		ss += r * r
	}
	return scale * math.Sqrt(ss)
}

// state copies the step counter and the named vectors.
func (c *Common) state(vecs map[string][]float64) State {
	st := State{Step: c.step, Vectors: map[string][]float64{}}
	for k, v := range vecs {
		st.Vectors[k] = slices.Clone(v)
	}
	return st
}

// restore checks st against the expected vectors (names and lengths) and
// copies it in. Nothing changes on error.
func (c *Common) restore(name string, st State, vecs map[string][]float64) error {
	if c.n < 0 {
		return fmt.Errorf("optimizer %s: Restore before Start", name)
	}
	if st.Step < 0 {
		return fmt.Errorf("optimizer %s: saved state has step %d < 0", name, st.Step)
	}
	want := slices.Sorted(maps.Keys(vecs))
	got := slices.Sorted(maps.Keys(st.Vectors))
	if !slices.Equal(want, got) {
		return fmt.Errorf("optimizer %s: saved state has vectors [%s], want [%s] (was it saved by another optimizer or with other keys?)",
			name, strings.Join(got, ", "), strings.Join(want, ", "))
	}
	for _, k := range want {
		if len(st.Vectors[k]) != c.n {
			return fmt.Errorf("optimizer %s: saved vector %q has %d values, want %d (one per parameter)", name, k, len(st.Vectors[k]), c.n)
		}
	}
	for _, k := range want {
		copy(vecs[k], st.Vectors[k])
	}
	c.step = st.Step
	return nil
}
