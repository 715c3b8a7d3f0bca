package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/plots"
	"github.com/goebm/ebm/samplers"
)

// Number of chains and dimensions drawn in trace.png and rank.png.
const traceChains, traceDims = 4, 4

// writeOutputs writes every output file atomically into dir, continuing
// past a failed file so that as much as possible is kept; it returns the
// joined errors. It prints a short report to stdout. Figures are written in
// format (PNG when none is given).
func writeOutputs(dir string, c *Config, runs []finished, man manifest, partial bool, e *env, quiet bool, format ...plots.Format) error {
	ff := plots.PNG
	if len(format) > 0 && format[0] != "" {
		ff = format[0]
	}
	say := func(s string) {
		if !quiet {
			fmt.Fprintln(e.stderr, s)
		}
	}
	var errs []error
	var written []string
	write := func(name string, fill func(w io.Writer) error) {
		if err := fileio.WriteFile(filepath.Join(dir, name), fill); err != nil {
			errs = append(errs, err)
			return
		}
		written = append(written, name)
	}

	say("computing diagnostics (ESS, R-hat) and writing samples …")
	sum := summaryFile{Name: c.Name, Partial: partial, Shard: man.Shard.pos(), Runs: []runSummary{}}
	var plotRuns []plots.Run
	for _, f := range runs {
		r := f.res
		name, statsName, adaptName := "samples.npy", "sample_stats.npz", "adaptation.json"
		if f.subdir != "" {
			name = filepath.Join(f.subdir, name)
			statsName, adaptName = filepath.Join(f.subdir, statsName), filepath.Join(f.subdir, adaptName)
			if err := os.MkdirAll(filepath.Join(dir, f.subdir), 0o755); err != nil {
				errs = append(errs, fmt.Errorf("cannot create %s: %v", filepath.Join(dir, f.subdir), unwrapPath(err)))
				continue
			}
		}
		if f.samplesWritten {
			written = append(written, name)
		} else {
			// An image energy's draws keep the image shape: (chains, draws, c, h, w).
			shape := append([]int{r.Chains, r.Draws}, r.Dim)
			if img := runImageShape(nil, c.Energy, r.Dim); img != nil {
				shape = append(shape[:2], img...)
			}
			write(name, func(w io.Writer) error { return fileio.WriteNPY(w, r.Samples, shape...) })
		}
		if len(r.Stats) > 0 {
			write(statsName, func(w io.Writer) error { return fileio.WriteNPZ(w, statsArrays(r)) })
		}
		if r.Adaptation != nil {
			write(adaptName, func(w io.Writer) error {
				b, err := marshalIndent(adaptationOf(f.spec.Type, r))
				if err == nil {
					_, err = w.Write(b)
				}
				return err
			})
		}
		sum.Runs = append(sum.Runs, summarize(f.spec.Type, filepath.ToSlash(name), c.Run.Warmup, c.Run.Thin, r, f.spec.Sampler))
		if r.Draws > 0 {
			plotRuns = append(plotRuns, plots.Run{Title: plotTitle(f), Samples: r.Samples, Chains: r.Chains, Draws: r.Draws, Dim: r.Dim,
				Diverging: divergingOf(r)})
		}
	}
	write("summary.json", func(w io.Writer) error {
		b, err := marshalIndent(sum)
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	})
	write("config.toml", func(w io.Writer) error {
		_, err := io.WriteString(w, c.ResolvedTOML())
		return err
	})
	if len(plotRuns) > 0 {
		say("writing plots …")
		ext := "." + string(ff)
		if shape := runImageShape(nil, c.Energy, plotRuns[0].Dim); shape != nil {
			// Image energies: samples.png is a grid of the last draws.
			var res []*samplers.Result
			var bounds []float64
			for _, f := range runs {
				if f.res.Draws > 0 {
					res = append(res, f.res)
					if b := boundsOf(f.spec.Sampler); b != nil && bounds == nil {
						bounds = b
					}
				}
			}
			var lo, hi float64
			if bounds != nil {
				lo, hi = bounds[0], bounds[1]
			} else {
				var x []float64
				for _, r := range res {
					x = append(x, lastDraws(r, imageGridImages)...)
				}
				lo, hi = displayRange(x)
			}
			write("samples"+ext, func(w io.Writer) error { return sampleGrid(w, ff, shape, res, lo, hi) })
		} else {
			write("samples"+ext, func(w io.Writer) error { return plots.Samples(w, ff, c.Energy, plotRuns) })
		}
		write("trace"+ext, func(w io.Writer) error { return plots.Trace(w, ff, plotRuns, traceChains, traceDims) })
		write("rank"+ext, func(w io.Writer) error { return plots.Rank(w, ff, plotRuns, traceChains, traceDims) })
	} else {
		fmt.Fprintln(e.stderr, "ebmrun: no draws were completed: samples, trace and rank plots not written")
	}
	write("manifest.json", func(w io.Writer) error {
		b, err := marshalIndent(man)
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	})

	report(e.stdout, dir, written, sum)
	return errors.Join(errs...)
}

// statsOrder is the order of the arrays in sample_stats.npz (those a run
// has), ArviZ's names.
var statsOrder = []string{"lp", "acceptance_rate", "step_size", "tree_depth", "n_steps", "diverging", "energy"}

// statsArrays are a run's per-draw statistics, each of shape (chains, draws).
func statsArrays(r *samplers.Result) []fileio.NPZArray {
	var a []fileio.NPZArray
	for _, k := range statsOrder {
		if v, ok := r.Stats[k]; ok {
			a = append(a, fileio.NPZArray{Name: k, Data: v, Shape: []int{r.Chains, r.Draws}})
		}
	}
	return a
}

// adaptationFile is adaptation.json: the tuning each chain's warmup
// settled on.
type adaptationFile struct {
	Sampler   string     `json:"sampler"`
	Chains    int        `json:"chains"`
	Dim       int        `json:"dim"`
	StepSize  []number   `json:"step_size"`            // per chain
	InvMetric [][]number `json:"inv_metric,omitempty"` // per chain, the diagonal inverse metric (hmc, nuts)
}

func adaptationOf(typ string, r *samplers.Result) adaptationFile {
	a := adaptationFile{Sampler: typ, Chains: r.Chains, Dim: r.Dim, StepSize: numbers(r.Adaptation.StepSize)}
	if m := r.Adaptation.InvMetric; m != nil {
		for c := 0; c < r.Chains; c++ {
			a.InvMetric = append(a.InvMetric, numbers(m[c*r.Dim:(c+1)*r.Dim]))
		}
	}
	return a
}

// plotTitle names a panel: the sampler type, numbered when there are several.
func plotTitle(f finished) string {
	if f.subdir != "" {
		return strings.Replace(f.subdir, "-", ". ", 1)
	}
	return f.spec.Type
}

// maxReportDims bounds the per-dimension rows printed after a run.
const maxReportDims = 8

// report prints what was written and a short table of each run.
func report(w io.Writer, dir string, written []string, sum summaryFile) {
	for _, r := range sum.Runs {
		state := ""
		if r.Partial {
			state = " (partial)"
		}
		fmt.Fprintf(w, "%s%s: %d chains × %d draws, dim %d, acceptance %s, %d divergences, %.2f s\n",
			r.Sampler, state, r.Chains, r.Draws, r.Dim, fmtNum(r.AcceptanceRate), r.Divergences, float64(r.WallSeconds))
		if len(r.SwapRates) > 0 {
			rates := make([]string, len(r.SwapRates))
			for k, v := range r.SwapRates {
				rates[k] = fmtNum(v)
			}
			fmt.Fprintf(w, "  swap acceptance between neighbouring temperatures: %s\n", strings.Join(rates, " "))
		}
		if r.Draws == 0 {
			continue
		}
		if r.Dim > maxTableDims {
			reportWorst(w, r)
		} else {
			fmt.Fprintf(w, "  %4s %10s %10s %10s %10s %10s %9s %9s %7s\n", "dim", "mean", "std", "q5", "q50", "q95", "ess_bulk", "ess_tail", "rhat")
			for j := 0; j < min(r.Dim, maxReportDims); j++ {
				reportRow(w, r, j)
			}
			if r.Dim > maxReportDims {
				fmt.Fprintf(w, "  … %d more dimensions in summary.json\n", r.Dim-maxReportDims)
			}
		}
		for _, s := range r.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", s)
		}
	}
	fmt.Fprintf(w, "wrote %s: %s\n", dir, strings.Join(written, " "))
}

// maxTableDims is the most dimensions whose table rows are printed in
// order (the first maxReportDims of them); a run with more prints only its
// worst dimensions (reportWorst).
const maxTableDims = 20

// worstDims is how many dimensions reportWorst lists by each criterion.
const worstDims = 5

// reportRow prints dimension j's row of the diagnostics table.
func reportRow(w io.Writer, r runSummary, j int) {
	fmt.Fprintf(w, "  %4d %10s %10s %10s %10s %10s %9s %9s %7s\n", j, fmtNum(r.Mean[j]), fmtNum(r.Std[j]),
		fmtNum(r.Q5[j]), fmtNum(r.Q50[j]), fmtNum(r.Q95[j]), fmtNum(r.ESSBulk[j]), fmtNum(r.ESSTail[j]), fmtNum(r.RHat[j]))
}

// reportWorst prints, for a run of many dimensions, the worstDims
// dimensions with the highest R-hat and those with the lowest bulk ESS
// (undefined values left out), and where the full table is.
func reportWorst(w io.Writer, r runSummary) {
	fmt.Fprintf(w, "  %d dimensions: the worst by R-hat and by bulk ESS below; every dimension is in summary.json (runs[].mean, ess_bulk, rhat, …)\n", r.Dim)
	for _, by := range []struct {
		name  string
		v     []number
		worse func(a, b float64) bool
	}{
		{"highest R-hat", r.RHat, func(a, b float64) bool { return a > b }},
		{"lowest bulk ESS", r.ESSBulk, func(a, b float64) bool { return a < b }},
	} {
		var idx []int
		for j, x := range by.v {
			if f := float64(x); !math.IsNaN(f) && !math.IsInf(f, 0) {
				idx = append(idx, j)
			}
		}
		if len(idx) == 0 {
			fmt.Fprintf(w, "  %s: undefined for every dimension\n", by.name)
			continue
		}
		sort.SliceStable(idx, func(a, b int) bool { return by.worse(float64(by.v[idx[a]]), float64(by.v[idx[b]])) })
		fmt.Fprintf(w, "  %4s %10s %10s %10s %10s %10s %9s %9s %7s  (%s)\n", "dim", "mean", "std", "q5", "q50", "q95", "ess_bulk", "ess_tail", "rhat", by.name)
		for _, j := range idx[:min(len(idx), worstDims)] {
			reportRow(w, r, j)
		}
	}
}

// fmtNum formats a statistic with 4 significant digits, "-" when undefined.
func fmtNum(n number) string {
	b, _ := n.MarshalJSON()
	if string(b) == "null" {
		return "-"
	}
	return fmt.Sprintf("%.4g", float64(n))
}

// Output directories. A run holds the lock of its directory while it
// writes there (fileio.Lock: a second run on the same --out is refused, and
// a killed run's lock goes with its process). Before writing, it looks at
// what the directory holds (priorRun) and goes on only when that is
// nothing of ebmrun's, or an earlier run of the same kind and name that
// is not a partial training run (rerunning a config into its own
// directory); --force replaces anything. Either way the earlier run's
// output files are removed first, so that runs never mix.

// outputNames are the files a sampling or training run writes into its
// directory; checkpoint-<step>.ebm and <i>-<type>/{subdirOutputs} besides.
var outputNames = []string{"config.toml", "manifest.json", "summary.json", "samples.npy", "samples.png", "trace.png",
	"rank.png", "samples.svg", "trace.svg", "rank.svg", "samples.pdf", "trace.pdf", "rank.pdf",
	"checkpoint.ebm", "loss.csv", "eval.json", "density.png", "density.svg", "density.pdf", "sample_stats.npz", "adaptation.json",
	"data.png", "data.svg", "data.pdf", "progress.png", "progress.svg", "progress.pdf", "loss.png", "loss.svg", "loss.pdf",
	"inpaint.png", "inpaint.svg", "inpaint.pdf", "denoise.png", "denoise.svg", "denoise.pdf"}

// subdirOutputs are the files a sampler's subdirectory holds.
var subdirOutputs = []string{"samples.npy", "sample_stats.npz", "adaptation.json"}

var (
	keptCheckpoint = regexp.MustCompile(`^checkpoint-[0-9]+\.ebm$`)
	samplerSubdir  = regexp.MustCompile(`^[0-9]+-[A-Za-z0-9_.-]+$`)
)

// isOutputName reports whether name is one of a run's output files.
func isOutputName(name string) bool {
	return slices.Contains(outputNames, name) || keptCheckpoint.MatchString(name)
}

// priorRun is what an output directory holds of an earlier run.
type priorRun struct {
	files   []string // its output files and sampler subdirectories, relative to the directory
	name    string   // its config's name ("" when unknown)
	kind    string   // "train" or "sampling"
	partial bool     // interrupted, killed or failed: manifest.json says so, or is missing
	foreign bool     // config.toml is not a resolved config written by ebmrun
	step    int64    // a training run's steps done (manifest.json)
	ckpt    bool     // it holds checkpoint.ebm
}

// describe names the earlier run for messages.
func (p *priorRun) describe() string {
	if p.foreign {
		return "a config.toml that ebmrun did not write"
	}
	s := fmt.Sprintf("%s run %q", map[string]string{"train": "a training", "sampling": "a sampling"}[p.kind], p.name)
	if p.name == "" {
		s = fmt.Sprintf("%s run", map[string]string{"train": "a training", "sampling": "a sampling"}[p.kind])
	}
	if p.partial {
		s = "the partial outputs of " + s
	}
	return s
}

// inspectDir returns what dir holds of an earlier run, or nil when it holds
// none of a run's output files.
func inspectDir(dir string) *priorRun {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	p := &priorRun{}
	for _, e := range ents {
		n := e.Name()
		switch {
		case e.Type().IsRegular() && isOutputName(n):
			p.files = append(p.files, n)
		case e.IsDir() && samplerSubdir.MatchString(n):
			if _, err := os.Stat(filepath.Join(dir, n, "samples.npy")); err == nil {
				p.files = append(p.files, n)
			}
		}
	}
	if len(p.files) == 0 {
		return nil
	}
	has := func(n string) bool { return slices.Contains(p.files, n) }
	p.ckpt = has("checkpoint.ebm")
	p.kind = "sampling"
	if has("checkpoint.ebm") || has("loss.csv") || has("eval.json") {
		p.kind = "train"
	}
	if src, err := os.ReadFile(filepath.Join(dir, "config.toml")); err == nil {
		if !strings.HasPrefix(string(src), "# resolved from ") {
			p.foreign = true
		} else if m, err := decodeConfig("config.toml", src); err == nil {
			p.name, _ = m["name"].(string)
			if isTrainTable(m) {
				p.kind = "train"
			}
		}
	}
	p.partial = true
	if b, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err == nil {
		var m struct {
			Kind    string `json:"kind"`
			Partial bool   `json:"partial"`
			Steps   int64  `json:"steps"`
		}
		if json.Unmarshal(b, &m) == nil {
			p.partial, p.step = m.Partial, m.Steps
			if m.Kind == "train" {
				p.kind = "train"
			}
		}
	}
	return p
}

// conflict is why a run of kind and name must not write into a directory
// holding p, or "" when it may (after removing p's files).
func (p *priorRun) conflict(kind, name string) string {
	switch {
	case p == nil:
		return ""
	case p.foreign:
		return "it holds a config.toml that ebmrun did not write (it would be overwritten)"
	case p.kind == "train" && p.partial && p.ckpt:
		return fmt.Sprintf("it holds %s, which --resume can continue", p.describe())
	case p.kind != kind || p.name != name:
		return "it holds the outputs of " + p.describe()
	}
	return ""
}

// outLock is a run's hold on its output directory.
type outLock struct{ l *fileio.DirLock }

func (o *outLock) release() {
	if o != nil {
		o.l.Unlock()
	}
}

// lockOutDir takes dir's lock, then removes what killed runs left there:
// temporary files of atomic writes and of checkpoints.
func lockOutDir(dir string) (*outLock, error) {
	l, err := fileio.Lock(dir)
	var le *fileio.LockedError
	if errors.As(err, &le) {
		who := "another ebmrun"
		if le.PID > 0 {
			who = fmt.Sprintf("another ebmrun (process %d)", le.PID)
		}
		return nil, fmt.Errorf("output directory %s is in use: %s is writing there; wait for it to finish or choose another --out", dir, who)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot lock output directory %s: %v; choose another --out", dir, unwrapPath(err))
	}
	fileio.RemoveTemps(dir, isOutputName)
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			if e.IsDir() && samplerSubdir.MatchString(e.Name()) {
				fileio.RemoveTemps(filepath.Join(dir, e.Name()), func(b string) bool { return slices.Contains(subdirOutputs, b) })
			}
		}
	}
	return &outLock{l}, nil
}

// claimOutDir prepares dir (created and locked) for a new run of kind
// ("sampling" or "train") and name: it refuses a directory that holds
// another run's outputs unless force, and removes the earlier run's output
// files. The caller releases the lock when the run's last file is written.
func claimOutDir(e *env, dir, kind, name string, force bool) (*outLock, error) {
	if err := checkOutDir(dir, true); err != nil {
		return nil, err
	}
	l, err := lockOutDir(dir)
	if err != nil {
		return nil, err
	}
	p := inspectDir(dir)
	if why := p.conflict(kind, name); why != "" {
		if !force {
			l.release()
			hint := "choose another --out, or pass --force to replace them"
			if p.kind == "train" && p.partial && p.ckpt && !p.foreign {
				hint = fmt.Sprintf("continue it with: ebmrun run --resume %s; or choose another --out, or pass --force to replace it", dir)
			}
			return nil, fmt.Errorf("output directory %s: %s; %s", dir, why, hint)
		}
		fmt.Fprintf(e.stderr, "ebmrun: --force: removing %s from %s: %s\n", p.describe(), dir, strings.Join(p.files, " "))
	}
	if p != nil {
		if err := p.remove(dir); err != nil {
			l.release()
			return nil, failure(err)
		}
	}
	return l, nil
}

// remove deletes p's output files (and sampler subdirectories left empty).
func (p *priorRun) remove(dir string) error {
	for _, f := range p.files {
		path := filepath.Join(dir, f)
		if samplerSubdir.MatchString(f) {
			for _, n := range subdirOutputs {
				if err := os.Remove(filepath.Join(path, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
					return fmt.Errorf("cannot remove the earlier run's %s: %v", filepath.Join(path, n), unwrapPath(err))
				}
			}
			os.Remove(path) // only when empty
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cannot remove the earlier run's %s: %v", path, unwrapPath(err))
		}
	}
	return nil
}

// divergingOf returns r's per-draw divergence flags for the plots, or nil
// when it has none of the right length.
func divergingOf(r *samplers.Result) []float64 {
	if d := r.Stats["diverging"]; len(d) == r.Chains*r.Draws {
		return d
	}
	return nil
}
