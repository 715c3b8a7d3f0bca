package registry

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
)

// Context is what a component may take from its surroundings while it is
// provisioned, in the manner of Caddy's modules: where relative paths start,
// the shape of the data it will see, and where warnings go. The zero Context
// is valid: paths resolve against the working directory, no data shape is
// known and warnings are dropped.
type Context struct {
	// File is the config file the component's table comes from, and Table
	// the table's name in it ("energy", "objective.sampler"); both only
	// label errors and warnings.
	File, Table string
	// Dir is the directory that relative paths resolve against: the config
	// file's. "" means the working directory.
	Dir string
	// Shape is the shape of one data point: (d) for points, (c, h, w) for
	// images; nil when the pipeline has no data set (a sampling config).
	Shape []int
	// Warn receives warnings, one line each; nil drops them.
	Warn func(msg string)
	// Memory is the most a component may allocate (see Footprinter); the
	// zero value sets no limit.
	Memory MemoryLimit
}

// Resolve returns path joined to Dir when it is relative and Dir is set.
func (c Context) Resolve(path string) string {
	if path == "" || c.Dir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(c.Dir, path)
}

// Dim is the number of values in one data point (the product of Shape), or
// 0 when no shape is known.
func (c Context) Dim() int {
	if len(c.Shape) == 0 {
		return 0
	}
	n := 1
	for _, s := range c.Shape {
		n *= s
	}
	return n
}

// Warnf sends a warning to Warn, prefixed with the table it concerns.
func (c Context) Warnf(format string, args ...any) {
	if c.Warn == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if c.Table != "" {
		msg = "[" + c.Table + "]: " + msg
	}
	c.Warn(msg)
}

// nested is the Context of a component nested under key of the component
// whose Context is c: same file, directory, shape and sink; the table
// "parent.key".
func (c Context) nested(key string) Context {
	n := c
	if c.Table != "" {
		n.Table = c.Table + "." + key
	} else {
		n.Table = key
	}
	n.Shape = slices.Clone(c.Shape)
	return n
}

// Provisioner is implemented by components that take something from their
// surroundings: a file path resolved against the config's directory, a
// dimension from the data's shape. Provision runs after decoding and before
// Validate.
type Provisioner interface {
	Provision(ctx Context) error
}

// Provision calls v.Provision(ctx) when v implements Provisioner.
func Provision(ctx Context, v any) error {
	if p, ok := v.(Provisioner); ok {
		return p.Provision(ctx)
	}
	return nil
}

// Build makes a component from its TOML table, through the lifecycle every
// component goes through:
//
//  1. new: the factory registered under table["type"] returns a value with
//     its defaults;
//  2. strict decode: the other keys fill its `toml`-tagged fields (Decode);
//     an unknown key or a value of the wrong type is an error;
//  3. nested components (fields of type Component[T]) are built in turn,
//     with the Context of the table "parent.key";
//  4. Provision(ctx), when the component implements Provisioner;
//  5. a component that implements Footprinter and would need more than
//     ctx.Memory is refused (a *TooLargeError) before it allocates;
//  6. Validate(), when it implements Validator.
//
// Every error is an *Error naming ctx's file and table, the kind, the type
// and, where one is at fault, the key. The table is not modified.
func (r *Registry[T]) Build(ctx Context, table map[string]any) (T, error) {
	var zero T
	fail := func(typ string, err error) (T, error) {
		return zero, &Error{File: ctx.File, Table: ctx.Table, Kind: r.kind, Type: typ, Err: err}
	}
	name, err := TypeOf(table)
	if err != nil {
		return fail("", err)
	}
	v, err := r.New(name)
	if err != nil {
		return fail("", err)
	}
	if err := Decode(table, v, "type"); err != nil {
		return fail(name, err)
	}
	// The parent's error names the file: the nested one does not repeat it.
	inner := ctx
	inner.File = ""
	if err := buildNested(inner, v); err != nil {
		return fail(name, err)
	}
	if err := Provision(ctx, v); err != nil {
		return fail(name, err)
	}
	if err := CheckFootprint(ctx, v); err != nil {
		return fail(name, err)
	}
	if err := Validate(v); err != nil {
		return fail(name, err)
	}
	return v, nil
}

// Settings runs the lifecycle on a settings table that has no type (such
// as [run] or [train]): strict decode of table (nil: keep the defaults) into
// v, nested components, Provision, Validate. Settings belong to the caller,
// whose Validate does not depend on the nested components, so a failed
// nested component does not stop the checks of the other keys: every
// error is reported. Errors are *Error naming ctx's file and table.
func Settings(ctx Context, table map[string]any, v any) error {
	fail := func(err error) error { return &Error{File: ctx.File, Table: ctx.Table, Err: err} }
	if table != nil {
		if err := Decode(table, v); err != nil {
			return fail(err)
		}
	}
	var errs []error
	if err := buildNested(ctx, v); err != nil {
		errs = append(errs, err)
	}
	if err := Provision(ctx, v); err != nil {
		errs = append(errs, fail(err))
	} else if err := Validate(v); err != nil {
		errs = append(errs, fail(err))
	}
	return errors.Join(errs...)
}
