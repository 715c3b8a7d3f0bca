package train

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/internal/team"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/simd"
)

// LossRow is one row of loss.csv: the mean loss and gradient norm (before
// clipping) over the steps since the previous row, the learning rate at
// Step and the training seconds so far. After a divergence the last row is
// the step that diverged, with its raw values.
//
// For an objective with negative chains (one with a SamplerStats method:
// cd, pcd), the Neg fields count the chains' transitions over the same
// steps: how many there were, how many were accepted (moved), and how many
// diverged.
type LossRow struct {
	Step                                        int64
	Loss, GradNorm, LR, Seconds                 float64
	NegTransitions, NegAccepted, NegDivergences int64
}

// NegAccept is the fraction of the row's negative-chain transitions that
// were accepted, or NaN when there were none.
func (r LossRow) NegAccept() float64 {
	if r.NegTransitions == 0 {
		return math.NaN()
	}
	return float64(r.NegAccepted) / float64(r.NegTransitions)
}

// EvalPoint is one entry of the evaluation history: values that could not
// be computed are NaN.
type EvalPoint struct {
	Step                             int64
	NLL, NLLStderr, LogZ, BorderMass float64
}

// StepInfo describes a completed step.
type StepInfo struct {
	Step               int64 // steps done, counting this one
	Loss, GradNorm, LR float64
}

// samplerStats is implemented by objectives with negative chains.
type samplerStats interface{ SamplerStats() samplers.Stats }

// window accumulates the steps since the last loss.csv row.
type window struct {
	loss, gradNorm, n    float64
	negT, negAcc, negDiv int64
}

// Trainer is one training run: a model, an objective and an optimizer
// stepping through batches of the training rows under Settings. Its state
// (the step count, the loss rows, the history) is what Checkpoint saves.
// A Trainer is not safe for concurrent use.
type Trainer struct {
	model     energies.Trainable
	objective objectives.Objective
	optimizer optim.Optimizer
	s         Settings
	dim       int

	nModel, nObj int
	params, grad []float64 // the optimizer's view: model params, then the objective's
	batch        []float64
	batches      *Batcher
	stats        samplerStats   // nil unless the objective has negative chains
	prevStats    samplers.Stats // stats after the previous step

	step          int64
	rows          []LossRow
	win           window
	history       []EvalPoint
	recent        recentLosses // the last steps' losses, for the runaway check
	secondsBefore float64      // training seconds of earlier sessions
	sessionStart  time.Time    // when this session's first step began; zero before
	resumedAt     []int64

	avg   []float64   // the moving average of the model's parameters ([train] ema); nil when off
	avgIn bool        // the model holds avg, and avg the optimizer's parameters (UseAverage)
	split team.Ranges // the finiteness check and the average, in ranges over the cores
}

// A finite loss that runs away is a divergence too: a step's loss L stops
// the run when |L − m| > RunawayFactor·max(|m|, 1), m the median of the
// losses of the previous RunawayWindow steps (of this session). The median
// ignores a few wild steps; the scale max(|m|, 1) holds for negative losses
// (score matching) and for losses near 0 (contrastive divergence), where a
// change of a million is no fluctuation either. A run that explodes
// (Adam with lr = 1e4: loss 1 then 1e26) stops within a few steps; the
// largest ratio |L − m|/max(|m|, 1) over the shipped training configs is
// 7.7 (sm_rings at step 158), five orders of magnitude below the factor.
const (
	RunawayFactor = 1e6
	RunawayWindow = 100
)

// recentLosses is a ring of the last RunawayWindow step losses.
type recentLosses struct {
	buf    []float64
	next   int
	sorted []float64 // scratch for the median
}

func (r *recentLosses) add(v float64) {
	if len(r.buf) < RunawayWindow {
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.next] = v
	r.next = (r.next + 1) % RunawayWindow
}

// runaway reports whether loss ran away from the recent losses, with their
// median; never before there is one.
func (r *recentLosses) runaway(loss float64) (bool, float64) {
	if len(r.buf) == 0 {
		return false, 0
	}
	r.sorted = append(r.sorted[:0], r.buf...)
	slices.Sort(r.sorted)
	m := r.sorted[(len(r.sorted)-1)/2]
	return math.Abs(loss-m) > RunawayFactor*max(math.Abs(m), 1), m
}

// New starts a training run of model on the training rows data (rows of
// dim): it starts the objective on data with seed SubSeed(s.Seed,
// SeedObjective) and the optimizer on the model's and the objective's
// parameters for s.Steps steps. The components must be freshly built (their
// state is the run's). Errors of the objective and the optimizer are
// *ComponentError values.
func New(model energies.Trainable, objective objectives.Objective, optimizer optim.Optimizer, data []float64, dim int, s Settings) (*Trainer, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if dim <= 0 || len(data) < dim || len(data)%dim != 0 {
		return nil, fmt.Errorf("train: %d values are not a positive whole number of rows of dimension %d", len(data), dim)
	}
	if model.Dim() != dim {
		return nil, fmt.Errorf("train: the model has dimension %d, the data %d", model.Dim(), dim)
	}
	if err := objective.Start(model, data, SubSeed(s.Seed, SeedObjective)); err != nil {
		return nil, &ComponentError{Component: "objective", Err: err}
	}
	t := &Trainer{model: model, objective: objective, optimizer: optimizer, s: s, dim: dim}
	t.nModel, t.nObj = len(model.Params()), len(objective.Params())
	if err := optimizer.Start(t.nModel+t.nObj, s.Steps); err != nil {
		return nil, &ComponentError{Component: "optimizer", Err: err}
	}
	if t.nObj == 0 {
		t.params = model.Params()
	} else {
		t.params = make([]float64, t.nModel+t.nObj)
		t.gather()
	}
	t.grad = make([]float64, t.nModel+t.nObj)
	t.batch = make([]float64, s.BatchSize*dim)
	t.batches = NewBatcher(data, dim, SubSeed(s.Seed, SeedBatches))
	if s.EMA > 0 {
		t.avg = append([]float64(nil), model.Params()...)
	}
	if st, ok := objective.(samplerStats); ok {
		t.stats = st
		t.prevStats = st.SamplerStats()
	}
	return t, nil
}

// ComponentError is an error of the objective or the optimizer.
type ComponentError struct {
	Component string // "objective" or "optimizer"
	Step      int64  // the step that failed (counted from 1), or 0 outside a step
	Err       error
}

func (e *ComponentError) Error() string {
	if e.Step > 0 {
		return fmt.Sprintf("step %d: %s: %v", e.Step, e.Component, e.Err)
	}
	return e.Component + ": " + e.Err.Error()
}

func (e *ComponentError) Unwrap() error { return e.Err }

// DivergenceError stops a run at the first non-finite loss, gradient norm
// or parameter, or at a loss that ran away (see RunawayFactor); the
// parameters are those before the step.
type DivergenceError struct {
	Step int64  // the step that diverged (counted from 1)
	What string // what was not finite, e.g. "the loss is NaN"
}

func (e *DivergenceError) Error() string { return fmt.Sprintf("step %d: %s", e.Step, e.What) }

// gather copies the model's and the objective's parameters into the
// optimizer's vector (when they are not the same slice).
func (t *Trainer) gather() {
	if t.nObj == 0 {
		return
	}
	copy(t.params, t.model.Params())
	copy(t.params[t.nModel:], t.objective.Params())
}

// scatter copies the optimizer's vector back into the model and the objective.
func (t *Trainer) scatter() {
	if t.nObj == 0 {
		return
	}
	copy(t.model.Params(), t.params[:t.nModel])
	copy(t.objective.Params(), t.params[t.nModel:])
}

// Settings returns the run's settings.
func (t *Trainer) Settings() Settings { return t.s }

// Done is the number of steps done.
func (t *Trainer) Done() int64 { return t.step }

// Rows returns loss.csv's rows so far (shared: do not modify).
func (t *Trainer) Rows() []LossRow { return t.rows }

// History returns the evaluation points recorded so far (shared: do not modify).
func (t *Trainer) History() []EvalPoint { return t.history }

// ResumedAt returns the steps at which the run was resumed, oldest first.
func (t *Trainer) ResumedAt() []int64 { return t.resumedAt }

// NegStats reports whether the loss rows carry negative-chain statistics
// (the objective has a SamplerStats method, as cd and pcd do).
func (t *Trainer) NegStats() bool { return t.stats != nil }

// Seconds is the training time so far, over all sessions of the run: this
// session's counts from its first Step.
func (t *Trainer) Seconds() float64 {
	if t.sessionStart.IsZero() {
		return t.secondsBefore
	}
	return t.secondsBefore + time.Since(t.sessionStart).Seconds()
}

// Step runs the next step: it fills the batch of step Done(), computes the
// objective's loss and gradient, checks them, applies the optimizer and
// copies the parameters back into the model and the objective. Every
// Settings.LogEvery steps, and at step Settings.Steps, it closes a loss
// row. A non-finite loss, a runaway loss (see RunawayFactor), a non-finite
// gradient norm or updated parameter stops with a *DivergenceError (after a last row with the step's raw values) and
// leaves the parameters as they were; an objective failure is a
// *ComponentError. Step does not stop at Settings.Steps: Loop does.
func (t *Trainer) Step(ctx context.Context) (StepInfo, error) {
	if t.sessionStart.IsZero() {
		t.sessionStart = time.Now()
	}
	t.UseAverage(false)
	n := t.step + 1
	t.batches.Fill(t.batch, t.step)
	loss, err := t.objective.Loss(ctx, t.batch, t.grad)
	if err != nil {
		return StepInfo{}, &ComponentError{Component: "objective", Step: n, Err: err}
	}
	var neg samplers.Stats
	if t.stats != nil {
		cur := t.stats.SamplerStats()
		neg, t.prevStats = cur.Sub(t.prevStats), cur
	}
	diverged := func(gn, lr float64, what string) (StepInfo, error) {
		t.rows = append(t.rows, LossRow{Step: n, Loss: loss, GradNorm: gn, LR: lr, Seconds: t.Seconds(),
			NegTransitions: neg.Transitions, NegAccepted: neg.Accepted, NegDivergences: neg.Divergences})
		return StepInfo{Step: n, Loss: loss, GradNorm: gn, LR: lr}, &DivergenceError{Step: n, What: what}
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return diverged(math.NaN(), math.NaN(), fmt.Sprintf("the loss is %v", loss))
	}
	if away, m := t.recent.runaway(loss); away {
		return diverged(math.NaN(), math.NaN(), fmt.Sprintf("the loss ran away to %.4g (median of the %d steps before: %.4g; the limit is %g × max(|median|, 1) away)", loss, len(t.recent.buf), m, RunawayFactor))
	}
	lr, gn := t.optimizer.Step(t.params, t.grad)
	if math.IsNaN(gn) || math.IsInf(gn, 0) {
		return diverged(gn, lr, fmt.Sprintf("the gradient norm is %v (loss %v)", gn, loss))
	}
	if !t.split.All(len(t.params), runtime.GOMAXPROCS(0), team.MinRange, func(lo, hi int) bool { return simd.AllFinite(t.params[lo:hi]) }) {
		for i, v := range t.params {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return diverged(gn, lr, fmt.Sprintf("parameter %d is %v after the update (loss %v, gradient norm %v)", i, v, loss, gn))
			}
		}
	}
	t.scatter()
	if t.avg != nil {
		w, avg, p := 1-t.s.EMA, t.avg, t.model.Params()
		t.split.Run(len(avg), runtime.GOMAXPROCS(0), team.MinRange, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				avg[i] += w * (p[i] - avg[i]) // d·avg + (1−d)·θ
			}
		})
	}
	t.step = n
	t.recent.add(loss)
	w := &t.win
	w.loss += loss
	w.gradNorm += gn
	w.n++
	w.negT += neg.Transitions
	w.negAcc += neg.Accepted
	w.negDiv += neg.Divergences
	if n%int64(t.s.LogEvery) == 0 || n == int64(t.s.Steps) {
		t.rows = append(t.rows, LossRow{Step: n, Loss: w.loss / w.n, GradNorm: w.gradNorm / w.n, LR: lr, Seconds: t.Seconds(),
			NegTransitions: w.negT, NegAccepted: w.negAcc, NegDivergences: w.negDiv})
		t.win = window{}
	}
	return StepInfo{Step: n, Loss: loss, GradNorm: gn, LR: lr}, nil
}

// current returns the slices that hold the optimizer's parameters and
// their moving average (nil without [train] ema), whichever UseAverage put
// into the model.
func (t *Trainer) current() (theta, avg []float64) {
	if t.avgIn {
		return t.avg, t.model.Params()
	}
	return t.model.Params(), t.avg
}

// UseAverage(true) puts the moving average of the parameters ([train] ema)
// into the model, for evaluating and sampling it; UseAverage(false) puts
// the optimizer's parameters back. Step does that itself, so a caller
// need not undo it before the next step. Without an average it does
// nothing.
func (t *Trainer) UseAverage(on bool) {
	if t.avg == nil || on == t.avgIn {
		return
	}
	p := t.model.Params()
	for i, v := range p {
		p[i], t.avg[i] = t.avg[i], v
	}
	t.avgIn = on
}

// Hooks are the caller's callbacks during Loop; nil ones are skipped. After
// each step they are called in the order of the fields.
type Hooks struct {
	// OnLog is called with each new loss row.
	OnLog func(row LossRow)
	// OnStep is called after each completed step.
	OnStep func(info StepInfo)
	// OnEval, if set, is called every Settings.EvalEvery steps before the
	// last one (not at all when EvalEvery is 0); its point is recorded in
	// History and checkpointed. Unlike the steps, an evaluation is
	// cancellable: OnEval gets Loop's ctx, and when ctx is cancelled while
	// it runs, its point is dropped and Loop returns ctx's error with the
	// step done. The evaluation after the last step is the caller's, once
	// Loop returns (QuadratureNLL makes a ready hook).
	OnEval func(ctx context.Context, step int64) EvalPoint
	// OnCheckpoint, if set, is called every Settings.CheckpointEvery steps
	// before the last one with the run's state (Checkpoint()); an error
	// stops the loop and is returned.
	OnCheckpoint func(f *checkpoint.File) error
}

// Loop runs steps from Done() to Settings.Steps, calling the hooks. It
// returns nil when all steps are done; ctx's error when ctx was cancelled
// (honoured between steps, so the state is always that after a whole step);
// a *DivergenceError or *ComponentError from Step; or a hook's error. The
// objective and the hooks other than OnEval run with ctx's values but are
// not cancelled: a step is either done or not started, which is what a
// checkpoint records.
func (t *Trainer) Loop(ctx context.Context, h Hooks) error {
	steps := int64(t.s.Steps)
	stepCtx := context.WithoutCancel(ctx)
	for t.step < steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		nrows := len(t.rows)
		info, err := t.Step(stepCtx)
		if err != nil {
			return err
		}
		n := info.Step
		if h.OnLog != nil && len(t.rows) > nrows {
			h.OnLog(t.rows[len(t.rows)-1])
		}
		if h.OnStep != nil {
			h.OnStep(info)
		}
		if ee := int64(t.s.EvalEvery); h.OnEval != nil && ee > 0 && n%ee == 0 && n < steps {
			// The step is done; its evaluation may be abandoned: on
			// cancellation its point is not recorded.
			pt := h.OnEval(ctx, n)
			if err := ctx.Err(); err != nil {
				return err
			}
			t.history = append(t.history, pt)
		}
		if ce := int64(t.s.CheckpointEvery); h.OnCheckpoint != nil && ce > 0 && n%ce == 0 && n < steps {
			if err := h.OnCheckpoint(t.Checkpoint()); err != nil {
				return err
			}
		}
	}
	return nil
}
