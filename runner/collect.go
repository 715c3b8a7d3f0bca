package runner

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goebm/ebm/fileio"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func collectFlags(fs *flag.FlagSet) {
	fs.String("metric", "", "the metric to plot against the first swept key (default nll for training, max_rhat for sampling)")
}

// collected is one point's row: its metrics by column name.
type collected struct {
	point   sweepPoint
	metrics map[string]float64
}

// sampleMetrics reads a sampling point's summary.json: per sampler, the
// acceptance rate, divergences, max R-hat and min bulk ESS over dimensions.
func sampleMetrics(path string) (cols []string, vals map[string]float64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var s summaryFile
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, nil, fmt.Errorf("%s is not valid: %v", path, oneLine(err.Error()))
	}
	vals = map[string]float64{}
	for i, r := range s.Runs {
		prefix := ""
		if len(s.Runs) > 1 {
			prefix = fmt.Sprintf("%d-%s.", i+1, r.Sampler)
		}
		rhat, ess := math.Inf(-1), math.Inf(1)
		for j := range r.RHat {
			rhat = math.Max(rhat, float64(r.RHat[j]))
		}
		for j := range r.ESSBulk {
			ess = math.Min(ess, float64(r.ESSBulk[j]))
		}
		if len(r.RHat) == 0 {
			rhat, ess = math.NaN(), math.NaN()
		}
		for _, kv := range []struct {
			k string
			v float64
		}{{"acceptance", float64(r.AcceptanceRate)}, {"divergences", float64(r.Divergences)}, {"max_rhat", rhat}, {"min_ess_bulk", ess}} {
			cols = append(cols, prefix+kv.k)
			vals[prefix+kv.k] = kv.v
		}
	}
	return cols, vals, nil
}

// trainMetrics reads a training point's eval.json.
func trainMetrics(path string) ([]string, map[string]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var s evalFile
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, nil, fmt.Errorf("%s is not valid: %v", path, oneLine(err.Error()))
	}
	cols := []string{"nll", "nll_stderr", "mmd2", "final_loss"}
	return cols, map[string]float64{"nll": float64(s.NLL), "nll_stderr": float64(s.NLLStderr),
		"mmd2": float64(s.MMD2), "final_loss": float64(s.FinalLoss)}, nil
}

func cmdCollect(_ context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("collect", pos, 1, 1, "one DIR, the out directory of ebmrun sweep"); err != nil {
		return err
	}
	dir := pos[0]
	sw, err := readSweepFile(dir)
	if err != nil {
		return err
	}
	file, read := "summary.json", sampleMetrics
	if sw.Kind == "training" {
		file, read = "eval.json", trainMetrics
	}
	var rows []collected
	var cols []string
	var missing []string
	for _, p := range sw.Points {
		c, vals, err := read(filepath.Join(dir, p.Dir, file))
		if os.IsNotExist(err) {
			missing = append(missing, strconv.Itoa(p.Index))
			continue
		}
		if err != nil {
			return fmt.Errorf("collect: %v", err)
		}
		for _, k := range c {
			if !contains(cols, k) {
				cols = append(cols, k)
			}
		}
		rows = append(rows, collected{p, vals})
	}
	if len(rows) == 0 {
		return fmt.Errorf("collect: %s: none of the sweep's %d points has a %s yet; run them with ebmrun sweep %s --index i", dir, len(sw.Points), file, sw.Sweep)
	}
	if len(missing) > 0 {
		fmt.Fprintf(e.stderr, "ebmrun: warning: collect: %s: point(s) %s have no %s (not run, or not finished); left out\n", dir, strings.Join(missing, ", "), file)
	}
	metric := flagValue(fs, "metric")
	if metric == "" {
		metric = "max_rhat"
		if sw.Kind == "training" {
			metric = "nll"
		}
		if !contains(cols, metric) {
			for _, c := range cols {
				if strings.HasSuffix(c, "."+metric) {
					metric = c
					break
				}
			}
		}
	}
	if !contains(cols, metric) {
		return fmt.Errorf("collect: --metric %q: the points have %s", metric, strings.Join(cols, ", "))
	}
	csvPath := filepath.Join(dir, "collect.csv")
	if err := fileio.WriteFile(csvPath, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(append(append([]string{"index", "slug"}, sw.Keys...), cols...))
		for _, r := range rows {
			rec := []string{strconv.Itoa(r.point.Index), r.point.Slug}
			for _, k := range sw.Keys {
				rec = append(rec, pointValue(r.point, k))
			}
			for _, c := range cols {
				v, ok := r.metrics[c]
				if !ok {
					rec = append(rec, "")
					continue
				}
				rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	}); err != nil {
		return failure(fmt.Errorf("collect: %v", err))
	}
	pngPath := filepath.Join(dir, "collect.png")
	if err := collectPlot(pngPath, sw, rows, metric); err != nil {
		return failure(fmt.Errorf("collect: %s: %v", pngPath, err))
	}
	fmt.Fprintf(e.stdout, "%s: %d of %d points, %d columns; %s: %s against %s\n", csvPath, len(rows), len(sw.Points), 2+len(sw.Keys)+len(cols), pngPath, metric, sw.Keys[0])
	return nil
}

// pointValue is the value of key k at point p, as text (strings unquoted).
func pointValue(p sweepPoint, k string) string {
	for _, v := range p.Sets {
		if v.Key == k {
			if s, err := strconv.Unquote(v.Value); err == nil {
				return s
			}
			return v.Value
		}
	}
	return ""
}

// collectPlot draws metric against the first swept key: a scatter over
// its values when they are numbers, over its distinct values in order
// otherwise.
func collectPlot(path string, sw *sweepFile, rows []collected, metric string) error {
	key := sw.Keys[0]
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %s against %s", filepath.Base(filepath.Dir(path)), metric, key)
	p.X.Label.Text = key
	p.Y.Label.Text = metric
	var xy plotter.XYs
	var labels []string
	numeric := true
	for _, r := range rows {
		if _, err := strconv.ParseFloat(pointValue(r.point, key), 64); err != nil {
			numeric = false
		}
	}
	for _, r := range rows {
		y := r.metrics[metric]
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		v := pointValue(r.point, key)
		var x float64
		if numeric {
			x, _ = strconv.ParseFloat(v, 64)
		} else {
			i := 0
			for i < len(labels) && labels[i] != v {
				i++
			}
			if i == len(labels) {
				labels = append(labels, v)
			}
			x = float64(i)
		}
		xy = append(xy, plotter.XY{X: x, Y: y})
	}
	if len(xy) > 0 {
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		p.Add(sc, plotter.NewGrid())
	}
	if !numeric {
		p.NominalX(labels...)
	}
	wt, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return err
	}
	return fileio.WriteFile(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
