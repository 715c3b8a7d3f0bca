package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/initdist"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/samplers"
)

// Config is a loaded and fully validated pipeline: every component is
// decoded, initialized and checked against the energy's dimension.
type Config struct {
	File       string // the path it was loaded from, for messages
	Name       string // run name: outputs go to runs/<Name> by default
	Seed       int64  // fixes the run
	EnergyType string
	Energy     energies.Energy
	InitType   string
	Init       initdist.Dist
	Samplers   []SamplerSpec
	// SamplerArray records that the file used [[sampler]] rather than
	// [sampler], so the resolved config keeps its form.
	SamplerArray bool
	Run          RunSettings
}

// SamplerSpec is one configured sampler of a pipeline.
type SamplerSpec struct {
	Type    string
	Sampler samplers.Sampler
}

// RunSettings is the [run] table.
type RunSettings struct {
	Chains  int `toml:"chains" doc:"number of chains (> 0)"`
	Warmup  int `toml:"warmup" doc:"adaptation iterations per chain, discarded (≥ 0)"`
	Draws   int `toml:"draws" doc:"kept draws per chain (> 0)"`
	Thin    int `toml:"thin" doc:"keep every thin-th post-warmup iteration (≥ 1)"`
	Workers int `toml:"workers" doc:"goroutines running the chains; 0 means one per CPU (results do not depend on it)"`
}

// defaultRun returns the [run] defaults.
func defaultRun() RunSettings { return RunSettings{Chains: 4, Warmup: 1000, Draws: 1000, Thin: 1} }

// Init validates the run settings.
func (r *RunSettings) Validate() error {
	var errs []error
	if r.Chains <= 0 {
		errs = append(errs, fmt.Errorf("key \"chains\": must be > 0, got %d", r.Chains))
	}
	if r.Warmup < 0 {
		errs = append(errs, fmt.Errorf("key \"warmup\": must be ≥ 0, got %d", r.Warmup))
	}
	if r.Draws <= 0 {
		errs = append(errs, fmt.Errorf("key \"draws\": must be > 0, got %d", r.Draws))
	}
	if r.Thin <= 0 {
		errs = append(errs, fmt.Errorf("key \"thin\": must be ≥ 1, got %d", r.Thin))
	}
	if r.Workers < 0 {
		errs = append(errs, fmt.Errorf("key \"workers\": must be ≥ 0 (0 means one per CPU), got %d", r.Workers))
	}
	return errors.Join(errs...)
}

// topKeys are the keys allowed at the top level of a config.
var topKeys = []string{"energy", "init", "name", "run", "sampler", "seed"}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Load reads a config file, applies --set style overrides ("run.chains=64")
// and validates everything a run needs before it starts. Every error line
// names the file, the table, the component and the key.
func Load(path string, sets []string) (*Config, error) {
	src, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src, sets)
}

// readConfig reads the config file at path; its error names the file.
func readConfig(path string) ([]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such config file", path)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return src, nil
}

// decodeConfig parses src, the contents of the file named path, as TOML
// (an empty file is an empty table); a syntax error names the file and
// line.
func decodeConfig(path string, src []byte) (map[string]any, error) {
	var m map[string]any
	if _, err := toml.Decode(string(src), &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: TOML syntax error: %s", path, pe.Position.Line, oneLine(pe.Message))
		}
		return nil, fmt.Errorf("%s: %s", path, oneLine(err.Error()))
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// Parse is Load on the contents src of the file named path.
func Parse(path string, src []byte, sets []string) (*Config, error) {
	m, err := decodeConfig(path, src)
	if err != nil {
		return nil, err
	}
	if isTrainTable(m) {
		return nil, fmt.Errorf("%s: a training config (it has a [train] or [objective] table): load it with LoadTrain; ebmrun run and validate accept both kinds", path)
	}
	if err := applySets(m, sets); err != nil {
		return nil, prefixLines(path+": ", err)
	}
	return build(path, m)
}

// topLevel checks the top-level keys of a config against known (kind, if
// not empty, says which kind of config in the message) and returns its
// name (by default the file's base name) and seed (by default seed),
// reporting bad values through add.
func topLevel(path string, m map[string]any, known []string, kind string, seed int64, add func(string, error)) (string, int64) {
	for _, k := range sortedKeys(m) {
		if !contains(known, k) {
			msg := fmt.Sprintf("unknown top-level key %q", k)
			if kind != "" {
				msg += " in " + kind
			}
			if s := registry.Nearest(k, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			add("", fmt.Errorf("%s; known keys: %s", msg, strings.Join(known, ", ")))
		}
	}
	name := strings.TrimSuffix(baseName(path), ".toml")
	if v, ok := m["name"]; ok {
		s, isStr := v.(string)
		switch {
		case !isStr:
			add("", fmt.Errorf("key \"name\": want a string, got %s", registry.TypeName(v)))
		case !nameRE.MatchString(s):
			add("", fmt.Errorf("key \"name\": %q must be letters, digits, '.', '_' or '-' (it names the output directory)", s))
		default:
			name = s
		}
	}
	if v, ok := m["seed"]; ok {
		n, isInt := v.(int64)
		switch {
		case !isInt:
			add("", fmt.Errorf("key \"seed\": want an integer, got %s", registry.TypeName(v)))
		case n < 0:
			add("", fmt.Errorf("key \"seed\": must be ≥ 0, got %d", n))
		default:
			seed = n
		}
	}
	return name, seed
}

// build validates the table m and builds the pipeline.
func build(path string, m map[string]any) (*Config, error) {
	c := &Config{File: path, Seed: 1, Run: defaultRun()}
	var errs []error
	add := func(prefix string, err error) {
		if err != nil {
			errs = append(errs, prefixLines(path+": "+prefix, err))
		}
	}
	c.Name, c.Seed = topLevel(path, m, topKeys, "", c.Seed, add)

	// [energy]
	dim := 0
	if t, err := table(m, "energy"); err != nil {
		add("[energy]: ", err)
	} else if t == nil {
		add("", errors.New("missing [energy] table: add one with a type, e.g. [energy] type = \"gaussian\" (see ebmrun list energies)"))
	} else {
		c.EnergyType, _ = registry.TypeOf(t)
		// buildComponent: a relative path (type "checkpoint") is resolved
		// against the config file's directory.
		e, err := buildComponent(energies.Registry, t, filepath.Dir(path))
		if err != nil {
			add(component("energy", c.EnergyType, err))
		} else if e.Dim() <= 0 {
			add(component("energy", c.EnergyType, fmt.Errorf("(%s): dimension must be > 0, got %d", c.EnergyType, e.Dim())))
		} else {
			c.Energy, dim = e, e.Dim()
		}
	}

	// [init]
	if t, err := table(m, "init"); err != nil {
		add("[init]: ", err)
	} else {
		if t == nil {
			t = map[string]any{}
		}
		if _, ok := t["type"]; !ok { // [init] defaults to N(0, I)
			t["type"] = initdist.Default
		}
		c.InitType, _ = registry.TypeOf(t)
		d, err := initdist.FromTable(t)
		if err != nil {
			add(component("init", c.InitType, err))
		} else if dim > 0 {
			if err := d.Bind(dim); err != nil {
				add(component("init", c.InitType, fmt.Errorf("(%s): %w", c.InitType, err)))
			} else {
				c.Init = d
			}
		}
	}

	// [sampler] or [[sampler]]
	var tables []map[string]any
	switch v := m["sampler"].(type) {
	case nil:
		add("", errors.New("missing [sampler] table: add one with a type, e.g. [sampler] type = \"mh\" (see ebmrun list samplers)"))
	case map[string]any:
		tables = []map[string]any{v}
	case []map[string]any:
		tables, c.SamplerArray = v, true
		if len(v) == 0 {
			add("", errors.New("[[sampler]] is empty: give at least one sampler"))
		}
	default:
		add("[sampler]: ", fmt.Errorf("want a table or an array of tables, got %s", registry.TypeName(v)))
	}
	for i, t := range tables {
		label := "sampler"
		if c.SamplerArray {
			label = fmt.Sprintf("sampler #%d", i+1)
		}
		typ, _ := registry.TypeOf(t)
		s, err := samplers.FromTable(t)
		if err != nil {
			add(component(label, typ, err))
			continue
		}
		c.Samplers = append(c.Samplers, SamplerSpec{Type: typ, Sampler: s})
	}

	// [run]
	if t, err := table(m, "run"); err != nil {
		add("[run]: ", err)
	} else if t != nil {
		if err := registry.Decode(t, &c.Run); err != nil {
			add("[run]: ", err)
		} else {
			add("[run]: ", c.Run.Validate())
		}
	} else {
		add("[run]: ", c.Run.Validate())
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// component returns the message prefix and error for a failed component:
// "[sampler #2] (hmc): " and the error without the registry's "(hmc): ".
func component(table, typ string, err error) (string, error) {
	if typ == "" {
		return "[" + table + "]: ", err
	}
	msg, ok := strings.CutPrefix(err.Error(), "("+typ+"): ")
	if !ok { // not the component's own error (an unknown type, say)
		return "[" + table + "]: ", err
	}
	return fmt.Sprintf("[%s] (%s): ", table, typ), errors.New(msg)
}

// table returns m[key] as a table: nil when absent, an error when it is not
// a table.
func table(m map[string]any, key string) (map[string]any, error) {
	v, ok := m[key]
	if !ok {
		return nil, nil
	}
	t, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a table, got %s", registry.TypeName(v))
	}
	return t, nil
}

// prefixLines puts prefix before every line of err's message, so that each
// line of a multi-error names its file and table.
func prefixLines(prefix string, err error) error {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return errors.New(strings.Join(lines, "\n"))
}

// oneLine squeezes a message onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func baseName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
