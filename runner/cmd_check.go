package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/energytest"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// checkIters is how many iterations (all warmup but the last) the short
// run of `ebmrun check` makes before its draws are checked.
const checkIters = 50

// maxCheckPoints bounds --points: each point costs 2·dim + a few
// evaluations of the energy.
const maxCheckPoints = 1000

func checkFlags(fs *flag.FlagSet) {
	sets := new(setList)
	fs.Var(sets, "set", "override a config value, e.g. --set energy.dim=3 (repeatable)")
	fs.Func("seed", "random seed (overrides the config's seed): it picks the start points, as it does for run", func(v string) error {
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 0 {
			return fmt.Errorf("want a non-negative integer, got %q", v)
		}
		*sets = append(*sets, "seed="+v)
		return nil
	})
	fs.Int("points", 8, fmt.Sprintf("check at `N` start points and N draws (sampling config), or N data rows (training config); 1 to %d", maxCheckPoints))
	fs.String("checkpoint", "", "check the trained model saved in `FILE` (RUN_DIR/checkpoint.ebm) in place of the training CONFIG's untrained [energy]")
}

// checkTarget is what `ebmrun check` checks: an energy, its name for
// messages, the points and where they came from.
type checkTarget struct {
	energy energies.Energy
	typ    string
	x      []float64
	where  []string // "8 start points from [init] (normal)", …
	notes  []string // why some points are missing
}

func cmdCheck(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("check", pos, 1, 1, "one CONFIG file"); err != nil {
		return err
	}
	n, _ := strconv.Atoi(flagValue(fs, "points"))
	if n < 1 || n > maxCheckPoints {
		return fmt.Errorf("ebmrun check: --points must be 1 to %d, got %s", maxCheckPoints, flagValue(fs, "points"))
	}
	ck := flagValue(fs, "checkpoint")
	path := pos[0]
	var t *checkTarget
	var err error
	if isTrainFile(path) {
		t, err = checkTargetTrain(e, path, flagSets(fs), ck, n)
	} else {
		if ck != "" {
			return fmt.Errorf("ebmrun check: --checkpoint needs a training CONFIG, whose data set gives the points; %s is a sampling config", path)
		}
		t, err = checkTargetSampling(ctx, e, path, flagSets(fs), n)
	}
	if err != nil {
		return err
	}
	r, err := energytest.Run(t.energy, energytest.Options{At: t.x})
	if err != nil {
		return failure(fmt.Errorf("ebmrun check: %s: energy %q: %v", path, t.typ, err))
	}
	w := e.stdout
	fmt.Fprintf(w, "%s: energy %q (dim %d) at %d points: %s\n", path, t.typ, r.Dim, r.Points, strings.Join(t.where, ", "))
	for _, note := range t.notes {
		fmt.Fprintf(w, "  note: %s\n", note)
	}
	worst := fmt.Sprintf("worst relative gradient error %.2g", r.WorstGradient)
	if r.WorstGradientDim >= 0 {
		worst += fmt.Sprintf(" (dim %d; tolerance %g)", r.WorstGradientDim, r.GradRelTol)
	}
	if !r.Failed() {
		fmt.Fprintf(w, "ok: %s pass; %s\n", strings.Join(r.Checks, ", "), worst)
		return nil
	}
	var failed, passed []string
	for _, c := range r.Checks {
		if !hasFailure(r, c) {
			passed = append(passed, c)
			continue
		}
		failed = append(failed, c)
		printCheckFailures(e, r, c, worst)
	}
	if len(passed) > 0 {
		fmt.Fprintf(w, "pass: %s\n", strings.Join(passed, ", "))
	}
	msg := fmt.Sprintf("ebmrun check: %s: energy %q fails the %s check", path, t.typ, strings.Join(failed, ", "))
	if len(failed) > 1 {
		msg += "s"
	}
	if dims := r.FailedDims(""); len(dims) > 0 {
		msg += " in " + dimList(dims)
	}
	return failure(errors.New(msg + " (details above; energytest.Check runs the same checks in a Go test)"))
}

// hasFailure reports whether check failed anywhere.
func hasFailure(r *energytest.Report, check string) bool {
	for _, f := range r.Failures {
		if f.Check == check {
			return true
		}
	}
	return false
}

// printCheckFailures prints what check found: for the gradient, each
// disagreeing dimension with its worst component; for the others, the
// first few failures.
func printCheckFailures(e *env, r *energytest.Report, check, worst string) {
	w := e.stdout
	var fs []energytest.Failure
	for _, f := range r.Failures {
		if f.Check == check {
			fs = append(fs, f)
		}
	}
	dims := r.FailedDims(check)
	if check == energytest.CheckGradient {
		verb := "disagree"
		if len(dims) == 1 {
			verb = "disagrees"
		}
		fmt.Fprintf(w, "FAIL gradient: %s %s with finite differences at %d of %d points (%d of %d components; %s)\n",
			dimList(dims), verb, failedRows(r, check), r.Points, len(fs), r.GradientCompared, worst)
		const show = 16
		for _, d := range dims[:min(len(dims), show)] {
			rows := 0
			for _, f := range fs {
				if f.Dim == d {
					rows++
				}
			}
			fmt.Fprintf(w, "  dim %d: at %d of %d points; worst: %s\n", d, rows, r.Points, worstFailure(r, check, d).Message)
		}
		if len(dims) > show {
			fmt.Fprintf(w, "  … and %d more dims\n", len(dims)-show)
		}
		return
	}
	head := fmt.Sprintf("FAIL %s: %d failures", check, len(fs))
	if len(dims) > 0 {
		head += " in " + dimList(dims)
	}
	fmt.Fprintln(w, head)
	const show = 4
	for _, f := range fs[:min(len(fs), show)] {
		fmt.Fprintf(w, "  %s\n", f.Message)
	}
	if len(fs) > show {
		fmt.Fprintf(w, "  … and %d more\n", len(fs)-show)
	}
}

// checkTargetSampling loads a sampling config and returns its energy with
// the first n start points a run of it would use (chain i's point, drawn
// from [init] with the run's stream for chain i) and the last draws of n
// chains of its first sampler after checkIters iterations.
func checkTargetSampling(ctx context.Context, e *env, path string, sets []string, n int) (*checkTarget, error) {
	c, err := Load(path, sets)
	if err != nil {
		return nil, err
	}
	printWarnings(e, c.Warnings)
	d := c.Energy.Dim()
	t := &checkTarget{energy: c.Energy, typ: c.EnergyType, x: make([]float64, n*d)}
	for i := range n {
		r := rng.New(uint64(c.Seed), uint64(i))
		c.Init.Fill(t.x[i*d:(i+1)*d], &r)
	}
	t.where = append(t.where, fmt.Sprintf("%d start points from [init] (%s)", n, c.InitType))

	sp := c.Samplers[0]
	init := c.Init
	res, err := samplers.Run(ctx, c.Energy, sp.Sampler, samplers.Options{
		Chains: n, Warmup: checkIters - 1, Draws: 1, Thin: 1, Seed: uint64(c.Seed), Workers: c.Run.Workers,
		Init: func(_ int, r *rng.Stream, x []float64) { init.Fill(x, r) },
	})
	switch {
	case ctx.Err() != nil:
		return nil, &exitError{exitInterrupted, errors.New("ebmrun check: interrupted")}
	case err != nil:
		t.notes = append(t.notes, fmt.Sprintf("no draws: the short run of [sampler] (%s) failed: %v", sp.Type, err))
		return t, nil
	}
	kept := 0
	for i := range res.Chains {
		row := res.Samples[i*res.Draws*d+(res.Draws-1)*d:][:d]
		if samplers.RowFinite(row, 0, d) {
			t.x = append(t.x, row...)
			kept++
		}
	}
	t.where = append(t.where, fmt.Sprintf("%d draws of [sampler] (%s) after %d iterations", kept, sp.Type, checkIters))
	if kept < res.Chains {
		t.notes = append(t.notes, fmt.Sprintf("%d of %d chains of the short run ended at a non-finite point and are left out", res.Chains-kept, res.Chains))
	}
	return t, nil
}

// checkTargetTrain loads a training config and returns its untrained
// [energy], or the model saved in the checkpoint file ck, with n rows of
// its data set, evenly spaced from the first.
func checkTargetTrain(e *env, path string, sets []string, ck string, n int) (*checkTarget, error) {
	c, err := LoadTrain(path, sets)
	if err != nil {
		return nil, err
	}
	printWarnings(e, c.Warnings)
	t := &checkTarget{energy: c.Model, typ: c.EnergyType}
	what := "untrained [energy]"
	if ck != "" {
		f, err := checkpoint.Read(ck)
		if err != nil {
			return nil, err
		}
		tr, err := f.NewEnergy()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ck, err)
		}
		typ, _ := f.Energy["type"].(string)
		t.energy, t.typ, what = tr, typ+" from "+ck, "trained model"
	}
	d := c.Data.Dim()
	if t.energy.Dim() != d {
		return nil, fmt.Errorf("ebmrun check: %s has dimension %d but the data of %s has dimension %d", t.typ, t.energy.Dim(), path, d)
	}
	t.x = spreadRows(c.points, d, n)
	t.where = append(t.where, fmt.Sprintf("%d rows of [data] (%s), %s", len(t.x)/d, c.DataType, what))
	return t, nil
}
