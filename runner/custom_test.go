package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// customMain is a third party's whole ebmrun: one extra energy registered
// from outside this module, plus runner.Main.
const customMain = `package main

import (
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/runner"
)

// Bowl is E(x) = ½·k·‖x‖².
type Bowl struct {
	D int     ` + "`toml:\"dim\" doc:\"dimension\"`" + `
	K float64 ` + "`toml:\"k\" doc:\"curvature\"`" + `
}

func (b *Bowl) Description() string { return "custom bowl from outside the module" }
func (b *Bowl) Dim() int            { return b.D }
func (b *Bowl) Energy(e, x []float64) {
	for i := range len(x) / b.D {
		s := 0.0
		for _, v := range x[i*b.D : (i+1)*b.D] {
			s += v * v
		}
		e[i] = 0.5 * b.K * s
	}
}
func (b *Bowl) Gradient(e, g, x []float64) {
	b.Energy(e, x)
	for j, v := range x {
		g[j] = b.K * v
	}
}

func init() { energies.Register("custom_bowl", func() energies.Energy { return &Bowl{D: 2, K: 1} }) }

func main() { runner.Main() }
`

// TestCustomBinary builds a separate module that registers an energy and
// calls runner.Main, then lists and runs it: a failure means third parties
// cannot extend ebmrun without forking it, as the README promises they can.
func TestCustomBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short: builds a separate binary with the go tool (about a minute on 2 cores)")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH")
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gosum, _ := os.ReadFile(filepath.Join(repo, "go.sum"))
	dir := t.TempDir()
	// Same requirements as the repository, so that the module cache already
	// holds everything and the build works offline.
	mod := regexp.MustCompile(`(?m)^module .*$`).ReplaceAllString(string(gomod), "module example.com/custombin")
	mod += "\nrequire github.com/goebm/ebm v0.0.0\n\nreplace github.com/goebm/ebm => " + repo + "\n"
	for name, content := range map[string]string{"go.mod": mod, "go.sum": string(gosum), "main.go": customMain} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "custom-ebmrun")
	build := exec.Command(gobin, "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the custom binary: %v\n%s", err, out)
	}

	out, err := exec.Command(bin, "list", "energies").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "custom_bowl") || !strings.Contains(string(out), "gmm") {
		t.Fatalf("list energies: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "bowl.toml")
	os.WriteFile(cfg, []byte("[energy]\ntype = \"custom_bowl\"\nk = 4.0\n[sampler]\ntype = \"mala\"\n[run]\nchains = 2\nwarmup = 20\ndraws = 20\n"), 0o644)
	runOut := filepath.Join(dir, "out")
	out, err = exec.Command(bin, "run", cfg, "--out", runOut, "--quiet").CombinedOutput()
	if err != nil {
		t.Fatalf("run with the custom energy: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(runOut, "samples.npy")); err != nil {
		t.Errorf("custom run wrote no samples.npy: %v", err)
	}
	man, _ := os.ReadFile(filepath.Join(runOut, "manifest.json"))
	if !strings.Contains(string(man), `"main_module": "example.com/custombin"`) {
		t.Errorf("manifest does not record the custom main module:\n%s", man)
	}
}
