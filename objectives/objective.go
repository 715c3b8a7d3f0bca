// Package objectives holds the Objective contract, its registry, and the
// training criteria shipped with ebm: maximum likelihood with MCMC negatives
// (cd, pcd), exact score matching (sm), denoising score matching (dsm,
// msdsm), sliced score matching (ssm, ssm_vr) and noise-contrastive
// estimation (nce).
//
// An objective turns a batch of data into a loss estimate and its gradient
// with respect to the model's parameters (and its own, such as NCE's log Z).
// The training loop in train/ feeds it batches and hands the gradient to
// an optimizer from optim/.
package objectives

import (
	"context"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
)

// Objective is one training criterion, configured from its TOML table.
type Objective interface {
	// Start prepares a training run of model m on the training set data
	// (n×m.Dim() rows): it allocates per-run state (graphs, replay buffers),
	// fits what depends on the data (NCE's noise), seeds the objective's
	// random streams from seed, and checks that m suits the objective
	// (score matching refuses models whose second derivatives vanish).
	Start(m energies.Trainable, data []float64, seed uint64) error
	// Params is the objective's own learnable parameters (NCE's log Z),
	// aliased, or nil. The optimizer updates them together with the model's.
	Params() []float64
	// Loss estimates the loss on batch (rows of the model's dimension) and
	// writes its gradient into grad: first with respect to m.Params(), then
	// to Params(); len(grad) = len(m.Params()) + len(Params()). A
	// non-finite loss is returned as it is (the caller stops the run).
	Loss(ctx context.Context, batch []float64, grad []float64) (float64, error)
}

// State is what a checkpoint saves of an objective besides its Params:
// named float arrays (a replay buffer) and random-stream states.
type State struct {
	Arrays map[string][]float64
	RNG    map[string][]uint64
}

// Stateful is implemented by objectives with state that must survive a
// checkpoint for a resumed run to continue bit-identically: random streams,
// replay buffers. Restore is called after Start.
type Stateful interface {
	State() State
	Restore(State) error
}

// Replayer is implemented by objectives that keep a replay buffer of
// persistent chains (pcd): [sample] init = "buffer" starts the final
// chains from its rows.
type Replayer interface {
	// ReplayBuffer returns the buffer's rows, n×d values in row order; the
	// caller must not modify them. It is nil before Start.
	ReplayBuffer() []float64
}

// Registry holds every registered objective.
var Registry = registry.New[Objective]("objective")

// Register makes an objective available by name. factory returns a fresh
// value whose exported fields, tagged `toml:"…"`, are its keys with their
// defaults set; an optional Validate() error validates them. Register panics on
// an empty or taken name.
func Register(name string, factory func() Objective) { Registry.Register(name, factory) }

// New returns a fresh, undecoded objective of the named type with its defaults.
func New(name string) (Objective, error) { return Registry.New(name) }

// Names lists the registered objectives, sorted.
func Names() []string { return Registry.Names() }

// FromTable builds an objective from a TOML table: table["type"] names it,
// the other keys are its parameters (decoded strictly), then Validate checks it.
func FromTable(table map[string]any) (Objective, error) { return Registry.FromTable(table) }
