package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/fileio"
)

// Sweeps: a sweep file names a base config and the points to run it at,
// each a set of --set overrides:
//
//	base = "configs/x.toml"          # relative to the sweep file
//	out  = "runs/my-sweep"           # relative to the working directory (default runs/<sweep file name>)
//	[grid]                           # the Cartesian product of the arrays …
//	"sampler.step_size" = [0.05, 0.1]
//	"run.seed"          = [1, 2]
//	# … or a list of points:
//	# [[point]]
//	# "sampler.step_size" = 0.05
//
// The grid's points are numbered from 0 in the order of nested loops over
// the keys in the order the file lists them, the last key varying fastest.
// Point i runs as ebmrun run BASE --set k=v … --out OUT/<i>-<slug>.

func sweepFlags(fs *flag.FlagSet) {
	fs.Bool("list", false, "print the points (index, slug, overrides) and run nothing")
	fs.String("index", "", "run only point `i` (numbered from 0, like a Slurm array's task id); auto reads\nSLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
	fs.String("out", "", "the sweep's output directory (default: the sweep file's out, or runs/<sweep file name>)")
	fs.Bool("quiet", false, "no progress output")
	fs.Bool("force", false, "passed to each point's run: write into directories holding another run's outputs")
}

// sweepPoint is one point of a sweep.
type sweepPoint struct {
	Index int          `json:"index"`
	Slug  string       `json:"slug"`
	Dir   string       `json:"dir"` // relative to the sweep's output directory
	Sets  []sweepValue `json:"overrides"`
}

// sweepValue is one override of a point: key=TOML value.
type sweepValue struct {
	Key   string `json:"key"`
	Value string `json:"value"` // as TOML, the text after = of --set
}

// setString is the --set argument.
func (v sweepValue) setString() string { return v.Key + "=" + v.Value }

// sweepFile is sweep.json, written into the sweep's output directory.
type sweepFile struct {
	Sweep  string       `json:"sweep"` // the sweep file, as given
	Base   string       `json:"base"`  // the base config, as run reads it
	Kind   string       `json:"kind"`  // "sampling" or "training"
	Keys   []string     `json:"keys"`  // the swept keys, in point order
	Points []sweepPoint `json:"points"`
}

// sweep is a parsed and checked sweep file.
type sweep struct {
	sweepFile
	out string
}

// loadSweep reads the sweep file and checks every point's keys against the
// base config's schema before anything runs.
func loadSweep(path, outFlag string) (*sweep, error) {
	src, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	if _, err := decodeConfig(path, src); err != nil {
		return nil, err
	}
	var raw struct {
		Base  string           `toml:"base"`
		Out   string           `toml:"out"`
		Grid  map[string]any   `toml:"grid"`
		Point []map[string]any `toml:"point"`
	}
	md, err := toml.Decode(string(src), &raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, oneLine(err.Error()))
	}
	if und := md.Undecoded(); len(und) > 0 {
		for _, k := range und {
			if len(k) == 1 {
				return nil, fmt.Errorf("%s: unknown key %q: a sweep file has base, out, [grid] or [[point]]", path, k[0])
			}
		}
	}
	// order of every dotted key below grid or point, as the file lists them
	order := map[string]int{}
	for _, k := range md.Keys() {
		if len(k) > 1 && (k[0] == "grid" || k[0] == "point") {
			name := strings.Join(k[1:], ".")
			if _, ok := order[name]; !ok {
				order[name] = len(order)
			}
		}
	}
	if raw.Base == "" {
		return nil, fmt.Errorf("%s: no base: name the base config, e.g. base = \"configs/x.toml\" (relative to the sweep file)", path)
	}
	base := raw.Base
	if !filepath.IsAbs(base) {
		base = filepath.Join(filepath.Dir(path), base)
	}
	s := &sweep{sweepFile: sweepFile{Sweep: path, Base: base}}
	s.out = outFlag
	if s.out == "" {
		s.out = raw.Out
	}
	if s.out == "" {
		s.out = filepath.Join("runs", strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	}
	switch {
	case raw.Grid != nil && raw.Point != nil:
		return nil, fmt.Errorf("%s: both [grid] and [[point]]: a sweep has one or the other", path)
	case raw.Grid != nil:
		if err := s.grid(path, raw.Grid, order); err != nil {
			return nil, err
		}
	case raw.Point != nil:
		for i, p := range raw.Point {
			leaves := flatten("", p, order)
			if len(leaves) == 0 {
				return nil, fmt.Errorf("%s: [[point]] #%d sets no key", path, i+1)
			}
			var sets []sweepValue
			for _, l := range leaves {
				sets = append(sets, sweepValue{l.key, tomlValue(l.value)})
			}
			s.add(sets)
		}
	default:
		return nil, fmt.Errorf("%s: no points: give a [grid] of key = [values] or [[point]] tables", path)
	}
	seen := map[string]bool{}
	for _, p := range s.Points {
		for _, v := range p.Sets {
			if !seen[v.Key] {
				seen[v.Key] = true
				s.Keys = append(s.Keys, v.Key)
			}
		}
	}
	return s, s.check()
}

// leaf is one key path and value of a flattened table.
type leaf struct {
	key   string
	value any
}

// flatten returns the non-table values of t under their dotted key paths,
// in file order (order), unknown keys last by name.
func flatten(prefix string, t map[string]any, order map[string]int) []leaf {
	var out []leaf
	for k, v := range t {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			out = append(out, flatten(name, sub, order)...)
			continue
		}
		out = append(out, leaf{name, v})
	}
	sort.SliceStable(out, func(i, j int) bool {
		oi, iok := order[out[i].key]
		oj, jok := order[out[j].key]
		if iok != jok {
			return iok
		}
		if iok && oi != oj {
			return oi < oj
		}
		return out[i].key < out[j].key
	})
	return out
}

// grid adds the Cartesian product of the grid's arrays, the last key
// varying fastest.
func (s *sweep) grid(path string, g map[string]any, order map[string]int) error {
	leaves := flatten("", g, order)
	if len(leaves) == 0 {
		return fmt.Errorf("%s: [grid] is empty: give key = [values], e.g. \"sampler.step_size\" = [0.05, 0.1]", path)
	}
	axes := make([][]any, len(leaves))
	for i, l := range leaves {
		arr, ok := l.value.([]any)
		if !ok {
			return fmt.Errorf("%s: [grid] %s = %s: want an array of values, e.g. [%s]", path, l.key, tomlValue(l.value), tomlValue(l.value))
		}
		if len(arr) == 0 {
			return fmt.Errorf("%s: [grid] %s = []: the grid is empty; give at least one value", path, l.key)
		}
		axes[i] = arr
	}
	idx := make([]int, len(axes))
	for {
		sets := make([]sweepValue, len(axes))
		for i, a := range axes {
			sets[i] = sweepValue{leaves[i].key, tomlValue(a[idx[i]])}
		}
		s.add(sets)
		k := len(idx) - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < len(axes[k]) {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return nil
		}
	}
}

// add appends a point with the next index.
func (s *sweep) add(sets []sweepValue) {
	i := len(s.Points)
	slug := slugOf(sets)
	s.Points = append(s.Points, sweepPoint{Index: i, Slug: slug, Dir: fmt.Sprintf("%d-%s", i, slug), Sets: sets})
}

// check applies every point's overrides to the base config with the
// schema's --set checking; an unknown key is an error naming the sweep file.
func (s *sweep) check() error {
	src, err := readConfig(s.Base)
	if err != nil {
		return fmt.Errorf("%s: base: %v", s.Sweep, err)
	}
	m, err := decodeConfig(s.Base, src)
	if err != nil {
		return fmt.Errorf("%s: base: %v", s.Sweep, err)
	}
	sch := samplingSchema
	s.Kind = "sampling"
	if isTrainTable(m) {
		sch, s.Kind = trainingSchema, "training"
	}
	for _, p := range s.Points {
		m, _ := decodeConfig(s.Base, src)
		var sets []string
		for _, v := range p.Sets {
			sets = append(sets, v.setString())
		}
		if err := sch.applySets(s.Sweep, m, sets); err != nil {
			return fmt.Errorf("%s (point %d, base %s)", oneLine(err.Error()), p.Index, s.Base)
		}
	}
	return nil
}

// tomlValue writes v as a TOML value (floats keep a decimal point, so they
// stay floats when --set parses them).
func tomlValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		switch {
		case math.IsNaN(x):
			return "nan"
		case math.IsInf(x, 1):
			return "inf"
		case math.IsInf(x, -1):
			return "-inf"
		}
		t := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(t, ".e") {
			t += ".0"
		}
		return t
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = tomlValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + " = " + tomlValue(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return fmt.Sprint(x)
	}
}

// slugOf names a point's directory: KEY=VALUE for each override (KEY the
// last part of its path) joined by "-", only [A-Za-z0-9._=-] kept (others
// become "_"), at most 48 characters (longer ones end in a hash).
func slugOf(sets []sweepValue) string {
	var parts []string
	for _, v := range sets {
		k := v.Key[strings.LastIndexByte(v.Key, '.')+1:]
		parts = append(parts, k+"="+strings.Trim(v.Value, `"`))
	}
	full := strings.Join(parts, "-")
	b := []byte(full)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._=-", c) >= 0) {
			b[i] = '_'
		}
	}
	slug := string(b)
	if len(slug) > 48 {
		h := sha256.Sum256([]byte(full))
		slug = slug[:39] + "~" + hex.EncodeToString(h[:4])
	}
	return slug
}

// sweepIndex resolves --index (i or auto) for n points.
func sweepIndex(spec string, n int) (int, error) {
	what := "--index " + spec
	var i int
	if spec == "auto" {
		v, slurm, err := envInt("SLURM_ARRAY_TASK_ID")
		if err == nil && !slurm {
			v, slurm, err = envInt("JOB_COMPLETION_INDEX")
			if err == nil && !slurm {
				return 0, fmt.Errorf("--index auto: neither SLURM_ARRAY_TASK_ID (a Slurm array job) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; pass --index i")
			}
		}
		if err != nil {
			return 0, errors.New(strings.Replace(err.Error(), "--shard auto", "--index auto", 1))
		}
		i, what = v, fmt.Sprintf("--index auto (task %d)", v)
	} else {
		var err error
		if i, err = strconv.Atoi(spec); err != nil {
			return 0, fmt.Errorf("--index %q: want a point number from 0, or auto", spec)
		}
	}
	if i < 0 || i >= n {
		return 0, fmt.Errorf("%s: point %d is out of range: the sweep has %d points, numbered 0…%d (see --list)", what, i, n, n-1)
	}
	return i, nil
}

func cmdSweep(ctx context.Context, e *env, fs *flag.FlagSet, pos []string) error {
	if err := positional("sweep", pos, 1, 1, "one SWEEP file"); err != nil {
		return err
	}
	s, err := loadSweep(pos[0], flagValue(fs, "out"))
	if err != nil {
		return err
	}
	if flagValue(fs, "list") == "true" {
		if flagValue(fs, "index") != "" {
			return fmt.Errorf("ebmrun sweep: --list and --index do not go together")
		}
		fmt.Fprintf(e.stdout, "%s: %d points of %s (%s), into %s\n", s.Sweep, len(s.Points), s.Base, s.Kind, s.out)
		for _, p := range s.Points {
			var sets []string
			for _, v := range p.Sets {
				sets = append(sets, v.setString())
			}
			fmt.Fprintf(e.stdout, "%d\t%s\t%s\n", p.Index, p.Slug, strings.Join(sets, " "))
		}
		return nil
	}
	points := s.Points
	if spec := flagValue(fs, "index"); spec != "" {
		i, err := sweepIndex(spec, len(s.Points))
		if err != nil {
			return fmt.Errorf("%s: %v", s.Sweep, err)
		}
		points = points[i : i+1]
	}
	if err := checkOutDir(s.out, true); err != nil {
		return err
	}
	b, err := marshalIndent(s.sweepFile)
	if err != nil {
		return failure(err)
	}
	if err := fileio.WriteFileBytes(filepath.Join(s.out, "sweep.json"), b); err != nil {
		return failure(fmt.Errorf("%s: %v", s.out, err))
	}
	for _, p := range points {
		dir := filepath.Join(s.out, p.Dir)
		args := []string{s.Base}
		for _, v := range p.Sets {
			args = append(args, "--set", v.setString())
		}
		args = append(args, "--out", dir)
		if flagValue(fs, "quiet") == "true" {
			args = append(args, "--quiet")
		}
		if flagValue(fs, "force") == "true" {
			args = append(args, "--force")
		}
		fmt.Fprintf(e.stdout, "point %d (of %d): %s\n", p.Index, len(s.Points), strings.Join(append([]string{"ebmrun", "run"}, args...), " "))
		if err := runPoint(ctx, e, args); err != nil {
			return err
		}
	}
	return nil
}

// runPoint runs ebmrun run with args in-process, through the run command's
// own flags and code.
func runPoint(ctx context.Context, e *env, args []string) error {
	rc := lookupCommand("run")
	fs := flag.NewFlagSet(rc.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rc.flags(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	pe := &env{stdout: e.stdout, stderr: e.stderr, args: append([]string{"ebmrun", "run"}, args...)}
	return rc.run(ctx, pe, fs, pos)
}

// readSweepFile reads DIR/sweep.json.
func readSweepFile(dir string) (*sweepFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		if st, serr := os.Stat(dir); serr != nil || !st.IsDir() {
			return nil, fmt.Errorf("collect: %s is not a directory; give the out directory of ebmrun sweep", dir)
		}
		return nil, fmt.Errorf("collect: %s holds no sweep.json: not the out directory of ebmrun sweep (run a point first)", dir)
	}
	var s sweepFile
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("collect: %s: sweep.json is not valid: %v", dir, oneLine(err.Error()))
	}
	return &s, nil
}
