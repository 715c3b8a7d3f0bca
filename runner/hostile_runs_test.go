package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/fileio"
)

// The run-directory part of the hostile-input catalogue: --resume with a
// changed model, objective, data or training, the changes it allows,
// extending a finished run, a sampling directory given to --resume, output
// directories holding other runs, --force, and a loss that runs away.
//
// A case's files may hold the key "@RUN" naming a prepared run directory
// (see preparedRuns): its files are copied into the case's "run/"
// directory, then the case's other files are written over them; a value
// "@EDIT old→new" for a file name edits that file of the prepared run.

// tinySampling is a sampling config that runs in a few milliseconds.
const tinySampling = `name = "tiny-sampling"
seed = 1

[energy]
type = "gaussian"
mean = [0.0, 0.0]

[sampler]
type = "mh"

[run]
chains = 4
warmup = 10
draws = 20
`

// edit marks a file of a prepared run to edit: "@EDIT old→new".
func edit(old, new string) string { return "@EDIT " + old + "→" + new }

var hostileRuns = []hostileCase{
	// --resume compares the checkpoint's tables with the config.
	{name: "resume/activation edited", files: map[string]string{"@RUN": "finished", "run/config.toml": edit(`activation = "silu"`, `activation = "tanh"`)},
		args: []string{"run", "--resume", "$DIR/run", "--quiet"}, code: 2,
		want: []string{`energy.activation "silu" → "tanh"`, "continues the same model, objective and data"}},
	{name: "resume/quadratic edited", files: map[string]string{"@RUN": "finished", "run/config.toml": edit(`quadratic = 0.5`, `quadratic = 0.25`)},
		args: []string{"run", "--resume", "$DIR/run", "--quiet"}, code: 2, want: []string{"energy.quadratic 0.5 → 0.25"}},
	{name: "resume/objective key edited", files: map[string]string{"@RUN": "finished", "run/config.toml": edit(`nu = 2`, `nu = 3`)},
		args: []string{"run", "--resume", "$DIR/run", "--quiet"}, code: 2, want: []string{"objective.nu 2.0 → 3.0"}},
	{name: "resume/nested objective sampler edited", files: map[string]string{"@RUN": "pcd", "run/config.toml": edit("step_size = 0.01", "step_size = 0.02")},
		args: []string{"run", "--resume", "$DIR/run", "--quiet"}, code: 2, want: []string{"objective.sampler.step_size 0.01 → 0.02"}},
	{name: "resume/data edited", files: map[string]string{"@RUN": "finished", "run/config.toml": edit(`n = 400`, `n = 500`)},
		args: []string{"run", "--resume", "$DIR/run", "--quiet"}, code: 2, want: []string{"data.n 400 → 500"}},
	{name: "resume/optimizer key edited", files: map[string]string{"@RUN": "finished", "run/config.toml": edit(`beta1 = 0.9`, `beta1 = 0.8`)},
		args: []string{"run", "--resume", "$DIR/run", "--quiet"}, code: 2, want: []string{`optimizer.beta1 0.9 → 0.8`}},
	{name: "resume/batch size edited", files: map[string]string{"@RUN": "finished", "run/config.toml": edit(`batch_size = 32`, `batch_size = 16`)},
		args: []string{"run", "--resume", "$DIR/run", "--quiet"}, code: 2, want: []string{"train.batch_size 32 → 16"}},
	{name: "resume/--set of a model key", files: map[string]string{"@RUN": "finished"},
		args: []string{"run", "--resume", "$DIR/run", "--set", "energy.hidden=[8]"}, code: 2,
		want: []string{"--set energy.hidden=[8] cannot change a resumed run", "train.steps"}},
	{name: "resume/--set batch size", files: map[string]string{"@RUN": "finished"},
		args: []string{"run", "--resume", "$DIR/run", "--set", "train.batch_size=8"}, code: 2, want: []string{"--set train.batch_size=8 cannot change"}},
	{name: "resume/--seed", files: map[string]string{"@RUN": "finished"},
		args: []string{"run", "--resume", "$DIR/run", "--seed", "4"}, code: 2, want: []string{"--set seed=4 cannot change"}},
	{name: "resume/shorten", files: map[string]string{"@RUN": "finished"},
		args: []string{"run", "--resume", "$DIR/run", "--set", "train.steps=10", "--quiet"}, code: 2, want: []string{"a run cannot be shortened"}},

	// What --resume allows, said on the terminal.
	{name: "resume/extend a finished run", files: map[string]string{"@RUN": "finished"},
		args: []string{"run", "--resume", "$DIR/run", "--set", "train.steps=40", "--quiet"}, code: 0,
		want: []string{"resuming with train.steps 30 → 40", "40 steps (resumed at step 30)"},
		check: func(t *testing.T, dir, _, _ string) {
			if b, _ := os.ReadFile(filepath.Join(dir, "run", "config.toml")); !strings.Contains(string(b), "steps = 40") || !strings.HasPrefix(string(b), "# resolved from ") {
				t.Errorf("config.toml not rewritten with steps = 40:\n%s", b)
			}
		}},
	{name: "resume/new lr and logging", files: map[string]string{"@RUN": "partial"},
		args: []string{"run", "--resume", "$DIR/run", "--set", "optimizer.lr=0.005", "--set", "train.log_every=3", "--quiet"}, code: 0,
		want: []string{"resuming with optimizer.lr 0.01 → 0.005", "resuming with train.log_every 5 → 3", "(resumed at step 10)"}},
	{name: "resume/sample settings of a finished run", files: map[string]string{"@RUN": "finished"},
		args: []string{"run", "--resume", "$DIR/run", "--set", "sample.chains=16", "--quiet"}, code: 0,
		want: []string{"resuming with sample.chains 64 → 16", "training was complete", "16 chains"}},
	{name: "resume/partial run continues", files: map[string]string{"@RUN": "partial", "run/.checkpoint.ebm.tmp4242": "orphan"},
		args: []string{"run", "--resume", "$DIR/run", "--quiet"}, code: 0, want: []string{"30 steps (resumed at step 10)"},
		check: func(t *testing.T, dir, _, _ string) {
			if _, err := os.Stat(filepath.Join(dir, "run", ".checkpoint.ebm.tmp4242")); err == nil {
				t.Error("the orphaned temporary checkpoint is still there after the resume")
			}
			if _, err := os.Stat(filepath.Join(dir, "run", fileio.LockName)); err == nil {
				t.Error("the lock file is left after the run")
			}
		}},
	{name: "resume/old checkpoint without tables", files: map[string]string{"@RUN": "old"},
		args: []string{"run", "--resume", "$DIR/run", "--quiet"}, code: 0,
		want: []string{"[objective], [data], [train] could not be checked", "(resumed at step 10)"}},
	{name: "resume/sampling directory", files: map[string]string{"@RUN": "sampling"},
		args: []string{"run", "--resume", "$DIR/run"}, code: 2,
		want: []string{"holds a sampling run: sampling runs are not resumable", "ebmrun run $DIR/run/config.toml --out $DIR/run"}},
	{name: "resume/--force", files: map[string]string{"@RUN": "partial"},
		args: []string{"run", "--resume", "$DIR/run", "--force"}, code: 2, want: []string{"--force cannot be used with --resume"}},

	// Output directories holding other runs.
	{name: "out/training config into a partial training run", files: map[string]string{"@RUN": "partial", "t.toml": tinyTrain},
		args: []string{"run", "$DIR/t.toml", "--out", "$DIR/run", "--quiet"}, code: 2,
		want: []string{`partial outputs of a training run "tiny-train"`, "ebmrun run --resume $DIR/run", "--force"},
		check: func(t *testing.T, dir, _, _ string) {
			if m := readJSON(t, filepath.Join(dir, "run", "manifest.json")); m["steps"] != 10.0 {
				t.Errorf("the partial run was touched: manifest steps %v", m["steps"])
			}
		}},
	{name: "out/--force replaces a partial training run", files: map[string]string{"@RUN": "partial", "t.toml": tinyTrain},
		args: []string{"run", "$DIR/t.toml", "--out", "$DIR/run", "--quiet", "--force"}, code: 0,
		want: []string{`--force: removing the partial outputs of a training run "tiny-train"`, "30 steps,"}},
	{name: "out/sampling config into a training run", files: map[string]string{"@RUN": "partial", "s.toml": tinySampling},
		args: []string{"run", "$DIR/s.toml", "--out", "$DIR/run", "--quiet"}, code: 2,
		want: []string{"training run", "--resume"},
		check: func(t *testing.T, dir, _, _ string) {
			if b, _ := os.ReadFile(filepath.Join(dir, "run", "config.toml")); !strings.Contains(string(b), "tiny-train") {
				t.Error("the training run's config.toml was overwritten")
			}
		}},
	{name: "out/sampling --force over a training run leaves no training file", files: map[string]string{"@RUN": "finished", "s.toml": tinySampling},
		args: []string{"run", "$DIR/s.toml", "--out", "$DIR/run", "--quiet", "--force"}, code: 0,
		check: func(t *testing.T, dir, _, _ string) {
			for _, f := range []string{"checkpoint.ebm", "loss.csv", "eval.json", "density.png"} {
				if _, err := os.Stat(filepath.Join(dir, "run", f)); err == nil {
					t.Errorf("%s of the earlier training run is mixed into the sampling run's directory", f)
				}
			}
		}},
	{name: "out/training config into a finished sampling run", files: map[string]string{"@RUN": "sampling", "t.toml": tinyTrain},
		args: []string{"run", "$DIR/t.toml", "--out", "$DIR/run", "--quiet"}, code: 2,
		want: []string{`outputs of a sampling run "tiny-sampling"`, "--force"}},
	{name: "out/another sampling run's directory", files: map[string]string{"@RUN": "sampling", "s.toml": strings.Replace(tinySampling, "tiny-sampling", "other", 1)},
		args: []string{"run", "$DIR/s.toml", "--out", "$DIR/run", "--quiet"}, code: 2, want: []string{`sampling run "tiny-sampling"`}},
	{name: "out/rerun of the same sampling config", files: map[string]string{"@RUN": "sampling", "s.toml": tinySampling},
		args: []string{"run", "$DIR/s.toml", "--out", "$DIR/run", "--quiet", "--set", "run.draws=30"}, code: 0, want: []string{"4 chains × 30 draws"}},
	{name: "out/rerun of the same finished training config", files: map[string]string{"@RUN": "finished", "t.toml": tinyTrain},
		args: []string{"run", "$DIR/t.toml", "--out", "$DIR/run", "--quiet"}, code: 0, want: []string{"30 steps,"}},
	{name: "out/a config.toml ebmrun did not write", files: map[string]string{"config.toml": "# mine\n", "s.toml": tinySampling},
		args: []string{"run", "$DIR/s.toml", "--out", "$DIR", "--quiet"}, code: 2, want: []string{"config.toml that ebmrun did not write"},
		check: func(t *testing.T, dir, _, _ string) {
			if b, _ := os.ReadFile(filepath.Join(dir, "config.toml")); string(b) != "# mine\n" {
				t.Error("the user's config.toml was overwritten")
			}
		}},

	// A finite loss that runs away stops the run.
	{name: "train/runaway loss", files: map[string]string{"t.toml": strings.Replace(tinyTrain, "lr = 0.01", "lr = 1e4", 1)},
		args: []string{"run", "$DIR/t.toml", "--out", "$DIR/out", "--quiet"}, code: 1,
		want: []string{"step 2: the loss ran away to", "training stopped", "lower the learning rate"}},
}

// preparedRuns builds, once, the run directories cases start from:
// "finished" (tinyTrain, 30 steps), "partial" (stopped at step 10 of 30),
// "old" (partial, with a checkpoint written before config tables were
// stored), "pcd" (a finished pcd run, whose objective has a nested
// sampler) and "sampling" (tinySampling). Each is its files by name.
var preparedRuns = sync.OnceValues(func() (map[string]map[string]string, error) {
	root, err := os.MkdirTemp("", "ebm-hostile-runs-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	runs := map[string]map[string]string{}
	cfg := filepath.Join(root, "t.toml")
	pcd := strings.Replace(tinyTrain, "type = \"nce\"\nnu = 2", "type = \"pcd\"\nbuffer = 64\n\n[objective.sampler]\ntype = \"ula\"\nstep_size = 0.01", 1)
	for name, src := range map[string]string{"t.toml": tinyTrain, "s.toml": tinySampling, "p.toml": pcd} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(src), 0o644); err != nil {
			return nil, err
		}
	}
	var errb strings.Builder
	for _, r := range []struct {
		name string
		args []string
	}{
		{"finished", []string{"run", cfg, "--quiet"}},
		{"partial", []string{"run", cfg, "--quiet", "--set", "train.steps=10"}},
		{"old", []string{"run", cfg, "--quiet", "--set", "train.steps=10"}},
		{"pcd", []string{"run", filepath.Join(root, "p.toml"), "--quiet", "--set", "train.steps=5"}},
		{"sampling", []string{"run", filepath.Join(root, "s.toml"), "--quiet"}},
	} {
		dir := filepath.Join(root, r.name)
		if code := runContext(context.Background(), append(r.args, "--out", dir), &errb, &errb); code != 0 {
			return nil, &exitError{code, errorString("preparing " + r.name + ": " + errb.String())}
		}
		if r.name == "partial" || r.name == "old" {
			// As if stopped at step 10 of 30.
			replaceIn(filepath.Join(dir, "config.toml"), "steps = 10", "steps = 30")
			replaceIn(filepath.Join(dir, "manifest.json"), `"partial": false`, `"partial": true`)
		}
		if r.name == "old" {
			p := filepath.Join(dir, "checkpoint.ebm")
			f, err := checkpoint.Read(p)
			if err != nil {
				return nil, err
			}
			f.Tables = nil
			if err := checkpoint.Write(p, f); err != nil {
				return nil, err
			}
		}
		files := map[string]string{}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			files[e.Name()] = string(b)
		}
		runs[r.name] = files
	}
	return runs, nil
})

type errorString string

func (e errorString) Error() string { return string(e) }

// replaceIn replaces old by new in the file at path (once).
func replaceIn(path, old, new string) {
	b, err := os.ReadFile(path)
	if err == nil {
		os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644)
	}
}

// expandRuns returns the cases with their "@RUN" and "@EDIT" files
// expanded from the prepared runs.
func expandRuns(t *testing.T, cases []hostileCase) []hostileCase {
	t.Helper()
	var out []hostileCase
	for _, c := range cases {
		name, ok := c.files["@RUN"]
		if !ok {
			out = append(out, c)
			continue
		}
		runs, err := preparedRuns()
		if err != nil {
			t.Fatal(err)
		}
		run, ok := runs[name]
		if !ok {
			t.Fatalf("case %s: no prepared run %q", c.name, name)
		}
		files := map[string]string{}
		for f, content := range run {
			files["run/"+f] = content
		}
		for f, content := range c.files {
			switch {
			case f == "@RUN":
			case strings.HasPrefix(content, "@EDIT "):
				old, new, _ := strings.Cut(strings.TrimPrefix(content, "@EDIT "), "→")
				if !strings.Contains(files[f], old) {
					t.Fatalf("case %s: %s of run %q lacks %q", c.name, f, name, old)
				}
				files[f] = strings.Replace(files[f], old, new, 1)
			default:
				files[f] = content
			}
		}
		c.files = files
		out = append(out, c)
	}
	return out
}

func TestHostileRuns(t *testing.T) { runHostile(t, expandRuns(t, hostileRuns)) }

// TestOutDirLocked: a run refuses a directory whose lock another writer
// holds, and leaves it alone. A failure means two runs on the same --out
// interleave their files.
func TestOutDirLocked(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "s.toml", tinySampling)
	l, err := fileio.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	code, _, stderr := cli(t, "run", cfg, "--out", dir, "--quiet")
	assertUsageError(t, code, stderr, "output directory "+dir+" is in use", "another ebmrun", "choose another --out")
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); err == nil {
		t.Error("the run wrote into the locked directory")
	}
}
