package runner

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
)

// provisioned is a test energy that records what Provision gave it and
// warns through the Context's sink.
type provisioned struct {
	g    energies.Energy
	Path string `toml:"path" doc:"a file"`

	dir   string
	shape []int
}

func (p *provisioned) Dim() int                    { return p.g.Dim() }
func (p *provisioned) Energy(e, x []float64)       { p.g.Energy(e, x) }
func (p *provisioned) Gradient(e, gr, x []float64) { p.g.Gradient(e, gr, x) }

func (p *provisioned) Provision(ctx registry.Context) error {
	p.dir, p.shape = ctx.Dir, ctx.Shape
	p.Path = ctx.Resolve(p.Path)
	ctx.Warnf("provisioned with path %s", p.Path)
	return nil
}

func (p *provisioned) Validate() error {
	if _, err := os.Stat(p.Path); err != nil {
		return &registry.Error{Key: "path", Err: err}
	}
	return nil
}

// TestLifecycle builds a sampling config whose energy implements
// Provisioner: it must get the config's directory (a relative path
// resolves beside the config, not in the working directory), run before
// Validate, and its warning must reach the terminal naming the file and
// table. A failing Validate must surface as a *registry.Error with the
// file, table, type and key as fields, not only as text.
func TestLifecycle(t *testing.T) {
	energies.Register("provisioned", func() energies.Energy {
		g, _ := energies.FromTable(map[string]any{"type": "gaussian", "mean": []any{0.0, 0.0}})
		return &provisioned{g: g}
	})
	defer energies.Registry.Unregister("provisioned")

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "data.bin"), nil, 0o644)
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("[energy]\ntype = \"provisioned\"\npath = \"data.bin\"\n[sampler]\ntype = \"mh\"\n"), 0o644)

	c, err := Load(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Energy.(*provisioned)
	absDir, _ := filepath.Abs(dir)
	if p.dir != absDir || p.Path != filepath.Join(absDir, "data.bin") {
		t.Errorf("Provision got dir %q, path %q; want %q and the file beside the config", p.dir, p.Path, absDir)
	}
	want := cfg + ": [energy]: provisioned with path " + filepath.Join(absDir, "data.bin")
	if len(c.Warnings) != 1 || c.Warnings[0] != want {
		t.Errorf("warnings %q, want [%q]", c.Warnings, want)
	}
	code, _, stderr := cli(t, "validate", cfg)
	if code != 0 || !strings.Contains(stderr, "ebmrun: warning: "+want) {
		t.Errorf("validate: exit %d, stderr %q; want 0 and the warning", code, stderr)
	}

	_, err = Load(cfg, []string{"energy.path=missing.bin"})
	var re *registry.Error
	if !errors.As(err, &re) || re.File != cfg || re.Table != "energy" || re.Type != "provisioned" {
		t.Fatalf("error %v (%T): want a *registry.Error naming the file, [energy] and the type", err, err)
	}
	var ke *registry.Error
	if !errors.As(re.Err, &ke) || ke.Key != "path" || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cause %v: want a key error for \"path\" wrapping os.ErrNotExist", re.Err)
	}
}
