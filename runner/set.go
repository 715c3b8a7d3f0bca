package runner

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/registry"
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
// that the schema does not have (a top-level key, a settings key, or a key
// of the component type named in the table, nested components included)
// is an error naming the file.
func (s *schema) applySets(path string, m map[string]any, sets []string) error {
	var ovs []override
	for _, raw := range sets {
		o, err := parseSet(raw)
		if err != nil {
			return &registry.Error{File: path, Err: err}
		}
		if to, ok := s.aliases[strings.Join(o.path, ".")]; ok {
			o.path = strings.Split(to, ".")
		}
		ovs = append(ovs, o)
	}
	// Types first, so that keys are checked against the final component type.
	sort.SliceStable(ovs, func(i, j int) bool {
		return ovs[i].path[len(ovs[i].path)-1] == "type" && ovs[j].path[len(ovs[j].path)-1] != "type"
	})
	var errs []error
	for _, o := range ovs {
		if err := s.apply(m, o); err != nil {
			errs = append(errs, fmt.Errorf("--set %s: %w", o.raw, err))
		}
	}
	if len(errs) > 0 {
		return &registry.Error{File: path, Err: errors.Join(errs...)}
	}
	return nil
}

// apply sets one override in m after checking its key path.
func (s *schema) apply(m map[string]any, o override) error {
	top, rest := o.path[0], o.path[1:]
	if top == "name" || top == "seed" {
		if len(rest) > 0 {
			return fmt.Errorf("%q is not a table", top)
		}
		m[top] = o.value
		return nil
	}
	sec := s.section(top)
	if sec == nil {
		return s.unknownTop(top)
	}
	if sec.settings != nil {
		return setKey(sub(m, top), top, "", sec.settings(), rest, o.value)
	}
	t, label, rest, err := target(m, sec, rest)
	if err != nil {
		return err
	}
	return setComponentKey(t, label, sec.kind, sec.deflt, rest, o.value)
}

// target returns the component table of section sec that rest addresses:
// KEY in [key], or N.KEY in the N-th [[key]] table (counted from 1, as in
// the messages "[sampler #2]"); also KEY when there is one [[key]] table.
func target(m map[string]any, sec *section, rest []string) (map[string]any, string, []string, error) {
	if len(rest) == 0 {
		return nil, "", nil, fmt.Errorf("want %s.KEY, e.g. %s.type", sec.key, sec.key)
	}
	arr, isArr := m[sec.key].([]map[string]any)
	if !sec.array || !isArr {
		return sub(m, sec.key), sec.key, rest, nil
	}
	if _, err := strconv.Atoi(rest[0]); err != nil && len(arr) == 1 {
		return arr[0], sec.key + " #1", rest, nil
	}
	if len(rest) < 2 {
		return nil, "", nil, fmt.Errorf("the config has %d [[%s]] tables: say which, e.g. %s.1.%s", len(arr), sec.key, sec.key, rest[len(rest)-1])
	}
	i, err := strconv.Atoi(rest[0])
	if err != nil || i < 1 || i > len(arr) {
		return nil, "", nil, fmt.Errorf("no [%s #%s]: the config has %d [[%s]] tables, numbered from 1", sec.key, rest[0], len(arr), sec.key)
	}
	return arr[i-1], fmt.Sprintf("%s #%d", sec.key, i), rest[1:], nil
}

// setComponentKey sets the key path rest in the table t of a component of
// kind k (label names the table in messages; deflt is its type when t has
// none). "type" replaces the component, dropping the keys the new type
// lacks; KEY must be a key of the type; NESTED.… descends into a nested
// component (registry.Component field) of the type.
func setComponentKey(t map[string]any, label string, k *kind, deflt string, rest []string, v any) error {
	if len(rest) == 1 && rest[0] == "type" {
		t["type"] = v
		dropUnknownKeys(t, k)
		return nil
	}
	typ, err := registry.TypeOf(t)
	if err != nil {
		if deflt == "" {
			return fmt.Errorf("[%s] has no type yet; set %s.type too", label, label)
		}
		typ = deflt
		t["type"] = typ
	}
	fresh, err := k.fresh(typ)
	if err != nil {
		return &registry.Error{Table: label, Err: err}
	}
	return setKey(t, label, typ, fresh, rest, v)
}

// setKey sets the key path rest in the table t decoding into fresh (a new
// component of type typ, or a settings value when typ is ""), after
// checking that fresh has that key.
func setKey(t map[string]any, label, typ string, fresh any, rest []string, v any) error {
	where := "[" + label + "]"
	if typ != "" {
		where += " (" + typ + ")"
	}
	if len(rest) == 0 {
		return fmt.Errorf("want %s.KEY", label)
	}
	if len(rest) > 1 {
		for _, n := range registry.Nested(fresh) {
			if n.Key != rest[0] {
				continue
			}
			nk := kindByTable(n.Field.Kind())
			if nk == nil {
				return fmt.Errorf("%s: key %q: no registry builds its components", where, n.Key)
			}
			deflt, _ := registry.TypeOf(n.Field.TableWithType())
			return setComponentKey(sub(t, n.Key), label+"."+n.Key, nk, deflt, rest[1:], v)
		}
		if err := checkKey(where, rest[0], registry.Fields(fresh), typ != ""); err != nil {
			return err
		}
		example := "type"
		if f := registry.Fields(fresh); typ == "" && len(f) > 0 {
			example = f[0].Key
		}
		return fmt.Errorf("%s: key %q is not a table: want %s.KEY, e.g. %s.%s", where, rest[0], label, label, example)
	}
	if err := checkKey(where, rest[0], registry.Fields(fresh), typ != ""); err != nil {
		return err
	}
	t[rest[0]] = v
	return nil
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

// dropUnknownKeys removes the keys of t that its (new) type does not have:
// --set sampler.type=hmc replaces the component, keeping only the keys the
// new type shares with the old. An unknown type is left for validation.
func dropUnknownKeys(t map[string]any, k *kind) {
	typ, err := registry.TypeOf(t)
	if err != nil {
		return
	}
	fresh, err := k.fresh(typ)
	if err != nil {
		return
	}
	keep := map[string]bool{"type": true}
	for _, f := range registry.Fields(fresh) {
		keep[f.Key] = true
	}
	for key := range t {
		if !keep[key] {
			delete(t, key)
		}
	}
}
