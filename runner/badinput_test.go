package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadConfigs runs each kind of bad config through `run` and `validate`:
// every one must be a single line naming the file, the table, the component
// and the key, with exit 2 and no stack trace. A failure means a user gets a
// crash, a vague message, or a run that should never have started.
func TestBadConfigs(t *testing.T) {
	replace := func(old, new string) string {
		if !strings.Contains(tinyConfig, old) {
			t.Fatalf("tinyConfig lacks %q", old)
		}
		return strings.Replace(tinyConfig, old, new, 1)
	}
	cases := []struct {
		name, src string
		want      []string
	}{
		{"syntax", replace("chains = 4", "chains = = 4"), []string{".toml:18:", "TOML syntax error"}},
		{"unknown top-level", tinyConfig + "\n[smapler]\ntype = \"mh\"\n", []string{`unknown top-level key "smapler"`, `did you mean "sampler"?`}},
		{"unknown component key", replace("scale = 0.8", "scael = 0.8"), []string{"[sampler] (mh):", `unknown key "scael"`, `did you mean "scale"?`}},
		{"wrong type", replace("scale = 0.8", `scale = "big"`), []string{"[sampler] (mh):", `key "scale"`, "want a number"}},
		{"wrong type run", replace("chains = 4", "chains = 4.5"), []string{"[run]:", `key "chains"`, "want an integer"}},
		{"unknown sampler", replace(`type = "mh"`, `type = "hcm"`), []string{"[sampler]:", `unknown sampler "hcm"`, `did you mean "hmc"?`, "known:"}},
		{"unknown energy", replace(`type = "gaussian"`, `type = "gausian"`), []string{"[energy]:", `did you mean "gaussian"?`}},
		{"zero chains", replace("chains = 4", "chains = 0"), []string{"[run]:", `key "chains": must be > 0, got 0`}},
		{"negative draws", replace("draws = 30", "draws = -5"), []string{"[run]:", `key "draws": must be > 0, got -5`}},
		{"step size", replace("type = \"mh\"\nscale = 0.8", "type = \"hmc\"\nstep_size = -0.1"), []string{"[sampler] (hmc):", "step_size", "-0.1"}},
		{"init dimension", replace("mean = [0.0, 0.0]", "mean = [0.0, 0.0, 0.0]"), []string{"[init] (gaussian):", `key "mean" has 3 values but the energy has dimension 2`}},
		{"table not a table", strings.Replace(replace("[run]\nchains = 4\nwarmup = 20\ndraws = 30\n", ""), "seed = 7", "seed = 7\nrun = 3", 1), []string{"[run]: want a table, got an integer"}},
		{"missing sampler", replace("[sampler]\ntype = \"mh\"\nscale = 0.8\n", ""), []string{"missing [sampler] table"}},
		{"bad seed", replace("seed = 7", "seed = -1"), []string{`key "seed": must be ≥ 0`}},
		{"bad name", replace(`name = "tiny"`, `name = "../x"`), []string{`key "name"`}},
		{"array sampler", replace("[sampler]\ntype = \"mh\"\nscale = 0.8", "[[sampler]]\ntype = \"mh\"\n[[sampler]]\ntype = \"hmc\"\nleapfrog_steps = 0"),
			[]string{"[sampler #2] (hmc):", "leapfrog_steps"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "bad.toml", c.src)
			for _, cmd := range []string{"validate", "run"} {
				code, stdout, stderr := cli(t, cmd, path, "--out", filepath.Join(t.TempDir(), "out"))
				assertUsageError(t, code, stderr, append([]string{path + ":"}, c.want...)...)
				if stdout != "" {
					t.Errorf("%s wrote to stdout on a bad config: %q", cmd, stdout)
				}
			}
		})
	}
}

// TestBadInvocations covers errors outside the config file: a missing file,
// --set on keys that do not exist, an unwritable output directory and bad
// flags.
func TestBadInvocations(t *testing.T) {
	good := writeFile(t, "good.toml", tinyConfig)
	notDir := writeFile(t, "file", "x")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"run", "nope/missing.toml"}, []string{"nope/missing.toml: no such config file"}},
		{"set unknown top", []string{"run", good, "--set", "chians=4"}, []string{good, `--set chians=4: unknown top-level key "chians"`}},
		{"set unknown run key", []string{"run", good, "--set", "run.chanis=64"}, []string{good, `[run] has no key "chanis"`, `did you mean "chains"?`}},
		{"set unknown sampler key", []string{"validate", good, "--set", "sampler.step_size=0.1"}, []string{`[sampler] (mh) has no key "step_size"`}},
		{"set too deep", []string{"validate", good, "--set", "run.chains.x=1"}, []string{"want run.KEY"}},
		{"set no value", []string{"validate", good, "--set", "run.chains"}, []string{"want key=value"}},
		{"set bad value", []string{"validate", good, "--set", "run.chains=0"}, []string{`[run]: key "chains": must be > 0, got 0`}},
		{"unwritable out", []string{"run", good, "--out", filepath.Join(notDir, "sub")}, []string{"cannot create output directory", "choose another --out"}},
		{"validate out", []string{"validate", good, "--out", filepath.Join(notDir, "sub")}, []string{"is not a directory"}},
		{"no config", []string{"run"}, []string{"want one CONFIG file"}},
		{"two configs", []string{"run", good, good}, []string{"want one CONFIG file"}},
		{"bad flag", []string{"run", good, "--chains", "3"}, []string{"flag provided but not defined: -chains"}},
		{"bad seed flag", []string{"run", good, "--seed", "-3"}, []string{"want a non-negative integer"}},
		{"unknown command", []string{"rn", good}, []string{`unknown command "rn"`, `did you mean "run"?`}},
		{"unknown list kind", []string{"list", "samplerz"}, []string{`did you mean "samplers"?`}},
		{"unknown component", []string{"config", "hcm"}, []string{`did you mean "hmc"?`}},
		{"ambiguous component", []string{"config", "gaussian"}, []string{"energy/gaussian", "init/gaussian"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := cli(t, c.args...)
			assertUsageError(t, code, stderr, c.want...)
		})
	}
}

// TestBadPoints checks that `energy` rejects points files with the wrong
// number of columns or non-numeric cells, naming the file and line.
func TestBadPoints(t *testing.T) {
	cfg := writeFile(t, "e.toml", tinyConfig)
	cases := []struct{ name, content, want string }{
		{"columns", "x,y\n1,2\n1,2,3\n", ":3: 3 columns, want 2"},
		{"non-numeric", "1,2\n1,abc\n", `:2: column 2: "abc" is not a number`},
		{"npy", "\x93NUMPY\x01\x00garbage", ".npy header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ext := ".csv"
			if c.name == "npy" {
				ext = ".npy"
			}
			pts := writeFile(t, "p"+ext, c.content)
			code, _, stderr := cli(t, "energy", cfg, "--points", pts)
			assertUsageError(t, code, stderr, pts, c.want)
		})
	}
	code, _, stderr := cli(t, "energy", cfg)
	assertUsageError(t, code, stderr, "--points FILE is required")
	code, _, stderr = cli(t, "energy", cfg, "--points", filepath.Join(t.TempDir(), "none.csv"))
	assertUsageError(t, code, stderr, "none.csv")
}

// TestBadConfigCollectsErrors checks that independent problems are all
// reported, one line each, so a user fixes them in one pass.
func TestBadConfigCollectsErrors(t *testing.T) {
	src := strings.Replace(strings.Replace(tinyConfig, "chains = 4", "chains = 0", 1), "scale = 0.8", "scael = 1", 1)
	path := writeFile(t, "two.toml", src)
	code, _, stderr := cli(t, "validate", path)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != exitUsage || len(lines) != 2 {
		t.Fatalf("exit %d with %d lines, want 2 and 2 lines: %s", code, len(lines), stderr)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, path+": ") {
			t.Errorf("line %q does not start with the file name", l)
		}
	}
}

// TestMissingFileNotCreated checks that a bad config never creates the
// output directory (nothing may happen before validation passes).
func TestMissingFileNotCreated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	path := writeFile(t, "bad.toml", strings.Replace(tinyConfig, "chains = 4", "chains = 0", 1))
	cli(t, "run", path, "--out", out)
	if _, err := os.Stat(out); err == nil {
		t.Error("a rejected config created its output directory")
	}
}
