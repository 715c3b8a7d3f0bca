package train

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/objectives"
)

// Names of the run state in a checkpoint besides the model and the
// optimizer. A checkpoint without ArrayNegRows and ArrayNegWindow (written
// before they existed, or for an objective without negative chains)
// restores with zero negative-chain counts.
const (
	ArrayObjectiveParams = "objective.params"      // the objective's own parameters (NCE's log Z)
	ObjectivePrefix      = "objective/"            // the objective's Stateful arrays and RNG states
	ArrayLossRows        = "train.loss_rows"       // loss rows: step, loss, grad_norm, lr, seconds
	ArrayWindow          = "train.window"          // sums since the last loss row: loss, grad norm, count
	ArrayHistory         = "train.eval_history"    // history: step, nll, nll_stderr, log_z, border_mass
	ArrayNegRows         = "train.neg_rows"        // per loss row: negative-chain transitions, accepted, divergences
	ArrayNegWindow       = "train.neg_window"      // the same counts since the last loss row
	ArrayRawParams       = "train.raw_params"      // with [train] ema: the optimizer's parameters (File.Params holds their average)
	MetaSeconds          = "train_seconds"         // Meta: training seconds before this checkpoint
	MetaResumed          = "resumed_at"            // Meta: steps at which the run was resumed, comma separated
	Note                 = "written by ebmrun run" // Meta "note": marks a training run's checkpoint
)

// Checkpoint returns the run's state after Done() steps: the model's
// parameters (their moving average with [train] ema, the optimizer's own
// then in ArrayRawParams), the optimizer's state, the objective's parameters and
// objectives.Stateful state, the loss rows and window, the history, the
// training seconds and the resumption steps. The caller adds what
// describes the components (File.Energy, File.Optimizer, more Meta)
// before writing it.
func (t *Trainer) Checkpoint() *checkpoint.File {
	st := t.optimizer.State()
	params, raw := t.model.Params(), []float64(nil)
	if theta, avg := t.current(); avg != nil {
		params, raw = avg, theta
	}
	f := &checkpoint.File{
		Params:   append([]float64(nil), params...),
		Step:     t.step,
		OptState: &st,
		Arrays:   map[string][]float64{},
		RNG:      map[string][]uint64{},
		Meta: map[string]string{
			"note":      Note,
			MetaSeconds: strconv.FormatFloat(t.Seconds(), 'g', -1, 64),
			"created":   time.Now().UTC().Format(time.RFC3339),
		},
	}
	if raw != nil {
		f.Arrays[ArrayRawParams] = append([]float64(nil), raw...)
	}
	if t.nObj > 0 {
		f.Arrays[ArrayObjectiveParams] = append([]float64(nil), t.objective.Params()...)
	}
	if sf, ok := t.objective.(objectives.Stateful); ok {
		s := sf.State()
		for k, v := range s.Arrays {
			f.Arrays[ObjectivePrefix+k] = append([]float64(nil), v...)
		}
		for k, v := range s.RNG {
			f.RNG[ObjectivePrefix+k] = append([]uint64(nil), v...)
		}
	}
	rows := make([]float64, 0, 5*len(t.rows))
	for _, l := range t.rows {
		rows = append(rows, float64(l.Step), l.Loss, l.GradNorm, l.LR, l.Seconds)
	}
	f.Arrays[ArrayLossRows] = rows
	f.Arrays[ArrayWindow] = []float64{t.win.loss, t.win.gradNorm, t.win.n}
	if t.stats != nil {
		neg := make([]float64, 0, 3*len(t.rows))
		for _, l := range t.rows {
			neg = append(neg, float64(l.NegTransitions), float64(l.NegAccepted), float64(l.NegDivergences))
		}
		f.Arrays[ArrayNegRows] = neg
		f.Arrays[ArrayNegWindow] = []float64{float64(t.win.negT), float64(t.win.negAcc), float64(t.win.negDiv)}
	}
	hist := make([]float64, 0, 5*len(t.history))
	for _, h := range t.history {
		hist = append(hist, float64(h.Step), h.NLL, h.NLLStderr, h.LogZ, h.BorderMass)
	}
	f.Arrays[ArrayHistory] = hist
	if len(t.resumedAt) > 0 {
		var s []string
		for _, k := range t.resumedAt {
			s = append(s, strconv.FormatInt(k, 10))
		}
		f.Meta[MetaResumed] = strings.Join(s, ",")
	}
	return f
}

// Restore continues from a checkpoint of this run (same model
// architecture, objective, optimizer and settings): the model, the
// objective (its parameters and state), the optimizer, the loss rows and
// window, the history and the training seconds; the checkpoint's step is
// added to ResumedAt. Call it right after New, so that everything is first
// started exactly as in an uninterrupted run. Errors of the objective and
// the optimizer are *ComponentError values.
func (t *Trainer) Restore(f *checkpoint.File) error {
	if len(f.Params) != t.nModel {
		return fmt.Errorf("the checkpoint's model has %d parameters, the config's %d: not the same architecture", len(f.Params), t.nModel)
	}
	if f.Step < 0 || f.Step > int64(t.s.Steps) {
		return fmt.Errorf("the checkpoint is at step %d, outside [train] steps = %d", f.Step, t.s.Steps)
	}
	if f.Meta["note"] != Note {
		return errors.New("not a checkpoint of a training run (it lacks the run's state)")
	}
	if t.nObj > 0 {
		if p := f.Arrays[ArrayObjectiveParams]; len(p) != t.nObj {
			return &ComponentError{Component: "objective", Err: fmt.Errorf("the checkpoint holds %d objective parameters, the objective has %d", len(p), t.nObj)}
		}
	}
	raw, hasRaw := f.Arrays[ArrayRawParams]
	switch {
	case t.avg != nil && !hasRaw:
		return errors.New("the run keeps a moving average of the parameters ([train] ema), the checkpoint none")
	case t.avg == nil && hasRaw:
		return errors.New("the checkpoint holds a moving average of the parameters ([train] ema), the run keeps none")
	case hasRaw && len(raw) != t.nModel:
		return fmt.Errorf("array %q has %d values, the model %d parameters", ArrayRawParams, len(raw), t.nModel)
	}
	rows, err := splitRows(f.Arrays[ArrayLossRows], ArrayLossRows, 5)
	if err != nil {
		return err
	}
	w := f.Arrays[ArrayWindow]
	if len(w) != 3 {
		return fmt.Errorf("array %q has %d values, want 3", ArrayWindow, len(w))
	}
	hist, err := splitRows(f.Arrays[ArrayHistory], ArrayHistory, 5)
	if err != nil {
		return err
	}
	var neg [][]float64
	if a, ok := f.Arrays[ArrayNegRows]; ok {
		if neg, err = splitRows(a, ArrayNegRows, 3); err != nil {
			return err
		}
		if len(neg) != len(rows) {
			return fmt.Errorf("array %q has %d rows, %q %d", ArrayNegRows, len(neg), ArrayLossRows, len(rows))
		}
	}
	negWin := f.Arrays[ArrayNegWindow]
	if negWin != nil && len(negWin) != 3 {
		return fmt.Errorf("array %q has %d values, want 3", ArrayNegWindow, len(negWin))
	}

	t.UseAverage(false) // gather below reads the model's parameters
	if theta, avg := t.current(); avg != nil {
		copy(theta, raw)
		copy(avg, f.Params)
	} else {
		copy(theta, f.Params)
	}
	if t.nObj > 0 {
		copy(t.objective.Params(), f.Arrays[ArrayObjectiveParams])
	}
	if sf, ok := t.objective.(objectives.Stateful); ok {
		s := objectives.State{Arrays: map[string][]float64{}, RNG: map[string][]uint64{}}
		for k, v := range f.Arrays {
			if name, ok := strings.CutPrefix(k, ObjectivePrefix); ok {
				s.Arrays[name] = v
			}
		}
		for k, v := range f.RNG {
			if name, ok := strings.CutPrefix(k, ObjectivePrefix); ok {
				s.RNG[name] = v
			}
		}
		if err := sf.Restore(s); err != nil {
			return &ComponentError{Component: "objective", Err: err}
		}
	}
	if f.OptState == nil {
		return errors.New("the checkpoint has no optimizer state")
	}
	if err := t.optimizer.Restore(*f.OptState); err != nil {
		return &ComponentError{Component: "optimizer", Err: err}
	}
	t.gather()
	if t.stats != nil {
		t.prevStats = t.stats.SamplerStats()
	}

	t.rows = t.rows[:0]
	for i, r := range rows {
		l := LossRow{Step: int64(r[0]), Loss: r[1], GradNorm: r[2], LR: r[3], Seconds: r[4]}
		if neg != nil {
			l.NegTransitions, l.NegAccepted, l.NegDivergences = int64(neg[i][0]), int64(neg[i][1]), int64(neg[i][2])
		}
		t.rows = append(t.rows, l)
	}
	t.win = window{loss: w[0], gradNorm: w[1], n: w[2]}
	if negWin != nil {
		t.win.negT, t.win.negAcc, t.win.negDiv = int64(negWin[0]), int64(negWin[1]), int64(negWin[2])
	}
	t.history = t.history[:0]
	for _, h := range hist {
		t.history = append(t.history, EvalPoint{Step: int64(h[0]), NLL: h[1], NLLStderr: h[2], LogZ: h[3], BorderMass: h[4]})
	}
	if s, err := strconv.ParseFloat(f.Meta[MetaSeconds], 64); err == nil {
		t.secondsBefore = s
	}
	t.resumedAt = t.resumedAt[:0]
	if s := f.Meta[MetaResumed]; s != "" {
		for _, p := range strings.Split(s, ",") {
			if k, err := strconv.ParseInt(p, 10, 64); err == nil {
				t.resumedAt = append(t.resumedAt, k)
			}
		}
	}
	t.step = f.Step
	t.resumedAt = append(t.resumedAt, f.Step)
	return nil
}

// splitRows cuts a into rows of k values.
func splitRows(a []float64, name string, k int) ([][]float64, error) {
	if len(a)%k != 0 {
		return nil, fmt.Errorf("array %q has %d values, not rows of %d", name, len(a), k)
	}
	out := make([][]float64, 0, len(a)/k)
	for i := 0; i < len(a); i += k {
		out = append(out, a[i:i+k])
	}
	return out, nil
}
