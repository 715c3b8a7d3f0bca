package checkpoint

import (
	"errors"
	"fmt"
	"maps"

	"github.com/goebm/ebm/autodiff"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
)

func init() { energies.Register(energyType, func() energies.Energy { return &Energy{} }) }

// NewEnergy rebuilds the learnable energy the checkpoint holds: it builds
// f.Energy through the energies registry (energies.FromTable), checks that
// the result is an energies.Trainable whose parameter vector has
// len(f.Params) values (else an "architecture mismatch" error giving both
// sizes), and copies f.Params into it. The package that registers the
// energy's type must be linked into the program.
//
// A string-valued "weights" key is left out of the table: it names the
// file of initial weights a run started from (mlp, convnet), which the
// checkpoint's parameters replace, so the checkpoint loads without it.
func (f *File) NewEnergy() (energies.Trainable, error) {
	typ, err := registry.TypeOf(f.Energy)
	if err != nil {
		return nil, fmt.Errorf("energy table: %w", err)
	}
	if typ == energyType {
		return nil, errors.New(`the energy table names "checkpoint" itself; a checkpoint must hold the model's own energy table`)
	}
	table := f.Energy
	if _, ok := table["weights"].(string); ok {
		table = maps.Clone(table)
		delete(table, "weights")
	}
	e, err := energies.FromTable(table)
	if err != nil {
		return nil, fmt.Errorf("cannot rebuild the saved energy: %w", err)
	}
	tr, ok := e.(energies.Trainable)
	if !ok {
		return nil, fmt.Errorf("the saved energy %q is not learnable (it has no parameter vector to load)", typ)
	}
	p := tr.Params()
	if len(p) != len(f.Params) {
		return nil, fmt.Errorf("architecture mismatch: the energy table builds %q with %d parameters, the checkpoint holds %d", typ, len(p), len(f.Params))
	}
	copy(p, f.Params)
	return tr, nil
}

// Energy is the energy type "checkpoint": the learnable energy saved in a
// checkpoint file, rebuilt from the file's [energy] table with the trained
// parameters. After Init it behaves exactly as that energy: Dim, Energy,
// Gradient and the rest of energies.Trainable pass through to it (through
// the embedded Trainable), so a trained model can be sampled or trained
// further like any other energy.
//
// Built through the registry, a relative Path is resolved against the
// Context's directory in Provision (the runner passes the directory of the
// config file, so `path = "runs/NAME/checkpoint.ebm"` means the file under
// the config's directory),
// else against the working directory. Validate reads the file.
type Energy struct {
	energies.Trainable // the rebuilt model; nil before Init

	Path string `toml:"path" doc:"checkpoint file written by training (required); a relative path is resolved against the config file's directory"`

	file *File
}

// Description is the one-line summary shown by `ebmrun list`.
func (c *Energy) Description() string {
	return "a learnable energy loaded from a checkpoint file (its type, keys and trained parameters)"
}

// Example sets a path so that the sample config shows the key. The sample
// validates only where that file exists.
func (c *Energy) Example() { c.Path = "runs/train-dsm-moons/checkpoint.ebm" }

// Provision resolves a relative Path against the config file's directory
// (ctx.Dir), so the resolved config records a path valid from anywhere.
func (c *Energy) Provision(ctx registry.Context) error {
	c.Path = ctx.Resolve(c.Path)
	return nil
}

// Validate reads the checkpoint and rebuilds its energy (see
// File.NewEnergy). Errors name the key and the file.
func (c *Energy) Validate() error {
	if c.Path == "" {
		return errors.New(`key "path": required; name a checkpoint file written by training, e.g. path = "runs/NAME/checkpoint.ebm"`)
	}
	path := c.Path
	f, err := Read(path)
	if err != nil {
		return fmt.Errorf("key \"path\": %w", err)
	}
	tr, err := f.NewEnergy()
	if err != nil {
		return fmt.Errorf("key \"path\": %s: %w", path, err)
	}
	c.Trainable, c.file = tr, f
	return nil
}

// Smooth passes energies.Smooth through: the loaded model's answer, or true
// when it does not say (as for any energy without the method).
func (c *Energy) Smooth() bool {
	if s, ok := c.Trainable.(energies.Smooth); ok {
		return s.Smooth()
	}
	return true
}

// Float32 passes energies.Trainable32 through: whether the loaded model
// computes in float32 (false when it cannot).
func (c *Energy) Float32() bool {
	t, ok := c.Trainable.(energies.Trainable32)
	return ok && t.Float32()
}

// Params32 passes energies.Trainable32 through; nil when the loaded model
// has no float32 path (Float32 is then false, so objectives never ask).
func (c *Energy) Params32() []float32 {
	if t, ok := c.Trainable.(energies.Trainable32); ok {
		return t.Params32()
	}
	return nil
}

// Build32 passes energies.Trainable32 through; it panics when the loaded
// model has no float32 path.
func (c *Energy) Build32(g *autodiff.Graph32, x autodiff.Node) (autodiff.Node, []autodiff.Node) {
	t, ok := c.Trainable.(energies.Trainable32)
	if !ok {
		panic("checkpoint: Build32 on a model without a float32 path")
	}
	return t.Build32(g, x)
}

// NoiseConditional passes energies.NoiseConditional through: whether the
// loaded model takes a noise level. The other methods of that interface
// panic when it does not.
func (c *Energy) NoiseConditional() bool { return energies.Conditional(c.Trainable) != nil }

// cond is the loaded model as a NoiseConditional; it panics when the model
// takes no noise level.
func (c *Energy) cond() energies.NoiseConditional {
	nc := energies.Conditional(c.Trainable)
	if nc == nil {
		panic("checkpoint: the loaded model is not noise-conditional")
	}
	return nc
}

// Sigma passes energies.NoiseConditional through.
func (c *Energy) Sigma() float64 { return c.cond().Sigma() }

// At passes energies.NoiseConditional through.
func (c *Energy) At(sigma float64) energies.Energy { return c.cond().At(sigma) }

// BuildAt passes energies.NoiseConditional through.
func (c *Energy) BuildAt(g *autodiff.Graph, x autodiff.Node, sigma []float64) (autodiff.Node, []autodiff.Node) {
	return c.cond().BuildAt(g, x, sigma)
}

// BuildAt32 passes energies.NoiseConditional through.
func (c *Energy) BuildAt32(g *autodiff.Graph32, x autodiff.Node, sigma []float64) (autodiff.Node, []autodiff.Node) {
	return c.cond().BuildAt32(g, x, sigma)
}

// Checkpoint returns the file Init loaded (nil before Init): its step,
// optimizer state and other arrays let a training run resume.
func (c *Energy) Checkpoint() *File { return c.file }

var (
	_ energies.Energy           = (*Energy)(nil)
	_ energies.Trainable        = (*Energy)(nil)
	_ energies.Trainable32      = (*Energy)(nil)
	_ energies.Smooth           = (*Energy)(nil)
	_ energies.NoiseConditional = (*Energy)(nil)
	_ registry.Provisioner      = (*Energy)(nil)
	_ registry.Validator        = (*Energy)(nil)
	_ registry.Describer        = (*Energy)(nil)
	_ registry.Exampler         = (*Energy)(nil)
)
