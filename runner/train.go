package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
)

// Training runs (ebmrun run on a config with [train] or [objective]).
//
// The batch of step t (counted from 0) is rows t·B … t·B+B−1 of an endless
// sequence of passes over the training set, pass k in the order of a
// permutation drawn from the stream (batch seed, k): rows are drawn without
// replacement within a pass, and the batch of any step follows from the
// seed and the step alone. So the batch sampler has no state to save, and a
// resumed run draws the same batches as an uninterrupted one.
//
// The seeds of a run derive from [train] seed s: stream (s, 0) gives the
// train/held-out split's seed, (s, 1) the objective's, (s, 2) the batches',
// (s, 3) the sampling of the trained model.

// Indices of the streams that derive a run's seeds from [train] seed.
const (
	seedSplit = iota
	seedObjective
	seedBatches
	seedSample
)

// subSeed derives seed number k of a run from the [train] seed.
func subSeed(seed int64, k uint64) uint64 {
	r := rng.New(uint64(seed), k)
	return r.Uint64()
}

// trainStepHook, when set (by tests), is called after each completed
// training step, with the number of steps done.
var trainStepHook func(step int64)

// Names of the state a checkpoint holds besides the model and optimizer.
const (
	ckptObjectiveParams = "objective.params"      // the objective's own parameters (NCE's log Z)
	ckptObjectivePrefix = "objective/"            // the objective's Stateful arrays and RNG states
	ckptLossRows        = "train.loss_rows"       // loss.csv rows: step, loss, grad_norm, lr, seconds
	ckptWindow          = "train.window"          // sums since the last loss.csv row: loss, grad norm, count
	ckptHistory         = "train.eval_history"    // eval.json history rows: step, nll, nll_stderr, log_z, border_mass
	ckptSeconds         = "train_seconds"         // Meta: training seconds before this checkpoint
	ckptResumed         = "resumed_at"            // Meta: steps at which the run was resumed, comma separated
	ckptNote            = "written by ebmrun run" // Meta "note"
)

// lossRow is one row of loss.csv.
type lossRow struct {
	step                     int64
	loss, gradNorm, lr, secs float64
}

// window accumulates the steps since the last loss.csv row.
type window struct{ loss, gradNorm, n float64 }

// evalPoint is one entry of eval.json's history.
type evalPoint struct {
	Step       int64  `json:"step"`
	NLL        number `json:"nll"`
	NLLStderr  number `json:"nll_stderr"`
	LogZ       number `json:"log_z"`
	BorderMass number `json:"border_mass"`
}

// trainRun is one training session: the config, its data and the state of
// the run.
type trainRun struct {
	c   *TrainConfig
	dir string

	dim            int
	all, train     []float64 // the data and its training part
	eval           []float64 // held-out rows, or the training rows when there are none
	evalOn         string    // "heldout" or "train"
	notes          []string
	grid           *evaluate.Grid // the quadrature grid (dim ≤ 3)
	nModel, nObj   int
	params, grad   []float64 // the optimizer's view: model params, then the objective's
	batch          []float64
	batches        *batcher
	step           int64 // steps done
	rows           []lossRow
	win            window
	history        []evalPoint
	secondsBefore  float64   // training seconds of earlier sessions
	sessionStart   time.Time // when this session's training began
	resumedAt      []int64
	lastCheckpoint int64 // step of the newest checkpoint.ebm, -1 when none
}

// newTrainRun loads the data, splits it, and starts the objective and the
// optimizer: everything a run (or validate) checks before the first step.
// Its errors are input errors.
func newTrainRun(c *TrainConfig, dir string) (*trainRun, error) {
	x, dim := c.points, c.Data.Dim()
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: [data] (%s): point %d holds %v: the data must be finite", c.File, c.DataType, i/dim, v)
		}
	}
	r := &trainRun{c: c, dir: dir, dim: dim, all: x, lastCheckpoint: -1}
	r.train, r.eval = datasets.Split(x, dim, c.Train.Holdout, subSeed(c.Train.Seed, seedSplit))
	n := len(x) / dim
	if len(r.train) == 0 {
		return nil, fmt.Errorf("%s: [train]: key \"holdout\": %v of %d rows leaves no training rows", c.File, c.Train.Holdout, n)
	}
	r.evalOn = "heldout"
	if len(r.eval) == 0 {
		r.eval, r.evalOn = r.train, "train"
		r.notes = append(r.notes, "no held-out rows ([train] holdout = 0 or too few rows): NLL and MMD are measured on the training data")
	}
	if err := c.Objective.Start(c.Model, r.train, subSeed(c.Train.Seed, seedObjective)); err != nil {
		return nil, fmt.Errorf("%s: [objective] (%s): %v", c.File, c.ObjectiveType, err)
	}
	r.nModel, r.nObj = len(c.Model.Params()), len(c.Objective.Params())
	if err := c.Optimizer.Start(r.nModel+r.nObj, c.Train.Steps); err != nil {
		return nil, fmt.Errorf("%s: [optimizer] (%s): %v", c.File, c.OptimizerType, err)
	}
	if r.nObj == 0 {
		r.params = c.Model.Params()
	} else {
		r.params = make([]float64, r.nModel+r.nObj)
		r.gather()
	}
	r.grad = make([]float64, r.nModel+r.nObj)
	r.batch = make([]float64, c.Train.BatchSize*dim)
	r.batches = newBatcher(r.train, dim, subSeed(c.Train.Seed, seedBatches))
	if dim <= 3 {
		g := evaluate.GridFor(x, dim, c.Eval.Margin, c.Eval.gridRes(dim))
		r.grid = &g
	}
	return r, nil
}

// gather copies the model's and the objective's parameters into the
// optimizer's vector (when they are not the same slice).
func (r *trainRun) gather() {
	if r.nObj == 0 {
		return
	}
	copy(r.params, r.c.Model.Params())
	copy(r.params[r.nModel:], r.c.Objective.Params())
}

// scatter copies the optimizer's vector back into the model and the objective.
func (r *trainRun) scatter() {
	if r.nObj == 0 {
		return
	}
	copy(r.c.Model.Params(), r.params[:r.nModel])
	copy(r.c.Objective.Params(), r.params[r.nModel:])
}

// batcher draws the batches (see the comment at the top of the file).
type batcher struct {
	data []float64
	dim  int
	n    int64
	seed uint64
	pass int64 // the pass whose order perm holds, -1 for none
	perm []int
}

func newBatcher(data []float64, dim int, seed uint64) *batcher {
	n := len(data) / dim
	return &batcher{data: data, dim: dim, n: int64(n), seed: seed, pass: -1, perm: make([]int, n)}
}

// fill writes the batch of step (counted from 0) into dst (rows of dim).
func (b *batcher) fill(dst []float64, step int64) {
	bs := int64(len(dst) / b.dim)
	for i := int64(0); i < bs; i++ {
		pos := step*bs + i
		pass, j := pos/b.n, pos%b.n
		if pass != b.pass {
			b.shuffle(pass)
		}
		row := b.perm[j]
		copy(dst[i*int64(b.dim):(i+1)*int64(b.dim)], b.data[row*b.dim:(row+1)*b.dim])
	}
}

// shuffle draws the order of a pass (Fisher–Yates on stream (seed, pass)).
func (b *batcher) shuffle(pass int64) {
	s := rng.New(b.seed, uint64(pass))
	for i := range b.perm {
		b.perm[i] = i
	}
	for i := len(b.perm) - 1; i > 0; i-- {
		j := s.IntN(i + 1)
		b.perm[i], b.perm[j] = b.perm[j], b.perm[i]
	}
	b.pass = pass
}

// trainOutDir is --out, or runs/<name>.
func trainOutDir(c *TrainConfig, flagOut string) string {
	if flagOut != "" {
		return flagOut
	}
	return filepath.Join("runs", c.Name)
}

// cmdTrain is `ebmrun run CONFIG` on a training config.
func cmdTrain(ctx context.Context, e *env, fs *flag.FlagSet, path string) error {
	c, err := LoadTrain(path, flagSets(fs))
	if err != nil {
		return err
	}
	dir := trainOutDir(c, flagValue(fs, "out"))
	if err := checkOutDir(dir, true); err != nil {
		return err
	}
	r, err := newTrainRun(c, dir)
	if err != nil {
		return err
	}
	// config.toml first: with it and a checkpoint, --resume can continue
	// the run however it stops.
	if err := r.writeText("config.toml", c.ResolvedTOML()); err != nil {
		return failure(err)
	}
	return r.execute(ctx, e, flagValue(fs, "quiet") == "true")
}

// cmdValidateTrain is `ebmrun validate CONFIG` on a training config: every
// check that run does before its first step (the data is loaded, the
// objective and the optimizer are started), and nothing is written.
func cmdValidateTrain(e *env, fs *flag.FlagSet, path string) error {
	c, err := LoadTrain(path, flagSets(fs))
	if err != nil {
		return err
	}
	if err := checkOutDir(trainOutDir(c, flagValue(fs, "out")), false); err != nil {
		return err
	}
	r, err := newTrainRun(c, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok: training: data %s (%d rows, dim %d; %d held out), energy %s (%d parameters), objective %s, optimizer %s, %d steps × batch %d; then %s, %d chains × (%d warmup + %d draws)\n",
		c.File, c.DataType, len(r.all)/r.dim, r.dim, len(r.all)/r.dim-len(r.train)/r.dim, c.EnergyType, r.nModel, c.ObjectiveType, c.OptimizerType,
		c.Train.Steps, c.Train.BatchSize, c.SamplerType, c.Sample.Chains, c.Sample.Warmup, c.Sample.Draws)
	return nil
}

// cmdResume is `ebmrun run --resume DIR`.
func cmdResume(ctx context.Context, e *env, fs *flag.FlagSet, pos []string, dir string) error {
	if len(pos) > 0 {
		return fmt.Errorf("ebmrun run --resume %s: takes no CONFIG (got %q): the run continues as configured in %s", dir, pos, filepath.Join(dir, "config.toml"))
	}
	if flagValue(fs, "out") != "" {
		return fmt.Errorf("ebmrun run --resume %s: --out cannot be used with --resume: the run continues in its own directory", dir)
	}
	var sets []string
	for _, s := range flagSets(fs) {
		if !strings.HasPrefix(s, "run.workers=") {
			return fmt.Errorf("ebmrun run --resume %s: --set and --seed cannot change a resumed run (got %q): it continues exactly as configured in %s", dir, s, filepath.Join(dir, "config.toml"))
		}
		sets = append(sets, s)
	}
	cfg := filepath.Join(dir, "config.toml")
	if _, err := os.Stat(cfg); err != nil {
		return fmt.Errorf("ebmrun run --resume %s: no config.toml there: not the output directory of a training run", dir)
	}
	c, err := LoadTrain(cfg, sets)
	if err != nil {
		return err
	}
	ckPath := filepath.Join(dir, "checkpoint.ebm")
	if _, err := os.Stat(ckPath); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("ebmrun run --resume %s: no checkpoint.ebm there: the run stopped before its first checkpoint; start it again with ebmrun run", dir)
	}
	ck, err := checkpoint.Read(ckPath)
	if err != nil {
		return fmt.Errorf("ebmrun run --resume %s: %v", dir, err)
	}
	r, err := newTrainRun(c, dir)
	if err != nil {
		return err
	}
	if err := r.restore(ck); err != nil {
		return fmt.Errorf("ebmrun run --resume %s: %s: %v", dir, ckPath, err)
	}
	return r.execute(ctx, e, flagValue(fs, "quiet") == "true")
}

// checkpointFile is the run's state after r.step steps.
func (r *trainRun) checkpointFile() *checkpoint.File {
	c := r.c
	st := c.Optimizer.State()
	f := &checkpoint.File{
		Energy:    r.modelTable(),
		Params:    append([]float64(nil), c.Model.Params()...),
		Step:      r.step,
		Optimizer: resolvedTable(c.OptimizerType, c.Optimizer),
		OptState:  &st,
		Arrays:    map[string][]float64{},
		RNG:       map[string][]uint64{},
		Meta: map[string]string{
			"note": ckptNote, "name": c.Name, "data": c.DataType, "objective": c.ObjectiveType,
			ckptSeconds: strconv.FormatFloat(r.seconds(), 'g', -1, 64),
			"created":   time.Now().UTC().Format(time.RFC3339),
		},
	}
	if r.nObj > 0 {
		f.Arrays[ckptObjectiveParams] = append([]float64(nil), c.Objective.Params()...)
	}
	if sf, ok := c.Objective.(objectives.Stateful); ok {
		s := sf.State()
		for k, v := range s.Arrays {
			f.Arrays[ckptObjectivePrefix+k] = append([]float64(nil), v...)
		}
		for k, v := range s.RNG {
			f.RNG[ckptObjectivePrefix+k] = append([]uint64(nil), v...)
		}
	}
	rows := make([]float64, 0, 5*len(r.rows))
	for _, l := range r.rows {
		rows = append(rows, float64(l.step), l.loss, l.gradNorm, l.lr, l.secs)
	}
	f.Arrays[ckptLossRows] = rows
	f.Arrays[ckptWindow] = []float64{r.win.loss, r.win.gradNorm, r.win.n}
	hist := make([]float64, 0, 5*len(r.history))
	for _, h := range r.history {
		hist = append(hist, float64(h.Step), float64(h.NLL), float64(h.NLLStderr), float64(h.LogZ), float64(h.BorderMass))
	}
	f.Arrays[ckptHistory] = hist
	if len(r.resumedAt) > 0 {
		var s []string
		for _, k := range r.resumedAt {
			s = append(s, strconv.FormatInt(k, 10))
		}
		f.Meta[ckptResumed] = strings.Join(s, ",")
	}
	return f
}

// modelTable is the [energy] table a checkpoint records: the model's type
// and keys; for a model loaded from a checkpoint (fine-tuning), the table of
// the model in that file.
func (r *trainRun) modelTable() map[string]any {
	if ce, ok := r.c.Model.(*checkpoint.Energy); ok && ce.Checkpoint() != nil {
		return ce.Checkpoint().Energy
	}
	return resolvedTable(r.c.EnergyType, r.c.Model)
}

// restore continues from a checkpoint written by this config's run: the
// model, the objective (its parameters and state), the optimizer, the
// loss.csv rows and the evaluation history. Call it after newTrainRun, so
// that everything is first started exactly as in an uninterrupted run.
func (r *trainRun) restore(f *checkpoint.File) error {
	c := r.c
	want, _ := registry.TypeOf(r.modelTable())
	if typ, _ := registry.TypeOf(f.Energy); typ != want {
		return fmt.Errorf("the checkpoint holds an energy of type %q, the config a %q", typ, want)
	}
	if len(f.Params) != r.nModel {
		return fmt.Errorf("the checkpoint's model has %d parameters, the config's %d: not the same architecture", len(f.Params), r.nModel)
	}
	if f.Step < 0 || f.Step > int64(c.Train.Steps) {
		return fmt.Errorf("the checkpoint is at step %d, outside [train] steps = %d", f.Step, c.Train.Steps)
	}
	if f.Meta["note"] != ckptNote {
		return errors.New("not a checkpoint of a training run (it lacks the run's state)")
	}
	copy(c.Model.Params(), f.Params)
	if r.nObj > 0 {
		p := f.Arrays[ckptObjectiveParams]
		if len(p) != r.nObj {
			return fmt.Errorf("the checkpoint holds %d objective parameters, the objective %s has %d", len(p), c.ObjectiveType, r.nObj)
		}
		copy(c.Objective.Params(), p)
	}
	if sf, ok := c.Objective.(objectives.Stateful); ok {
		s := objectives.State{Arrays: map[string][]float64{}, RNG: map[string][]uint64{}}
		for k, v := range f.Arrays {
			if name, ok := strings.CutPrefix(k, ckptObjectivePrefix); ok {
				s.Arrays[name] = v
			}
		}
		for k, v := range f.RNG {
			if name, ok := strings.CutPrefix(k, ckptObjectivePrefix); ok {
				s.RNG[name] = v
			}
		}
		if err := sf.Restore(s); err != nil {
			return fmt.Errorf("[objective] (%s): %v", c.ObjectiveType, err)
		}
	}
	if f.OptState == nil {
		return errors.New("the checkpoint has no optimizer state")
	}
	if err := c.Optimizer.Restore(*f.OptState); err != nil {
		return fmt.Errorf("[optimizer] (%s): %v", c.OptimizerType, err)
	}
	r.gather()

	rows := f.Arrays[ckptLossRows]
	if len(rows)%5 != 0 {
		return fmt.Errorf("array %q has %d values, not rows of 5", ckptLossRows, len(rows))
	}
	r.rows = r.rows[:0]
	for i := 0; i < len(rows); i += 5 {
		r.rows = append(r.rows, lossRow{step: int64(rows[i]), loss: rows[i+1], gradNorm: rows[i+2], lr: rows[i+3], secs: rows[i+4]})
	}
	if w := f.Arrays[ckptWindow]; len(w) == 3 {
		r.win = window{w[0], w[1], w[2]}
	} else {
		return fmt.Errorf("array %q has %d values, want 3", ckptWindow, len(w))
	}
	hist := f.Arrays[ckptHistory]
	if len(hist)%5 != 0 {
		return fmt.Errorf("array %q has %d values, not rows of 5", ckptHistory, len(hist))
	}
	r.history = r.history[:0]
	for i := 0; i < len(hist); i += 5 {
		r.history = append(r.history, evalPoint{Step: int64(hist[i]), NLL: number(hist[i+1]), NLLStderr: number(hist[i+2]), LogZ: number(hist[i+3]), BorderMass: number(hist[i+4])})
	}
	if s, err := strconv.ParseFloat(f.Meta[ckptSeconds], 64); err == nil {
		r.secondsBefore = s
	}
	if s := f.Meta[ckptResumed]; s != "" {
		for _, p := range strings.Split(s, ",") {
			if k, err := strconv.ParseInt(p, 10, 64); err == nil {
				r.resumedAt = append(r.resumedAt, k)
			}
		}
	}
	r.step = f.Step
	r.resumedAt = append(r.resumedAt, f.Step)
	r.lastCheckpoint = f.Step
	return nil
}

// How a training loop ended.
type stopKind int

const (
	stopDone stopKind = iota
	stopInterrupted
	stopDiverged
	stopFailed
)

// seconds is the training time so far, over all sessions of the run.
func (r *trainRun) seconds() float64 { return r.secondsBefore + time.Since(r.sessionStart).Seconds() }

// loop runs the training steps from r.step to [train] steps. Ctrl-C is
// honoured between steps, so the state is always that after a whole step.
func (r *trainRun) loop(ctx context.Context, p *progress) (stopKind, error) {
	c := r.c
	steps := int64(c.Train.Steps)
	every := int64(c.Train.LogEvery)
	// The objective and mid-run evaluations are not cancelled: a step is
	// either done or not started, which is what a checkpoint records.
	stepCtx := context.WithoutCancel(ctx)
	for r.step < steps {
		if ctx.Err() != nil {
			return stopInterrupted, nil
		}
		t := r.step + 1
		r.batches.fill(r.batch, r.step)
		loss, err := c.Objective.Loss(stepCtx, r.batch, r.grad)
		if err != nil {
			return stopFailed, fmt.Errorf("step %d: [objective] (%s): %v", t, c.ObjectiveType, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			r.rows = append(r.rows, lossRow{t, loss, math.NaN(), math.NaN(), r.seconds()})
			return stopDiverged, r.divergence(t, fmt.Sprintf("the loss is %v", loss))
		}
		lr, gn := c.Optimizer.Step(r.params, r.grad)
		if math.IsNaN(gn) || math.IsInf(gn, 0) {
			r.rows = append(r.rows, lossRow{t, loss, gn, lr, r.seconds()})
			return stopDiverged, r.divergence(t, fmt.Sprintf("the gradient norm is %v (loss %v)", gn, loss))
		}
		for i, v := range r.params {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				r.rows = append(r.rows, lossRow{t, loss, gn, lr, r.seconds()})
				return stopDiverged, r.divergence(t, fmt.Sprintf("parameter %d is %v after the update (loss %v, gradient norm %v)", i, v, loss, gn))
			}
		}
		r.scatter()
		r.step = t
		r.win.loss += loss
		r.win.gradNorm += gn
		r.win.n++
		if t%every == 0 || t == steps {
			r.rows = append(r.rows, lossRow{t, r.win.loss / r.win.n, r.win.gradNorm / r.win.n, lr, r.seconds()})
			r.win = window{}
			p.setInfo(fmt.Sprintf("loss %.4g", r.rows[len(r.rows)-1].loss))
		}
		p.update(int(t), int(steps))
		if trainStepHook != nil {
			trainStepHook(t)
		}
		if ee := int64(c.Train.EvalEvery); ee > 0 && t%ee == 0 && t < steps && r.grid != nil {
			r.history = append(r.history, r.evalPoint(stepCtx))
		}
		if ce := int64(c.Train.CheckpointEvery); ce > 0 && t%ce == 0 && t < steps {
			if err := r.saveCheckpoint(c.Train.KeepCheckpoints); err != nil {
				return stopFailed, err
			}
		}
	}
	return stopDone, nil
}

// divergence is the error of a run stopped by a non-finite value at step t.
func (r *trainRun) divergence(t int64, what string) error {
	kept := fmt.Sprintf("no checkpoint was written before it ([train] checkpoint_every = %d)", r.c.Train.CheckpointEvery)
	if r.lastCheckpoint >= 0 {
		kept = fmt.Sprintf("the last good checkpoint (step %d) is kept in %s", r.lastCheckpoint, filepath.Join(r.dir, "checkpoint.ebm"))
	}
	hint := "lower the learning rate"
	if lr, ok := registry.ToMap(r.c.Optimizer)["lr"]; ok {
		hint += fmt.Sprintf(" ([optimizer] lr = %v)", lr)
	}
	if _, ok := registry.ToMap(r.c.Optimizer)["clip_norm"]; ok {
		hint += " or clip the gradient ([optimizer] clip_norm)"
	}
	return fmt.Errorf("%s: step %d: %s; training stopped; %s; %s", r.c.File, t, what, kept, hint)
}

// saveCheckpoint writes loss.csv, then checkpoint.ebm (and, with keep,
// checkpoint-<step>.ebm): a checkpoint never runs ahead of loss.csv.
func (r *trainRun) saveCheckpoint(keep bool) error {
	if err := r.writeLossCSV(); err != nil {
		return err
	}
	f := r.checkpointFile()
	if err := checkpoint.Write(filepath.Join(r.dir, "checkpoint.ebm"), f); err != nil {
		return err
	}
	r.lastCheckpoint = r.step
	if keep {
		return checkpoint.Write(filepath.Join(r.dir, fmt.Sprintf("checkpoint-%d.ebm", r.step)), f)
	}
	return nil
}
