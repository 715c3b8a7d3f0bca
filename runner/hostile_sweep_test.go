package runner

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinySweep is a 2×2 grid over tinyConfig, written as c.toml beside it.
const tinySweep = `base = "c.toml"
out = "out"

[grid]
"sampler.scale" = [0.5, 0.8]
seed = [1, 2]
`

// hostileSweep: sweep and collect given what they cannot use.
var hostileSweep = []hostileCase{
	{name: "sweep index out of range", files: map[string]string{"c.toml": tinyConfig, "s.toml": tinySweep},
		args: []string{"sweep", "$DIR/s.toml", "--index", "4", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"$DIR/s.toml", "--index 4", "point 4 is out of range", "4 points, numbered 0…3"}, check: noOutput},
	{name: "sweep negative index", files: map[string]string{"c.toml": tinyConfig, "s.toml": tinySweep},
		args: []string{"sweep", "$DIR/s.toml", "--index", "-1", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"point -1 is out of range"}, check: noOutput},
	{name: "sweep index auto outside an array job", files: map[string]string{"c.toml": tinyConfig, "s.toml": tinySweep},
		args: []string{"sweep", "$DIR/s.toml", "--index", "auto", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"--index auto", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"}, check: noOutput},
	{name: "sweep key that does not exist", files: map[string]string{"c.toml": tinyConfig,
		"s.toml": "base = \"c.toml\"\n[grid]\n\"sampler.scael\" = [0.5]\n"},
		args: []string{"sweep", "$DIR/s.toml", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"$DIR/s.toml", "sampler.scael", `did you mean "scale"?`}, check: noOutput},
	{name: "sweep point key that does not exist", files: map[string]string{"c.toml": tinyConfig,
		"s.toml": "base = \"c.toml\"\n[[point]]\nseed = 1\n[[point]]\n\"rn.chains\" = 8\n"},
		args: []string{"sweep", "$DIR/s.toml", "--list"}, code: exitUsage,
		want: []string{"$DIR/s.toml", "rn.chains", "point 1"}},
	{name: "sweep with a missing base", files: map[string]string{"s.toml": tinySweep},
		args: []string{"sweep", "$DIR/s.toml", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"$DIR/s.toml: base: $DIR/c.toml: no such config file"}, check: noOutput},
	{name: "sweep without base", files: map[string]string{"s.toml": "[grid]\nseed = [1]\n"},
		args: []string{"sweep", "$DIR/s.toml"}, code: exitUsage,
		want: []string{"no base"}},
	{name: "sweep with an empty grid", files: map[string]string{"c.toml": tinyConfig, "s.toml": "base = \"c.toml\"\n[grid]\n"},
		args: []string{"sweep", "$DIR/s.toml", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"[grid] is empty"}, check: noOutput},
	{name: "sweep with an empty axis", files: map[string]string{"c.toml": tinyConfig, "s.toml": "base = \"c.toml\"\n[grid]\nseed = []\n"},
		args: []string{"sweep", "$DIR/s.toml", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"seed = []", "the grid is empty"}, check: noOutput},
	{name: "sweep grid value not an array", files: map[string]string{"c.toml": tinyConfig, "s.toml": "base = \"c.toml\"\n[grid]\nseed = 3\n"},
		args: []string{"sweep", "$DIR/s.toml", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"seed = 3", "want an array"}, check: noOutput},
	{name: "sweep with no points", files: map[string]string{"c.toml": tinyConfig, "s.toml": "base = \"c.toml\"\n"},
		args: []string{"sweep", "$DIR/s.toml"}, code: exitUsage,
		want: []string{"no points"}},
	{name: "sweep unknown top-level key", files: map[string]string{"c.toml": tinyConfig, "s.toml": "base = \"c.toml\"\ngird = 1\n"},
		args: []string{"sweep", "$DIR/s.toml"}, code: exitUsage,
		want: []string{`unknown key "gird"`}},
	{name: "collect on a dir with no points", files: map[string]string{"d/notes.txt": "hi"},
		args: []string{"collect", "$DIR/d"}, code: exitUsage,
		want: []string{"$DIR/d holds no sweep.json"}},
	{name: "collect before any point ran", files: map[string]string{
		"d/sweep.json": `{"sweep": "s.toml", "kind": "sampling", "keys": ["seed"], "points": [{"index": 0, "slug": "seed=1", "dir": "0-seed=1"}]}`},
		args: []string{"collect", "$DIR/d"}, code: exitUsage,
		want: []string{"none of the sweep's 1 points has a summary.json"}},
}

func TestHostileSweep(t *testing.T) {
	for _, k := range shardEnv {
		t.Setenv(k, "") // --index auto must not see the environment of a CI job
	}
	runHostile(t, hostileSweep)
}

// TestSweepCollect runs a 4-point grid over tinyConfig, then collects it.
func TestSweepCollect(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"c.toml": tinyConfig, "s.toml": tinySweep} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := cli(t, "sweep", filepath.Join(dir, "s.toml"), "--list")
	if code != 0 || !strings.Contains(stdout, "3\tscale=0.8-seed=2\tsampler.scale=0.8 seed=2") {
		t.Fatalf("sweep --list: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = cli(t, "sweep", filepath.Join(dir, "s.toml"), "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("sweep: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := strings.Count(stdout, "point "); n != 4 {
		t.Errorf("sweep printed %d point lines, want 4:\n%s", n, stdout)
	}
	// point 2 is what ebmrun run makes of the same overrides
	code, _, stderr = cli(t, "run", filepath.Join(dir, "c.toml"), "--set", "sampler.scale=0.8", "--set", "seed=1", "--out", filepath.Join(dir, "single"), "--quiet")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(out, "2-scale=0.8-seed=1", "samples.npy"))
	b, _ := os.ReadFile(filepath.Join(dir, "single", "samples.npy"))
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("point 2's samples.npy (%d bytes) differs from ebmrun run's (%d bytes)", len(a), len(b))
	}
	code, stdout, stderr = cli(t, "collect", out)
	if code != 0 {
		t.Fatalf("collect: exit %d\n%s%s", code, stdout, stderr)
	}
	f, err := os.Open(filepath.Join(out, "collect.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "index,slug,sampler.scale,seed,acceptance,divergences,max_rhat,min_ess_bulk"
	if len(recs) != 5 || strings.Join(recs[0], ",") != want {
		t.Fatalf("collect.csv: %d records, header %q; want 4 rows under %q", len(recs), recs[0], want)
	}
	if strings.Join(recs[3][:4], ",") != "2,scale=0.8-seed=1,0.8,1" {
		t.Errorf("row 2: %q", recs[3])
	}
	if st, err := os.Stat(filepath.Join(out, "collect.png")); err != nil || st.Size() == 0 {
		t.Errorf("collect.png: %v", err)
	}
}
