// Command gen regenerates README.md's figures and the numbers it quotes
// about the shipped configs, so that the prose cannot go stale:
//
//	go run ./docs/gen                      # every config in configs/ but the image recipes, ≈5 min on 2 cores
//	go run ./docs/gen -images              # the image recipes too (minutes each)
//	go run ./docs/gen -only pt_gmm         # one config; the other numbers are left as they are
//	go run ./docs/gen -readme /tmp/R.md -figures /tmp/figs -set run.draws=50 -set train.steps=100
//
// It builds ebmrun (or takes -ebmrun), runs each config of -configs into a
// temporary directory, copies the run's figure to FIGURES/<config>.png
// (samples.png of a sampling run, density.png of a training run) and
// rewrites the regions of the README between <!-- gen:NAME --> and
// <!-- /gen:NAME -->; every byte outside them is kept. Nothing is written
// when a run fails or a marker is malformed or unknown; each file is
// written atomically.
//
// NAME is CONFIG.QUANTITY or CONFIG.SAMPLER.QUANTITY, CONFIG the config's
// file name without .toml, SAMPLER a sampler type of the config (or its
// 1-based position among [[sampler]] tables; the first by default):
//
//	time              wall time of the whole run (ebmrun run), "≈12 s"
//	nll               training: held-out NLL with its standard error, "2.509 ± 0.017"
//	nll_value         training: the NLL alone, "2.509"
//	rhat              per dimension, "2.65 and 1.85"; rhat.xJ: dimension J alone
//	rhat_max          the largest over the dimensions
//	ess_bulk          bulk ESS, the smallest over the dimensions, rounded down to 2 digits ("75 000")
//	draws             chains × draws, "800 000"
//	acceptance        mean acceptance rate in percent, "59 %"
//	swap              parallel tempering: swap acceptance between neighbouring levels, lowest–highest, "78–84 %"
//	divergences       post-warmup divergences, "1509"
//	divergence_share  their share of the post-warmup transitions, "0.75 %"
//
// and table.sampling, a table of every sampling config's runs (one row per
// sampler). With -only, the regions of configs that did not run keep their
// text (table rows included).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/goebm/ebm/fileio"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// options are the command line.
type options struct {
	readme, figures, configs, ebmrun string
	sets, only                       []string
	images                           bool // also run the image recipes without -only
	stdout, stderr                   io.Writer
}

func main() {
	o := options{stdout: os.Stdout, stderr: os.Stderr}
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	fs.StringVar(&o.readme, "readme", "README.md", "the README to rewrite between its gen markers")
	fs.StringVar(&o.figures, "figures", "docs/figures", "directory receiving one figure per config, CONFIG.png")
	fs.StringVar(&o.configs, "configs", "configs", "directory of the shipped configs (*.toml)")
	fs.StringVar(&o.ebmrun, "ebmrun", "", "an ebmrun binary to run (default: go build github.com/goebm/ebm/cmd/ebmrun)")
	fs.Var((*listFlag)(&o.sets), "set", "`key=value` passed as --set to every config that has the key's table (repeatable)")
	fs.Var((*listFlag)(&o.only), "only", "run only config `NAME` (file name without .toml; repeatable or comma-separated)")
	fs.BoolVar(&o.images, "images", false, "also run the image recipes (configs whose [data] is mnist, fashion_mnist or images: minutes each); -only runs the ones it names")
	fs.Parse(os.Args[1:])
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "gen: unexpected arguments %q\n", fs.Args())
		os.Exit(2)
	}
	if err := generate(o); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// Top-level keys of each config kind (ebmrun's schema): a -set key goes to
// the configs whose kind has its table.
var (
	trainKeys    = []string{"data", "energy", "eval", "name", "objective", "optimizer", "sample", "seed", "train"}
	samplingKeys = []string{"energy", "init", "name", "run", "sampler", "seed"}
)

// result is what one config's run produced.
type result struct {
	name  string // file name without .toml
	file  string // file name
	train bool
	wall  float64 // seconds, the whole ebmrun run
	sum   *summary
	eval  *evalFile
}

// summary and evalFile are the parts of summary.json and eval.json quoted.
type summary struct {
	Runs []struct {
		Sampler        string     `json:"sampler"`
		Chains         int        `json:"chains"`
		Draws          int        `json:"draws"`
		Dim            int        `json:"dim"`
		AcceptanceRate *float64   `json:"acceptance_rate"`
		Divergences    int64      `json:"divergences"`
		WallSeconds    *float64   `json:"wall_seconds"`
		ESSBulk        []*float64 `json:"ess_bulk"`
		RHat           []*float64 `json:"rhat"`
		SwapRates      []*float64 `json:"swap_rates"`
	} `json:"runs"`
}

type evalFile struct {
	NLL       *float64 `json:"nll"`
	NLLStderr *float64 `json:"nll_stderr"`
}

func generate(o options) error {
	for _, s := range o.sets {
		if _, _, ok := strings.Cut(s, "="); !ok {
			return fmt.Errorf("-set %q: want key=value", s)
		}
		if kinds(s) == "" {
			return fmt.Errorf("-set %q: the key's table is in neither kind of config (training: %s; sampling: %s)", s, strings.Join(trainKeys, " "), strings.Join(samplingKeys, " "))
		}
	}
	readme, err := os.ReadFile(o.readme)
	if err != nil {
		return err
	}
	if _, err := parseRegions(readme); err != nil { // before the long runs
		return fmt.Errorf("%s: %v", o.readme, err)
	}
	cfgs, err := filepath.Glob(filepath.Join(o.configs, "*.toml"))
	if err != nil || len(cfgs) == 0 {
		return fmt.Errorf("no configs (*.toml) in %s", o.configs)
	}
	slices.Sort(cfgs)
	all := map[string]bool{}
	for _, c := range cfgs {
		all[strings.TrimSuffix(filepath.Base(c), ".toml")] = true
	}
	var only []string
	for _, s := range o.only {
		for _, n := range strings.Split(s, ",") {
			n = strings.TrimSuffix(strings.TrimSpace(n), ".toml")
			if !all[n] {
				return fmt.Errorf("-only %s: no config %s.toml in %s", n, n, o.configs)
			}
			only = append(only, n)
		}
	}

	tmp, err := os.MkdirTemp("", "ebm-docs-gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := o.ebmrun
	if bin == "" {
		bin = filepath.Join(tmp, "ebmrun")
		t0 := time.Now()
		cmd := exec.Command("go", "build", "-o", bin, "github.com/goebm/ebm/cmd/ebmrun")
		cmd.Stdout, cmd.Stderr = o.stderr, o.stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building ebmrun: %v", err)
		}
		fmt.Fprintf(o.stdout, "built ebmrun in %.1f s\n", time.Since(t0).Seconds())
	}

	results := map[string]*result{}
	for _, c := range cfgs {
		name := strings.TrimSuffix(filepath.Base(c), ".toml")
		if len(only) > 0 && !slices.Contains(only, name) {
			continue
		}
		if img, err := isImage(c); err != nil {
			return fmt.Errorf("%s: %v", c, err)
		} else if img && len(only) == 0 && !o.images {
			fmt.Fprintf(o.stdout, "%-32s skipped (an image recipe: -images or -only %s runs it)\n", filepath.Base(c), name)
			continue
		}
		r, err := runConfig(o, bin, c, filepath.Join(tmp, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(o.stdout, "%-32s %6.1f s\n", r.file, r.wall)
		results[name] = r
	}

	out, changes, err := rewrite(readme, all, results)
	if err != nil {
		return fmt.Errorf("%s: %v", o.readme, err)
	}
	// Figures, then the README; each file atomically.
	if err := os.MkdirAll(o.figures, 0o755); err != nil {
		return err
	}
	for _, c := range cfgs {
		name := strings.TrimSuffix(filepath.Base(c), ".toml")
		r := results[name]
		if r == nil {
			continue
		}
		src := "samples.png"
		if r.train {
			src = "density.png"
		}
		if _, err := os.Stat(filepath.Join(tmp, name, src)); err != nil && r.train {
			src = "samples.png" // an image run has no density.png
		}
		b, err := os.ReadFile(filepath.Join(tmp, name, src))
		if err != nil {
			return fmt.Errorf("%s: %v", r.file, err)
		}
		if err := writeAtomic(filepath.Join(o.figures, name+".png"), b); err != nil {
			return err
		}
	}
	if !bytes.Equal(out, readme) {
		if err := writeAtomic(o.readme, out); err != nil {
			return err
		}
	}
	for _, c := range changes {
		fmt.Fprintln(o.stdout, c)
	}
	fmt.Fprintf(o.stdout, "wrote %d figures to %s; %s: %d values changed\n", len(results), o.figures, o.readme, len(changes))
	if len(o.sets) > 0 {
		fmt.Fprintf(o.stdout, "note: with -set, %s now quotes the changed runs, not the shipped configs\n", o.readme)
	}
	return nil
}

// kinds says which kinds of config a -set applies to: "t", "s", "ts" or "".
func kinds(set string) string {
	key, _, _ := strings.Cut(set, "=")
	table, _, _ := strings.Cut(strings.TrimSpace(key), ".")
	k := ""
	if slices.Contains(trainKeys, table) || table == "run" && strings.TrimSpace(key) == "run.workers" {
		k += "t"
	}
	if slices.Contains(samplingKeys, table) {
		k += "s"
	}
	return k
}

// isTrain reports whether a config is a training one (it has [train] or
// [objective]), as ebmrun decides.
func isTrain(path string) (bool, error) {
	var m map[string]any
	if _, err := toml.DecodeFile(path, &m); err != nil {
		return false, err
	}
	_, t := m["train"]
	_, o := m["objective"]
	return t || o, nil
}

// runConfig runs one config into dir and reads its results.
func runConfig(o options, bin, cfg, dir string) (*result, error) {
	r := &result{name: strings.TrimSuffix(filepath.Base(cfg), ".toml"), file: filepath.Base(cfg)}
	var err error
	if r.train, err = isTrain(cfg); err != nil {
		return nil, err
	}
	args := []string{"run", cfg, "--out", dir, "--quiet"}
	kind := "s"
	if r.train {
		kind = "t"
	}
	for _, s := range o.sets {
		if strings.Contains(kinds(s), kind) {
			args = append(args, "--set", s)
		}
	}
	var log bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &log, &log
	t0 := time.Now()
	err = cmd.Run()
	r.wall = time.Since(t0).Seconds()
	if err != nil {
		return nil, fmt.Errorf("ebmrun %s: %v\n%s", strings.Join(args, " "), err, log.String())
	}
	if r.train {
		r.eval = new(evalFile)
		return r, readJSON(filepath.Join(dir, "eval.json"), r.eval)
	}
	r.sum = new(summary)
	if err := readJSON(filepath.Join(dir, "summary.json"), r.sum); err != nil {
		return nil, err
	}
	if len(r.sum.Runs) == 0 {
		return nil, fmt.Errorf("%s: summary.json has no runs", r.file)
	}
	return r, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

// writeAtomic replaces path by b, through a temporary file renamed into place.
func writeAtomic(path string, b []byte) error {
	return fileio.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// region is one marked region of the README: text[start:end] is its
// content, between the opening and the closing marker.
type region struct {
	name       string
	start, end int
}

var (
	openMarker = regexp.MustCompile(`<!-- (/?)gen:([^ ]*) -->`)
	validName  = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$`)
)

// parseRegions finds the marked regions; markers must pair up, unnested.
// A marker right after a backtick is quoted text, not a marker.
func parseRegions(text []byte) ([]region, error) {
	var rs []region
	var cur *region
	for _, m := range openMarker.FindAllSubmatchIndex(text, -1) {
		if m[0] > 0 && text[m[0]-1] == '`' {
			continue // quoted in a code span, as the README does to explain them
		}
		closing, name := m[3] > m[2], string(text[m[4]:m[5]])
		line := 1 + bytes.Count(text[:m[0]], []byte("\n"))
		switch {
		case !validName.MatchString(name):
			return nil, fmt.Errorf("line %d: bad marker name %q (want CONFIG.QUANTITY or table.NAME)", line, name)
		case !closing && cur != nil:
			return nil, fmt.Errorf("line %d: gen:%s opens inside gen:%s", line, name, cur.name)
		case !closing:
			cur = &region{name: name, start: m[1]}
		case cur == nil || cur.name != name:
			return nil, fmt.Errorf("line %d: /gen:%s closes no open region", line, name)
		default:
			cur.end = m[0]
			rs = append(rs, *cur)
			cur = nil
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("gen:%s is never closed (<!-- /gen:%s -->)", cur.name, cur.name)
	}
	return rs, nil
}

// rewrite fills each region from the results; a region of a known config
// that did not run keeps its text. It returns the new text and a line per
// changed region ("NAME: old → new").
func rewrite(text []byte, known map[string]bool, results map[string]*result) ([]byte, []string, error) {
	rs, err := parseRegions(text)
	if err != nil {
		return nil, nil, err
	}
	var out []byte
	var changes []string
	last := 0
	for _, rg := range rs {
		old := string(text[rg.start:rg.end])
		val, err := value(rg.name, old, known, results)
		if err != nil {
			line := 1 + bytes.Count(text[:rg.start], []byte("\n"))
			return nil, nil, fmt.Errorf("line %d: gen:%s: %v", line, rg.name, err)
		}
		if val != old {
			if strings.Contains(old+val, "\n") {
				changes = append(changes, rg.name+": rewritten")
			} else {
				changes = append(changes, fmt.Sprintf("%s: %s → %s", rg.name, old, val))
			}
		}
		out = append(out, text[last:rg.start]...)
		out = append(out, val...)
		last = rg.end
	}
	return append(out, text[last:]...), changes, nil
}

// value is the text of the region name; old is its present text.
func value(name, old string, known map[string]bool, results map[string]*result) (string, error) {
	parts := strings.Split(name, ".")
	if parts[0] == "table" {
		if name != "table.sampling" {
			return "", errors.New("unknown table (known: table.sampling)")
		}
		return samplingTable(old, known, results), nil
	}
	cfg := parts[0]
	if !known[cfg] {
		return "", fmt.Errorf("no config %s.toml", cfg)
	}
	r := results[cfg]
	rest := parts[1:]
	if r == nil { // not run this time (-only): keep the text, but catch a misspelt quantity
		if !slices.ContainsFunc(rest, func(q string) bool { return isQuantity(q) || q == "nll" || q == "nll_value" }) {
			return "", fmt.Errorf("no quantity in %q (%s, nll, nll_value)", name, strings.Join(quantities, ", "))
		}
		return old, nil
	}
	if rest[0] == "time" && len(rest) == 1 {
		return seconds(r.wall), nil
	}
	if r.train {
		if len(rest) != 1 {
			return "", fmt.Errorf("a training config has time, nll and nll_value")
		}
		switch rest[0] {
		case "nll":
			return num(r.eval.NLL, 3) + " ± " + num(r.eval.NLLStderr, 3), nil
		case "nll_value":
			return num(r.eval.NLL, 3), nil
		}
		return "", fmt.Errorf("unknown quantity %q of a training config (time, nll, nll_value)", rest[0])
	}
	run := 0
	if len(rest) > 1 && !isQuantity(rest[0]) {
		i, err := strconv.Atoi(rest[0])
		switch {
		case err == nil && i >= 1 && i <= len(r.sum.Runs):
			run = i - 1
		case err == nil:
			return "", fmt.Errorf("sampler %d of %d", i, len(r.sum.Runs))
		default:
			run = -1
			for k, s := range r.sum.Runs {
				if s.Sampler == rest[0] {
					run = k
					break
				}
			}
			if run < 0 {
				return "", fmt.Errorf("no sampler %s in %s.toml", rest[0], cfg)
			}
		}
		rest = rest[1:]
	}
	s := r.sum.Runs[run]
	dim := -1
	if len(rest) == 2 {
		j, err := strconv.Atoi(strings.TrimPrefix(rest[1], "x"))
		if !strings.HasPrefix(rest[1], "x") || err != nil || j < 0 || j >= s.Dim {
			return "", fmt.Errorf("%q: want a dimension x0 … x%d", rest[1], s.Dim-1)
		}
		dim = j
		if rest[0] != "rhat" {
			return "", fmt.Errorf("only rhat takes a dimension")
		}
	} else if len(rest) != 1 {
		return "", errors.New("want CONFIG[.SAMPLER].QUANTITY[.xJ]")
	}
	switch rest[0] {
	case "rhat":
		if dim >= 0 {
			return rhat(s.RHat[dim]), nil
		}
		v := make([]string, len(s.RHat))
		for j, x := range s.RHat {
			v[j] = rhat(x)
		}
		return joinAnd(v), nil
	case "rhat_max":
		return rhat(maxOf(s.RHat)), nil
	case "ess_bulk":
		return essText(minOf(s.ESSBulk)), nil
	case "draws":
		return grouped(int64(s.Chains) * int64(s.Draws)), nil
	case "acceptance":
		return percent(s.AcceptanceRate), nil
	case "swap":
		if len(s.SwapRates) == 0 {
			return "", fmt.Errorf("sampler %s has no swap rates", s.Sampler)
		}
		lo, hi := minOf(s.SwapRates), maxOf(s.SwapRates)
		a, b := percent(lo), percent(hi)
		if a == b {
			return a, nil
		}
		return strings.TrimSuffix(a, " %") + "–" + b, nil
	case "divergences":
		return strconv.FormatInt(s.Divergences, 10), nil
	case "divergence_share":
		return share(s.Divergences, s.Chains*s.Draws), nil
	}
	return "", fmt.Errorf("unknown quantity %q of a sampling config", rest[0])
}

var quantities = []string{"time", "rhat", "rhat_max", "ess_bulk", "draws", "acceptance", "swap", "divergences", "divergence_share"}

func isQuantity(s string) bool { return slices.Contains(quantities, s) }

// samplingTable is table.sampling: one row per sampler of each sampling
// config that ran; rows of configs that did not run are kept from old.
func samplingTable(old string, known map[string]bool, results map[string]*result) string {
	kept := map[string][]string{}
	var order []string
	for _, l := range strings.Split(old, "\n") {
		cells := strings.Split(l, "|")
		if len(cells) < 3 || !strings.Contains(cells[1], ".toml") {
			continue
		}
		k := strings.TrimSpace(cells[1])
		if !known[configOf(k)] {
			continue // a config that is no longer shipped
		}
		if _, ok := kept[k]; !ok {
			order = append(order, k)
		}
		kept[k] = append(kept[k], l)
	}
	for _, r := range results {
		if k := "`" + r.file + "`"; !r.train && !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	slices.Sort(order)
	var b strings.Builder
	b.WriteString("\n\n| config | sampler | chains × draws | acceptance | divergences | R-hat (largest) | bulk ESS (smallest) | sampling time |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, k := range order {
		r := results[configOf(k)]
		if r == nil {
			for _, l := range kept[k] {
				b.WriteString(l + "\n")
			}
			continue
		}
		for _, s := range r.sum.Runs {
			div := strconv.FormatInt(s.Divergences, 10)
			if s.Divergences > 0 {
				div += " (" + share(s.Divergences, s.Chains*s.Draws) + ")"
			}
			fmt.Fprintf(&b, "| %s | `%s` | %d × %d | %s | %s | %s | %s | %s |\n", k, s.Sampler, s.Chains, s.Draws,
				num(s.AcceptanceRate, 2), div, rhat(maxOf(s.RHat)), essText(minOf(s.ESSBulk)), seconds(deref(s.WallSeconds)))
		}
	}
	b.WriteString("\n") // a blank line ends the table before the closing marker
	return b.String()
}

// configOf is the config name of a table's first cell, "`NAME.toml`".
func configOf(cell string) string {
	return strings.TrimSuffix(strings.Trim(cell, "`"), ".toml")
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// num formats *p with d decimals, "—" when undefined.
func num(p *float64, d int) string {
	if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
		return "—"
	}
	return strconv.FormatFloat(*p, 'f', d, 64)
}

// rhat formats an R-hat: 3 decimals near 1 (where 1.01 is the threshold), 2 above 1.1.
func rhat(p *float64) string {
	if p != nil && *p >= 1.095 {
		return num(p, 2)
	}
	return num(p, 3)
}

// seconds formats a wall time: "≈12 s", "≈0.3 s".
func seconds(s float64) string {
	switch {
	case math.IsNaN(s):
		return "—"
	case s < 0.95:
		return "≈" + strconv.FormatFloat(s, 'g', 1, 64) + " s"
	}
	return fmt.Sprintf("≈%.0f s", s)
}

// percent formats a rate as a whole percentage.
func percent(p *float64) string {
	if p == nil || math.IsNaN(*p) {
		return "—"
	}
	return fmt.Sprintf("%.0f %%", 100**p)
}

// share formats k of n as a percentage with 2 decimals.
func share(k int64, n int) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f %%", 100*float64(k)/float64(n))
}

// essText rounds an ESS down to two significant digits, grouped by thousands.
func essText(p *float64) string {
	if p == nil || math.IsNaN(*p) {
		return "—"
	}
	v := int64(*p)
	if v >= 100 {
		m := int64(math.Pow(10, math.Floor(math.Log10(float64(v)))-1))
		v = v / m * m
	}
	return grouped(v)
}

// grouped writes n with a space between groups of three digits ("800 000").
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) <= 4 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(v []string) string {
	if len(v) <= 1 {
		return strings.Join(v, "")
	}
	return strings.Join(v[:len(v)-1], ", ") + " and " + v[len(v)-1]
}

func maxOf(v []*float64) *float64 { return pick(v, func(a, b float64) bool { return a > b }) }
func minOf(v []*float64) *float64 { return pick(v, func(a, b float64) bool { return a < b }) }

// pick returns the element preferred by better among the defined ones;
// an undefined one wins (so that a NaN R-hat shows).
func pick(v []*float64, better func(a, b float64) bool) *float64 {
	var best *float64
	for _, p := range v {
		if p == nil || math.IsNaN(*p) {
			return nil
		}
		if best == nil || better(*p, *best) {
			best = p
		}
	}
	return best
}
