package runner

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/mlp"
	"github.com/goebm/ebm/fileio"
)

// TestExportCLI trains the tiny pipeline, exports its checkpoint in both
// formats, fine-tunes a second run from the export (weights = relative
// path), and checks: the files hold the checkpoint's parameters in
// PyTorch's layout, the fine-tuned run started from them, its checkpoint
// loads once the weights file is gone, and a sampling config with
// weights = evaluates the same model as the checkpoint.
func TestExportCLI(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", strings.Replace(tinyTrain, "steps = 30", "steps = 5", 1))
	run := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := cli(t, "run", cfg, "--out", run, "--quiet"); code != 0 {
		t.Fatalf("training: exit %d: %s", code, stderr)
	}
	ck := filepath.Join(run, "checkpoint.ebm")
	code, stdout, stderr := cli(t, "export", ck)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	st := filepath.Join(run, "checkpoint.safetensors")
	for _, w := range []string{st, "nn.Sequential(nn.Linear(2, 16), nn.SiLU(), nn.Linear(16, 1))", "quadratic = 0.5"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("export's output %q lacks %q", stdout, w)
		}
	}
	m := readCheckpoint(t, run)
	tr, err := m.NewEnergy()
	if err != nil {
		t.Fatal(err)
	}
	ts, meta, err := fileio.ReadSafetensorsFile(st)
	if err != nil {
		t.Fatal(err)
	}
	p := tr.(*mlp.MLP).Params() // W₁ (2×16) then b₁, W₂ (16×1), b₂
	if len(ts) != 4 || ts[0].Name != "0.weight" || ts[0].DType != "F64" || ts[0].Data[1] != p[16] || ts[3].Data[0] != p[len(p)-1] {
		t.Errorf("the export is not the checkpoint's state_dict: %v …", ts[0])
	}
	if meta["type"] != "mlp" || meta["quadratic"] != "0.5" {
		t.Errorf("metadata %v", meta)
	}
	npz := filepath.Join(t.TempDir(), "w.npz")
	if code, _, stderr := cli(t, "export", ck, "--out", npz, "--dtype", "float32"); code != 0 {
		t.Fatalf("export to npz: exit %d: %s", code, stderr)
	}
	if ts32, _, err := fileio.ReadTensorsFile(npz); err != nil || len(ts32) != 4 || ts32[0].Data[1] != float64(float32(p[16])) {
		t.Errorf("npz export: %v", err)
	}

	// Fine-tune from the export, the weights file next to the config.
	ftDir := t.TempDir()
	raw, _ := os.ReadFile(st)
	weights := filepath.Join(ftDir, "w.safetensors")
	os.WriteFile(weights, raw, 0o644)
	ft := strings.Replace(tinyTrain, "quadratic = 0.5", "quadratic = 0.5\nweights = \"w.safetensors\"\nseed = 99", 1)
	ftCfg := filepath.Join(ftDir, "ft.toml")
	os.WriteFile(ftCfg, []byte(strings.Replace(ft, "steps = 30", "steps = 2", 1)), 0o644)
	ftOut := filepath.Join(t.TempDir(), "ft")
	if code, _, stderr := cli(t, "run", ftCfg, "--out", ftOut, "--quiet"); code != 0 {
		t.Fatalf("fine-tuning: exit %d: %s", code, stderr)
	}
	fresh, _ := mlp.New(2, []int{16}, "silu", 99)
	moved, fromSeed := 0.0, 0.0
	for i, v := range readCheckpoint(t, ftOut).Params {
		moved = max(moved, math.Abs(v-p[i]))
		fromSeed = max(fromSeed, math.Abs(v-fresh.Params()[i]))
	}
	if moved > 0.05 || fromSeed < 0.1 {
		t.Errorf("the fine-tuned parameters are %.3g from the weights file and %.3g from seed 99's: it did not start from the file", moved, fromSeed)
	}
	// A sampling config with weights = evaluates the checkpoint's model.
	samp := filepath.Join(ftDir, "s.toml")
	os.WriteFile(samp, []byte("[energy]\ntype = \"mlp\"\ndim = 2\nhidden = [16]\nquadratic = 0.5\nweights = \"w.safetensors\"\n[sampler]\ntype = \"mala\"\n"), 0o644)
	pts := filepath.Join(ftDir, "p.csv")
	os.WriteFile(pts, []byte("0,0\n1.5,-0.25\n-2,3\n"), 0o644)
	code, a, stderr := cli(t, "energy", samp, "--points", pts)
	_, b, _ := cli(t, "energy", "--checkpoint", ck, "--points", pts)
	if code != 0 || a != b {
		t.Errorf("energy with weights = (exit %d, %s):\n%s\nthe checkpoint's:\n%s", code, stderr, a, b)
	}
	// The fine-tuned checkpoint loads without the weights file.
	os.Remove(weights)
	if code, _, stderr := cli(t, "export", filepath.Join(ftOut, "checkpoint.ebm"), "--format", "npz"); code != 0 {
		t.Errorf("export of the fine-tuned checkpoint without its weights file: exit %d: %s", code, stderr)
	}
}

// TestExportResume: a run fine-tuned from a weights file, interrupted and
// resumed, ends bit-identical to the same run straight through.
func TestExportResume(t *testing.T) {
	dir := t.TempDir()
	m, _ := mlp.New(2, []int{16}, "silu", 5)
	ts, meta := m.StateDict("")
	if err := fileio.WriteTensorsFile(filepath.Join(dir, "w.npz"), ts, meta); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(tinyTrain, "quadratic = 0.5", "quadratic = 0.5\nweights = \"w.npz\"", 1)
	src = strings.Replace(src, "steps = 30", "steps = 12", 1)
	src = strings.Replace(src, "checkpoint_every = 10", "checkpoint_every = 4", 1)
	cfg := filepath.Join(dir, "ft.toml")
	os.WriteFile(cfg, []byte(src), 0o644)
	straight := filepath.Join(t.TempDir(), "straight")
	if code, _, stderr := cli(t, "run", cfg, "--out", straight, "--quiet"); code != 0 {
		t.Fatalf("straight run: exit %d: %s", code, stderr)
	}
	resumed := filepath.Join(t.TempDir(), "resumed")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trainStepHook = func(step int64) {
		if step == 7 {
			cancel()
		}
	}
	var o, e strings.Builder
	code := runContext(ctx, []string{"run", cfg, "--out", resumed, "--quiet"}, &o, &e)
	trainStepHook = nil
	if code != exitInterrupted {
		t.Fatalf("interrupted run: exit %d: %s", code, e.String())
	}
	if code, _, stderr := cli(t, "run", "--resume", resumed, "--quiet"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	a, b := readCheckpoint(t, straight), readCheckpoint(t, resumed)
	for i := range a.Params {
		if math.Float64bits(a.Params[i]) != math.Float64bits(b.Params[i]) {
			t.Fatalf("parameter %d: %v straight, %v interrupted and resumed", i, a.Params[i], b.Params[i])
		}
	}
}

// TestExportBadInput: bad flags, files and weights are one-line errors,
// exit 2.
func TestExportBadInput(t *testing.T) {
	dir := t.TempDir()
	_, ck := writeMLPCheckpoint(t, dir)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"export"}, []string{"one CHECKPOINT"}},
		{[]string{"export", ck, "--format", "pt"}, []string{"--format must be safetensors or npz"}},
		{[]string{"export", ck, "--out", filepath.Join(dir, "w.txt")}, []string{".safetensors or .npz"}},
		{[]string{"export", ck, "--out", filepath.Join(dir, "w.npz"), "--format", "safetensors"}, []string{"make them agree"}},
		{[]string{"export", ck, "--dtype", "float16"}, []string{"--dtype must be float64 or float32"}},
		{[]string{"export", filepath.Join(dir, "none.ebm")}, []string{"none.ebm"}},
	} {
		code, _, stderr := cli(t, c.args...)
		assertUsageError(t, code, stderr, c.want...)
	}
	// Neither a noise-conditional convnet nor a denoiser head has an
	// nn.Sequential to export to.
	for _, c := range []struct {
		name, key string
		value     any
		want      string
	}{
		{"cond.ebm", "noise_conditional", true, "noise_conditional"},
		{"den.ebm", "head", "denoiser", `head = "denoiser"`},
	} {
		table := map[string]any{"type": "convnet", "in_shape": []any{int64(1), int64(6), int64(6)}, "channels": []any{int64(3)}, c.key: c.value}
		if c.key == "noise_conditional" {
			table["sigma"] = 0.2
		}
		e, err := energies.FromTable(table)
		if err != nil {
			t.Fatal(err)
		}
		ck := filepath.Join(dir, c.name)
		if err := checkpoint.Write(ck, &checkpoint.File{Energy: table, Params: e.(energies.Trainable).Params()}); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := cli(t, "export", ck)
		assertUsageError(t, code, stderr, c.name, c.want)
	}
	// A config whose weights do not fit: file, table, key, tensor, shape.
	m, _ := mlp.New(2, []int{8}, "silu", 1)
	ts, meta := m.StateDict("")
	if err := fileio.WriteTensorsFile(filepath.Join(dir, "w8.safetensors"), ts, meta); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "bad.toml")
	os.WriteFile(cfg, []byte(strings.Replace(tinyTrain, "quadratic = 0.5", "quadratic = 0.5\nweights = \"w8.safetensors\"", 1)), 0o644)
	code, _, stderr := cli(t, "validate", cfg)
	assertUsageError(t, code, stderr, "bad.toml", "[energy]", `key "weights"`, "w8.safetensors", `tensor "0.weight" has shape [8, 2], expected [16, 2]`)
}
