package runner

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/fileio"
)

// TestHelpEverywhere checks that --help works on every command (exit 0,
// usage on stdout) and that the top-level help lists every command.
func TestHelpEverywhere(t *testing.T) {
	code, stdout, _ := cli(t, "--help")
	if code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(stdout, "  "+c.name+" ") {
			t.Errorf("top-level help does not list %q", c.name)
		}
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			code, out, errOut := cli(t, args...)
			if code != 0 || !strings.HasPrefix(out, "usage: ebmrun "+c.name) || errOut != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
			}
		}
	}
	if code, _, stderr := cli(t); code != exitUsage || !strings.Contains(stderr, "usage:") {
		t.Errorf("no arguments: exit %d, want usage on stderr and exit 2", code)
	}
	_, out, _ := cli(t, "run", "--help")
	for _, f := range []string{"-out", "-seed", "-workers", "-set", "-quiet"} {
		if !strings.Contains(out, f) {
			t.Errorf("run --help lacks %s", f)
		}
	}
}

// TestList checks that every registered component is listed with its
// description, and that one kind can be asked for.
func TestList(t *testing.T) {
	code, out, _ := cli(t, "list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, k := range kinds {
		if !strings.Contains(out, k.plural+":\n") {
			t.Errorf("list lacks the %s section", k.plural)
		}
		for _, n := range k.names() {
			if !strings.Contains(out, "  "+n+" ") {
				t.Errorf("list lacks %s %q", k.table, n)
			}
		}
	}
	if !strings.Contains(out, "uniform start distribution") {
		t.Error("list lacks descriptions")
	}
	_, out, _ = cli(t, "list", "samplers")
	if strings.Contains(out, "energies:") || !strings.Contains(out, "samplers:") {
		t.Errorf("list samplers printed other kinds:\n%s", out)
	}
}

// TestConfigSamplesAreValid prints the sample of every registered component
// with `ebmrun config kind/NAME`, puts it into a config and validates it, so
// that the documentation shown to users always works.
func TestConfigSamplesAreValid(t *testing.T) {
	for _, k := range kinds {
		for _, n := range k.names() {
			code, sample, stderr := cli(t, "config", k.table+"/"+n)
			if code != 0 {
				t.Errorf("config %s/%s: exit %d: %s", k.table, n, code, stderr)
				continue
			}
			var parsed map[string]any
			if _, err := toml.Decode(sample, &parsed); err != nil {
				t.Errorf("%s/%s: sample is not TOML: %v", k.table, n, err)
				continue
			}
			// Put the sample in place of the tiny config's own table.
			src := tinyConfig
			switch k.table {
			case "energy":
				src = "[run]\nchains = 2\n[sampler]\ntype = \"mh\"\n" + sample
			case "sampler":
				src = "[energy]\ntype = \"gaussian\"\nmean = [0.0, 0.0]\n" + sample
			case "init":
				src = "[sampler]\ntype = \"mh\"\n[energy]\ntype = \"gmm\"\nmeans = [[-2.0, 0.0], [2.0, 0.0]]\n" + sample
			}
			path := writeFile(t, "sample.toml", src)
			if k.table == "energy" && n == "checkpoint" {
				// Its sample names the checkpoint training writes,
				// runs/train-dsm-moons/checkpoint.ebm under the config's directory.
				ck := filepath.Join(filepath.Dir(path), "runs", "train-dsm-moons", "checkpoint.ebm")
				if err := os.MkdirAll(filepath.Dir(ck), 0o755); err != nil {
					t.Fatal(err)
				}
				writeMLPCheckpointAt(t, ck)
			}
			if code, _, stderr := cli(t, "validate", path); code != 0 {
				t.Errorf("sample of %s/%s does not validate: %s\n%s", k.table, n, stderr, src)
			}
		}
	}
	if code, out, _ := cli(t, "config", "hmc"); code != 0 || !strings.Contains(out, "[sampler]\ntype = \"hmc\"") {
		t.Errorf("config hmc (unambiguous, no kind prefix): exit %d\n%s", code, out)
	}
}

// TestInfo checks that info names the Go version and the chosen SIMD
// implementation.
func TestInfo(t *testing.T) {
	code, out, _ := cli(t, "info")
	if code != 0 || !strings.Contains(out, "go:") || !strings.Contains(out, "(chosen)") || !strings.Contains(out, "features:") {
		t.Errorf("info: exit %d\n%s", code, out)
	}
}

// TestEnergyCommand evaluates the tiny config's Gaussian (mean (1, −1),
// identity covariance; E = ½‖x − μ‖² + const) at known points and checks E
// differences and gradients exactly, for CSV and NPY input and output.
func TestEnergyCommand(t *testing.T) {
	cfg := writeFile(t, "e.toml", tinyConfig)
	dir := t.TempDir()
	csv := filepath.Join(dir, "p.csv")
	os.WriteFile(csv, []byte("x,y\n1,-1\n3,0\n"), 0o644)
	code, out, stderr := cli(t, "energy", cfg, "--points", csv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p, err := fileio.ReadCSV(strings.NewReader(out), "stdout", 3)
	if err != nil || p.N != 2 || !strings.HasPrefix(out, "energy,grad_0,grad_1\n") {
		t.Fatalf("output %q: %v", out, err)
	}
	check := func(rows []float64) {
		t.Helper()
		// Gradient x − μ; energy difference ½(‖(2, 1)‖² − 0) = 2.5.
		want := [][]float64{{0, 0}, {2, 1}}
		for i, w := range want {
			if rows[i*3+1] != w[0] || rows[i*3+2] != w[1] {
				t.Errorf("row %d gradient %v, want %v", i, rows[i*3+1:i*3+3], w)
			}
		}
		if d := rows[3] - rows[0]; math.Abs(d-2.5) > 1e-12 {
			t.Errorf("E(3,0) − E(1,−1) = %v, want 2.5", d)
		}
	}
	check(p.Data)

	npyIn := filepath.Join(dir, "p.npy")
	var buf bytes.Buffer
	fileio.WriteNPY(&buf, []float64{1, -1, 3, 0}, 2, 2)
	os.WriteFile(npyIn, buf.Bytes(), 0o644)
	npyOut := filepath.Join(dir, "e.npy")
	if code, _, stderr := cli(t, "energy", cfg, "--points", npyIn, "--out", npyOut); code != 0 {
		t.Fatalf("npy: exit %d: %s", code, stderr)
	}
	f, _ := os.Open(npyOut)
	data, shape, err := fileio.ReadNPY(f)
	f.Close()
	if err != nil || len(shape) != 2 || shape[0] != 2 || shape[1] != 3 {
		t.Fatalf("e.npy shape %v: %v", shape, err)
	}
	check(data)

	csvOut := filepath.Join(dir, "e.csv")
	if code, _, _ := cli(t, "energy", "--out", csvOut, cfg, "--points", csv); code != 0 {
		t.Fatal("flags before CONFIG were not accepted")
	}
	if b, _ := os.ReadFile(csvOut); !bytes.Equal(b, []byte(out)) {
		t.Errorf("--out e.csv differs from stdout CSV:\n%s\nvs\n%s", b, out)
	}
}

// TestConfigs runs every shipped config, shrunk with --set, and checks it
// succeeds with the expected layout: a config that rots fails here.
func TestConfigs(t *testing.T) {
	files, _ := filepath.Glob("../configs/*.toml")
	if len(files) < 5 {
		t.Fatalf("found %d configs, want at least 5", len(files))
	}
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "train_") {
			continue // training configs: TestTrainConfigs
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := Load(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := cli(t, "run", f, "--out", out, "--quiet",
				"--set", "run.chains=4", "--set", "run.warmup=30", "--set", "run.draws=30")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			sum := readSummary(t, out)
			if n := len(sum["runs"].([]any)); n != len(c.Samplers) {
				t.Errorf("%d runs in summary, config has %d samplers", n, len(c.Samplers))
			}
			for _, name := range []string{"samples.png", "trace.png"} {
				if _, err := os.Stat(filepath.Join(out, name)); err != nil {
					t.Errorf("%s missing", name)
				}
			}
		})
	}
}

// TestBench runs a tiny end-to-end benchmark through the CLI and checks the
// JSON rows; it asserts the wiring and format, never a speed.
func TestBench(t *testing.T) {
	code, out, stderr := cli(t, "bench", "--skip-kernels", "--skip-training", "--samplers", "ula", "--chains", "8", "--steps", "10", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"kernel":"ula_gmm8"`) || !strings.Contains(lines[0], `"n":8`) {
		t.Errorf("bench rows %q, want one ula_gmm8 row for 8 chains", out)
	}
	code, out, stderr = cli(t, "bench", "--skip-kernels", "--skip-e2e", "--json")
	if code != 0 || !strings.Contains(out, `"kernel":"mlp_grad_b1024"`) || !strings.Contains(out, `"kernel":"dsm_step_b256"`) {
		t.Errorf("bench training rows: exit %d, %q: %s", code, out, stderr)
	}
	code, _, stderr = cli(t, "bench", "--skip-e2e", "--impl", "nosuch")
	assertUsageError(t, code, stderr, "--impl")
}
