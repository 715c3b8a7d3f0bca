package registry

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Component is a component nested in another's table, such as the sampler
// of an objective:
//
//	[objective]
//	type = "pcd"
//	[objective.sampler]
//	type = "mala"
//	step_size = 0.01
//
// As a field of a component (`Sampler registry.Component[samplers.Sampler]
// `toml:"sampler"“), Decode stores the nested table, and Build builds it
// through the registry of T (the one made by New[T]) before the parent's
// Provision and Validate run, so the parent finds the value in Value. A
// factory sets the default by filling Type (and Table) with With.
type Component[T any] struct {
	Type  string         // the nested table's "type"
	Table map[string]any // its other keys, as written
	Value T              // the built component; the zero T until built
	built bool
}

// With returns a Component of the given type and keys, not yet built: the
// default a factory sets.
func With[T any](typ string, table map[string]any) Component[T] {
	return Component[T]{Type: typ, Table: maps.Clone(table)}
}

// Built reports whether Value holds the built component.
func (c *Component[T]) Built() bool { return c.built }

// TableWithType is the nested table as written, with its type.
func (c *Component[T]) TableWithType() map[string]any {
	t := maps.Clone(c.Table)
	if t == nil {
		t = map[string]any{}
	}
	if c.Type != "" {
		t["type"] = c.Type
	}
	return t
}

// Build builds the component through T's registry (see Registry.Build). It
// is what the parent's Build does for every Component field; call it
// yourself only for a parent that was not built by a registry.
func (c *Component[T]) Build(ctx Context) error {
	r, err := registryFor[T]()
	if err != nil {
		return err
	}
	v, err := r.Build(ctx, c.TableWithType())
	if err != nil {
		return err
	}
	c.Value, c.built = v, true
	return nil
}

// Kind is the component kind of T's registry ("sampler", …).
func (c *Component[T]) Kind() string {
	r, err := registryFor[T]()
	if err != nil {
		return ""
	}
	return r.kind
}

// Fresh returns a new, undecoded component of the type c names (for
// checking keys before building).
func (c *Component[T]) Fresh() (any, error) {
	r, err := registryFor[T]()
	if err != nil {
		return nil, err
	}
	return r.New(c.Type)
}

// setTable stores a nested table (Decode's part).
func (c *Component[T]) setTable(m map[string]any) error {
	t := maps.Clone(m)
	typ, ok := t["type"]
	if !ok {
		if c.Type == "" {
			return ErrMissingType
		}
		// Name the default the table replaces: the user may have meant to
		// change one of its keys.
		parts := []string{fmt.Sprintf("type = %q", c.Type)}
		for _, k := range slices.Sorted(maps.Keys(c.Table)) {
			parts = append(parts, strings.TrimSpace(EncodeKey(k, c.Table[k])))
		}
		return fmt.Errorf("%w; a nested table replaces the default wholesale, so name the type (the default is %s)", ErrMissingType, strings.Join(parts, ", "))
	}
	s, ok := typ.(string)
	if !ok || s == "" {
		return &Error{Key: "type", Err: fmt.Errorf("want a non-empty string, got %s", TypeName(typ))}
	}
	delete(t, "type")
	var zero T
	c.Type, c.Table, c.Value, c.built = s, t, zero, false
	return nil
}

// resolved is the nested table with every default filled in: the built
// component's keys, or the table as written before it is built.
func (c *Component[T]) resolved() map[string]any {
	if c.Type == "" {
		return nil
	}
	if !c.built {
		return c.TableWithType()
	}
	return Resolved(c.Type, c.Value)
}

func (c *Component[T]) build(ctx Context) error { return c.Build(ctx) }

// nested is implemented by *Component[T] for every T.
type nested interface {
	setTable(map[string]any) error
	resolved() map[string]any
	build(ctx Context) error
}

// NestedField is one Component field of a component: its key and the
// field itself.
type NestedField struct {
	Key   string
	Field interface {
		Kind() string
		Fresh() (any, error)
		TableWithType() map[string]any
	}
}

// Nested lists the Component fields of the struct v points to.
func Nested(v any) []NestedField {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	var out []NestedField
	for _, f := range Fields(v) {
		fv := rv.FieldByIndex(f.index)
		if n, ok := fv.Addr().Interface().(interface {
			nested
			Kind() string
			Fresh() (any, error)
			TableWithType() map[string]any
		}); ok {
			out = append(out, NestedField{Key: f.Key, Field: n})
		}
	}
	return out
}

// buildNested builds every Component field of the struct v points to, in
// declaration order, each with the Context of its own table.
func buildNested(ctx Context, v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	var errs []error
	for _, f := range Fields(v) {
		fv := rv.FieldByIndex(f.index)
		n, ok := fv.Addr().Interface().(nested)
		if !ok || n.resolved() == nil {
			continue
		}
		if err := n.build(ctx.nested(f.Key)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// registries maps a component interface type T to the registry New[T] made,
// so that a Component[T] field finds the registry that builds it.
var (
	registriesMu sync.RWMutex
	registries   = map[reflect.Type]any{}
)

func registryFor[T any]() (*Registry[T], error) {
	registriesMu.RLock()
	r, ok := registries[reflect.TypeFor[T]()]
	registriesMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("registry: no registry builds %v (make one with registry.New)", reflect.TypeFor[T]())
	}
	return r.(*Registry[T]), nil
}
