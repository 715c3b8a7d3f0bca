package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile sizes: requests for absurd amounts of memory, configs that blow
// up the TOML parser, quadrature grids beyond what log Z evaluates and
// batches larger than the data. Each must be refused (exit 2, one line per
// problem naming the file, the table and the keys, with the estimate)
// before anything of that size is allocated, and large but sane values
// must still pass. The tests run under EBM_MEMORY_LIMIT=2GiB, so nothing
// here allocates gigabytes.

// sizesSampling is a small sampling config; %s is replaced by extra tables.
const sizesSampling = `[energy]
type = "banana"

[sampler]
type = "mh"

[run]
chains = 4
warmup = 10
draws = 10
`

// sizesFunnel is a small funnel config.
const sizesFunnel = `[energy]
type = "funnel"
dim = 1000000000

[sampler]
type = "mh"

[run]
chains = 4
warmup = 10
draws = 10
`

// sizesTrain is a small training config whose tables the cases extend.
const sizesTrain = `[data]
type = "moons"
n = 200

[energy]
type = "mlp"
hidden = [8]

[objective]
type = "dsm"

[train]
steps = 3
batch_size = 16

[sample]
chains = 10
warmup = 2
`

// sizesPCD is sizesTrain with a pcd objective.
var sizesPCD = strings.Replace(sizesTrain, `type = "dsm"`, "type = \"pcd\"\nbuffer = 1000000000000", 1)

// floats is n comma-separated zeros: a long mean vector.
func floats(n int) string { return strings.TrimSuffix(strings.Repeat("0.0,", n), ",") }

var hostileSizes = []hostileCase{
	{
		name:  "run.chains=1e9 via --set",
		files: map[string]string{"c.toml": sizesSampling},
		args:  []string{"validate", "$DIR/c.toml", "--set", "run.chains=1000000000"},
		code:  exitUsage,
		want:  []string{`$DIR/c.toml: [run]: keys "chains", "draws": needs about 368 GB of memory`, "1000000000 × 10 × 3 × 8", "EBM_MEMORY_LIMIT=2GiB"},
	},
	{
		name:  "run.chains=1e9 in the file, with run",
		files: map[string]string{"c.toml": strings.Replace(sizesSampling, "chains = 4", "chains = 1000000000", 1)},
		args:  []string{"run", "$DIR/c.toml", "--out", "$DIR/out"},
		code:  exitUsage,
		want:  []string{`[run]: keys "chains", "draws": needs about 368 GB`},
		check: func(t *testing.T, dir, _, _ string) {
			if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
				t.Error("a refused run created its output directory")
			}
		},
	},
	{
		name:  "run.draws=1e12 via --set",
		files: map[string]string{"c.toml": sizesSampling},
		args:  []string{"validate", "$DIR/c.toml", "--set", "run.draws=1000000000000"},
		code:  exitUsage,
		want:  []string{`[run]: keys "chains", "draws": needs about 96000 GB`},
	},
	{
		name:  "run.draws=1e12 in the file",
		files: map[string]string{"c.toml": strings.Replace(sizesSampling, "draws = 10", "draws = 1_000_000_000_000", 1)},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{`[run]: keys "chains", "draws": needs about`},
	},
	{
		name:  "run.draws=1e12 written as a float is refused as an integer",
		files: map[string]string{"c.toml": sizesSampling},
		args:  []string{"validate", "$DIR/c.toml", "--set", "run.draws=1e12"},
		code:  exitUsage,
		want:  []string{"draws"},
	},
	{
		name:  "several samplers multiply the kept draws",
		files: map[string]string{"c.toml": strings.Replace(strings.Replace(sizesSampling, "[sampler]\ntype = \"mh\"", "[[sampler]]\ntype = \"mh\"\n[[sampler]]\ntype = \"mh\"", 1), "chains = 4", "chains = 10000000", 1)},
		args:  []string{"validate", "$DIR/c.toml", "--set", "run.draws=10"},
		code:  exitUsage,
		want:  []string{"× 2 samplers", "needs about 6.1 GB"},
	},
	{
		name:  "funnel energy.dim=1e9 via --set",
		files: map[string]string{"c.toml": strings.Replace(sizesFunnel, "dim = 1000000000", "dim = 10", 1)},
		args:  []string{"validate", "$DIR/c.toml", "--set", "energy.dim=1000000000"},
		code:  exitUsage,
		want:  []string{`$DIR/c.toml: [energy] (funnel): key "dim": needs about 80.0 GB of memory (one chain's state`},
	},
	{
		name:  "funnel dim=1e9 in the file, with run",
		files: map[string]string{"c.toml": sizesFunnel},
		args:  []string{"run", "$DIR/c.toml", "--out", "$DIR/out"},
		code:  exitUsage,
		want:  []string{`[energy] (funnel): key "dim": needs about 80.0 GB`},
	},
	{
		name:  "funnel dim=1e8 fits one chain but not the run",
		files: map[string]string{"c.toml": strings.Replace(sizesFunnel, "dim = 1000000000", "dim = 10000000", 1)},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{`[run]: keys "chains", "draws": needs about`, "dim = 10000000 from [energy]"},
	},
	{
		name:  "gaussian with a mean of 20000 values: its covariance is refused",
		files: map[string]string{"c.toml": "[energy]\ntype = \"gaussian\"\nmean = [" + floats(20000) + "]\n[sampler]\ntype = \"mh\"\n"},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{`[energy] (gaussian): key "mean": needs about 3.2 GB of memory (the covariance matrix`},
	},
	{
		name:  "gmm with two means of 15000 values",
		files: map[string]string{"c.toml": "[energy]\ntype = \"gmm\"\nmeans = [[" + floats(15000) + "], [" + floats(15000) + "]]\n[sampler]\ntype = \"mh\"\n"},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{`[energy] (gmm): key "means": needs about 5.4 GB`},
	},
	{
		name:  "mlp hidden=[100000,100000] via --set",
		files: map[string]string{"c.toml": sizesTrain},
		args:  []string{"validate", "$DIR/c.toml", "--set", "energy.hidden=[100000,100000]"},
		code:  exitUsage,
		want:  []string{`$DIR/c.toml: [energy] (mlp): key "hidden": needs about 240 GB of memory (10000500001 parameters`},
	},
	{
		name:  "mlp hidden=[100000,100000] in the file, with run",
		files: map[string]string{"c.toml": strings.Replace(sizesTrain, "hidden = [8]", "hidden = [100000, 100000]", 1)},
		args:  []string{"run", "$DIR/c.toml", "--out", "$DIR/out"},
		code:  exitUsage,
		want:  []string{`[energy] (mlp): key "hidden": needs about 240 GB`},
	},
	{
		name:  "mlp whose parameters fit but not with the optimizer's moments",
		files: map[string]string{"c.toml": sizesTrain},
		args:  []string{"validate", "$DIR/c.toml", "--set", "energy.hidden=[9000,9000]"},
		code:  exitUsage,
		want:  []string{`[energy] (mlp): key "hidden": needs about 3.2 GB`, "gradient and optimizer moments"},
	},
	{
		name:  "pcd buffer=1e12 in the file",
		files: map[string]string{"c.toml": sizesPCD},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{`$DIR/c.toml: [objective] (pcd): key "buffer": needs about 24000 GB of memory (replay buffer: buffer × (dim + 1) × 8 bytes, buffer = 1000000000000, dim = 2)`},
	},
	{
		name:  "pcd buffer=1e12 via --set",
		files: map[string]string{"c.toml": strings.Replace(sizesTrain, `type = "dsm"`, `type = "pcd"`, 1)},
		args:  []string{"validate", "$DIR/c.toml", "--set", "objective.buffer=1000000000000"},
		code:  exitUsage,
		want:  []string{`[objective] (pcd): key "buffer": needs about 24000 GB`},
	},
	{
		name:  "sample.chains=1e9 in a training config",
		files: map[string]string{"c.toml": sizesTrain},
		args:  []string{"validate", "$DIR/c.toml", "--set", "sample.chains=1000000000"},
		code:  exitUsage,
		want:  []string{`[sample]: keys "chains", "draws": needs about`},
	},
	{
		name:  "train.batch_size=1e12: memory refused, and warned",
		files: map[string]string{"c.toml": sizesTrain},
		args:  []string{"validate", "$DIR/c.toml", "--set", "train.batch_size=1000000000000"},
		code:  exitUsage,
		want:  []string{`[train]: key "batch_size": needs about`},
	},
	{
		name:  "eval res=1000000 in 2-D is refused by validate",
		files: map[string]string{"c.toml": sizesTrain + "\n[eval]\nres = 1000000\n"},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{`$DIR/c.toml: [eval]: key "res": res = 1000000 makes a quadrature grid of res^2 = 1000000000000 points`, "use res ≤ 32768"},
	},
	{
		name:  "eval res=1000000 via --set, with run",
		files: map[string]string{"c.toml": sizesTrain},
		args:  []string{"run", "$DIR/c.toml", "--out", "$DIR/out", "--set", "eval.res=1000000"},
		code:  exitUsage,
		want:  []string{`[eval]: key "res"`},
	},
	{
		name:  "eval res=30000 in 2-D is large but valid",
		files: map[string]string{"c.toml": sizesTrain + "\n[eval]\nres = 30000\n"},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  0,
		want:  []string{"ok: training"},
	},
	{
		name:  "batch_size above the training rows warns",
		files: map[string]string{"c.toml": sizesTrain},
		args:  []string{"validate", "$DIR/c.toml", "--set", "train.batch_size=500"},
		code:  0,
		want:  []string{"ebmrun: warning: $DIR/c.toml: [train]: batch_size = 500 is larger than the 160 training rows (200 rows, holdout 0.2)", "ok: training"},
	},
	{
		name:  "batch_size equal to the training rows does not warn",
		files: map[string]string{"c.toml": sizesTrain},
		args:  []string{"validate", "$DIR/c.toml", "--set", "train.batch_size=160"},
		code:  0,
		check: func(t *testing.T, _, _, stderr string) {
			if strings.Contains(stderr, "batch_size") {
				t.Errorf("a batch of exactly the training rows warned: %s", stderr)
			}
		},
	},
	{
		name:  "5000 nested inline tables are refused before parsing",
		files: map[string]string{"c.toml": "[energy]\ntype = \"banana\"\n\nx = " + strings.Repeat("{a=", 5000) + "1" + strings.Repeat("}", 5000) + "\n"},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{"$DIR/c.toml:4: arrays and inline tables nested more than 64 levels deep"},
	},
	{
		name:  "100 nested arrays are refused",
		files: map[string]string{"c.toml": "[energy]\ntype = \"gmm\"\nmeans = " + strings.Repeat("[", 100) + "0.0" + strings.Repeat("]", 100) + "\n"},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{"$DIR/c.toml:3: arrays and inline tables nested more than 64 levels deep"},
	},
	{
		name:  "brackets in comments and strings do not count as nesting",
		files: map[string]string{"c.toml": "# " + strings.Repeat("[{", 200) + "\n" + strings.Replace(sizesSampling, `type = "mh"`, "type = \"mh\" # "+strings.Repeat("{", 100), 1)},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  0,
		want:  []string{"ok"},
	},
	{
		name:  "brackets in a string key do not count as nesting",
		files: map[string]string{"c.toml": "[energy]\ntype = \"banana\"\n\"" + strings.Repeat("[", 100) + "\" = 1\n[sampler]\ntype = \"mh\"\n"},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{`unknown key "` + strings.Repeat("[", 100)},
	},
	{
		name:  "a config over 1 MiB is refused without parsing",
		files: map[string]string{"c.toml": sizesSampling + "# " + strings.Repeat("x", 1<<20) + "\n"},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  exitUsage,
		want:  []string{"$DIR/c.toml: the config is 1048577 bytes, more than the 1048576 (1 MiB) a config may have"},
	},
	{
		name:  "large but feasible sampling runs still validate",
		files: map[string]string{"c.toml": sizesSampling},
		args:  []string{"validate", "$DIR/c.toml", "--set", "run.chains=100000", "--set", "run.draws=100"},
		code:  0,
		want:  []string{"ok"},
	},
	{
		name:  "a funnel of dimension 100000 with few draws still validates",
		files: map[string]string{"c.toml": strings.Replace(sizesFunnel, "dim = 1000000000", "dim = 100000", 1)},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  0,
		want:  []string{"ok"},
	},
	{
		name:  "mlp hidden=[512,512] and pcd buffer=100000 still validate",
		files: map[string]string{"c.toml": strings.Replace(strings.Replace(sizesPCD, "buffer = 1000000000000", "buffer = 100000", 1), "hidden = [8]", "hidden = [512, 512]", 1)},
		args:  []string{"validate", "$DIR/c.toml"},
		code:  0,
		want:  []string{"ok: training"},
	},
}

func TestHostileSizes(t *testing.T) {
	t.Setenv(memoryEnv, "2GiB")
	runHostile(t, hostileSizes)
}

// TestMemoryLimitEnv checks EBM_MEMORY_LIMIT: a bad value is an input
// error naming the variable, "off" lifts the limit, and a tiny limit
// refuses even a small run, naming the estimate.
func TestMemoryLimitEnv(t *testing.T) {
	cfg := writeFile(t, "c.toml", sizesSampling)
	t.Setenv(memoryEnv, "lots")
	code, _, stderr := cli(t, "validate", cfg)
	assertUsageError(t, code, stderr, `EBM_MEMORY_LIMIT="lots": not a size`)

	t.Setenv(memoryEnv, "1KiB")
	code, _, stderr = cli(t, "validate", cfg)
	assertUsageError(t, code, stderr, `[run]: keys "chains", "draws": needs about`, "more than the 1e-06 GB allowed (EBM_MEMORY_LIMIT=1KiB)")

	t.Setenv(memoryEnv, "off")
	if code, _, stderr = cli(t, "validate", cfg, "--set", "run.chains=1000000000"); code != 0 {
		t.Errorf("EBM_MEMORY_LIMIT=off: exit %d: %s", code, stderr)
	}
}

// TestParseSize checks the units EBM_MEMORY_LIMIT takes.
func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"8GiB": 8 << 30, "8GB": 8e9, "8g": 8e9, "512MiB": 512 << 20, "1e9": 1e9, " 3 kB ": 3000, "1.5Gi": 3 << 29, "100": 100} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GiB", "-1GiB", "0", "8XB", "1e30"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}
