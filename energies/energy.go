// Package energies defines the Energy contract, its registry, and the
// analytic energies shipped with ebm (gaussian, gmm, rosenbrock, banana,
// funnel, double_well).
//
// An energy E: R^d → R defines the density p(x) ∝ exp(−E(x)). All methods
// work on batches: x holds n = len(x)/Dim() points, one per row, row-major.
package energies

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/goebm/ebm/registry"
)

// Energy is E: R^Dim → R, defining p(x) ∝ exp(−E(x)).
// A batch is row-major: x holds n = len(x)/Dim() points, one per row.
// Methods must be safe for concurrent calls on disjoint batches.
type Energy interface {
	Dim() int
	Energy(e, x []float64)         // e[i] = E(x_i)
	Gradient(e, grad, x []float64) // e[i] = E(x_i); grad row i = ∇E(x_i)
}

// Moments is implemented by energies whose normalized density has known
// first and second moments (used to check samplers).
type Moments interface {
	Mean() []float64       // length Dim
	Covariance() []float64 // Dim×Dim, row-major
}

// Registry holds every registered energy.
var Registry = registry.New[Energy]("energy")

// Register makes an energy available by name to configs and the CLI.
// factory returns a fresh value whose exported fields, tagged `toml:"…"`,
// are its parameters with their defaults set; an optional Validate() error
// validates them and prepares the value. Register panics on an empty or taken name.
// It records who registered the energy, for Builtin.
func Register(name string, factory func() Energy) {
	Registry.Register(name, factory)
	own := false
	if pc, file, _, ok := runtime.Caller(1); ok {
		if f := runtime.FuncForPC(pc); f != nil {
			own = ownPackage(funcPackage(f.Name())) && !strings.HasSuffix(file, "_test.go")
		}
	}
	builtin.Lock()
	defer builtin.Unlock()
	if builtin.m == nil {
		builtin.m = map[string]bool{}
	}
	builtin.m[name] = own
}

// builtin records, per registered name, whether ebm itself registered it.
var builtin struct {
	sync.Mutex
	m map[string]bool
}

// Builtin reports whether the named energy is one of ebm's own: registered
// through Register by a non-test file of a package of the module
// github.com/goebm/ebm, except the third-party examples under
// github.com/goebm/ebm/examples/. Energies registered by other modules,
// by package main, by tests, or on Registry directly are not. ebmrun run
// spot-checks the gradients of energies that are not built in.
func Builtin(name string) bool {
	builtin.Lock()
	own := builtin.m[name]
	builtin.Unlock()
	return own && Registry.Has(name)
}

// funcPackage returns the import path of the package of a function named
// as runtime.Func.Name does ("example.com/a/b.init.0" → "example.com/a/b").
func funcPackage(fn string) string {
	slash := strings.LastIndexByte(fn, '/')
	if dot := strings.IndexByte(fn[slash+1:], '.'); dot >= 0 {
		return fn[:slash+1+dot]
	}
	return fn
}

// ownPackage reports whether the package path pkg is part of ebm proper.
func ownPackage(pkg string) bool {
	const module = "github.com/goebm/ebm"
	if pkg == module+"/examples" || strings.HasPrefix(pkg, module+"/examples/") {
		return false
	}
	return pkg == module || strings.HasPrefix(pkg, module+"/")
}

// New returns a fresh, undecoded energy of the named type with its defaults.
func New(name string) (Energy, error) { return Registry.New(name) }

// Names lists the registered energies, sorted.
func Names() []string { return Registry.Names() }

// FromTable builds an energy from a TOML table: table["type"] names it, the
// other keys are its parameters (decoded strictly), then Init validates it.
func FromTable(table map[string]any) (Energy, error) { return Registry.FromTable(table) }

// CheckBatch panics unless x holds whole rows of dim values and e (and grad,
// when non-nil) match it: a programming error, not user input. It returns n.
func CheckBatch(dim int, e, grad, x []float64) int {
	if dim <= 0 || len(x)%dim != 0 {
		panic(fmt.Sprintf("energies: len(x)=%d is not a multiple of dim=%d", len(x), dim))
	}
	n := len(x) / dim
	if len(e) < n {
		panic(fmt.Sprintf("energies: len(e)=%d < n=%d", len(e), n))
	}
	if grad != nil && len(grad) < len(x) {
		panic(fmt.Sprintf("energies: len(grad)=%d < len(x)=%d", len(grad), len(x)))
	}
	return n
}
