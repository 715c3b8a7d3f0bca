package runner

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/rng"
)

// writeImages writes n random (1, 8, 8) images in [0, 1] and the image
// training config beside them, with a small AIS; it returns the config.
func writeImages(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	x := make([]float64, n*64)
	r := rng.New(2, 0)
	for i := range x {
		x[i] = r.Float64()
	}
	f, err := os.Create(filepath.Join(dir, "images.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if err := fileio.WriteNPY(f, x, n, 1, 8, 8); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cfg := filepath.Join(dir, "img.toml")
	src := imageTrain + "\n[eval]\nais_chains = 12\nais_steps = 200\nnn_max = 10\n"
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestEvalAnyImage: an image run evaluates by default by AIS, the
// denoising loss and nearest-neighbour distances, writes them into
// eval.json (finite, bits per dimension included) with their figures, and
// gives the same numbers with 1 and 3 workers. A failure means the image
// evaluation is off, incomplete or depends on the machine.
func TestEvalAnyImage(t *testing.T) {
	cfg := writeImages(t, 60)
	var ais [2]string
	for k, w := range []string{"1", "3"} {
		out := filepath.Join(t.TempDir(), "out")
		code, stdout, stderr := cli(t, "run", cfg, "--out", out, "--quiet", "--set", "sample.workers="+w)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, name := range []string{"ais_weights.png", "nn_distances.png"} {
			if _, err := os.Stat(filepath.Join(out, name)); err != nil {
				t.Errorf("%s not written: %v (stdout %s)", name, err, stdout)
			}
		}
		ev := readJSON(t, filepath.Join(out, "eval.json"))
		a, _ := ev["ais"].(map[string]any)
		for _, key := range []string{"log_z", "log_z_stderr", "ess", "loglik", "loglik_stderr", "bpd", "acceptance"} {
			if _, ok := a[key].(float64); !ok {
				t.Errorf("eval.json ais.%s = %v, want a number", key, a[key])
			}
		}
		if lw, _ := a["log_weights"].([]any); len(lw) != 12 {
			t.Errorf("eval.json ais.log_weights has %d values, want 12 (ais_chains)", len(lw))
		}
		d, _ := ev["denoise"].(map[string]any)
		if lv, _ := d["levels"].([]any); len(lv) != 3 {
			t.Errorf("eval.json denoise.levels = %v, want the 3 default σ", d["levels"])
		}
		nn, _ := ev["nn"].(map[string]any)
		for _, side := range []string{"samples", "heldout"} {
			s, _ := nn[side].(map[string]any)
			if m, ok := s["median"].(float64); !ok || !(m > 0) {
				t.Errorf("eval.json nn.%s = %v, want a positive median", side, nn[side])
			}
		}
		delete(a, "seconds")
		b, _ := json.Marshal(a)
		ais[k] = string(b)
	}
	if ais[0] != ais[1] {
		t.Errorf("AIS differs between 1 and 3 workers:\n%s\n%s", ais[0], ais[1])
	}
}

// TestEvalAny2D: a 2-D run's eval.json has no AIS, denoising or
// nearest-neighbour results unless asked (outputs as before); asked, AIS
// agrees with the exact quadrature log Z within 4 standard errors (on a
// grid wide enough: with the default margin 0.25 this model has 0.2 % of
// its mass at the grid's edge, and AIS finds the log Z the grid misses).
func TestEvalAny2D(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyTrain)
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ev := readJSON(t, filepath.Join(out, "eval.json"))
	for _, key := range []string{"ais", "denoise", "nn"} {
		if _, ok := ev[key]; ok {
			t.Errorf("a 2-D run's eval.json has %q by default", key)
		}
	}
	out = filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet", "--set", "eval.ais=true", "--set", "eval.res=256", "--set", "eval.margin=1",
		"--set", "eval.ais_chains=64", "--set", "eval.ais_steps=300", "--set", "eval.denoise_sigmas=[0.1]", "--set", "eval.nn=true")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ev = readJSON(t, filepath.Join(out, "eval.json"))
	a, _ := ev["ais"].(map[string]any)
	lz, se, q := a["log_z"].(float64), a["log_z_stderr"].(float64), ev["log_z"].(float64)
	if math.Abs(lz-q) > 4*se+0.01 {
		t.Errorf("AIS log Z %v ± %v, quadrature %v", lz, se, q)
	}
	if ll, nll := a["loglik"].(float64), ev["nll"].(float64); math.Abs(ll+nll) > 4*se+0.01 {
		t.Errorf("AIS log-likelihood %v, quadrature NLL %v", ll, nll)
	}
	if a["bpd"] != nil {
		t.Errorf("points have no bits per dimension, got %v", a["bpd"])
	}
	if _, ok := ev["denoise"]; !ok {
		t.Error("denoise_sigmas given, but no denoising loss in eval.json")
	}
	if _, ok := ev["nn"]; !ok {
		t.Error("nn = true, but no distances in eval.json")
	}
}

// TestEvalAnyBadKeys: bad AIS, denoising and nearest-neighbour keys are
// one-line errors naming the file, the table and the key, exit 2.
func TestEvalAnyBadKeys(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyTrain)
	for _, tc := range []struct{ set, key string }{
		{`eval.ais_kernel="nuts"`, "ais_kernel"},
		{`eval.ais_base="uniform"`, "ais_base"},
		{`eval.ais_schedule="cosine"`, "ais_schedule"},
		{"eval.ais_steps=1", "ais_steps"},
		{"eval.ais_chains=0", "ais_chains"},
		{"eval.ais_leapfrog=0", "ais_leapfrog"},
		{"eval.denoise_sigmas=[0.1, -1.0]", "denoise_sigmas"},
		{"eval.denoise_max=0", "denoise_max"},
		{"eval.nn_max=0", "nn_max"},
		{"eval.nn_train_max=-3", "nn_train_max"},
		{`eval.ais="yes"`, "ais"},
	} {
		code, _, stderr := cli(t, "validate", cfg, "--set", tc.set)
		assertUsageError(t, code, stderr, "tiny.toml", "[eval]", tc.key)
	}
}
