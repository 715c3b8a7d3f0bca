package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// The gradient-check part of the hostile-input catalogue: `ebmrun check`
// on energies with right and wrong gradients and on bad configs, and the
// start-up spot check of `ebmrun run` on energies ebm did not ship.

// checkQuartic is a third party's energy as a test registers it (so
// energies.Builtin is false for it): E(x) = Σ x_j⁴/4, with ∂E/∂x_Wrong
// halved when Wrong ≥ 0, the mistake examples/quartic's test makes in
// every dimension, here in one so that naming it can be checked.
type checkQuartic struct {
	D     int `toml:"dim" doc:"dimension, ≥ 1"`
	Wrong int `toml:"wrong" doc:"the dimension whose gradient is halved, or -1"`
}

func (q *checkQuartic) Description() string   { return "Σ x⁴/4, a test's third-party energy" }
func (q *checkQuartic) Dim() int              { return q.D }
func (q *checkQuartic) Energy(e, x []float64) { q.Gradient(e, nil, x) }
func (q *checkQuartic) Gradient(e, g, x []float64) {
	n := energies.CheckBatch(q.D, e, g, x)
	for i := range n {
		e[i] = 0
		for j := range q.D {
			v := x[i*q.D+j]
			e[i] += v * v * v * v / 4
			if g != nil {
				g[i*q.D+j] = v * v * v
				if j == q.Wrong {
					g[i*q.D+j] /= 2
				}
			}
		}
	}
}

var _ energies.Energy = (*checkQuartic)(nil)

func init() {
	// Unique names: these stay registered for the whole test binary.
	energies.Register("hostile_quartic", func() energies.Energy { return &checkQuartic{D: 3, Wrong: -1} })
	energies.Register("hostile_half_quartic", func() energies.Energy { return &checkQuartic{D: 3, Wrong: 1} })
}

// checkSampling is a small sampling config of the energy type.
func checkSampling(typ string, extra string) string {
	return fmt.Sprintf(`seed = 3

[energy]
type = %q
%s
[init]
type = "gaussian"
std = 1.0

[sampler]
type = "mala"
step_size = 0.05

[run]
chains = 2
warmup = 10
draws = 10
`, typ, extra)
}

var hostileCheck = []hostileCase{
	{name: "check/wrong gradient names the dimension", files: map[string]string{"h.toml": checkSampling("hostile_half_quartic", "")},
		args: []string{"check", "$DIR/h.toml"}, code: 1,
		want: []string{`energy "hostile_half_quartic" (dim 3) at 16 points: 8 start points from [init] (gaussian), 8 draws of [sampler] (mala) after 50 iterations`,
			"FAIL gradient: dim 1 disagrees with finite differences at 16 of 16 points",
			"dim 1: at 16 of 16 points; worst: gradient dim 1 at x=",
			"pass: values, batch, concurrency",
			`energy "hostile_half_quartic" fails the gradient check in dim 1`},
		check: func(t *testing.T, _, stdout, _ string) {
			if strings.Contains(stdout, "dim 0") || strings.Contains(stdout, "dim 2") {
				t.Errorf("check names a dimension whose gradient is right:\n%s", stdout)
			}
		}},
	{name: "check/correct third-party energy passes", files: map[string]string{"q.toml": checkSampling("hostile_quartic", "dim = 4")},
		args: []string{"check", "$DIR/q.toml", "--points", "3", "--seed", "9"}, code: 0,
		want: []string{`energy "hostile_quartic" (dim 4) at 6 points: 3 start points from [init] (gaussian), 3 draws`,
			"ok: values, gradient, batch, concurrency pass; worst relative gradient error "}},
	{name: "check/built-in energy with moments passes", files: map[string]string{"g.toml": tinyConfig},
		args: []string{"check", "$DIR/g.toml"}, code: 0,
		want: []string{"ok: values, gradient, batch, concurrency, moments pass"}},
	{name: "check/training config checks the untrained energy at data rows", files: map[string]string{"t.toml": trainCfg},
		args: []string{"check", "$DIR/t.toml", "--points", "5"}, code: 0,
		want: []string{`energy "mlp" (dim 2) at 5 points: 5 rows of [data] (moons), untrained [energy]`, "ok: "}},

	// Bad input is exit 2, before anything is checked.
	{name: "check/unknown energy key", files: map[string]string{"b.toml": checkSampling("hostile_quartic", "dimm = 2")},
		args: []string{"check", "$DIR/b.toml"}, code: 2, want: []string{`key "dimm"`, `did you mean "dim"`}},
	{name: "check/unknown energy type", files: map[string]string{"b.toml": checkSampling("hostile_quartc", "")},
		args: []string{"check", "$DIR/b.toml"}, code: 2, want: []string{`"hostile_quartc"`, `did you mean "hostile_quartic"`}},
	{name: "check/no config", args: []string{"check"}, code: 2, want: []string{"want one CONFIG file"}},
	{name: "check/missing config", args: []string{"check", "$DIR/none.toml"}, code: 2, want: []string{"no such config file"}},
	{name: "check/points out of range", files: map[string]string{"q.toml": checkSampling("hostile_quartic", "")},
		args: []string{"check", "$DIR/q.toml", "--points", "0"}, code: 2, want: []string{"--points must be 1 to 1000, got 0"}},
	{name: "check/checkpoint with a sampling config", files: map[string]string{"q.toml": checkSampling("hostile_quartic", "")},
		args: []string{"check", "$DIR/q.toml", "--checkpoint", "$DIR/c.ebm"}, code: 2, want: []string{"--checkpoint needs a training CONFIG"}},
	{name: "check/missing checkpoint", files: map[string]string{"t.toml": trainCfg},
		args: []string{"check", "$DIR/t.toml", "--checkpoint", "$DIR/none.ebm"}, code: 2, want: []string{"none.ebm"}},

	// run spot-checks third-party energies, warns, and goes on.
	{name: "run/wrong gradient warns and runs", files: map[string]string{"h.toml": checkSampling("hostile_half_quartic", "")},
		args: []string{"run", "$DIR/h.toml", "--out", "$DIR/out", "--quiet"}, code: 0,
		want: []string{`ebmrun: warning: $DIR/h.toml: [energy] (hostile_half_quartic): the gradient of energy "hostile_half_quartic" disagrees with finite differences at 4 of 4 start points drawn from [init], in dim 1 (worst: gradient dim 1 at x=`,
			"; run ebmrun check $DIR/h.toml\n"},
		check: func(t *testing.T, dir, _, stderr string) {
			if n := strings.Count(stderr, "warning"); n != 1 {
				t.Errorf("%d warnings, want one line:\n%s", n, stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "out", "samples.npy")); err != nil {
				t.Errorf("the run did not go on after the warning: %v", err)
			}
		}},
	{name: "run/correct third-party energy does not warn", files: map[string]string{"q.toml": checkSampling("hostile_quartic", "")},
		args: []string{"run", "$DIR/q.toml", "--out", "$DIR/out", "--quiet"}, code: 0,
		check: func(t *testing.T, dir, _, stderr string) {
			if strings.Contains(stderr, "warning") || strings.Contains(stderr, "note") {
				t.Errorf("a correct energy drew a warning:\n%s", stderr)
			}
			sameAsDirectRun(t, filepath.Join(dir, "q.toml"), filepath.Join(dir, "out", "samples.npy"))
		}},
	{name: "run/huge third-party energy skipped with a note", files: map[string]string{"q.toml": checkSampling("hostile_half_quartic", "dim = 300")},
		args: []string{"run", "$DIR/q.toml", "--out", "$DIR/out", "--quiet"}, code: 0,
		want: []string{"ebmrun: note: $DIR/q.toml: [energy] (hostile_half_quartic): dimension 300 > 256, so its gradient is not spot-checked at start-up; ebmrun check $DIR/q.toml checks it"}},
}

// sameAsDirectRun fails unless the draws in samples.npy are those of
// samplers.Run with the options ebmrun run uses: the spot check must not
// take from the run's random streams or change the energy.
func sameAsDirectRun(t *testing.T, cfg, npy string) {
	t.Helper()
	c, err := Load(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	init := c.Init
	res, err := samplers.Run(t.Context(), c.Energy, c.Samplers[0].Sampler, samplers.Options{
		Chains: c.Run.Chains, Warmup: c.Run.Warmup, Draws: c.Run.Draws, Thin: c.Run.Thin,
		Seed: uint64(c.Seed), Workers: c.Run.Workers,
		Init: func(_ int, r *rng.Stream, x []float64) { init.Fill(x, r) },
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(npy)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _, err := fileio.ReadNPY(f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, res.Samples) {
		t.Error("the run's draws differ from samplers.Run's with the same settings: the spot check changed the run")
	}
}

func TestHostileCheck(t *testing.T) { runHostile(t, hostileCheck) }

// TestCheckTrainedCheckpoint checks a trained model with --checkpoint: the
// points are the data's, the energy the checkpoint's.
func TestCheckTrainedCheckpoint(t *testing.T) {
	cfg := writeFile(t, "t.toml", trainCfg)
	out := filepath.Join(filepath.Dir(cfg), "run")
	if code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet"); code != 0 {
		t.Fatalf("training: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := cli(t, "check", cfg, "--checkpoint", filepath.Join(out, "checkpoint.ebm"))
	if code != 0 || !strings.Contains(stdout, "rows of [data] (moons), trained model") || !strings.Contains(stdout, "ok: ") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

// TestBuiltin: ebm's own energies are built in and not spot-checked; an
// energy a test (like a third party) registers is not, nor is an unknown
// name. A wrong answer either way would spot-check every shipped config
// (changing nothing but costing time) or never check third-party code.
func TestBuiltin(t *testing.T) {
	for _, name := range []string{"gaussian", "gmm", "rosenbrock", "banana", "funnel", "double_well", "mlp", "checkpoint"} {
		if !energies.Builtin(name) {
			t.Errorf("Builtin(%q) = false; it is registered by ebm", name)
		}
	}
	for _, name := range []string{"hostile_quartic", "hostile_half_quartic", "no_such_energy"} {
		if energies.Builtin(name) {
			t.Errorf("Builtin(%q) = true; it is registered by a test", name)
		}
	}
}
