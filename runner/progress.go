package runner

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports one sampler run's iterations on stderr: a progress bar
// with rate and ETA on a terminal, a plain line every few seconds otherwise
// (logs, CI), nothing when quiet.
type progress struct {
	w     io.Writer
	label string
	quiet bool
	tty   bool

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
	return &progress{w: w, label: label, quiet: quiet, tty: isTerminal(w), start: time.Now(), every: 5 * time.Second}
}

// update is the samplers.Options.Progress callback.
func (p *progress) update(done, total int) {
	if p.quiet {
		return
	}
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(p.label),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("it"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetWidth(30))
		}
		p.bar.Set(done)
		return
	}
	now := time.Now()
	if done < total && now.Sub(p.last) < p.every {
		return
	}
	if done < total && p.last.IsZero() && now.Sub(p.start) < p.every {
		return // short runs print only their final line
	}
	p.last = now
	el := now.Sub(p.start)
	line := fmt.Sprintf("%s: %d/%d iterations (%.0f%%), %s elapsed", p.label, done, total, 100*float64(done)/float64(max(total, 1)), el.Round(100*time.Millisecond))
	if done > 0 && done < total {
		eta := time.Duration(float64(el) * float64(total-done) / float64(done))
		line += fmt.Sprintf(", ETA %s", eta.Round(time.Second))
	}
	fmt.Fprintln(p.w, line)
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
