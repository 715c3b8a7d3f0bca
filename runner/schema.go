package runner

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/initdist"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/samplers"
)

// The config schema: one description of the tables of sampling and
// training configs. It drives building (builder), --set (schema.applySets),
// validate, list and config (kinds), so the two kinds of config share every
// line of that code and differ only in their tables.

// kind is one component kind: its registry as the CLI and the schema see it.
type kind struct {
	plural string // "energies": the list argument
	table  string // "energy": the config table, the NAME prefix of ebmrun config, the registry's kind
	names  func() []string
	fresh  func(name string) (any, error)
	build  func(ctx registry.Context, t map[string]any) (any, error)
}

func kindOf[T any](plural string, r *registry.Registry[T]) *kind {
	return &kind{
		plural: plural,
		table:  r.Kind(),
		names:  r.Names,
		fresh:  func(n string) (any, error) { return r.New(n) },
		build:  func(ctx registry.Context, t map[string]any) (any, error) { return r.Build(ctx, t) },
	}
}

var (
	energyKind    = kindOf("energies", energies.Registry)
	samplerKind   = kindOf("samplers", samplers.Registry)
	initKind      = kindOf("inits", initdist.Registry)
	dataKind      = kindOf("data", datasets.Registry)
	objectiveKind = kindOf("objectives", objectives.Registry)
	optimizerKind = kindOf("optimizers", optim.Registry)

	// kinds lists every component kind, in the order `ebmrun list` shows them.
	kinds = []*kind{energyKind, samplerKind, initKind, dataKind, objectiveKind, optimizerKind}
)

// kindByTable returns the kind whose registry is named table ("sampler"), or nil.
func kindByTable(table string) *kind {
	for _, k := range kinds {
		if k.table == table {
			return k
		}
	}
	return nil
}

// section is one top-level table of a config.
type section struct {
	key string
	// A component table names its type; kind builds it. deflt is its type
	// when the table or its type key is absent; with no default the table
	// is required, and missing is the hint of that error. array allows
	// [[key]]: several components.
	kind    *kind
	deflt   string
	missing string
	array   bool
	// A settings table has no type: settings returns a fresh value with
	// its defaults, into which the table decodes.
	settings func() any
}

// schema is the tables of one kind of config.
type schema struct {
	what     string // "" for sampling configs, "a training config": in messages
	sections []section
	// aliases maps --set keys to the keys they mean in this kind of config
	// (--workers sets run.workers, which is sample.workers when training).
	aliases map[string]string
}

var samplingSchema = &schema{
	sections: []section{
		{key: "energy", kind: energyKind, missing: `add one with a type, e.g. [energy] type = "gaussian" (see ebmrun list energies)`},
		{key: "init", kind: initKind, deflt: initdist.Default},
		{key: "sampler", kind: samplerKind, array: true, missing: `add one with a type, e.g. [sampler] type = "mh" (see ebmrun list samplers)`},
		{key: "run", settings: func() any { r := defaultRun(); return &r }},
	},
}

var trainingSchema = &schema{
	what: "a training config",
	sections: []section{
		{key: "data", kind: dataKind, missing: `add one with a type, e.g. [data] type = "moons" (see ebmrun list data)`},
		{key: "energy", kind: energyKind, missing: `add a learnable one, e.g. [energy] type = "mlp" (its dim defaults to the data's)`},
		{key: "objective", kind: objectiveKind, missing: `add one with a type, e.g. [objective] type = "dsm" (see ebmrun list objectives)`},
		{key: "optimizer", kind: optimizerKind, deflt: "adam"},
		{key: "train", settings: func() any { s := defaultTrain(); return &s }},
		{key: "eval", settings: func() any { s := defaultEval(); return &s }},
		{key: "sample", settings: func() any { s := defaultSample(); return &s }},
	},
	aliases: map[string]string{"run.workers": "sample.workers"},
}

// isTrainTable reports whether a parsed config is a training config: one
// with a [train] or an [objective] table.
func isTrainTable(m map[string]any) bool {
	_, a := m["train"]
	_, b := m["objective"]
	return a || b
}

// section returns the section named key, or nil.
func (s *schema) section(key string) *section {
	for i := range s.sections {
		if s.sections[i].key == key {
			return &s.sections[i]
		}
	}
	return nil
}

// topKeys are the keys allowed at the top level, sorted.
func (s *schema) topKeys() []string {
	keys := []string{"name", "seed"}
	for _, sec := range s.sections {
		keys = append(keys, sec.key)
	}
	slices.Sort(keys)
	return keys
}

// unknownTop is the error of a top-level key the schema lacks.
func (s *schema) unknownTop(k string) error {
	known := s.topKeys()
	msg := fmt.Sprintf("unknown top-level key %q", k)
	if s.what != "" {
		msg += " in " + s.what
	}
	if n := registry.Nearest(k, known); n != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", n)
	}
	return fmt.Errorf("%s; known keys: %s", msg, strings.Join(known, ", "))
}

// builder builds the tables of one config, collecting every error (each an
// *registry.Error naming the file and the table) so that one run of
// validate reports them all.
type builder struct {
	file  string
	dir   string // the config file's absolute directory: relative paths start there
	shape []int  // the shape of one point, once known (from the data, or the energy)
	errs  []error
	warns []string             // what components sent to their Context's Warn
	mem   registry.MemoryLimit // the most the run may ask for (memoryLimit)
	// shards is the number of shards the run is split into (--shard i/n;
	// 0 or 1: whole): the memory check sizes the largest one.
	shards int
}

func newBuilder(path string) *builder {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		dir = filepath.Dir(path)
	}
	b := &builder{file: path, dir: dir}
	mem, err := memoryLimit()
	b.mem = mem
	b.fail("", err)
	return b
}

// ctx is the Context of the table named table.
func (b *builder) ctx(table string) registry.Context {
	return registry.Context{File: b.file, Table: table, Dir: b.dir, Shape: slices.Clone(b.shape),
		Warn:   func(msg string) { b.warns = append(b.warns, b.file+": "+msg) },
		Memory: b.mem}
}

// fail records err as the failure of table ("" for the file as a whole).
// An *registry.Error without a place is given this one; any other error
// is wrapped in one.
func (b *builder) fail(table string, err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok { // errors.Join
		for _, e := range j.Unwrap() {
			b.fail(table, e)
		}
		return
	}
	if re, ok := err.(*registry.Error); ok {
		if re.File == "" && re.Table == "" {
			re.File, re.Table = b.file, table
		}
		if re.File != "" { // placed
			b.errs = append(b.errs, re)
			return
		}
	}
	b.errs = append(b.errs, &registry.Error{File: b.file, Table: table, Err: err})
}

// failType records err as the failure of the component of type typ in table.
func (b *builder) failType(table, typ string, err error) {
	b.fail(table, &registry.Error{Type: typ, Err: err})
}

// err is every recorded failure, or nil.
func (b *builder) err() error { return errors.Join(b.errs...) }

// built is one component built from its table.
type built struct {
	label string // the table as messages name it: "sampler", "sampler #2"
	typ   string
	v     any
}

// components builds the component table(s) of section sec of m; a table
// that fails is left out, its error recorded. array reports that the file
// used [[key]].
func (b *builder) components(m map[string]any, sec *section) (out []built, array bool) {
	var tables []map[string]any
	switch v := m[sec.key].(type) {
	case nil:
		if sec.deflt == "" {
			b.fail("", fmt.Errorf("missing [%s] table: %s", sec.key, sec.missing))
			return nil, false
		}
		tables = []map[string]any{{}}
	case map[string]any:
		tables = []map[string]any{v}
	case []map[string]any:
		if !sec.array {
			b.fail(sec.key, fmt.Errorf("want a table, got %s", registry.TypeName(v)))
			return nil, false
		}
		if len(v) == 0 {
			b.fail("", fmt.Errorf("[[%s]] is empty: give at least one %s", sec.key, sec.kind.table))
		}
		tables, array = v, true
	default:
		want := "a table"
		if sec.array {
			want = "a table or an array of tables"
		}
		b.fail(sec.key, fmt.Errorf("want %s, got %s", want, registry.TypeName(v)))
		return nil, false
	}
	for i, t := range tables {
		label := sec.key
		if array {
			label = fmt.Sprintf("%s #%d", sec.key, i+1)
		}
		if _, ok := t["type"]; !ok && sec.deflt != "" {
			t = maps.Clone(t)
			t["type"] = sec.deflt
		}
		v, err := sec.kind.build(b.ctx(label), t)
		if err != nil {
			b.fail(label, err)
			continue
		}
		typ, _ := registry.TypeOf(t)
		out = append(out, built{label: label, typ: typ, v: v})
	}
	return out, array
}

// component builds the single component table of section sec; ok is
// false when it failed (the error is recorded).
func (b *builder) component(m map[string]any, sec *section) (built, bool) {
	out, _ := b.components(m, sec)
	if len(out) != 1 {
		return built{}, false
	}
	return out[0], true
}

// settings decodes the settings table of section sec of m (absent: the
// defaults already in v) into v and validates it; it reports success.
func (b *builder) settings(m map[string]any, sec *section, v any) bool {
	var t map[string]any
	if raw, ok := m[sec.key]; ok {
		if t, ok = raw.(map[string]any); !ok {
			b.fail(sec.key, fmt.Errorf("want a table, got %s", registry.TypeName(raw)))
			return false
		}
	}
	if err := registry.Settings(b.ctx(sec.key), t, v); err != nil {
		b.fail(sec.key, err)
		return false
	}
	return true
}
