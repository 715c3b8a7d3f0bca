package registry

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a component that could not be built: where its table is (File,
// Table), what it is (Kind, Type), which key is at fault (Key) and why (Err).
// Fields left empty are unknown or do not apply. The message is made here,
// once, from the fields: every line of the cause is prefixed with
//
//	file: [table] (type): key "k": cause
//
// so that each line of a multi-error names its file, table, component and
// key. Callers test errors with errors.Is and errors.As, never by text.
type Error struct {
	File  string // the config file; "" when the table was not read from a file
	Table string // the config table: "energy", "sampler #2", "objective.sampler"
	Kind  string // the component kind: "energy", "sampler", …
	Type  string // the component type: "hmc"; "" when the table names none (or an unknown one)
	Key   string // the key at fault; "" when the component as a whole
	Err   error  // the cause
}

// Error renders the error as described on the type.
func (e *Error) Error() string {
	var p strings.Builder
	if e.File != "" {
		p.WriteString(e.File + ": ")
	}
	switch {
	case e.Table != "" && e.Type != "":
		fmt.Fprintf(&p, "[%s] (%s): ", e.Table, e.Type)
	case e.Table != "":
		fmt.Fprintf(&p, "[%s]: ", e.Table)
	case e.Type != "":
		fmt.Fprintf(&p, "(%s): ", e.Type)
	}
	if e.Key != "" {
		fmt.Fprintf(&p, "key %q: ", e.Key)
	}
	msg := "(no cause)"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	return PrefixLines(p.String(), msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// PrefixLines puts prefix before every line of msg.
func PrefixLines(prefix, msg string) string {
	if prefix == "" {
		return msg
	}
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// KeyErrorf is the error of a bad value of key: `key "k": message`, with
// Key set for errors.As.
func KeyErrorf(key, format string, args ...any) error {
	return &Error{Key: key, Err: fmt.Errorf(format, args...)}
}

// UnknownKeyError is a key that the component (or table) does not have.
type UnknownKeyError struct {
	Key   string
	Known []string // the keys it has, in declaration order
}

// Error names the key, suggests the nearest known one and lists them all.
func (e *UnknownKeyError) Error() string {
	msg := fmt.Sprintf("unknown key %q", e.Key)
	if s := Nearest(e.Key, e.Known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	if len(e.Known) == 0 {
		return msg + "; this component takes no keys"
	}
	return fmt.Sprintf("%s; known keys: %s", msg, strings.Join(e.Known, ", "))
}

// UnknownTypeError is a type name that no component of the kind is registered under.
type UnknownTypeError struct {
	Kind  string
	Name  string
	Known []string // the registered names, sorted
}

// Error names the type, suggests the nearest registered one and lists them all.
func (e *UnknownTypeError) Error() string {
	msg := fmt.Sprintf("unknown %s %q", e.Kind, e.Name)
	if s := Nearest(e.Name, e.Known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	if len(e.Known) == 0 {
		return fmt.Sprintf("%s; no %s is registered", msg, e.Kind)
	}
	return fmt.Sprintf("%s; known: %s", msg, strings.Join(e.Known, ", "))
}

// ErrMissingType is the cause of a table without its "type" key.
var ErrMissingType = errors.New(`missing key "type"`)
