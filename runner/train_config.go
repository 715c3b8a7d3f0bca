package runner

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/samplers"
)

// TrainConfig is a loaded and validated training pipeline: a data set, a
// learnable energy, an objective, an optimizer and the [train], [eval] and
// [sample] settings. Every component is decoded strictly, initialized and
// checked against the data's dimension, and the data is loaded. The
// components hold a run's state (the model's parameters, the optimizer's
// moments): load a fresh TrainConfig for each run.
type TrainConfig struct {
	File string // the path it was loaded from, for messages
	Name string // run name: outputs go to runs/<Name> by default
	Seed int64  // the top-level seed: the default of [train] seed

	DataType string
	Data     datasets.Dataset
	points   []float64 // the data, loaded while validating

	EnergyType string
	Model      energies.Trainable

	ObjectiveType string
	Objective     objectives.Objective

	OptimizerType string
	Optimizer     optim.Optimizer

	Train  TrainSettings
	Eval   EvalSettings
	Sample SampleSettings

	// SamplerType and Sampler are the [sample.sampler] component that
	// draws from the trained model.
	SamplerType string
	Sampler     samplers.Sampler
}

// TrainSettings is the [train] table.
type TrainSettings struct {
	Steps           int     `toml:"steps" doc:"optimizer steps (> 0)"`
	BatchSize       int     `toml:"batch_size" doc:"data rows per step (> 0); rows are drawn without replacement within each pass over the shuffled training set"`
	LogEvery        int     `toml:"log_every" doc:"one loss.csv row every log_every steps: the mean loss and gradient norm over those steps (> 0)"`
	CheckpointEvery int     `toml:"checkpoint_every" doc:"write checkpoint.ebm (and loss.csv) every checkpoint_every steps; 0 means only at the end and on Ctrl-C"`
	KeepCheckpoints bool    `toml:"keep_checkpoints" doc:"also keep each periodic checkpoint as checkpoint-<step>.ebm"`
	EvalEvery       int     `toml:"eval_every" doc:"held-out NLL every eval_every steps, recorded in eval.json's history (dim ≤ 3); 0 means only at the end"`
	Seed            int64   `toml:"seed" doc:"seed of the train/held-out split, the batches and the objective's noise (default: the top-level seed)"`
	Holdout         float64 `toml:"holdout" doc:"fraction of the data held out for evaluation, in [0, 1); 0 evaluates on the training data"`
}

// defaultTrain returns the [train] defaults (Seed is filled from the
// top-level seed when absent).
func defaultTrain() TrainSettings {
	return TrainSettings{Steps: 5000, BatchSize: 256, LogEvery: 10, CheckpointEvery: 1000, Holdout: 0.2}
}

// Init validates the [train] keys.
func (s *TrainSettings) Validate() error {
	var errs []error
	if s.Steps <= 0 {
		errs = append(errs, fmt.Errorf("key \"steps\": must be > 0, got %d", s.Steps))
	}
	if s.BatchSize <= 0 {
		errs = append(errs, fmt.Errorf("key \"batch_size\": must be > 0, got %d", s.BatchSize))
	}
	if s.LogEvery <= 0 {
		errs = append(errs, fmt.Errorf("key \"log_every\": must be > 0, got %d", s.LogEvery))
	}
	if s.CheckpointEvery < 0 {
		errs = append(errs, fmt.Errorf("key \"checkpoint_every\": must be ≥ 0 (0 means only at the end), got %d", s.CheckpointEvery))
	}
	if s.EvalEvery < 0 {
		errs = append(errs, fmt.Errorf("key \"eval_every\": must be ≥ 0 (0 means only at the end), got %d", s.EvalEvery))
	}
	if s.Seed < 0 {
		errs = append(errs, fmt.Errorf("key \"seed\": must be ≥ 0, got %d", s.Seed))
	}
	if !(s.Holdout >= 0 && s.Holdout < 1) {
		errs = append(errs, fmt.Errorf("key \"holdout\": must be in [0, 1), got %v", s.Holdout))
	}
	return errors.Join(errs...)
}

// EvalSettings is the [eval] table.
type EvalSettings struct {
	Margin       float64 `toml:"margin" doc:"the quadrature grid covers the data's bounding box enlarged by this fraction of its range on each side (≥ 0)"`
	Res          int     `toml:"res" doc:"grid points per dimension for log Z (≥ 8); 0 means 4096 in 1-D, 256 in 2-D, 64 in 3-D"`
	MMDMax       int     `toml:"mmd_max" doc:"at most this many model samples and held-out points enter the MMD (> 0; its cost is quadratic)"`
	MMDBandwidth float64 `toml:"mmd_bandwidth" doc:"Gaussian kernel bandwidth of the MMD; 0 means the median heuristic"`
}

// defaultEval returns the [eval] defaults.
func defaultEval() EvalSettings { return EvalSettings{Margin: 0.25, MMDMax: 2000} }

// Init validates the [eval] keys.
func (s *EvalSettings) Validate() error {
	var errs []error
	if !(s.Margin >= 0) || math.IsInf(s.Margin, 0) {
		errs = append(errs, fmt.Errorf("key \"margin\": must be ≥ 0 and finite, got %v", s.Margin))
	}
	if s.Res != 0 && s.Res < 8 {
		errs = append(errs, fmt.Errorf("key \"res\": must be ≥ 8 (or 0 for the default), got %d", s.Res))
	}
	if s.MMDMax <= 0 {
		errs = append(errs, fmt.Errorf("key \"mmd_max\": must be > 0, got %d", s.MMDMax))
	}
	if !(s.MMDBandwidth >= 0) || math.IsInf(s.MMDBandwidth, 0) {
		errs = append(errs, fmt.Errorf("key \"mmd_bandwidth\": must be ≥ 0 and finite (0 means the median heuristic), got %v", s.MMDBandwidth))
	}
	return errors.Join(errs...)
}

// gridRes returns the grid resolution for dimension dim.
func (s *EvalSettings) gridRes(dim int) int {
	if s.Res > 0 {
		return s.Res
	}
	if dim == 2 {
		return 256
	}
	if dim == 1 {
		return 4096
	}
	return 64
}

// SampleSettings is the [sample] table: how the trained model is sampled.
type SampleSettings struct {
	Chains  int            `toml:"chains" doc:"number of chains (> 0); samples.npy has shape (chains, draws, dim)"`
	Warmup  int            `toml:"warmup" doc:"sampler iterations per chain before the kept draws (≥ 0); default: 500, or the whole ladder of annealed_langevin"`
	Draws   int            `toml:"draws" doc:"kept draws per chain (> 0)"`
	Workers int            `toml:"workers" doc:"goroutines running the chains; 0 means one per CPU (results do not depend on it)"`
	Start   string         `toml:"init" doc:"chain start: \"uniform\" over the evaluation grid's box, \"data\" (random training rows) or \"normal\" (N(0, I))"`
	Sampler map[string]any `toml:"sampler" doc:"the sampler, a [sample.sampler] table with a type; default: ula (annealed_langevin after msdsm)"`
}

// Sample init choices.
var sampleInits = []string{"uniform", "data", "normal"}

// defaultSample returns the [sample] defaults; an absent warmup is chosen
// from the sampler (see defaultSampleWarmup).
func defaultSample() SampleSettings {
	return SampleSettings{Chains: 1000, Draws: 1, Start: "uniform"}
}

// Init validates the [sample] keys other than the sampler.
func (s *SampleSettings) Validate() error {
	var errs []error
	if s.Chains <= 0 {
		errs = append(errs, fmt.Errorf("key \"chains\": must be > 0, got %d", s.Chains))
	}
	if s.Warmup < 0 {
		errs = append(errs, fmt.Errorf("key \"warmup\": must be ≥ 0, got %d", s.Warmup))
	}
	if s.Draws <= 0 {
		errs = append(errs, fmt.Errorf("key \"draws\": must be > 0, got %d", s.Draws))
	}
	if s.Workers < 0 {
		errs = append(errs, fmt.Errorf("key \"workers\": must be ≥ 0 (0 means one per CPU), got %d", s.Workers))
	}
	if !contains(sampleInits, s.Start) {
		errs = append(errs, fmt.Errorf("key \"init\": want one of %s, got %q", strings.Join(quoteAll(sampleInits), ", "), s.Start))
	}
	return errors.Join(errs...)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// trainTopKeys are the keys allowed at the top level of a training config.
var trainTopKeys = []string{"data", "energy", "eval", "name", "objective", "optimizer", "sample", "seed", "train"}

// isTrainTable reports whether a parsed config is a training config: one
// with a [train] or an [objective] table.
func isTrainTable(m map[string]any) bool {
	_, a := m["train"]
	_, b := m["objective"]
	return a || b
}

// isTrainFile reports whether the file at path parses as a training config;
// any read or syntax error gives false, leaving the message to Load.
func isTrainFile(path string) bool {
	src, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	m, err := decodeConfig(path, src)
	return err == nil && isTrainTable(m)
}

// LoadTrain reads a training config file, applies --set style overrides
// ("train.steps=50", "objective.sigma=0.2") and validates everything a
// training run needs before it starts. Every error line names the file, the
// table, the component and the key. Relative file paths in [data] (and in a
// checkpoint [energy]) are resolved against the config file's directory;
// an [energy] with a dim key and none given gets the data's dimension.
func LoadTrain(path string, sets []string) (*TrainConfig, error) {
	src, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	return ParseTrain(path, src, sets)
}

// ParseTrain is LoadTrain on the contents src of the file named path.
func ParseTrain(path string, src []byte, sets []string) (*TrainConfig, error) {
	m, err := decodeConfig(path, src)
	if err != nil {
		return nil, err
	}
	if err := applyTrainSets(m, sets); err != nil {
		return nil, prefixLines(path+": ", err)
	}
	return buildTrain(path, m)
}

// buildTrain validates the table m and builds the training pipeline.
func buildTrain(path string, m map[string]any) (*TrainConfig, error) {
	c := &TrainConfig{File: path, Seed: 1, Train: defaultTrain(), Eval: defaultEval(), Sample: defaultSample()}
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		base = filepath.Dir(path)
	}
	var errs []error
	add := func(prefix string, err error) {
		if err != nil {
			errs = append(errs, prefixLines(path+": "+prefix, err))
		}
	}
	c.Name, c.Seed = topLevel(path, m, trainTopKeys, "a training config", c.Seed, add)

	// [data]
	dataDim := 0
	if t, err := table(m, "data"); err != nil {
		add("[data]: ", err)
	} else if t == nil {
		add("", errors.New("missing [data] table: add one with a type, e.g. [data] type = \"moons\" (see ebmrun list data)"))
	} else {
		c.DataType, _ = registry.TypeOf(t)
		d, err := buildComponent(datasets.Registry, t, base)
		var x []float64
		if err == nil {
			// Loaded now: file loaders know their dimension only then, and
			// a bad file is bad input, reported before any work.
			x, err = d.Load()
		}
		switch {
		case err != nil:
			add(component("data", c.DataType, err))
		case d.Dim() <= 0 || len(x) == 0 || len(x)%d.Dim() != 0:
			add(fmt.Sprintf("[data] (%s): ", c.DataType), fmt.Errorf("got %d values of dimension %d: not a positive whole number of points", len(x), d.Dim()))
		default:
			c.Data, c.points, dataDim = d, x, d.Dim()
		}
	}

	// [energy]: must be learnable, of the data's dimension.
	if t, err := table(m, "energy"); err != nil {
		add("[energy]: ", err)
	} else if t == nil {
		add("", errors.New("missing [energy] table: add a learnable one, e.g. [energy] type = \"mlp\" with dim = the data's dimension"))
	} else {
		c.EnergyType, _ = registry.TypeOf(t)
		if _, ok := t["dim"]; !ok && dataDim > 0 && hasKey(energies.New, c.EnergyType, "dim") {
			t["dim"] = int64(dataDim) // dim defaults to the data's
		}
		e, err := buildComponent(energies.Registry, t, base)
		switch {
		case err != nil:
			add(component("energy", c.EnergyType, err))
		default:
			tr, ok := e.(energies.Trainable)
			switch {
			case !ok:
				add(fmt.Sprintf("[energy] (%s): ", c.EnergyType), fmt.Errorf("the energy %q is not trainable: a training config needs a learnable energy with parameters, e.g. type = \"mlp\"", c.EnergyType))
			case dataDim > 0 && e.Dim() != dataDim:
				add(fmt.Sprintf("[energy] (%s): ", c.EnergyType), fmt.Errorf("dim = %d but [data] (%s) has dimension %d", e.Dim(), c.DataType, dataDim))
			case len(tr.Params()) == 0:
				add(fmt.Sprintf("[energy] (%s): ", c.EnergyType), errors.New("the energy has no parameters to train"))
			default:
				c.Model = tr
			}
		}
	}

	// [objective]
	if t, err := table(m, "objective"); err != nil {
		add("[objective]: ", err)
	} else if t == nil {
		add("", errors.New("missing [objective] table: add one with a type, e.g. [objective] type = \"dsm\" (see ebmrun list objectives)"))
	} else {
		c.ObjectiveType, _ = registry.TypeOf(t)
		o, err := buildComponent(objectives.Registry, t, base)
		if err != nil {
			add(component("objective", c.ObjectiveType, err))
		} else {
			c.Objective = o
		}
	}

	// [optimizer], default adam.
	if t, err := table(m, "optimizer"); err != nil {
		add("[optimizer]: ", err)
	} else {
		if t == nil {
			t = map[string]any{}
		}
		if _, ok := t["type"]; !ok {
			t["type"] = "adam"
		}
		c.OptimizerType, _ = registry.TypeOf(t)
		o, err := buildComponent(optim.Registry, t, base)
		if err != nil {
			add(component("optimizer", c.OptimizerType, err))
		} else {
			c.Optimizer = o
		}
	}

	// [train], [eval], [sample]
	c.Train.Seed = c.Seed
	decodePlain(m, "train", &c.Train, add)
	decodePlain(m, "eval", &c.Eval, add)
	warmupGiven := false
	if t, _ := table(m, "sample"); t != nil {
		_, warmupGiven = t["warmup"]
	}
	decodePlain(m, "sample", &c.Sample, add)

	// [sample.sampler]
	st := c.Sample.Sampler
	if st == nil {
		st = map[string]any{"type": "ula"}
		if c.ObjectiveType == "msdsm" && samplers.Registry.Has("annealed_langevin") {
			st = map[string]any{"type": "annealed_langevin"}
		}
	}
	c.SamplerType, _ = registry.TypeOf(st)
	if s, err := samplers.FromTable(st); err != nil {
		add(component("sample.sampler", c.SamplerType, err))
	} else {
		c.Sampler = s
		c.Sample.Sampler = resolvedTable(c.SamplerType, s)
		if !warmupGiven {
			c.Sample.Warmup = defaultSampleWarmup(s)
		}
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// hasKey reports whether the component of type typ made by fresh has key.
func hasKey[T any](fresh func(string) (T, error), typ, key string) bool {
	v, err := fresh(typ)
	if err != nil {
		return false
	}
	for _, f := range registry.Fields(v) {
		if f.Key == key {
			return true
		}
	}
	return false
}

// defaultSampleWarmup is 500 iterations, or the whole temperature ladder of
// a sampler with levels and steps_per_level keys (annealed_langevin), so
// that the kept draws come after the ladder.
func defaultSampleWarmup(s samplers.Sampler) int {
	m := registry.ToMap(s)
	l, k := asInt(m["levels"]), asInt(m["steps_per_level"])
	if l > 0 && k > 0 {
		return l * k
	}
	return 500
}

// asInt returns an integer field value from registry.ToMap, or 0.
func asInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case uint64:
		return int(n)
	}
	return 0
}

// decodePlain decodes the optional table key of m into v (a settings
// struct with defaults set) and validates it.
func decodePlain(m map[string]any, key string, v registry.Validator, add func(string, error)) {
	prefix := "[" + key + "]: "
	t, err := table(m, key)
	if err != nil {
		add(prefix, err)
		return
	}
	if t != nil {
		if err := registry.Decode(t, v); err != nil {
			add(prefix, err)
			return
		}
	}
	add(prefix, v.Validate())
}

// buildComponent is reg.FromTable, except that a component with file paths
// (one implementing SetBase(dir)) resolves a relative "path" key against
// base, the config file's directory: the resolved config then records an
// absolute path, valid from the run directory too.
func buildComponent[T any](reg *registry.Registry[T], t map[string]any, base string) (T, error) {
	var zero T
	name, err := registry.TypeOf(t)
	if err != nil {
		return zero, err
	}
	v, err := reg.New(name)
	if err != nil {
		return zero, err
	}
	if sb, ok := any(v).(interface{ SetBase(string) }); ok {
		if p, ok := t["path"].(string); ok && p != "" && !filepath.IsAbs(p) {
			t["path"] = filepath.Join(base, p)
		}
		sb.SetBase(base)
	}
	if err := registry.Decode(t, v, "type"); err != nil {
		return zero, fmt.Errorf("(%s): %w", name, err)
	}
	if err := registry.Validate(v); err != nil {
		return zero, fmt.Errorf("(%s): %w", name, err)
	}
	return v, nil
}

// resolvedTable is a component as a table: its type and every key with its
// value (defaults filled in).
func resolvedTable(typ string, v any) map[string]any {
	t := registry.ToMap(v)
	t["type"] = typ
	return t
}

// ResolvedTOML renders the training config with every default filled in:
// what ran, written to config.toml in the output directory. Loading it
// again gives the same pipeline, and `ebmrun run --resume` reads it.
func (c *TrainConfig) ResolvedTOML() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# resolved from %s: every default filled in\n", c.File)
	b.WriteString(registry.EncodeKey("name", c.Name))
	b.WriteString(registry.EncodeKey("seed", c.Seed))
	writeTable(&b, "[data]", c.DataType, c.Data)
	writeTable(&b, "[energy]", c.EnergyType, c.Model)
	writeTable(&b, "[objective]", c.ObjectiveType, c.Objective)
	writeTable(&b, "[optimizer]", c.OptimizerType, c.Optimizer)
	writeTable(&b, "[train]", "", &c.Train)
	writeTable(&b, "[eval]", "", &c.Eval)
	s := c.Sample
	s.Sampler = nil
	writeTable(&b, "[sample]", "", &s)
	writeTable(&b, "[sample.sampler]", c.SamplerType, c.Sampler)
	return b.String()
}

// applyTrainSets applies --set overrides to a training config. Component
// keys are checked against the component type named in the table (after
// any type override); run.workers (what --workers sets) means
// sample.workers.
func applyTrainSets(m map[string]any, sets []string) error {
	var ovs []override
	for _, s := range sets {
		o, err := parseSet(s)
		if err != nil {
			return err
		}
		if len(o.path) == 2 && o.path[0] == "run" && o.path[1] == "workers" {
			o.path = []string{"sample", "workers"}
		}
		ovs = append(ovs, o)
	}
	sort.SliceStable(ovs, func(i, j int) bool {
		return ovs[i].path[len(ovs[i].path)-1] == "type" && ovs[j].path[len(ovs[j].path)-1] != "type"
	})
	var errs []error
	for _, o := range ovs {
		if err := applyTrain(m, o); err != nil {
			errs = append(errs, fmt.Errorf("--set %s: %w", o.raw, err))
		}
	}
	return errors.Join(errs...)
}

// trainKinds maps the component tables of a training config to fresh
// components by type, for checking --set keys.
var trainKinds = map[string]func(typ string) (any, error){
	"data":           func(n string) (any, error) { return datasets.New(n) },
	"energy":         func(n string) (any, error) { return energies.New(n) },
	"objective":      func(n string) (any, error) { return objectives.New(n) },
	"optimizer":      func(n string) (any, error) { return optim.New(n) },
	"sample.sampler": func(n string) (any, error) { return samplers.New(n) },
}

func applyTrain(m map[string]any, o override) error {
	top, rest := o.path[0], o.path[1:]
	switch top {
	case "name", "seed":
		if len(rest) > 0 {
			return fmt.Errorf("%q is not a table", top)
		}
		m[top] = o.value
		return nil
	case "train", "eval":
		if len(rest) != 1 {
			return fmt.Errorf("want %s.KEY, e.g. %s", top, map[string]string{"train": "train.steps", "eval": "eval.res"}[top])
		}
		var fields []registry.Field
		if top == "train" {
			fields = registry.Fields(&TrainSettings{})
		} else {
			fields = registry.Fields(&EvalSettings{})
		}
		if err := checkKey("["+top+"]", rest[0], fields, false); err != nil {
			return err
		}
		sub(m, top)[rest[0]] = o.value
		return nil
	case "sample":
		if len(rest) == 2 && rest[0] == "sampler" {
			return setTrainComponent(sub(sub(m, "sample"), "sampler"), "sample.sampler", rest[1], o.value)
		}
		if len(rest) != 1 || rest[0] == "sampler" {
			return errors.New("want sample.KEY or sample.sampler.KEY, e.g. sample.chains or sample.sampler.step_size")
		}
		if err := checkKey("[sample]", rest[0], registry.Fields(&SampleSettings{}), false); err != nil {
			return err
		}
		sub(m, "sample")[rest[0]] = o.value
		return nil
	case "objective":
		if len(rest) == 2 && rest[0] == "sampler" {
			// The nested sampler of cd/pcd: checked when the objective is built.
			sub(sub(m, "objective"), "sampler")[rest[1]] = o.value
			return nil
		}
		fallthrough
	case "data", "energy", "optimizer":
		if len(rest) != 1 {
			return fmt.Errorf("want %s.KEY, e.g. %s.type", top, top)
		}
		t := sub(m, top)
		if top == "optimizer" {
			if _, ok := t["type"]; !ok {
				t["type"] = "adam"
			}
		}
		return setTrainComponent(t, top, rest[0], o.value)
	}
	msg := fmt.Sprintf("unknown top-level key %q in a training config", top)
	if s := registry.Nearest(top, trainTopKeys); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return fmt.Errorf("%s; known keys: %s", msg, strings.Join(trainTopKeys, ", "))
}

// setTrainComponent sets key in the component table t of the given kind
// after checking that the component type named by t has that key; a type
// override drops the keys the new type lacks.
func setTrainComponent(t map[string]any, kind, key string, v any) error {
	fresh := trainKinds[kind]
	if key == "type" {
		t["type"] = v
		if typ, err := registry.TypeOf(t); err == nil {
			if c, err := fresh(typ); err == nil {
				keep := map[string]bool{"type": true}
				for _, f := range registry.Fields(c) {
					keep[f.Key] = true
				}
				for k := range t {
					if !keep[k] {
						delete(t, k)
					}
				}
			}
		}
		return nil
	}
	typ, err := registry.TypeOf(t)
	if err != nil && kind == "sample.sampler" {
		typ, err = "ula", nil
		t["type"] = typ
	}
	if err != nil {
		return fmt.Errorf("[%s] has no type yet; set %s.type too", kind, kind)
	}
	c, err := fresh(typ)
	if err != nil {
		return fmt.Errorf("[%s]: %w", kind, err)
	}
	if err := checkKey(fmt.Sprintf("[%s] (%s)", kind, typ), key, registry.Fields(c), true); err != nil {
		return err
	}
	t[key] = v
	return nil
}

// The component kinds of training configs, for `ebmrun list` and
// `ebmrun config`.
func init() {
	kinds = append(kinds,
		kind{"data", "data", datasets.Names, func(n string) (any, error) { return datasets.New(n) }},
		kind{"objectives", "objective", objectives.Names, func(n string) (any, error) { return objectives.New(n) }},
		kind{"optimizers", "optimizer", optim.Names, func(n string) (any, error) { return optim.New(n) }},
	)
}
