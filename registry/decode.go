package registry

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
)

// Validator is implemented by components that check their parameters and
// precompute state once they are decoded and provisioned: the last step of
// the lifecycle (see Build). Errors say what to change.
type Validator interface{ Validate() error }

// Describer is implemented by components that give a one-line description
// for `ebmrun list`.
type Describer interface{ Description() string }

// Exampler is implemented by components with required keys that have no
// default (a Gaussian's mean, say): Example fills them with values that make
// the generated sample config valid.
type Exampler interface{ Example() }

// Validate calls v.Validate when v implements Validator.
func Validate(v any) error {
	if in, ok := v.(Validator); ok {
		return in.Validate()
	}
	return nil
}

// Describe returns v's one-line description, or "" when it has none.
func Describe(v any) string {
	if d, ok := v.(Describer); ok {
		return d.Description()
	}
	return ""
}

// Decode fills the struct that v points to from a TOML table already parsed
// into a map (as github.com/BurntSushi/toml produces). Fields are matched by
// their `toml:"key"` tags. It is strict: a key with no matching field, or a
// value of the wrong type, is an error naming the key; keys listed in skip
// (such as "type") are left to the caller. Integers are accepted for float
// fields; floats are not accepted for integer fields.
func Decode(table map[string]any, v any, skip ...string) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("registry: Decode needs a pointer to a struct")
	}
	fields := Fields(v)
	byKey := map[string]Field{}
	known := make([]string, 0, len(fields))
	for _, f := range fields {
		byKey[f.Key] = f
		known = append(known, f.Key)
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		if contains(skip, k) {
			continue
		}
		f, ok := byKey[k]
		if !ok {
			errs = append(errs, &UnknownKeyError{Key: k, Known: known})
			continue
		}
		if err := assign(rv.Elem().FieldByIndex(f.index), table[k]); err != nil {
			errs = append(errs, &Error{Key: k, Err: err})
		}
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Field describes one configurable field of a component.
type Field struct {
	Key   string // TOML key
	Doc   string // the `doc:"…"` tag: one line for sample configs
	Name  string // Go field name
	index []int
}

// Fields lists the configurable fields of the struct v points to, in
// declaration order: exported fields with a `toml` tag other than "-".
func Fields(v any) []Field {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []Field
	for _, sf := range reflect.VisibleFields(t) {
		if !sf.IsExported() || sf.Anonymous {
			continue
		}
		tag := sf.Tag.Get("toml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, Field{Key: name, Doc: sf.Tag.Get("doc"), Name: sf.Name, index: sf.Index})
	}
	return out
}

// TypeName names a parsed TOML value's type for messages ("an integer", "a table", …).
func TypeName(x any) string {
	switch x.(type) {
	case int64, int:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case []map[string]any:
		return "an array of tables"
	case map[string]any:
		return "a table"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("a %T", x)
}

func assign(dst reflect.Value, x any) error {
	if dst.CanAddr() {
		if n, ok := dst.Addr().Interface().(nested); ok {
			m, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("want a table, got %s", TypeName(x))
			}
			return n.setTable(m)
		}
	}
	switch dst.Kind() {
	case reflect.Float64, reflect.Float32:
		switch n := x.(type) {
		case float64:
			dst.SetFloat(n)
		case int64:
			dst.SetFloat(float64(n))
		case int:
			dst.SetFloat(float64(n))
		default:
			return fmt.Errorf("want a number, got %s", TypeName(x))
		}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint64, reflect.Uint32, reflect.Uint:
		var n int64
		switch v := x.(type) {
		case int64:
			n = v
		case int:
			n = int64(v)
		case float64:
			if v != math.Trunc(v) || math.IsInf(v, 0) {
				return fmt.Errorf("want an integer, got %v", v)
			}
			return fmt.Errorf("want an integer, got the float %v (write it without a decimal point)", v)
		default:
			return fmt.Errorf("want an integer, got %s", TypeName(x))
		}
		switch dst.Kind() {
		case reflect.Uint64, reflect.Uint32, reflect.Uint:
			if n < 0 {
				return fmt.Errorf("want a non-negative integer, got %d", n)
			}
			dst.SetUint(uint64(n))
		default:
			if dst.OverflowInt(n) {
				return fmt.Errorf("integer %d out of range", n)
			}
			dst.SetInt(n)
		}
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return fmt.Errorf("want true or false, got %s", TypeName(x))
		}
		dst.SetBool(b)
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return fmt.Errorf("want a string, got %s", TypeName(x))
		}
		dst.SetString(s)
	case reflect.Slice:
		var items []any
		switch a := x.(type) {
		case []any:
			items = a
		case []map[string]any:
			for _, m := range a {
				items = append(items, m)
			}
		default:
			return fmt.Errorf("want an array, got %s", TypeName(x))
		}
		s := reflect.MakeSlice(dst.Type(), len(items), len(items))
		for i, it := range items {
			if err := assign(s.Index(i), it); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
		dst.Set(s)
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok || dst.Type().Key().Kind() != reflect.String || dst.Type().Elem().Kind() != reflect.Interface {
			return fmt.Errorf("want a table, got %s", TypeName(x))
		}
		dst.Set(reflect.ValueOf(m))
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("want a table, got %s", TypeName(x))
		}
		return Decode(m, dst.Addr().Interface())
	case reflect.Interface:
		dst.Set(reflect.ValueOf(x))
	default:
		return fmt.Errorf("unsupported field type %s", dst.Type())
	}
	return nil
}

// Resolved is a component as the table that builds it again: its type and
// every configurable field with its value, defaults filled in (ToMap).
func Resolved(typ string, v any) map[string]any {
	t := ToMap(v)
	t["type"] = typ
	return t
}

// ToMap returns the configurable fields of the struct v points to as a TOML
// table, with every default filled in (the "resolved" config). Nil slices and
// nil maps are left out.
func ToMap(v any) map[string]any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	out := map[string]any{}
	for _, f := range Fields(v) {
		fv := rv.FieldByIndex(f.index)
		if (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map || fv.Kind() == reflect.Interface) && fv.IsNil() {
			continue
		}
		if n, ok := fv.Addr().Interface().(nested); ok {
			if t := n.resolved(); t != nil {
				out[f.Key] = t
			}
			continue
		}
		if fv.Kind() == reflect.Struct {
			out[f.Key] = ToMap(fv.Addr().Interface())
			continue
		}
		out[f.Key] = fv.Interface()
	}
	return out
}
