// Package registry maps component names to factories. Every component kind
// (energies, samplers, objectives, data sets, optimizers) owns one Registry;
// configs and the CLI look components up by name.
package registry

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Registry is a concurrency-safe name → factory table for one kind of component.
type Registry[T any] struct {
	kind string
	mu   sync.RWMutex
	m    map[string]func() T
}

// New returns an empty registry; kind names the component kind in messages
// ("energy", "sampler", …).
// The first registry made for a T is the one that builds Component[T]
// fields.
func New[T any](kind string) *Registry[T] {
	r := &Registry[T]{kind: kind, m: map[string]func() T{}}
	registriesMu.Lock()
	if _, taken := registries[reflect.TypeFor[T]()]; !taken {
		registries[reflect.TypeFor[T]()] = r
	}
	registriesMu.Unlock()
	return r
}

// Kind is the component kind given to New.
func (r *Registry[T]) Kind() string { return r.kind }

// Register adds a factory under name. It panics on an empty name, a nil
// factory or a name already taken: those are programming errors found at start-up.
func (r *Registry[T]) Register(name string, factory func() T) {
	if name == "" {
		panic(fmt.Sprintf("registry: %s registered with an empty name", r.kind))
	}
	if factory == nil {
		panic(fmt.Sprintf("registry: %s %q registered with a nil factory", r.kind, name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[name]; dup {
		panic(fmt.Sprintf("registry: Register called twice for %s %q", r.kind, name))
	}
	r.m[name] = factory
}

// New returns a fresh component with its defaults set. An unknown name is a
// user error: the message lists the known names and suggests the nearest one.
func (r *Registry[T]) New(name string) (T, error) {
	r.mu.RLock()
	f, ok := r.m[name]
	r.mu.RUnlock()
	if !ok {
		var zero T
		return zero, r.unknown(name)
	}
	return f(), nil
}

// Has reports whether name is registered.
func (r *Registry[T]) Has(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.m[name]
	return ok
}

// Names lists the registered names in sorted order.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Unregister removes name; it exists for tests that register temporary components.
func (r *Registry[T]) Unregister(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, name)
}

func (r *Registry[T]) unknown(name string) error {
	return &UnknownTypeError{Kind: r.kind, Name: name, Known: r.Names()}
}

// Nearest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo.
func Nearest(name string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(name), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(2, len(name)/3)
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// levenshtein is the optimal-string-alignment distance: insertions,
// deletions, substitutions and adjacent transpositions ("hcm" → "hmc") cost 1.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// FromTable builds a component from a TOML table with an empty Context (no
// config directory, no data shape, warnings dropped): see Build.
func (r *Registry[T]) FromTable(table map[string]any) (T, error) {
	return r.Build(Context{}, table)
}

// TypeOf returns the component type named by a table's "type" key.
func TypeOf(table map[string]any) (string, error) {
	t, ok := table["type"]
	if !ok {
		return "", ErrMissingType
	}
	s, ok := t.(string)
	if !ok || s == "" {
		return "", &Error{Key: "type", Err: fmt.Errorf("want a non-empty string, got %s", TypeName(t))}
	}
	return s, nil
}
