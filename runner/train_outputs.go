package runner

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/plots"
	"github.com/goebm/ebm/samplers"
)

// The outputs of a training run, in its directory (runs/<name> or --out):
//
//	config.toml           the resolved config, written before the first step
//	loss.csv              step, loss, grad_norm, lr, seconds: one row every [train] log_every steps,
//	                      loss and grad_norm averaged over those steps (grad_norm before clipping), lr at
//	                      the row's step, seconds of training so far; after a divergence the last row is
//	                      the step that diverged, with its raw values. Objectives with negative chains
//	                      (cd, pcd) add neg_accept, neg_divergences: the fraction of the chains'
//	                      transitions accepted over those steps (NaN when none), and how many diverged
//	checkpoint.ebm        the latest checkpoint: written every [train] checkpoint_every steps, at the end
//	                      and on Ctrl-C; never after a divergence (the last good one is kept)
//	checkpoint-<S>.ebm    with [train] keep_checkpoints, each periodic checkpoint also under its step S
//	eval.json             NLL, log Z, grid, border mass, MMD, history, warnings, "partial"
//	density.png           the learned density exp(−E) beside the training data (2-D data only)
//	samples.npy           draws from the trained model, float64, shape (chains, draws, dim)
//	samples.png           those draws over the learned density
//	                      (figures as .svg or .pdf instead with --format svg|pdf)
//
// Image runs (the data has an image shape (c, h, w), or the energy an
// in_shape, with c·h·w = dim and h·w > 1; see image_outputs.go) write
// instead of the scatter plot:
//
//	samples.npy           shape (chains, draws, c, h, w)
//	samples.png           an 8-column grid of the last draws (64 images), grey (c = 1) or RGB (c = 3)
//	data.png              a grid of the first 64 training images
//	progress.png          one row of 8 draws every [train] eval_every steps of this session
//	loss.png              loss.csv's loss against the step
//	manifest.json         what ran, where and when ("kind": "train")

// trainManifest is manifest.json of a training run.
type trainManifest struct {
	manifest
	Kind      string  `json:"kind"` // "train"
	Steps     int64   `json:"steps"`
	ResumedAt []int64 `json:"resumed_at"`
	Error     string  `json:"error,omitempty"`
}

// trainInterrupted is the error of a training run stopped by Ctrl-C.
func trainInterrupted(step int64, steps int, dir string, during string) error {
	return &exitError{exitInterrupted, fmt.Errorf("interrupted %s at step %d of %d: wrote checkpoint.ebm and what was done, marked \"partial\": true; continue with: ebmrun run --resume %s", during, step, steps, dir)}
}

// trainFormat is the --format of a training run or resume (already checked
// by cmdRun), PNG when none is given.
func trainFormat(fs *flag.FlagSet) plots.Format {
	f, err := plots.ParseFormat(flagValue(fs, "format"))
	if err != nil {
		return plots.PNG
	}
	return f
}

// execute trains from the step reached to the end, then evaluates and samples the
// model and writes every output, the figures in format. Ctrl-C during training checkpoints the
// last completed step; during evaluation it writes what was done. Both exit
// 130 and can be continued with --resume.
func (r *trainRun) execute(ctx context.Context, e *env, quiet bool, format plots.Format) error {
	c := r.c
	workers := c.Sample.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	man := trainManifest{manifest: newManifest(&Config{File: c.File, Seed: c.Seed}, min(workers, c.Sample.Chains), e.args), Kind: "train", ResumedAt: r.tr.ResumedAt()}
	if man.ResumedAt == nil {
		man.ResumedAt = []int64{}
	}
	man.Start = time.Now()
	written := []string{"config.toml"}
	var errs []error
	write := func(name string, fill func(w io.Writer) error) {
		if err := fileio.WriteFile(filepath.Join(r.dir, name), fill); err != nil {
			errs = append(errs, err)
			return
		}
		written = append(written, name)
	}
	writeManifest := func(partial bool, errMsg string) {
		man.End, man.Partial, man.Steps, man.Error = time.Now(), partial, r.tr.Done(), errMsg
		write("manifest.json", func(w io.Writer) error { return writeJSONTo(w, man) })
	}

	steps := c.Train.Steps
	stop, err := stopDone, error(nil)
	step := r.tr.Done()
	if step < int64(steps) {
		p := newProgress(e.stderr, "train "+c.ObjectiveType, quiet)
		p.unit, p.base = "steps", int(step)
		stop, err = r.loop(ctx, p)
		if stop == stopDone {
			p.finish()
		} else {
			p.stop()
		}
	} else {
		fmt.Fprintf(e.stdout, "training was complete (step %d of %d): evaluating and sampling the model again\n", step, steps)
	}

	step = r.tr.Done()
	switch stop {
	case stopDiverged, stopFailed:
		if werr := r.writeLossCSV(); werr == nil {
			written = append(written, "loss.csv")
		} else {
			errs = append(errs, werr)
		}
		writeManifest(true, err.Error())
		fmt.Fprintf(e.stdout, "wrote %s: %s\n", r.dir, strings.Join(written, " "))
		return failure(errors.Join(append([]error{err}, errs...)...))
	case stopInterrupted:
		if err := r.saveCheckpoint(false); err != nil {
			errs = append(errs, err)
		} else {
			written = append(written, "loss.csv", "checkpoint.ebm")
		}
		ev := r.newEvalFile()
		ev.Partial = true
		ev.Notes = append(ev.Notes, fmt.Sprintf("training was interrupted at step %d of %d: not evaluated; continue with ebmrun run --resume %s", step, steps, r.dir))
		write("eval.json", func(w io.Writer) error { return writeJSONTo(w, ev) })
		writeManifest(true, "")
		fmt.Fprintf(e.stdout, "wrote %s: %s\n", r.dir, strings.Join(written, " "))
		for _, err := range errs {
			fmt.Fprintln(e.stderr, err)
		}
		return trainInterrupted(step, steps, r.dir, "training")
	}

	// Training is complete: the final checkpoint, unless this session
	// resumed from it.
	if r.lastCheckpoint != step {
		ce := int64(c.Train.CheckpointEvery)
		if err := r.saveCheckpoint(c.Train.KeepCheckpoints && ce > 0 && step%ce == 0); err != nil {
			errs = append(errs, err)
		}
	}
	written = append(written, "loss.csv", "checkpoint.ebm")

	r.tr.UseAverage(true) // evaluate and sample the moving average ([train] ema)
	ev := r.newEvalFile()
	res, interrupted := r.evaluate(ctx, ev, e, quiet)
	ev.Partial = interrupted
	ev.WallSeconds = number(time.Since(man.Start).Seconds())
	if !quiet {
		fmt.Fprintln(e.stderr, "writing plots …")
	}
	ext := "." + string(format)
	if format == "" {
		format, ext = plots.PNG, ".png"
	}
	if r.dim == 2 {
		title := fmt.Sprintf("%s: %s on %s, %d steps", c.Name, c.ObjectiveType, c.DataType, step)
		write("density"+ext, func(w io.Writer) error { return plots.Density(w, format, c.Model, r.train, title) })
	} else {
		ev.Notes = append(ev.Notes, fmt.Sprintf("density"+ext+" is drawn for 2-D data only; this data has dimension %d", r.dim))
	}
	shape := r.imageShape()
	if res != nil {
		if shape != nil { // image runs keep the image shape: (chains, draws, c, h, w)
			write("samples.npy", func(w io.Writer) error {
				return fileio.WriteNPY(w, res.Samples, res.Chains, res.Draws, shape[0], shape[1], shape[2])
			})
		} else {
			write("samples.npy", func(w io.Writer) error { return fileio.WriteNPY(w, res.Samples, res.Chains, res.Draws, res.Dim) })
			run := plots.Run{Title: c.Sample.Sampler.Type + " on the trained model", Samples: res.Samples, Chains: res.Chains, Draws: res.Draws, Dim: res.Dim}
			write("samples"+ext, func(w io.Writer) error { return plots.Samples(w, format, c.Model, []plots.Run{run}) })
		}
	} else {
		ev.Notes = append(ev.Notes, "no draws from the trained model: samples.npy and samples"+ext+" not written")
	}
	if shape != nil {
		r.writeImageOutputs(shape, format, res, write, &ev.Notes)
	}
	r.writeEvalPlots(ev, format, ext, write)
	write("eval.json", func(w io.Writer) error { return writeJSONTo(w, ev) })
	writeManifest(interrupted, "")

	r.report(e.stdout, ev, res, written)
	if interrupted {
		for _, err := range errs {
			fmt.Fprintln(e.stderr, err)
		}
		return trainInterrupted(step, steps, r.dir, "evaluation")
	}
	if len(errs) > 0 {
		return failure(errors.Join(errs...))
	}
	return nil
}

// report prints a short account of the run on w.
func (r *trainRun) report(w io.Writer, ev *evalFile, res *samplers.Result, written []string) {
	c := r.c
	resumed := ""
	if ra := r.tr.ResumedAt(); len(ra) > 0 {
		resumed = fmt.Sprintf(" (resumed at step %d)", ra[len(ra)-1])
	}
	fmt.Fprintf(w, "trained %s with %s on %s: %d steps%s, final loss %s, %.2f s\n",
		c.EnergyType, c.ObjectiveType, c.DataType, r.tr.Done(), resumed, fmtNum(ev.FinalLoss), float64(ev.TrainSeconds))
	on := "held-out"
	if ev.EvaluatedOn == "train" {
		on = "training"
	}
	if ev.Grid != nil {
		fmt.Fprintf(w, "  %s NLL %s ± %s nats (log Z %s, border mass %s)\n", on, fmtNum(ev.NLL), fmtNum(ev.NLLStderr), fmtNum(ev.LogZ), fmtNum(ev.BorderMass))
	}
	if res != nil {
		fmt.Fprintf(w, "  %s: %d chains × %d draws, MMD² to %s data %s (training vs held-out data: %s)\n",
			c.Sample.Sampler.Type, res.Chains, res.Draws, on, fmtNum(ev.MMD2), fmtNum(ev.MMD2Data))
	}
	r.reportEval(w, ev)
	fmt.Fprintf(w, "wrote %s: %s\n", r.dir, strings.Join(written, " "))
}

// writeText writes a text file into the run directory atomically.
func (r *trainRun) writeText(name, s string) error {
	return fileio.WriteFile(filepath.Join(r.dir, name), func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	})
}

// writeLossCSV writes loss.csv from the rows so far. Values are written in
// their shortest exact form, so a resumed run's file is byte-identical to
// an uninterrupted one's apart from the seconds column.
func (r *trainRun) writeLossCSV() error {
	neg := r.tr.NegStats()
	return fileio.WriteFile(filepath.Join(r.dir, "loss.csv"), func(w io.Writer) error {
		var b []byte
		b = append(b, "step,loss,grad_norm,lr,seconds"...)
		if neg {
			b = append(b, ",neg_accept,neg_divergences"...)
		}
		b = append(b, '\n')
		for _, l := range r.tr.Rows() {
			b = strconv.AppendInt(b, l.Step, 10)
			for _, v := range []float64{l.Loss, l.GradNorm, l.LR} {
				b = append(b, ',')
				b = strconv.AppendFloat(b, v, 'g', -1, 64)
			}
			b = append(b, ',')
			b = strconv.AppendFloat(b, l.Seconds, 'f', 3, 64)
			if neg {
				b = append(b, ',')
				b = strconv.AppendFloat(b, l.NegAccept(), 'g', -1, 64)
				b = append(b, ',')
				b = strconv.AppendInt(b, l.NegDivergences, 10)
			}
			b = append(b, '\n')
		}
		_, err := w.Write(b)
		return err
	})
}

// writeJSONTo writes v as indented JSON, with '<', '>' and '&' as they are
// (messages quote comparisons).
func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
