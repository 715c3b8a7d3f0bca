// Package initdist holds the distributions that chains start from: the
// `[init]` table of a config, the initial distribution p₀ from which
// short-run MCMC draws its noise starts (Nijkamp, Hill, Zhu and Wu 2019,
// "Learning Non-Convergent Non-Persistent Short-Run MCMC Toward
// Energy-Based Model"). Each is a named component in Registry, decoded
// strictly from its TOML table like every energy and sampler.
package initdist

import (
	"fmt"

	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
)

// Dist is a start distribution for chains.
type Dist interface {
	// Bind fixes the dimension d of the energy the chains will sample. It
	// checks vector parameters against d (an error says which key and both
	// lengths) and expands scalar ones; it is called once, before Fill.
	Bind(d int) error
	// Fill writes one start point into x (len(x) = d) using the chain's
	// own random stream. It is safe for concurrent calls with distinct
	// streams.
	Fill(x []float64, r *rng.Stream)
}

// Registry holds every registered start distribution.
var Registry = registry.New[Dist]("init")

// Register makes a start distribution available by name. factory returns a
// fresh value with its defaults set; Register panics on an empty or taken name.
func Register(name string, factory func() Dist) { Registry.Register(name, factory) }

// Names lists the registered start distributions, sorted.
func Names() []string { return Registry.Names() }

// FromTable builds a start distribution from a TOML table (type plus keys),
// strictly.
func FromTable(table map[string]any) (Dist, error) { return Registry.FromTable(table) }

// Default is the type used when a config has no [init] table: N(0, I).
const Default = "gaussian"

// vector is a parameter given as a scalar (the same value in every
// dimension) or as an array with one value per dimension.
type vector struct {
	scalar float64
	vals   []float64 // nil for a scalar
}

// parseVector reads a scalar-or-array TOML value.
func parseVector(key string, v any) (vector, error) {
	switch x := v.(type) {
	case float64:
		return vector{scalar: x}, nil
	case int64:
		return vector{scalar: float64(x)}, nil
	case []any:
		if len(x) == 0 {
			return vector{}, fmt.Errorf("key %q: want a number or a non-empty array of numbers, got an empty array", key)
		}
		out := make([]float64, len(x))
		for i, e := range x {
			switch n := e.(type) {
			case float64:
				out[i] = n
			case int64:
				out[i] = float64(n)
			default:
				return vector{}, fmt.Errorf("key %q: element %d: want a number, got %s", key, i, kindOf(e))
			}
		}
		return vector{vals: out}, nil
	}
	return vector{}, fmt.Errorf("key %q: want a number or an array of numbers, got %s", key, kindOf(v))
}

// expand returns the vector in d dimensions, or an error when an array has
// the wrong length.
func (v vector) expand(key string, d int) ([]float64, error) {
	if v.vals == nil {
		out := make([]float64, d)
		for i := range out {
			out[i] = v.scalar
		}
		return out, nil
	}
	if len(v.vals) != d {
		return nil, fmt.Errorf("key %q has %d values but the energy has dimension %d", key, len(v.vals), d)
	}
	return v.vals, nil
}

// each calls f on every value of v.
func (v vector) each(f func(float64) bool) bool {
	if v.vals == nil {
		return f(v.scalar)
	}
	for _, x := range v.vals {
		if !f(x) {
			return false
		}
	}
	return true
}

func finite(x float64) bool { return x-x == 0 }

// kindOf names a TOML value's type for messages.
func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any, []map[string]any:
		return "a table"
	}
	return fmt.Sprintf("a %T", v)
}
