package runner

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/initdist"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/samplers"
)

// override is one parsed --set key=value.
type override struct {
	raw   string // as given, for messages
	path  []string
	value any
}

// parseSet splits "a.b=value" and parses value as a TOML value; text that
// is not valid TOML is taken as a string, so --set energy.type=gmm works
// without quotes.
func parseSet(s string) (override, error) {
	key, val, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return override{}, fmt.Errorf("--set %q: want key=value, e.g. --set run.chains=64", s)
	}
	path := strings.Split(key, ".")
	for _, p := range path {
		if p == "" {
			return override{}, fmt.Errorf("--set %q: empty part in key %q", s, key)
		}
	}
	var m map[string]any
	var v any
	if _, err := toml.Decode("v = "+val, &m); err == nil {
		v = m["v"]
	} else {
		v = strings.TrimSpace(val)
	}
	return override{raw: s, path: path, value: v}, nil
}

// applySets applies the overrides to the parsed config table m. A key path
// that the schema does not have (a top-level key, a [run] key, or a key of
// the component type named in the table) is an error.
func applySets(m map[string]any, sets []string) error {
	var ovs []override
	for _, s := range sets {
		o, err := parseSet(s)
		if err != nil {
			return err
		}
		ovs = append(ovs, o)
	}
	// Types first, so that keys are checked against the final component type.
	sort.SliceStable(ovs, func(i, j int) bool {
		return ovs[i].path[len(ovs[i].path)-1] == "type" && ovs[j].path[len(ovs[j].path)-1] != "type"
	})
	var errs []error
	for _, o := range ovs {
		if err := apply(m, o); err != nil {
			errs = append(errs, fmt.Errorf("--set %s: %w", o.raw, err))
		}
	}
	return errors.Join(errs...)
}

func apply(m map[string]any, o override) error {
	top, rest := o.path[0], o.path[1:]
	switch top {
	case "name", "seed":
		if len(rest) > 0 {
			return fmt.Errorf("%q is not a table", top)
		}
		m[top] = o.value
		return nil
	case "run":
		if len(rest) != 1 {
			return errors.New("want run.KEY, e.g. run.chains")
		}
		if err := checkKey("[run]", rest[0], registry.Fields(&RunSettings{}), false); err != nil {
			return err
		}
		sub(m, "run")[rest[0]] = o.value
		return nil
	case "energy", "init":
		if len(rest) != 1 {
			return fmt.Errorf("want %s.KEY, e.g. %s.type", top, top)
		}
		t := sub(m, top)
		return setComponent(t, top, rest[0], o.value)
	case "sampler":
		return setSampler(m, rest, o.value)
	}
	msg := fmt.Sprintf("unknown top-level key %q", top)
	if s := registry.Nearest(top, topKeys); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return fmt.Errorf("%s; known keys: %s", msg, strings.Join(topKeys, ", "))
}

// sub returns m[key] as a table, creating it when absent; a non-table value
// is replaced (validation would reject it anyway).
func sub(m map[string]any, key string) map[string]any {
	t, ok := m[key].(map[string]any)
	if !ok {
		t = map[string]any{}
		m[key] = t
	}
	return t
}

// setSampler applies sampler.KEY or sampler.N.KEY (N counts [[sampler]]
// tables from 1, as in the messages "[sampler #2]").
func setSampler(m map[string]any, rest []string, v any) error {
	switch s := m["sampler"].(type) {
	case []map[string]any:
		if len(rest) == 1 && len(s) == 1 {
			return setComponent(s[0], "sampler #1", rest[0], v)
		}
		if len(rest) != 2 {
			return fmt.Errorf("the config has %d [[sampler]] tables: say which, e.g. sampler.1.%s", len(s), rest[len(rest)-1])
		}
		i, err := strconv.Atoi(rest[0])
		if err != nil || i < 1 || i > len(s) {
			return fmt.Errorf("no [sampler #%s]: the config has %d [[sampler]] tables, numbered from 1", rest[0], len(s))
		}
		return setComponent(s[i-1], fmt.Sprintf("sampler #%d", i), rest[1], v)
	default:
		if len(rest) != 1 {
			return errors.New("want sampler.KEY, e.g. sampler.type (sampler.N.KEY only with [[sampler]])")
		}
		return setComponent(sub(m, "sampler"), "sampler", rest[0], v)
	}
}

// setComponent sets key in the component table t after checking that the
// component type named by t has that key.
func setComponent(t map[string]any, label, key string, v any) error {
	kind := strings.Fields(label)[0]
	if key == "type" {
		t["type"] = v
		dropUnknownKeys(t, kind)
		return nil
	}
	typ, err := registry.TypeOf(t)
	if err != nil && kind == "init" {
		typ, err = initdist.Default, nil
	}
	if err != nil {
		return fmt.Errorf("[%s] has no type yet; set %s.type too", label, kind)
	}
	fresh, err := freshComponent(kind, typ)
	if err != nil {
		return fmt.Errorf("[%s]: %w", label, err)
	}
	if err := checkKey(fmt.Sprintf("[%s] (%s)", label, typ), key, registry.Fields(fresh), true); err != nil {
		return err
	}
	t[key] = v
	return nil
}

// checkKey returns an error unless key is one of fields' keys (or "type"
// when allowType).
func checkKey(where, key string, fields []registry.Field, allowType bool) error {
	var known []string
	if allowType {
		known = append(known, "type")
	}
	for _, f := range fields {
		if f.Key == key {
			return nil
		}
		known = append(known, f.Key)
	}
	msg := fmt.Sprintf("%s has no key %q", where, key)
	if s := registry.Nearest(key, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return fmt.Errorf("%s; known keys: %s", msg, strings.Join(known, ", "))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// freshComponent returns a new component of kind ("energy", "init" or
// "sampler") and type typ.
func freshComponent(kind, typ string) (any, error) {
	switch kind {
	case "energy":
		return energies.New(typ)
	case "init":
		return initdist.Registry.New(typ)
	}
	return samplers.New(typ)
}

// dropUnknownKeys removes the keys of t that its (new) type does not have:
// --set sampler.type=hmc replaces the component, keeping only the keys the
// new type shares with the old. An unknown type is left for validation.
func dropUnknownKeys(t map[string]any, kind string) {
	typ, err := registry.TypeOf(t)
	if err != nil {
		return
	}
	fresh, err := freshComponent(kind, typ)
	if err != nil {
		return
	}
	keep := map[string]bool{"type": true}
	for _, f := range registry.Fields(fresh) {
		keep[f.Key] = true
	}
	for k := range t {
		if !keep[k] {
			delete(t, k)
		}
	}
}
