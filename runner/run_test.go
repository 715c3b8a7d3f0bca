package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// readSummary decodes summary.json with NaN-as-null numbers.
func readSummary(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("summary.json is not JSON: %v", err)
	}
	return m
}

func readNPY(t *testing.T, path string) ([]float64, []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, shape, err := fileio.ReadNPY(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return data, shape
}

// TestRunOutputs runs the tiny pipeline and checks every output file: the
// set, summary.json's fields, that samples.npy holds exactly the draws the
// driver produces for this seed and start distribution (so the config's
// seed, init and run settings reach the sampler), the manifest, and that
// config.toml loads back to the same resolved config.
func TestRunOutputs(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyConfig)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", cfg, "--out", out, "--quiet", "--set", "run.draws=25")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("--quiet run wrote to stderr: %q", stderr)
	}
	for _, name := range []string{"summary.json", "samples.npy", "samples.png", "trace.png", "rank.png", "config.toml", "manifest.json",
		"sample_stats.npz", "adaptation.json"} {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil || st.Size() == 0 {
			t.Errorf("output %s missing or empty (%v)", name, err)
		}
		if !strings.Contains(stdout, name) {
			t.Errorf("report does not mention %s: %s", name, stdout)
		}
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != 9 {
		t.Errorf("output directory holds %d entries, want exactly the 9 outputs (temp files left?)", len(ents))
	}

	sum := readSummary(t, out)
	if sum["partial"] != false || sum["name"] != "tiny" {
		t.Errorf("summary header: partial=%v name=%v", sum["partial"], sum["name"])
	}
	runs := sum["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("%d runs, want 1", len(runs))
	}
	r := runs[0].(map[string]any)
	for k, want := range map[string]float64{"chains": 4, "draws": 25, "dim": 2, "warmup": 20, "thin": 1} {
		if r[k] != want {
			t.Errorf("summary %s = %v, want %v", k, r[k], want)
		}
	}
	if r["sampler"] != "mh" || r["samples"] != "samples.npy" {
		t.Errorf("summary sampler %v samples %v", r["sampler"], r["samples"])
	}
	if a, ok := r["acceptance_rate"].(float64); !ok || a <= 0 || a > 1 {
		t.Errorf("acceptance_rate %v, want in (0, 1]", r["acceptance_rate"])
	}
	if n, _ := r["energy_evals"].(float64); n != 4*(20+25)+4 {
		t.Errorf("energy_evals %v, want %d (one per chain-step plus the start)", r["energy_evals"], 4*(20+25)+4)
	}
	for _, k := range []string{"mean", "std", "ess_bulk", "ess_tail", "rhat", "mcse_mean", "mcse_sd", "q5", "q50", "q95"} {
		if v, ok := r[k].([]any); !ok || len(v) != 2 {
			t.Errorf("summary %s = %v, want one value per dimension", k, r[k])
		}
	}

	data, shape := readNPY(t, filepath.Join(out, "samples.npy"))
	if len(shape) != 3 || shape[0] != 4 || shape[1] != 25 || shape[2] != 2 {
		t.Fatalf("samples.npy shape %v, want [4 25 2]", shape)
	}
	c, err := Load(cfg, []string{"run.draws=25"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := samplers.Run(context.Background(), c.Energy, c.Samplers[0].Sampler, samplers.Options{
		Chains: 4, Warmup: 20, Draws: 25, Thin: 1, Seed: 7, Workers: 1,
		Init: func(_ int, r *rng.Stream, x []float64) { c.Init.Fill(x, r) }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		if data[i] != res.Samples[i] {
			t.Fatalf("samples.npy[%d] = %v, driver gives %v: outputs are not the configured run", i, data[i], res.Samples[i])
		}
	}
	mean0 := r["mean"].([]any)[0].(float64)
	var m float64
	for i := 0; i < len(data); i += 2 {
		m += data[i]
	}
	if m /= float64(len(data) / 2); math.Abs(m-mean0) > 1e-12 {
		t.Errorf("summary mean[0] %v, samples.npy mean %v", mean0, m)
	}

	var man map[string]any
	b, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"module_version", "go_version", "os", "arch", "cpu", "cpu_features", "simd", "workers", "seed", "start", "end"} {
		if _, ok := man[k]; !ok {
			t.Errorf("manifest.json lacks %q", k)
		}
	}
	if man["seed"] != 7.0 {
		t.Errorf("manifest seed %v, want 7", man["seed"])
	}

	resolved, err := os.ReadFile(filepath.Join(out, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"draws = 25", "target_accept = 0.234", "thin = 1", "workers = 0"} {
		if !strings.Contains(string(resolved), want) {
			t.Errorf("resolved config lacks %q (defaults not filled in?):\n%s", want, resolved)
		}
	}
	again, err := Parse(filepath.Join(out, "config.toml"), resolved, nil)
	if err != nil {
		t.Fatalf("resolved config does not load: %v", err)
	}
	if a, b := stripHeader(again.ResolvedTOML()), stripHeader(string(resolved)); a != b {
		t.Errorf("resolved config is not a fixed point:\n%s\nvs\n%s", a, b)
	}
}

func stripHeader(s string) string {
	_, rest, _ := strings.Cut(s, "\n")
	return rest
}

// TestRunWorkersDoNotChangeResults checks the reproducibility promise at
// the CLI level: --workers 1 and --workers 3 write identical samples.
func TestRunWorkersDoNotChangeResults(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyConfig)
	var files [2][]float64
	for i, w := range []string{"1", "3"} {
		out := filepath.Join(t.TempDir(), "out")
		if code, _, stderr := cli(t, "run", cfg, "--workers", w, "--out", out, "--quiet"); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		files[i], _ = readNPY(t, filepath.Join(out, "samples.npy"))
	}
	for i := range files[0] {
		if files[0][i] != files[1][i] {
			t.Fatalf("draw %d differs between 1 and 3 workers", i)
		}
	}
}

// TestRunSeveralSamplers checks the [[sampler]] layout: <i>-<type>/samples.npy,
// one summary entry per sampler in config order, --set sampler.N.KEY, and
// that the resolved config keeps the array form.
func TestRunSeveralSamplers(t *testing.T) {
	src := strings.Replace(tinyConfig, "[sampler]\ntype = \"mh\"\nscale = 0.8",
		"[[sampler]]\ntype = \"mh\"\n\n[[sampler]]\ntype = \"hmc\"\nleapfrog_steps = 4", 1)
	cfg := writeFile(t, "two.toml", src)
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet", "--set", "sampler.2.step_size=0.3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sum := readSummary(t, out)
	runs := sum["runs"].([]any)
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
	for i, want := range []string{"mh", "hmc"} {
		r := runs[i].(map[string]any)
		path := []string{"1-mh/samples.npy", "2-hmc/samples.npy"}[i]
		if r["sampler"] != want || r["samples"] != path {
			t.Errorf("run %d: sampler %v samples %v, want %s %s", i, r["sampler"], r["samples"], want, path)
		}
		if _, shape := readNPY(t, filepath.Join(out, path)); len(shape) != 3 || shape[1] != 30 {
			t.Errorf("%s shape %v", path, shape)
		}
	}
	if r := runs[1].(map[string]any); r["grad_evals"].(float64) == 0 {
		t.Error("hmc reported no gradient evaluations")
	}
	resolved, _ := os.ReadFile(filepath.Join(out, "config.toml"))
	if strings.Count(string(resolved), "[[sampler]]") != 2 || !strings.Contains(string(resolved), "step_size = 0.3") {
		t.Errorf("resolved config lost the [[sampler]] form or the --set value:\n%s", resolved)
	}
	code, _, stderr = cli(t, "validate", cfg, "--set", "sampler.step_size=0.3")
	assertUsageError(t, code, stderr, "say which, e.g. sampler.1.step_size")
	code, _, stderr = cli(t, "validate", cfg, "--set", "sampler.3.step_size=0.3")
	assertUsageError(t, code, stderr, "no [sampler #3]")
}

// TestSetOverrides checks value parsing (TOML values, bare strings), type
// overrides checked against the new type, creation of absent tables, and
// that overrides land in the resolved config.
func TestSetOverrides(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyConfig)
	c, err := Load(cfg, []string{"run.chains=64", "sampler.type=hmc", "sampler.step_size=0.25", "name=renamed",
		"init.type=uniform", "init.low=-2", "init.high=[1, 2]", "seed=11"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Run.Chains != 64 || c.Samplers[0].Type != "hmc" || c.Name != "renamed" || c.InitType != "uniform" || c.Seed != 11 {
		t.Errorf("overrides not applied: %+v", c)
	}
	res := c.ResolvedTOML()
	for _, want := range []string{"step_size = 0.25", "chains = 64", "high = [1, 2]", `name = "renamed"`} {
		if !strings.Contains(res, want) {
			t.Errorf("resolved config lacks %q:\n%s", want, res)
		}
	}
	// scale is a key of mh, not of hmc: a key set with the type change must
	// be checked against the new type.
	if _, err := Load(cfg, []string{"sampler.type=hmc", "sampler.scale=1"}); err == nil || !strings.Contains(err.Error(), `[sampler] (hmc) has no key "scale"`) {
		t.Errorf("want the key checked against the overridden type, got %v", err)
	}
	// Changing a type drops the file's keys that the new type lacks
	// (mh's scale here), so that --set sampler.type=hmc just works.
	if c, err := Load(cfg, []string{"sampler.type=hmc"}); err != nil || c.Samplers[0].Type != "hmc" {
		t.Errorf("--set sampler.type=hmc on an mh config: %v", err)
	}
	// A table absent from the file is created by --set.
	noInit := strings.Replace(tinyConfig, "[init]\ntype = \"gaussian\"\nmean = [0.0, 0.0]\nstd = 1.0\n", "", 1)
	c, err = Load(writeFile(t, "noinit.toml", noInit), []string{"init.std=3"})
	if err != nil || c.InitType != "gaussian" || !strings.Contains(c.ResolvedTOML(), "std = 3") {
		t.Errorf("--set on an absent [init]: %v", err)
	}
}

// TestInterrupt checks Ctrl-C: the run stops, writes what was drawn with
// "partial": true everywhere, and exits 130. A failure means an interrupted
// run loses its draws or hangs.
func TestInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a process cannot send itself os.Interrupt on Windows")
	}
	// One slow chain (HMC, 64 leapfrog steps) for a million draws: far
	// longer than the signal takes to arrive, and only 16 MB of draws.
	cfg := writeFile(t, "long.toml", tinyConfig)
	sets := []string{"--set", "run.draws=1000000", "--set", "run.warmup=0", "--set", "run.chains=1",
		"--set", "sampler.type=hmc", "--set", "sampler.leapfrog_steps=64"}
	out := filepath.Join(t.TempDir(), "out")
	sent := false
	progressHook = func(done, total int) {
		if !sent && done > 10 {
			sent = true
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				p.Signal(os.Interrupt) // what Ctrl-C sends
			}
		}
	}
	defer func() { progressHook = nil }()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"run", cfg, "--out", out, "--quiet"}, sets...), &stdout, &stderr)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it was interrupted: %q", stderr.String())
	}
	sum := readSummary(t, out)
	r := sum["runs"].([]any)[0].(map[string]any)
	if sum["partial"] != true || r["partial"] != true {
		t.Errorf("summary partial flags %v %v, want true", sum["partial"], r["partial"])
	}
	draws := int(r["draws"].(float64))
	if draws <= 0 || draws >= 1000000 {
		t.Errorf("partial run kept %d draws", draws)
	}
	if _, shape := readNPY(t, filepath.Join(out, "samples.npy")); shape[1] != draws {
		t.Errorf("samples.npy has %d draws, summary says %d", shape[1], draws)
	}
	var man map[string]any
	b, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	json.Unmarshal(b, &man)
	if man["partial"] != true {
		t.Error("manifest does not mark the run partial")
	}
}

// TestProgressLines checks the non-terminal progress output: a final line
// with the count when not quiet.
func TestProgressLines(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyConfig)
	code, _, stderr := cli(t, "run", cfg, "--out", filepath.Join(t.TempDir(), "o"))
	if code != 0 || !strings.Contains(stderr, "mh: 50/50 iterations (100%)") {
		t.Errorf("exit %d, stderr %q: want a final progress line", code, stderr)
	}
}
