package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/train"
)

// tinyTrain is a training pipeline that runs in well under a second: a
// small MLP trained by NCE on 400 points of the two moons.
const tinyTrain = `name = "tiny-train"
seed = 3

[data]
type = "moons"
n = 400
seed = 5

[energy]
type = "mlp"
dim = 2
hidden = [16]
quadratic = 0.5

[objective]
type = "nce"
nu = 2

[optimizer]
type = "adam"
lr = 0.01

[train]
steps = 30
batch_size = 32
log_every = 5
checkpoint_every = 10
eval_every = 10

[eval]
res = 32

[sample]
chains = 64
warmup = 20
draws = 2
`

// readJSON decodes a JSON output file.
func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s is not JSON: %v", path, err)
	}
	return m
}

// readLoss returns loss.csv's rows without the seconds column, and the
// number of rows. The file has the five columns of every run, or those and
// neg_accept, neg_divergences (objectives with negative chains).
func readLoss(t *testing.T, dir string) (string, int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "loss.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	cols := 5
	switch lines[0] {
	case "step,loss,grad_norm,lr,seconds":
	case "step,loss,grad_norm,lr,seconds,neg_accept,neg_divergences":
		cols = 7
	default:
		t.Fatalf("loss.csv header %q", lines[0])
	}
	var out []string
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) != cols {
			t.Fatalf("loss.csv row %q: want %d columns", l, cols)
		}
		out = append(out, strings.Join(append(f[:4:4], f[5:]...), ","))
	}
	return strings.Join(out, "\n"), len(out)
}

func readCheckpoint(t *testing.T, dir string) *checkpoint.File {
	t.Helper()
	f, err := checkpoint.Read(filepath.Join(dir, "checkpoint.ebm"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestTrainOutputs trains the tiny pipeline and checks every output: the
// set of files, loss.csv's rows, eval.json's fields, that its NLL is the
// NLL of the model in checkpoint.ebm (so the outputs describe the trained
// model, not the initial one), the samples' shape, the manifest, and that
// config.toml loads back to the same resolved config.
func TestTrainOutputs(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyTrain)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", cfg, "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := []string{"config.toml", "loss.csv", "checkpoint.ebm", "eval.json", "density.png", "samples.npy", "samples.png", "manifest.json"}
	for _, name := range want {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil || st.Size() == 0 {
			t.Errorf("output %s missing or empty (%v)", name, err)
		}
		if !strings.Contains(stdout, name) {
			t.Errorf("report does not mention %s: %s", name, stdout)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) != len(want) {
		t.Errorf("output directory holds %d entries, want exactly the %d outputs (temp files or snapshots left?)", len(ents), len(want))
	}

	rows, n := readLoss(t, out)
	if n != 6 || !strings.HasPrefix(rows, "5,") || !strings.Contains(rows, "\n30,") {
		t.Errorf("loss.csv has %d rows, want 6 (steps 5, 10, …, 30):\n%s", n, rows)
	}

	ev := readJSON(t, filepath.Join(out, "eval.json"))
	if ev["partial"] != false || ev["steps"] != 30.0 || ev["dim"] != 2.0 || ev["evaluated_on"] != "heldout" {
		t.Errorf("eval.json header: partial %v steps %v dim %v evaluated_on %v", ev["partial"], ev["steps"], ev["dim"], ev["evaluated_on"])
	}
	if ev["n_train"] != 320.0 || ev["n_heldout"] != 80.0 {
		t.Errorf("eval.json n_train %v n_heldout %v, want 320 and 80 (holdout 0.2 of 400)", ev["n_train"], ev["n_heldout"])
	}
	for _, k := range []string{"nll", "nll_stderr", "log_z", "border_mass", "mmd2", "mmd_bandwidth", "final_loss"} {
		if v, ok := ev[k].(float64); !ok || math.IsNaN(v) {
			t.Errorf("eval.json %s = %v, want a number", k, ev[k])
		}
	}
	if g, ok := ev["grid"].(map[string]any); !ok || g["res"] != 32.0 || g["points"] != 1024.0 {
		t.Errorf("eval.json grid %v, want res 32 (1024 points)", ev["grid"])
	}
	if h, _ := ev["history"].([]any); len(h) != 2 {
		t.Errorf("eval.json history %v, want the evaluations at steps 10 and 20", ev["history"])
	}

	// The reported NLL is that of the checkpointed (trained) model.
	ck := readCheckpoint(t, out)
	if ck.Step != 30 {
		t.Errorf("checkpoint at step %d, want 30", ck.Step)
	}
	m, err := ck.NewEnergy()
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadTrain(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newTrainRun(c, "")
	if err != nil {
		t.Fatal(err)
	}
	lz, err := evaluate.LogZ(context.Background(), m, *r.grid)
	if err != nil {
		t.Fatal(err)
	}
	nll, _, err := evaluate.NLL(m, r.eval, lz.LogZ)
	if err != nil {
		t.Fatal(err)
	}
	if got := ev["nll"].(float64); math.Abs(got-nll) > 1e-9*math.Abs(nll) {
		t.Errorf("eval.json nll %v, the checkpointed model's held-out NLL is %v", got, nll)
	}

	if _, shape := readNPY(t, filepath.Join(out, "samples.npy")); len(shape) != 3 || shape[0] != 64 || shape[1] != 2 || shape[2] != 2 {
		t.Errorf("samples.npy shape %v, want [64 2 2]", shape)
	}
	man := readJSON(t, filepath.Join(out, "manifest.json"))
	if man["kind"] != "train" || man["partial"] != false || man["steps"] != 30.0 || man["seed"] != 3.0 {
		t.Errorf("manifest kind %v partial %v steps %v seed %v", man["kind"], man["partial"], man["steps"], man["seed"])
	}

	resolved, err := os.ReadFile(filepath.Join(out, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"holdout = 0.2", "[sample.sampler]", `type = "ula"`, "seed = 3", "margin = 0.25"} {
		if !strings.Contains(string(resolved), w) {
			t.Errorf("resolved config lacks %q (defaults not filled in?):\n%s", w, resolved)
		}
	}
	again, err := ParseTrain(filepath.Join(out, "config.toml"), resolved, nil)
	if err != nil {
		t.Fatalf("resolved config does not load: %v", err)
	}
	if a, b := stripHeader(again.ResolvedTOML()), stripHeader(string(resolved)); a != b {
		t.Errorf("resolved config is not a fixed point:\n%s\nvs\n%s", a, b)
	}

	// Fine-tuning: the trained model as the [energy] of another run, by a
	// path relative to that config's directory. Its checkpoint must record
	// the model itself (an mlp), not the file it started from.
	ft := strings.Replace(tinyTrain, "type = \"mlp\"\ndim = 2\nhidden = [16]\nquadratic = 0.5", "type = \"checkpoint\"\npath = \"out/checkpoint.ebm\"", 1)
	ftCfg := filepath.Join(filepath.Dir(out), "ft.toml")
	if err := os.WriteFile(ftCfg, []byte(strings.Replace(ft, "steps = 30", "steps = 5", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if !energies.Registry.Has("checkpoint") { // checkpoint_test.go takes it out of this test binary
		energies.Register("checkpoint", func() energies.Energy { return &checkpoint.Energy{} })
		defer energies.Registry.Unregister("checkpoint")
	}
	ftOut := filepath.Join(t.TempDir(), "ft")
	if code, _, stderr := cli(t, "run", ftCfg, "--out", ftOut, "--quiet"); code != 0 {
		t.Fatalf("fine-tuning: exit %d: %s", code, stderr)
	}
	if ck := readCheckpoint(t, ftOut); ck.Energy["type"] != "mlp" || len(ck.Params) != len(m.Params()) {
		t.Errorf("fine-tuned checkpoint holds energy %v with %d parameters, want the mlp's %d", ck.Energy["type"], len(ck.Params), len(m.Params()))
	}
}

// TestTrainResume interrupts a run (Ctrl-C arriving after step k) and
// resumes it: the result must be bit-identical to an uninterrupted run:
// parameters, optimizer state, loss.csv (but the seconds) and the
// evaluation history. A failure means some state (objective noise streams,
// replay buffer, optimizer moments, the loss window, the batch order) is
// not saved or not restored. Each registered objective among those listed
// is checked: they keep different state. So is a moving average of the
// parameters ([train] ema), which must also be what the run evaluates and
// what the checkpoint's model holds.
func TestTrainResume(t *testing.T) {
	cases := []struct{ name, typ, keys, train string }{
		{"dsm", "dsm", "sigma = 0.2", ""},
		{"ssm_vr", "ssm_vr", "", ""},
		{"pcd", "pcd", "buffer = 100\nk = 3", ""},
		{"nce", "nce", "nu = 2", ""},
		{"dsm_ema", "dsm", "sigma = 0.2", "ema = 0.9\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(tinyTrain, "type = \"nce\"\nnu = 2", "type = \""+tc.typ+"\"\n"+tc.keys, 1)
			src = strings.Replace(src, "steps = 30", tc.train+"steps = 24", 1)
			src = strings.Replace(src, "checkpoint_every = 10", "checkpoint_every = 5", 1)
			cfg := writeFile(t, "tiny.toml", src)
			straight := filepath.Join(t.TempDir(), "straight")
			if code, _, stderr := cli(t, "run", cfg, "--out", straight, "--quiet"); code != 0 {
				t.Fatalf("straight run: exit %d: %s", code, stderr)
			}

			// Stop after step 13: between checkpoints and inside a loss.csv
			// window, so the window sums and mid-window state must survive.
			dir := filepath.Join(t.TempDir(), "resumed")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			trainStepHook = func(step int64) {
				if step == 13 {
					cancel()
				}
			}
			var o, e strings.Builder
			code := runContext(ctx, []string{"run", cfg, "--out", dir, "--quiet"}, &o, &e)
			trainStepHook = nil
			if code != exitInterrupted {
				t.Fatalf("interrupted run: exit %d, want %d; stderr %s", code, exitInterrupted, e.String())
			}
			if !strings.Contains(e.String(), "--resume "+dir) {
				t.Errorf("the interruption message does not say how to resume: %q", e.String())
			}
			if ck := readCheckpoint(t, dir); ck.Step != 13 {
				t.Fatalf("interrupted run checkpointed step %d, want 13 (the last completed step)", ck.Step)
			}
			if ev := readJSON(t, filepath.Join(dir, "eval.json")); ev["partial"] != true {
				t.Errorf("interrupted run's eval.json is not marked partial")
			}

			if code, _, stderr := cli(t, "run", "--resume", dir, "--quiet"); code != 0 {
				t.Fatalf("resume: exit %d: %s", code, stderr)
			}
			a, b := readCheckpoint(t, straight), readCheckpoint(t, dir)
			if a.Step != 24 || b.Step != 24 {
				t.Fatalf("final steps %d and %d, want 24", a.Step, b.Step)
			}
			for i := range a.Params {
				if math.Float64bits(a.Params[i]) != math.Float64bits(b.Params[i]) {
					t.Fatalf("parameter %d: %v after the straight run, %v after interrupt + resume", i, a.Params[i], b.Params[i])
				}
			}
			for name, v := range a.OptState.Vectors {
				w := b.OptState.Vectors[name]
				for i := range v {
					if math.Float64bits(v[i]) != math.Float64bits(w[i]) {
						t.Fatalf("optimizer state %s[%d] differs: %v vs %v", name, i, v[i], w[i])
					}
				}
			}
			for name, v := range a.Arrays {
				if name == train.ArrayLossRows {
					continue // holds seconds
				}
				w := b.Arrays[name]
				if len(v) != len(w) {
					t.Fatalf("checkpoint array %s: %d vs %d values", name, len(v), len(w))
				}
				for i := range v {
					if math.Float64bits(v[i]) != math.Float64bits(w[i]) && !(math.IsNaN(v[i]) && math.IsNaN(w[i])) {
						t.Fatalf("checkpoint array %s[%d] differs: %v vs %v", name, i, v[i], w[i])
					}
				}
			}
			raw, err := os.ReadFile(filepath.Join(dir, "loss.csv"))
			if err != nil {
				t.Fatal(err)
			}
			header, _, _ := strings.Cut(string(raw), "\n")
			if neg := strings.HasSuffix(header, ",neg_accept,neg_divergences"); neg != (tc.typ == "pcd") {
				t.Errorf("%s: loss.csv header %q: negative-chain columns are for cd and pcd only", tc.typ, header)
			}
			la, _ := readLoss(t, straight)
			lb, _ := readLoss(t, dir)
			if la != lb {
				t.Errorf("loss.csv differs:\nstraight:\n%s\nresumed:\n%s", la, lb)
			}
			ea, eb := readJSON(t, filepath.Join(straight, "eval.json")), readJSON(t, filepath.Join(dir, "eval.json"))
			for _, k := range []string{"nll", "history", "mmd2", "final_loss"} {
				ja, _ := json.Marshal(ea[k])
				jb, _ := json.Marshal(eb[k])
				if string(ja) != string(jb) {
					t.Errorf("eval.json %s differs: %s vs %s", k, ja, jb)
				}
			}
			if man := readJSON(t, filepath.Join(dir, "manifest.json")); len(man["resumed_at"].([]any)) != 1 {
				t.Errorf("manifest resumed_at %v, want [13]", man["resumed_at"])
			}
			if tc.train == "" {
				return
			}
			// The same run without the average trains the same parameters
			// (loss.csv) but evaluates another model.
			plainCfg := writeFile(t, "plain.toml", strings.Replace(src, tc.train, "", 1))
			plain := filepath.Join(t.TempDir(), "plain")
			if code, _, stderr := cli(t, "run", plainCfg, "--out", plain, "--quiet"); code != 0 {
				t.Fatalf("run without ema: exit %d: %s", code, stderr)
			}
			if lp, _ := readLoss(t, plain); lp != la {
				t.Errorf("loss.csv differs with and without ema:\n%s\n%s", lp, la)
			}
			p := readCheckpoint(t, plain)
			if raw := a.Arrays[train.ArrayRawParams]; !slices.Equal(raw, p.Params) || slices.Equal(a.Params, p.Params) {
				t.Errorf("with ema the checkpoint's %s should be the parameters of the run without (equal: %v) and its Params their average (equal to them: %v)", train.ArrayRawParams, slices.Equal(raw, p.Params), slices.Equal(a.Params, p.Params))
			}
			ep := readJSON(t, filepath.Join(plain, "eval.json"))
			if fmt.Sprint(ep["nll"]) == fmt.Sprint(ea["nll"]) || fmt.Sprint(ep["history"]) == fmt.Sprint(ea["history"]) {
				t.Errorf("the held-out NLL and history are the same with and without ema (%v, %v): the average is not what is evaluated", ea["nll"], ea["history"])
			}
		})
	}
}

// TestTrainDivergence trains with an absurd learning rate: the run must
// stop at the first runaway or non-finite loss, gradient or parameter with exit 1 and
// a message naming the step and the kept checkpoint, whose parameters are
// the last finite ones. A failure means a divergence is skipped, replaced,
// or written into the checkpoint.
func TestTrainDivergence(t *testing.T) {
	src := strings.Replace(tinyTrain, "type = \"adam\"\nlr = 0.01", "type = \"sgd\"\nlr = 1e30", 1)
	src = strings.Replace(src, "checkpoint_every = 10", "checkpoint_every = 1", 1)
	cfg := writeFile(t, "diverge.toml", src)
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet")
	if code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitFailure, stderr)
	}
	m := regexp.MustCompile(`step (\d+): .*(not finite|NaN|Inf|ran away).*the last good checkpoint \(step (\d+)\) is kept in (\S+checkpoint\.ebm); lower the learning rate`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("divergence message %q does not name the step, the cause and the kept checkpoint", stderr)
	}
	bad, _ := strconv.Atoi(m[1])
	kept, _ := strconv.Atoi(m[3])
	if kept != bad-1 {
		t.Errorf("diverged at step %d but kept the checkpoint of step %d (checkpoint_every = 1)", bad, kept)
	}
	ck := readCheckpoint(t, out)
	if int(ck.Step) != kept {
		t.Errorf("checkpoint.ebm is at step %d, the message says %d", ck.Step, kept)
	}
	for i, v := range ck.Params {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("the kept checkpoint holds non-finite parameter %d = %v", i, v)
		}
	}
	if man := readJSON(t, filepath.Join(out, "manifest.json")); man["error"] == nil || man["partial"] != true {
		t.Errorf("manifest error %v partial %v, want the error recorded", man["error"], man["partial"])
	}
	for _, name := range []string{"eval.json", "samples.npy"} {
		if _, err := os.Stat(filepath.Join(out, name)); err == nil {
			t.Errorf("%s written for a diverged model", name)
		}
	}
}

// TestTrainBadInput checks the strict-input contract for training configs:
// exit 2, one line naming the file, table, component and key.
func TestTrainBadInput(t *testing.T) {
	cases := []struct {
		name, old, new string
		sets           []string
		want           []string
	}{
		{"unknown train key", "log_every = 5", "log_every = 5\nstepz = 3", nil,
			[]string{"tiny.toml: [train]: unknown key \"stepz\" (did you mean \"steps\"?)"}},
		{"wrong type", "steps = 30", "steps = \"many\"", nil, []string{"[train]: key \"steps\": want an integer"}},
		{"bad train value", "batch_size = 32", "batch_size = 0", nil, []string{"[train]: key \"batch_size\": must be > 0"}},
		{"not trainable", "type = \"mlp\"\ndim = 2\nhidden = [16]\nquadratic = 0.5", "type = \"gaussian\"\nmean = [0.0, 0.0]", nil,
			[]string{"[energy] (gaussian): ", "not trainable", "mlp"}},
		{"dim mismatch", "dim = 2", "dim = 3", nil, []string{"[energy] (mlp): dim = 3 but [data] (moons) has dimension 2"}},
		{"unknown top-level key", "seed = 3", "seed = 3\nsampler = 1", nil, []string{"unknown top-level key \"sampler\"", "(did you mean \"sample\"?)"}},
		{"unknown objective", "type = \"nce\"", "type = \"ncee\"", nil, []string{"[objective]: unknown objective \"ncee\"", "(did you mean \"nce\"?)"}},
		{"objective key", "nu = 2", "nuu = 2", nil, []string{"[objective] (nce): unknown key \"nuu\""}},
		{"sample key", "draws = 2", "drawz = 2", nil, []string{"[sample]: unknown key \"drawz\""}},
		{"sampler key", "draws = 2", "draws = 2\n[sample.sampler]\ntype = \"ula\"\nstep = 1", nil, []string{"[sample.sampler] (ula): unknown key \"step\""}},
		{"eval value", "res = 32", "res = 3", nil, []string{"[eval]: key \"res\": must be ≥ 8"}},
		{"holdout", "log_every = 5", "log_every = 5\nholdout = 1.5", nil, []string{"[train]: key \"holdout\": must be in [0, 1)"}},
		{"set unknown key", "", "", []string{"--set", "train.stepz=5"}, []string{"--set train.stepz=5: [train] has no key \"stepz\""}},
		{"set component key", "", "", []string{"--set", "optimizer.momentum=0.9"}, []string{"--set optimizer.momentum=0.9: [optimizer] (adam) has no key \"momentum\""}},
		{"missing data", "[data]\ntype = \"moons\"\nn = 400\nseed = 5\n", "", nil, []string{"missing [data] table"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tinyTrain
			if tc.old != "" {
				if !strings.Contains(src, tc.old) {
					t.Fatalf("test bug: %q not in the config", tc.old)
				}
				src = strings.Replace(src, tc.old, tc.new, 1)
			}
			cfg := writeFile(t, "tiny.toml", src)
			code, _, stderr := cli(t, append([]string{"validate", cfg}, tc.sets...)...)
			assertUsageError(t, code, stderr, tc.want...)
			code, _, stderr = cli(t, append([]string{"run", cfg, "--out", filepath.Join(t.TempDir(), "o")}, tc.sets...)...)
			assertUsageError(t, code, stderr, tc.want...)
		})
	}

	// --resume misuse.
	cfg := writeFile(t, "tiny.toml", tinyTrain)
	code, _, stderr := cli(t, "run", "--resume", t.TempDir())
	assertUsageError(t, code, stderr, "no config.toml there")
	code, _, stderr = cli(t, "run", cfg, "--resume", t.TempDir())
	assertUsageError(t, code, stderr, "takes no CONFIG")
}

// TestTrainValidate checks that validate accepts a training config, writes
// nothing, and that --set reaches every kind of table.
func TestTrainValidate(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyTrain)
	out := filepath.Join(t.TempDir(), "never")
	code, stdout, stderr := cli(t, "validate", cfg, "--out", out, "--set", "train.steps=50", "--set", "objective.nu=3",
		"--set", "sample.sampler.step_size=0.02", "--set", "optimizer.lr=0.5", "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "ok: training") || !strings.Contains(stdout, "50 steps × batch 32") {
		t.Errorf("validate output %q", stdout)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("validate created the output directory")
	}
	c, err := LoadTrain(cfg, []string{"train.steps=50", "objective.nu=3", "sample.sampler.step_size=0.02", "optimizer.lr=0.5", "run.workers=2"})
	if err != nil {
		t.Fatal(err)
	}
	res := c.ResolvedTOML()
	for _, w := range []string{"steps = 50", "nu = 3.0", "step_size = 0.02", "lr = 0.5", "workers = 2"} {
		if !strings.Contains(res, w) {
			t.Errorf("resolved config lacks %q:\n%s", w, res)
		}
	}
	if _, err := Load(cfg, nil); err == nil || !strings.Contains(err.Error(), "LoadTrain") {
		t.Errorf("Load on a training config: %v, want a pointer to LoadTrain", err)
	}
}

// TestTrainConfigs runs every shipped training config, shrunk with --set,
// and checks that every output exists and eval.json parses: a config that
// rots fails here. A config whose objective is not registered yet is
// skipped, naming it.
func TestTrainConfigs(t *testing.T) {
	files, _ := filepath.Glob("../configs/train_*.toml")
	if len(files) < 6 {
		t.Fatalf("found %d training configs, want 6", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := LoadTrain(f, []string{"data.n=500"})
			if err != nil {
				skipMissingImages(t, f, err)
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"run", f, "--out", out, "--quiet",
				"--set", "train.steps=20", "--set", "train.batch_size=64", "--set", "train.eval_every=10",
				"--set", "data.n=500", "--set", "eval.res=32",
				"--set", "sample.chains=32", "--set", "sample.warmup=" + strconv.Itoa(min(c.Sample.Warmup, 20)), "--set", "sample.draws=1"}
			figure := "density.png"
			if c.Data.Dim() > 3 { // an image recipe: fewer Langevin steps, and image grids
				args, figure = append(args, imageRecipeSets(c)...), "data.png"
			}
			code, _, stderr := cli(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, name := range []string{"config.toml", "loss.csv", "checkpoint.ebm", "eval.json", figure, "samples.npy", "samples.png", "manifest.json"} {
				if _, err := os.Stat(filepath.Join(out, name)); err != nil {
					t.Errorf("%s missing", name)
				}
			}
			ev := readJSON(t, filepath.Join(out, "eval.json"))
			if ev["steps"] != 20.0 || ev["partial"] != false {
				t.Errorf("eval.json steps %v partial %v", ev["steps"], ev["partial"])
			}
		})
	}
}

// TestTrainInterruptEvaluation stops a run during its evaluation, after
// the last training step: it must exit 130 with the final checkpoint and a
// partial eval.json, and --resume must redo the evaluation without training
// again, giving the NLL of an uninterrupted run. A failure means an
// interruption after training loses the model or its evaluation.
func TestTrainInterruptEvaluation(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyTrain)
	straight := filepath.Join(t.TempDir(), "straight")
	if code, _, stderr := cli(t, "run", cfg, "--out", straight, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dir := filepath.Join(t.TempDir(), "cut")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trainStepHook = func(step int64) {
		if step == 30 {
			cancel()
		}
	}
	var o, e strings.Builder
	code := runContext(ctx, []string{"run", cfg, "--out", dir, "--quiet"}, &o, &e)
	trainStepHook = nil
	if code != exitInterrupted || !strings.Contains(e.String(), "interrupted evaluation at step 30 of 30") {
		t.Fatalf("exit %d (want %d), stderr %q", code, exitInterrupted, e.String())
	}
	if ck := readCheckpoint(t, dir); ck.Step != 30 {
		t.Errorf("checkpoint at step %d, want 30", ck.Step)
	}
	if ev := readJSON(t, filepath.Join(dir, "eval.json")); ev["partial"] != true || ev["nll"] != nil {
		t.Errorf("eval.json partial %v nll %v, want a partial file without an NLL", ev["partial"], ev["nll"])
	}
	code, stdout, stderr := cli(t, "run", "--resume", dir, "--quiet")
	if code != 0 || !strings.Contains(stdout, "training was complete (step 30 of 30)") {
		t.Fatalf("resume: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	a, b := readJSON(t, filepath.Join(straight, "eval.json")), readJSON(t, filepath.Join(dir, "eval.json"))
	if a["nll"] != b["nll"] || b["partial"] != false || a["mmd2"] != b["mmd2"] {
		t.Errorf("after resume: nll %v (straight %v), mmd2 %v (straight %v), partial %v", b["nll"], a["nll"], b["mmd2"], a["mmd2"], b["partial"])
	}
}

// ExampleParseTrain loads a training config: defaults are filled in, and
// the default sampler of the trained model is ULA with 500 warmup steps.
func ExampleParseTrain() {
	src := `
[data]
type = "moons"
n = 1000

[energy]
type = "mlp"
hidden = [32, 32]

[objective]
type = "nce"

[train]
steps = 200
`
	c, err := ParseTrain("moons.toml", []byte(src), []string{"train.batch_size=64"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %s on %s (dim %d), %s, %d steps × %d rows, %.0f%% held out\n",
		c.Name, c.ObjectiveType, c.DataType, c.Model.Dim(), c.OptimizerType, c.Train.Steps, c.Train.BatchSize, 100*c.Train.Holdout)
	fmt.Printf("then %s: %d chains × (%d warmup + %d draws)\n", c.Sample.Sampler.Type, c.Sample.Chains, c.Sample.Warmup, c.Sample.Draws)
	// Output:
	// moons: nce on moons (dim 2), adam, 200 steps × 64 rows, 20% held out
	// then ula: 1000 chains × (500 warmup + 1 draws)
}

// TestTrainHighDim trains on 4-D points read from a CSV file beside the
// config (a relative path): the NLL, exact only by quadrature in up to 3
// dimensions, must be skipped with a note rather than computed wrongly or
// failing, and density.png (2-D only) left out; the MMD is still given.
func TestTrainHighDim(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	r := rng.New(1, 0)
	for range 200 {
		for j := range 4 {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(strconv.FormatFloat(r.Norm(), 'g', -1, 64))
		}
		b.WriteString("\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "points.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(tinyTrain, "type = \"moons\"\nn = 400\nseed = 5", "type = \"csv\"\npath = \"points.csv\"", 1)
	src = strings.Replace(src, "dim = 2\n", "", 1) // the data's dimension by default
	cfg := filepath.Join(dir, "hd.toml")
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ev := readJSON(t, filepath.Join(out, "eval.json"))
	if ev["dim"] != 4.0 || ev["nll"] != nil || ev["grid"] != nil || ev["history"] == nil || len(ev["history"].([]any)) != 0 {
		t.Errorf("eval.json dim %v nll %v grid %v history %v, want dim 4 with no NLL, grid or history", ev["dim"], ev["nll"], ev["grid"], ev["history"])
	}
	if notes := fmt.Sprint(ev["notes"]); !strings.Contains(notes, "NLL skipped: the data has dimension 4") {
		t.Errorf("eval.json notes %s do not say why the NLL is missing", notes)
	}
	if v, ok := ev["mmd2"].(float64); !ok || math.IsNaN(v) {
		t.Errorf("eval.json mmd2 = %v, want a number", ev["mmd2"])
	}
	if _, err := os.Stat(filepath.Join(out, "density.png")); err == nil {
		t.Error("density.png written for 4-D data")
	}
}
