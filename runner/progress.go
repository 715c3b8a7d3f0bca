package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports one sampler run's iterations (or a training run's
// steps) on stderr: a progress bar with rate and ETA on a terminal, a plain
// line every few seconds otherwise (logs, CI), nothing when quiet.
type progress struct {
	w     io.Writer
	label string
	quiet bool
	tty   bool

	unit string // "iterations" (the default), "steps" or "grid points"
	// lazy, when > 0, shows nothing until the work has run that long, and
	// then nothing at the end unless something was shown: for work that
	// is usually quick (an evaluation) and only sometimes long.
	lazy  time.Duration
	shown bool
	base  int    // work done before this session (a resumed run): not counted in the rate
	info  string // extra text after the counts, e.g. "loss 0.1234"

	bar   *progressbar.ProgressBar
	start time.Time
	last  time.Time
	every time.Duration
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress starts reporting for the run named label ("[1/2] mh").
func newProgress(w io.Writer, label string, quiet bool) *progress {
	return &progress{w: w, label: label, quiet: quiet, tty: isTerminal(w), start: time.Now(), every: 5 * time.Second, unit: "iterations"}
}

// setInfo sets the text shown after the counts (the bar's description on a
// terminal), e.g. the current loss.
func (p *progress) setInfo(s string) {
	p.info = s
	if p.bar != nil {
		p.bar.Describe(p.describe())
	}
}

// describe is the bar's description: the label and the info.
func (p *progress) describe() string {
	if p.info == "" {
		return p.label
	}
	return p.label + " " + p.info
}

// update is the samplers.Options.Progress callback.
func (p *progress) update(done, total int) {
	if p.quiet {
		return
	}
	if p.lazy > 0 && !p.shown && time.Since(p.start) < p.lazy {
		return
	}
	if p.tty {
		p.shown = true
		if p.bar == nil {
			p.bar = progressbar.NewOptions(total-p.base,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(p.describe()),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString(map[string]string{"iterations": "it", "steps": "step", "grid points": "pt"}[p.unit]),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetWidth(30))
		}
		p.bar.Set(done - p.base)
		return
	}
	now := time.Now()
	if done < total && now.Sub(p.last) < p.every {
		return
	}
	if done < total && p.last.IsZero() && now.Sub(p.start) < p.every {
		return // short runs print only their final line
	}
	if p.lazy > 0 && !p.shown && done >= total {
		return // lazy: a quick run prints nothing
	}
	p.shown = true
	p.last = now
	el := now.Sub(p.start)
	line := fmt.Sprintf("%s: %d/%d %s (%.0f%%), %s elapsed", p.label, done, total, p.unit, 100*float64(done)/float64(max(total, 1)), el.Round(100*time.Millisecond))
	if p.unit != "iterations" && done > p.base && el > 0 {
		line += fmt.Sprintf(", %.4g %s/s", float64(done-p.base)/el.Seconds(), p.unit)
	}
	if done > p.base && done < total {
		eta := time.Duration(float64(el) * float64(total-done) / float64(done-p.base))
		line += fmt.Sprintf(", ETA %s", eta.Round(time.Second))
	}
	if p.info != "" {
		line += ", " + p.info
	}
	fmt.Fprintln(p.w, line)
}

// finish ends the bar's line at 100 %.
func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

// end ends the bar: where it stopped when ctx was cancelled (stop), else
// at 100 % (finish).
func (p *progress) end(ctx context.Context) {
	if ctx.Err() != nil {
		p.stop()
		return
	}
	p.finish()
}

// stop ends the bar's line of an interrupted run where it stopped, instead
// of jumping to 100 % as finish does.
func (p *progress) stop() {
	if p.bar != nil {
		p.bar.Exit()
		fmt.Fprintln(p.w)
	}
}
