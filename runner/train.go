package runner

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/train"
)

// Training runs (ebmrun run on a config with [train] or [objective]) are
// driven by package train: batches, steps, divergence checks, the run state
// in checkpoints. This file builds a train.Trainer from a TrainConfig and
// handles the commands; train_outputs.go writes the outputs, train_eval.go
// scores the trained model.

// trainStepHook, when set (by tests), is called after each completed
// training step, with the number of steps done.
var trainStepHook func(step int64)

// trainRun is one training session: the config, its data and the trainer.
type trainRun struct {
	c   *TrainConfig
	dir string
	tr  *train.Trainer

	dim            int
	nAll           int       // rows of the data, before the split
	train          []float64 // the data's training rows
	eval           []float64 // held-out rows, or the training rows when there are none
	evalOn         string    // "heldout" or "train"
	notes          []string
	grid           *evaluate.Grid // the quadrature grid (dim ≤ 3)
	nModel         int
	lastCheckpoint int64 // step of the newest checkpoint.ebm, -1 when none

	// progress holds, for image runs with [train] eval_every > 0, a few
	// draws from the model every eval_every steps of this session: one
	// row of progressChains images per evaluation (progress.png).
	progress      [][]float64
	progressSteps []int64
	// dataLo, dataHi are the data's bounding box (datasets.Bounds of all
	// its rows), computed before the split.
	dataLo, dataHi []float64
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
	s := c.Train
	n := len(x) / dim
	r := &trainRun{c: c, dir: dir, dim: dim, nAll: n, lastCheckpoint: -1}
	r.dataLo, r.dataHi = datasets.Bounds(x, dim)
	if dim <= 3 {
		g := evaluate.GridFor(x, dim, c.Eval.Margin, c.Eval.gridRes(dim))
		r.grid = &g
	}
	// The split reorders the loaded rows in place: an MNIST-sized data set
	// is 376 MB of float64, too much to hold twice.
	r.train, r.eval = s.SplitInPlace(x, dim)
	if len(r.train) == 0 {
		return nil, fmt.Errorf("%s: [train]: key \"holdout\": %v of %d rows leaves no training rows", c.File, c.Train.Holdout, n)
	}
	r.evalOn = "heldout"
	if len(r.eval) == 0 {
		r.eval, r.evalOn = r.train, "train"
		r.notes = append(r.notes, "no held-out rows ([train] holdout = 0 or too few rows): NLL and MMD are measured on the training data")
	}
	tr, err := train.New(c.Model, c.Objective, c.Optimizer, r.train, dim, s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.File, r.componentError(err))
	}
	r.tr, r.nModel = tr, len(c.Model.Params())
	c.points = nil // reordered by the split; nothing after this reads it
	return r, nil
}

// componentError names the component of a *train.ComponentError as a
// config does ("[objective] (nce): …", with the step that failed if any);
// other errors are returned as they are.
func (r *trainRun) componentError(err error) error {
	var ce *train.ComponentError
	if !errors.As(err, &ce) {
		return err
	}
	typ := r.c.ObjectiveType
	if ce.Component == "optimizer" {
		typ = r.c.OptimizerType
	}
	placed := &registry.Error{Table: ce.Component, Type: typ, Err: ce.Err}
	if ce.Step > 0 {
		return fmt.Errorf("step %d: %w", ce.Step, placed)
	}
	return placed
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
	printWarnings(e, c.Warnings)
	spotCheckTrain(e, c)
	dir := trainOutDir(c, flagValue(fs, "out"))
	r, err := newTrainRun(c, dir)
	if err != nil {
		return err
	}
	lock, err := claimOutDir(e, dir, "train", c.Name, flagValue(fs, "force") == "true")
	if err != nil {
		return err
	}
	defer lock.release()
	// config.toml first: with it and a checkpoint, --resume can continue
	// the run however it stops.
	if err := r.writeText("config.toml", c.ResolvedTOML()); err != nil {
		return failure(err)
	}
	return r.execute(ctx, e, flagValue(fs, "quiet") == "true", trainFormat(fs))
}

// cmdValidateTrain is `ebmrun validate CONFIG` on a training config: every
// check that run does before its first step (the data is loaded, the
// objective and the optimizer are started), and nothing is written.
func cmdValidateTrain(e *env, fs *flag.FlagSet, path string) error {
	c, err := LoadTrain(path, flagSets(fs))
	if err != nil {
		return err
	}
	printWarnings(e, c.Warnings)
	if err := checkOutDir(trainOutDir(c, flagValue(fs, "out")), false); err != nil {
		return err
	}
	r, err := newTrainRun(c, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok: training: data %s (%d rows, dim %d; %d held out), energy %s (%d parameters), objective %s, optimizer %s, %d steps × batch %d; then %s, %d chains × (%d warmup + %d draws)\n",
		c.File, c.DataType, r.nAll, r.dim, r.nAll-len(r.train)/r.dim, c.EnergyType, r.nModel, c.ObjectiveType, c.OptimizerType,
		c.Train.Steps, c.Train.BatchSize, c.Sample.Sampler.Type, c.Sample.Chains, c.Sample.Warmup, c.Sample.Draws)
	return nil
}

// resumeSettable reports whether --set may change key on --resume: what
// only says how long to train, how often to log, checkpoint and evaluate,
// what to do after training, and the learning rate (Adam's and SGD's state
// does not depend on it: the run continues from the checkpoint with the new
// rate). Everything else would make the run a different one.
func resumeSettable(key string) bool {
	switch key {
	case "train.steps", "train.log_every", "train.checkpoint_every", "train.keep_checkpoints", "train.eval_every",
		"optimizer.lr", "run.workers", "sample.workers":
		return true
	}
	return strings.HasPrefix(key, "eval.") || strings.HasPrefix(key, "sample.")
}

// resumeAllowed reports whether a checkpointed key (table.key) may differ
// between the checkpoint and the config on --resume.
func resumeAllowed(key string) bool {
	return key != "train.seed" && key != "train.batch_size" && key != "train.holdout" && resumeSettable(key)
}

// resumeSettableList names the keys --set may change on --resume.
const resumeSettableList = "train.steps, train.log_every, train.checkpoint_every, train.keep_checkpoints, train.eval_every, optimizer.lr, eval.*, sample.*, run.workers"

// cmdResume is `ebmrun run --resume DIR`.
func cmdResume(ctx context.Context, e *env, fs *flag.FlagSet, pos []string, dir string) error {
	me := "ebmrun run --resume " + dir
	if len(pos) > 0 {
		return fmt.Errorf("%s: takes no CONFIG (got %q): the run continues as configured in %s", me, pos, filepath.Join(dir, "config.toml"))
	}
	if flagValue(fs, "out") != "" {
		return fmt.Errorf("%s: --out cannot be used with --resume: the run continues in its own directory", me)
	}
	if flagValue(fs, "force") == "true" {
		return fmt.Errorf("%s: --force cannot be used with --resume: a resumed run keeps its directory's outputs", me)
	}
	cfg := filepath.Join(dir, "config.toml")
	if p := inspectDir(dir); p != nil && p.kind == "sampling" && !p.foreign {
		return fmt.Errorf("%s: %s holds a sampling run: sampling runs are not resumable (only training runs are); run it again with: ebmrun run %s --out %s", me, dir, cfg, dir)
	}
	var sets, kept []string
	for _, s := range flagSets(fs) {
		key, _, _ := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		if !resumeSettable(key) {
			return fmt.Errorf("%s: --set %s cannot change a resumed run: it would no longer continue the same training (keys --set may change on --resume: %s)", me, s, resumeSettableList)
		}
		if key == "run.workers" || key == "sample.workers" {
			kept = append(kept, s)
		}
		sets = append(sets, s)
	}
	if _, err := os.Stat(cfg); err != nil {
		return fmt.Errorf("%s: no config.toml there: not the output directory of a training run", me)
	}
	if !isTrainFile(cfg) {
		if _, err := LoadTrain(cfg, nil); err != nil {
			return err
		}
	}
	lock, err := lockOutDir(dir)
	if err != nil {
		return err
	}
	defer lock.release()
	before, err := LoadTrain(cfg, kept)
	if err != nil {
		return err
	}
	c, err := LoadTrain(cfg, sets)
	if err != nil {
		return err
	}
	printWarnings(e, c.Warnings)
	ckPath := filepath.Join(dir, "checkpoint.ebm")
	if _, err := os.Stat(ckPath); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: no checkpoint.ebm there: the run stopped before its first checkpoint; start it again with ebmrun run", me)
	}
	ck, err := checkpoint.Read(ckPath)
	if err != nil {
		return fmt.Errorf("%s: %v", me, err)
	}
	r, err := newTrainRun(c, dir)
	if err != nil {
		return err
	}
	notes, err := r.compareCheckpoint(ck, before)
	if err != nil {
		return fmt.Errorf("%s: %v", me, err)
	}
	if ck.Step > int64(c.Train.Steps) {
		return fmt.Errorf("%s: train.steps = %d is below the checkpoint's step %d: a run cannot be shortened; give train.steps ≥ %d", me, c.Train.Steps, ck.Step, ck.Step)
	}
	if err := r.restore(ck); err != nil {
		return fmt.Errorf("%s: %s: %v", me, ckPath, err)
	}
	for _, n := range notes {
		fmt.Fprintln(e.stderr, "ebmrun: "+n)
	}
	if len(sets) > len(kept) {
		// The run continues as now configured: config.toml says so, under
		// the header of the original.
		src := c.ResolvedTOML()
		if old, err := os.ReadFile(cfg); err == nil {
			head, _, _ := strings.Cut(string(old), "\n")
			_, rest, _ := strings.Cut(src, "\n")
			src = head + "\n" + rest
		}
		if err := r.writeText("config.toml", src); err != nil {
			return failure(err)
		}
	}
	return r.execute(ctx, e, flagValue(fs, "quiet") == "true", trainFormat(fs))
}

// configTables are the run's config tables that a checkpoint records and
// --resume compares, by name; "energy" and "optimizer" are File.Energy and
// File.Optimizer, the others File.Tables.
func (r *trainRun) configTables() map[string]map[string]any {
	c := r.c
	return map[string]map[string]any{
		"energy":    r.modelTable(),
		"optimizer": registry.Resolved(c.OptimizerType, c.Optimizer),
		"objective": registry.Resolved(c.ObjectiveType, c.Objective),
		"data":      registry.Resolved(c.DataType, c.Data),
		"train":     registry.ToMap(&c.Train),
	}
}

// compareCheckpoint compares the tables stored in the checkpoint f with
// the run's config: a difference in the model, objective, data or the
// training's seed, batch size or split is an error naming every such key
// (old → new); the allowed ones (steps, logging, evaluation, lr) become
// notes, as do the --set changes of tables a checkpoint does not hold
// ([eval], [sample]) against the config as it was (before), and tables
// an older checkpoint lacks.
func (r *trainRun) compareCheckpoint(f *checkpoint.File, before *TrainConfig) ([]string, error) {
	now := r.configTables()
	stored := map[string]map[string]any{"energy": f.Energy, "optimizer": f.Optimizer}
	for k, t := range f.Tables {
		stored[k] = t
	}
	var bad, notes, missing []string
	for _, table := range []string{"energy", "objective", "data", "optimizer", "train"} {
		old, ok := stored[table]
		if !ok || old == nil {
			missing = append(missing, "["+table+"]")
			continue
		}
		for _, d := range diffTables(table, old, now[table]) {
			if resumeAllowed(d.key) {
				notes = append(notes, "resuming with "+d.String())
				if o := registry.ToMap(r.c.Optimizer); d.key == "train.steps" && o["schedule"] == "cosine" && asInt(o["decay_steps"]) == 0 {
					notes = append(notes, "warning: [optimizer] schedule = \"cosine\" with decay_steps = 0 decays over train.steps: the learning rate follows the new, longer cosine from here on")
				}
			} else {
				bad = append(bad, d.String())
			}
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("the config differs from the run in checkpoint.ebm: %s; --resume continues the same model, objective and data (it may change only %s); start a new run with another --out instead", strings.Join(bad, ", "), resumeSettableList)
	}
	for _, tb := range []struct {
		name     string
		old, new any
	}{{"eval", &before.Eval, &r.c.Eval}, {"sample", &before.Sample, &r.c.Sample}} {
		for _, d := range diffTables(tb.name, normalTable(registry.ToMap(tb.old)), normalTable(registry.ToMap(tb.new))) {
			notes = append(notes, "resuming with "+d.String())
		}
	}
	if len(missing) > 0 {
		notes = append(notes, fmt.Sprintf("warning: checkpoint.ebm predates stored config tables: %s could not be checked against the config", strings.Join(missing, ", ")))
	}
	return notes, nil
}

// tableDiff is one key that differs between two tables.
type tableDiff struct {
	key      string // table.key (nested tables dotted)
	old, new string // the values, "(none)" when absent
}

func (d tableDiff) String() string { return fmt.Sprintf("%s %s → %s", d.key, d.old, d.new) }

// diffTables lists the keys of two tables that differ, sorted; values are
// compared as TOML writes them, so an integer read back from a checkpoint
// equals the config's.
func diffTables(prefix string, old, new map[string]any) []tableDiff {
	a, b := map[string]string{}, map[string]string{}
	flattenTable(a, prefix, normalTable(old))
	flattenTable(b, prefix, normalTable(new))
	var out []tableDiff
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if b[k] != a[k] {
			v, ok := b[k]
			if !ok {
				v = "(none)"
			}
			out = append(out, tableDiff{k, a[k], v})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		// A key the old table lacks and the new one holds at its zero value
		// was added to the component after the run started (e.g. mlp's
		// weights = ""): the old run had the same behaviour.
		if _, ok := a[k]; !ok && !zeroTOML(b[k]) {
			out = append(out, tableDiff{k, "(none)", b[k]})
		}
	}
	return out
}

// zeroTOML reports whether v, a flattened TOML value, is a zero value:
// "", 0, 0.0, false or an empty array.
func zeroTOML(v string) bool {
	switch v {
	case `""`, "0", "0.0", "false", "[]":
		return true
	}
	return false
}

// normalTable round-trips t through TOML, as a checkpoint stores it.
func normalTable(t map[string]any) map[string]any {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(t); err != nil {
		return t
	}
	m := map[string]any{}
	if _, err := toml.Decode(buf.String(), &m); err != nil {
		return t
	}
	return m
}

// flattenTable writes the keys of t into out as prefix.key → TOML value.
func flattenTable(out map[string]string, prefix string, t map[string]any) {
	for k, v := range t {
		if sub, ok := v.(map[string]any); ok {
			flattenTable(out, prefix+"."+k, sub)
			continue
		}
		out[prefix+"."+k] = strings.TrimSpace(strings.TrimPrefix(registry.EncodeKey("x", v), "x = "))
	}
}

// describe adds to a checkpoint of the trainer what describes the run: the
// [energy] and [optimizer] tables, the run's name, data and objective.
func (r *trainRun) describe(f *checkpoint.File) *checkpoint.File {
	c := r.c
	f.Energy = r.modelTable()
	f.Optimizer = registry.Resolved(c.OptimizerType, c.Optimizer)
	f.Meta["name"], f.Meta["data"], f.Meta["objective"] = c.Name, c.DataType, c.ObjectiveType
	t := r.configTables()
	f.Tables = map[string]map[string]any{"objective": t["objective"], "data": t["data"], "train": t["train"]}
	return f
}

// modelTable is the [energy] table a checkpoint records: the model's type
// and keys; for a model loaded from a checkpoint (fine-tuning), the table of
// the model in that file.
func (r *trainRun) modelTable() map[string]any {
	if ce, ok := r.c.Model.(*checkpoint.Energy); ok && ce.Checkpoint() != nil {
		return ce.Checkpoint().Energy
	}
	return registry.Resolved(r.c.EnergyType, r.c.Model)
}

// restore continues from a checkpoint written by this config's run (see
// train.Trainer.Restore). Call it after newTrainRun, so that everything is
// first started exactly as in an uninterrupted run.
func (r *trainRun) restore(f *checkpoint.File) error {
	want, _ := registry.TypeOf(r.modelTable())
	if typ, _ := registry.TypeOf(f.Energy); typ != want {
		return fmt.Errorf("the checkpoint holds an energy of type %q, the config a %q", typ, want)
	}
	if err := r.tr.Restore(f); err != nil {
		return r.componentError(err)
	}
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

// loop runs the training steps to [train] steps, showing progress on p,
// recording the held-out NLL every [train] eval_every steps and writing a
// checkpoint every [train] checkpoint_every steps. Ctrl-C is honoured
// between steps, so the state is always that after a whole step.
func (r *trainRun) loop(ctx context.Context, p *progress) (stopKind, error) {
	c := r.c
	h := train.Hooks{
		OnLog: func(row train.LossRow) { p.setInfo(fmt.Sprintf("loss %.4g", row.Loss)) },
		OnStep: func(info train.StepInfo) {
			p.update(int(info.Step), c.Train.Steps)
			if trainStepHook != nil {
				trainStepHook(info.Step)
			}
		},
		OnCheckpoint: func(f *checkpoint.File) error { return r.writeCheckpoint(f, c.Train.KeepCheckpoints) },
	}
	if r.grid != nil {
		h.OnEval = r.midRunEval(p)
	}
	if r.imageShape() != nil && c.Train.EvalEvery > 0 {
		onStep := h.OnStep
		h.OnStep = func(info train.StepInfo) {
			if info.Step%int64(c.Train.EvalEvery) == 0 {
				r.sampleProgress(ctx, info.Step)
			}
			onStep(info)
		}
	}
	err := r.tr.Loop(ctx, h)
	var div *train.DivergenceError
	switch {
	case err == nil:
		return stopDone, nil
	case errors.As(err, &div):
		return stopDiverged, r.divergence(div.Step, div.What)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return stopInterrupted, nil
	}
	return stopFailed, r.componentError(err)
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
	return r.writeCheckpoint(r.tr.Checkpoint(), keep)
}

// writeCheckpoint is saveCheckpoint of the trainer's checkpoint f.
func (r *trainRun) writeCheckpoint(f *checkpoint.File, keep bool) error {
	if err := r.writeLossCSV(); err != nil {
		return err
	}
	r.describe(f)
	if err := checkpoint.Write(filepath.Join(r.dir, "checkpoint.ebm"), f); err != nil {
		return err
	}
	r.lastCheckpoint = f.Step
	if keep {
		return checkpoint.Write(filepath.Join(r.dir, fmt.Sprintf("checkpoint-%d.ebm", f.Step)), f)
	}
	return nil
}
