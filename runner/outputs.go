package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/plots"
)

// Number of chains and dimensions drawn in trace.png.
const traceChains, traceDims = 4, 4

// writeOutputs writes every output file atomically into dir, continuing
// past a failed file so that as much as possible is kept; it returns the
// joined errors. It prints a short report to stdout.
func writeOutputs(dir string, c *Config, runs []finished, man manifest, partial bool, e *env) error {
	var errs []error
	var written []string
	write := func(name string, fill func(w io.Writer) error) {
		if err := fileio.WriteFile(filepath.Join(dir, name), fill); err != nil {
			errs = append(errs, err)
			return
		}
		written = append(written, name)
	}

	sum := summaryFile{Name: c.Name, Partial: partial, Runs: []runSummary{}}
	var plotRuns []plots.Run
	for _, f := range runs {
		r := f.res
		name := "samples.npy"
		if f.subdir != "" {
			name = filepath.Join(f.subdir, name)
			if err := os.MkdirAll(filepath.Join(dir, f.subdir), 0o755); err != nil {
				errs = append(errs, fmt.Errorf("cannot create %s: %v", filepath.Join(dir, f.subdir), unwrapPath(err)))
				continue
			}
		}
		write(name, func(w io.Writer) error { return fileio.WriteNPY(w, r.Samples, r.Chains, r.Draws, r.Dim) })
		sum.Runs = append(sum.Runs, summarize(f.spec.Type, filepath.ToSlash(name), c.Run.Warmup, c.Run.Thin, r))
		if r.Draws > 0 {
			plotRuns = append(plotRuns, plots.Run{Title: plotTitle(f), Samples: r.Samples, Chains: r.Chains, Draws: r.Draws, Dim: r.Dim})
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
		write("samples.png", func(w io.Writer) error { return plots.SamplesPNG(w, c.Energy, plotRuns) })
		write("trace.png", func(w io.Writer) error { return plots.TracePNG(w, plotRuns, traceChains, traceDims) })
	} else {
		fmt.Fprintln(e.stderr, "ebmrun: no draws were completed: samples.png and trace.png not written")
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
		if r.Draws == 0 {
			continue
		}
		fmt.Fprintf(w, "  %4s %10s %10s %9s %9s %7s\n", "dim", "mean", "std", "ess_bulk", "ess_tail", "rhat")
		for j := 0; j < min(r.Dim, maxReportDims); j++ {
			fmt.Fprintf(w, "  %4d %10s %10s %9s %9s %7s\n", j, fmtNum(r.Mean[j]), fmtNum(r.Std[j]),
				fmtNum(r.ESSBulk[j]), fmtNum(r.ESSTail[j]), fmtNum(r.RHat[j]))
		}
		if r.Dim > maxReportDims {
			fmt.Fprintf(w, "  … %d more dimensions in summary.json\n", r.Dim-maxReportDims)
		}
	}
	fmt.Fprintf(w, "wrote %s: %s\n", dir, strings.Join(written, " "))
}

// fmtNum formats a statistic with 4 significant digits, "-" when undefined.
func fmtNum(n number) string {
	b, _ := n.MarshalJSON()
	if string(b) == "null" {
		return "-"
	}
	return fmt.Sprintf("%.4g", float64(n))
}
