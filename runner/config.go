package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
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
	// Warnings are what the components said while they were built: each
	// line names the file and the table. Commands print them.
	Warnings []string
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

// readConfig reads the config file at path; its error names the file. A
// file larger than a config may be is refused without reading it whole.
func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such config file", path)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if err := checkConfigSize(path, int64(len(src))); err != nil {
		return nil, err
	}
	return src, nil
}

// decodeConfig parses src, the contents of the file named path, as TOML
// (an empty file is an empty table); a syntax error names the file and
// line. A file larger than 1 MiB, or nested deeper than 64 levels of
// arrays and inline tables, is refused before parsing.
func decodeConfig(path string, src []byte) (map[string]any, error) {
	if err := checkConfigSize(path, int64(len(src))); err != nil {
		return nil, err
	}
	if err := checkNesting(path, src); err != nil {
		return nil, err
	}
	var m map[string]any
	if _, err := toml.Decode(string(src), &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: TOML syntax error: %s", path, syntaxLine(src, pe), oneLine(pe.Message))
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
	return parseShards(path, src, sets, 1)
}

// loadShards is Load for a run split into shards (--shard i/n): the memory
// check sizes the largest of the shards, not the whole run.
func loadShards(path string, sets []string, shards int) (*Config, error) {
	src, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	return parseShards(path, src, sets, shards)
}

// parseShards is Parse for a run split into shards.
func parseShards(path string, src []byte, sets []string, shards int) (*Config, error) {
	m, err := decodeConfig(path, src)
	if err != nil {
		return nil, err
	}
	if isTrainTable(m) {
		return nil, fmt.Errorf("%s: a training config (it has a [train] or [objective] table): ebmrun run and validate accept both kinds, and Go code loads it with LoadTrain", path)
	}
	if err := samplingSchema.applySets(path, m, sets); err != nil {
		return nil, err
	}
	return build(path, m, shards)
}

// topLevel checks the top-level keys of a config against the schema and
// returns its name (by default the file's base name) and seed (by default
// seed), recording bad values in b.
func (s *schema) topLevel(b *builder, m map[string]any, seed int64) (string, int64) {
	known := s.topKeys()
	for _, k := range sortedKeys(m) {
		if !slices.Contains(known, k) {
			b.fail("", s.unknownTop(k))
		}
	}
	name := strings.TrimSuffix(baseName(b.file), ".toml")
	if v, ok := m["name"]; ok {
		str, isStr := v.(string)
		switch {
		case !isStr:
			b.fail("", registry.KeyErrorf("name", "want a string, got %s", registry.TypeName(v)))
		case !nameRE.MatchString(str):
			b.fail("", registry.KeyErrorf("name", "%q must be letters, digits, '.', '_' or '-' (it names the output directory)", str))
		default:
			name = str
		}
	}
	if v, ok := m["seed"]; ok {
		n, isInt := v.(int64)
		switch {
		case !isInt:
			b.fail("", registry.KeyErrorf("seed", "want an integer, got %s", registry.TypeName(v)))
		case n < 0:
			b.fail("", registry.KeyErrorf("seed", "must be ≥ 0, got %d", n))
		default:
			seed = n
		}
	}
	return name, seed
}

// build validates the table m and builds the sampling pipeline.
func build(path string, m map[string]any, shards int) (*Config, error) {
	c := &Config{File: path, Seed: 1, Run: defaultRun()}
	s, b := samplingSchema, newBuilder(path)
	b.shards = shards
	c.Name, c.Seed = s.topLevel(b, m, c.Seed)

	// The energy fixes the shape of a point for the tables after it.
	if e, ok := b.component(m, s.section("energy")); ok {
		c.EnergyType = e.typ
		en := e.v.(energies.Energy)
		if en.Dim() <= 0 {
			b.failType("energy", e.typ, fmt.Errorf("dimension must be > 0, got %d", en.Dim()))
		} else {
			c.Energy, b.shape = en, []int{en.Dim()}
		}
	}
	d, initOK := b.component(m, s.section("init"))
	initErrs := len(b.errs) // where the init's Bind error goes, so errors keep the tables' order
	ss, array := b.components(m, s.section("sampler"))
	c.SamplerArray = array
	for _, sp := range ss {
		c.Samplers = append(c.Samplers, SamplerSpec{Type: sp.typ, Sampler: sp.v.(samplers.Sampler)})
	}
	runOK := b.settings(m, s.section("run"), &c.Run)
	// What the run will hold is checked before anything of the energy's
	// dimension is allocated (Bind expands the init to it).
	fits := !runOK || c.Energy == nil || b.checkSampling(c.EnergyType, c.Energy, c.Energy.Dim(), c.Run, len(ss))
	if initOK {
		c.InitType = d.typ
		if c.Energy != nil && fits {
			dist := d.v.(initdist.Dist)
			if err := dist.Bind(c.Energy.Dim()); err != nil {
				n := len(b.errs)
				b.failType("init", d.typ, err)
				moved := slices.Clone(b.errs[n:])
				b.errs = slices.Insert(b.errs[:n], initErrs, moved...)
			} else {
				c.Init = dist
			}
		}
	}
	if err := b.err(); err != nil {
		return nil, err
	}
	c.Warnings = b.warns
	return c, nil
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
