// Package datasets defines the Dataset contract, its registry, the 2-D toy
// sets of the energy-based-model and normalizing-flow literature
// (8gaussians, 2spirals, checkerboard, circles, moons, pinwheel, rings,
// swissroll), loaders for points stored in files (csv, npy) and image
// sets (idx, mnist, fashion_mnist, images), whose points report their
// shape (c, h, w) through Shaped.
//
// A config names a data set in a table:
//
//	[data]
//	type = "moons"
//	n = 10000
//	noise = 0.05
//	seed = 1
//
// The toy sets have the shapes and scales of FFJORD's toy_data (Grathwohl
// et al., 2019), which the score-matching and EBM papers reuse; each type's
// doc comment states its geometry. Their key noise is always the standard
// deviation of the Gaussian noise added to each coordinate, in the units of
// the returned points (where a reference generator adds noise before
// rescaling, the default here is that noise times the scale). A synthetic
// set is deterministic in its seed: Load draws from the stream
// rng.New(seed, 0) and returns the same points on every call.
//
// File loaders read their file on every Load. Built through the registry
// (Registry.Build), a relative path is resolved against the Context's
// directory (the runner passes the config file's), else against the
// working directory.
package datasets

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
)

// Dataset yields a fixed set of points: n×Dim row-major.
type Dataset interface {
	// Dim is the dimension of a point: known after Init for the synthetic
	// sets; for file loaders it comes from the file and is 0 until the
	// first successful Load.
	Dim() int
	// Load returns the points, n×Dim row-major, in a fresh slice. Synthetic
	// sets are deterministic in their seed; file loaders report unreadable
	// or malformed files (naming the file, line and column) and non-finite
	// values as errors.
	Load() ([]float64, error)
}

// Density is implemented by sets with a known, exactly normalized density
// (8gaussians, checkerboard): LogDensity returns log p(x) for one point x of
// length Dim, −Inf outside the support. It is used to check NLL
// evaluations against the truth.
type Density interface {
	LogDensity(x []float64) float64
}

// Shaped is implemented by data sets whose points have a shape beyond a
// flat vector: images are (c, h, w), each row of Load holding c·h·w values
// in that order (channel, then row, then column). Shape returns a fresh
// slice whose product is Dim, or nil while the shape is unknown (a file
// loader before its first successful Load). The runner passes it on as
// registry.Context.Shape; see ShapeOf.
type Shaped interface {
	Shape() []int
}

// Labeled is implemented by data sets that may carry a class label per
// point (idx with labels, mnist, fashion_mnist): Labels returns them, one
// per row of the last successful Load, in a fresh slice, or nil when the
// set has none.
type Labeled interface {
	Labels() []int
}

// ShapeOf is the shape of one point of d: d.Shape() when d is Shaped and
// knows it, else (Dim) when Dim > 0, else nil. For a file loader call it
// after Load.
func ShapeOf(d Dataset) []int {
	if s, ok := d.(Shaped); ok {
		if sh := s.Shape(); len(sh) > 0 {
			return sh
		}
	}
	if n := d.Dim(); n > 0 {
		return []int{n}
	}
	return nil
}

// Registry holds every registered data set.
var Registry = registry.New[Dataset]("data")

// Register makes a data set available by name to configs and the CLI.
// factory returns a fresh value whose exported fields, tagged `toml:"…"`,
// are its parameters with their defaults set; an optional Validate() error
// validates them. Register panics on an empty or taken name.
func Register(name string, factory func() Dataset) { Registry.Register(name, factory) }

// New returns a fresh, undecoded data set of the named type with its defaults.
func New(name string) (Dataset, error) { return Registry.New(name) }

// Names lists the registered data sets, sorted.
func Names() []string { return Registry.Names() }

// FromTable builds a data set from a TOML table: table["type"] names it, the
// other keys are its parameters (decoded strictly), then Validate checks
// them. Validate reads no file: a file loader's errors about its file come
// from Load. Relative paths resolve against the working directory; use
// Registry.Build with a registry.Context to resolve them against a config's
// directory.
func FromTable(table map[string]any) (Dataset, error) { return Registry.FromTable(table) }

// splitStream is the stream index Split draws from, so that a split made
// with a data set's own seed does not reuse the numbers that generated it.
const splitStream = 1

// Split shuffles the rows of x (n×dim, row-major) with the random stream
// rng.New(seed, 1) and splits them: held gets the first ⌊frac·n⌋ shuffled
// rows and train the rest, so train is never empty. Both are fresh slices;
// x is not modified. frac must be in [0, 1) and x must hold at least one
// whole row: anything else is a programming error and panics (the caller
// validates user input).
func Split(x []float64, dim int, frac float64, seed uint64) (train, held []float64) {
	perm, nh := splitOrder(rows(x, dim, "Split"), frac, seed)
	held = make([]float64, 0, nh*dim)
	train = make([]float64, 0, (len(perm)-nh)*dim)
	for k, i := range perm {
		row := x[i*dim : i*dim+dim]
		if k < nh {
			held = append(held, row...)
		} else {
			train = append(train, row...)
		}
	}
	return train, held
}

// SplitInPlace is Split without the copies: it reorders the rows of x in
// place, the held-out rows first, and returns train and held as views of
// x, with the same rows in the same order as Split's. held's capacity ends
// where train begins, so appending to it copies rather than overwrites.
// It needs one row of scratch and a bit per row, where Split needs a
// second copy of the data.
func SplitInPlace(x []float64, dim int, frac float64, seed uint64) (train, held []float64) {
	perm, nh := splitOrder(rows(x, dim, "SplitInPlace"), frac, seed)
	// Row k receives row perm[k]: follow each cycle of the permutation,
	// holding its first row aside.
	done := make([]bool, len(perm))
	tmp := make([]float64, dim)
	for s := range perm {
		if done[s] || perm[s] == s {
			continue
		}
		copy(tmp, x[s*dim:s*dim+dim])
		k := s
		for {
			done[k] = true
			src := perm[k]
			if src == s {
				copy(x[k*dim:k*dim+dim], tmp)
				break
			}
			copy(x[k*dim:k*dim+dim], x[src*dim:src*dim+dim])
			k = src
		}
	}
	return x[nh*dim : len(perm)*dim], x[: nh*dim : nh*dim]
}

// splitOrder is the shuffled row order of Split for n rows and the number
// of held-out rows, the first ones. It panics when frac is not in [0, 1).
func splitOrder(n int, frac float64, seed uint64) (perm []int, nh int) {
	if !(frac >= 0 && frac < 1) {
		panic(fmt.Sprintf("datasets: Split fraction %v is not in [0, 1)", frac))
	}
	perm = make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	s := rng.New(seed, splitStream)
	for i := n - 1; i > 0; i-- {
		j := s.IntN(i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm, int(math.Floor(frac * float64(n)))
}

// Bounds returns the per-dimension minimum and maximum of the rows of x
// (n×dim, row-major). A dimension holding a NaN gets NaN for both bounds,
// so the NaN is seen rather than skipped. It panics unless x holds at least
// one whole row.
func Bounds(x []float64, dim int) (lo, hi []float64) {
	rows(x, dim, "Bounds")
	lo, hi = make([]float64, dim), make([]float64, dim)
	copy(lo, x[:dim])
	copy(hi, x[:dim])
	for i := dim; i < len(x); i++ {
		j, v := i%dim, x[i]
		switch {
		case math.IsNaN(lo[j]):
		case math.IsNaN(v):
			lo[j], hi[j] = v, v
		case v < lo[j]:
			lo[j] = v
		case v > hi[j]:
			hi[j] = v
		}
	}
	return lo, hi
}

// rows returns len(x)/dim, panicking unless x holds one or more whole rows.
func rows(x []float64, dim int, fn string) int {
	if dim <= 0 || len(x)%dim != 0 || len(x) == 0 {
		panic(fmt.Sprintf("datasets: %s with len(x)=%d and dim=%d; want at least one whole row", fn, len(x), dim))
	}
	return len(x) / dim
}
