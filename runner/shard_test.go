package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// shardConfig has several samplers (their draws go to <i>-<type>/), each
// adapting per chain, and a number of chains that no shard count divides
// evenly.
const shardConfig = `name = "shardy"
seed = 5

[energy]
type = "gaussian"
mean = [1.0, -1.0]

[init]
type = "gaussian"
mean = [0.0, 0.0]
std = 2.0

[[sampler]]
type = "hmc"

[[sampler]]
type = "nuts"

[[sampler]]
type = "mala"

[run]
chains = 7
warmup = 40
draws = 25
`

// runShards runs cfg as n shards into dir/shard-<i> and merges them into
// dir/merged.
func runShards(t *testing.T, cfg, dir string, n int, extra ...string) string {
	t.Helper()
	var shards []string
	for i := range n {
		out := filepath.Join(dir, fmt.Sprintf("shard-%d", i))
		args := append([]string{"run", cfg, "--shard", fmt.Sprintf("%d/%d", i, n), "--out", out, "--quiet"}, extra...)
		if code, _, stderr := cli(t, args...); code != 0 {
			t.Fatalf("shard %d/%d: exit %d: %s", i, n, code, stderr)
		}
		shards = append(shards, out)
	}
	merged := filepath.Join(dir, "merged")
	if code, _, stderr := cli(t, append([]string{"merge", "--out", merged, "--quiet"}, shards...)...); code != 0 {
		t.Fatalf("merge of %d shards: exit %d: %s", n, code, stderr)
	}
	return merged
}

// sameBytes fails unless dir a and dir b hold the same bytes in name.
func sameBytes(t *testing.T, a, b, name string) {
	t.Helper()
	x, err1 := os.ReadFile(filepath.Join(a, name))
	y, err2 := os.ReadFile(filepath.Join(b, name))
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: %v %v", name, err1, err2)
	}
	if !bytes.Equal(x, y) {
		t.Errorf("%s of %s and %s differ", name, a, b)
	}
}

// summaryOf reads summary.json without the timings; acceptance rates are
// sums of per-transition probabilities grouped by the goroutines that ran
// them, so they are compared separately, to rounding.
func summaryOf(t *testing.T, dir string) (map[string]any, []float64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var acc []float64
	for _, r := range m["runs"].([]any) {
		r := r.(map[string]any)
		delete(r, "wall_seconds")
		a, _ := r["acceptance_rate"].(float64)
		acc = append(acc, a)
		delete(r, "acceptance_rate")
	}
	return m, acc
}

// sameSummary compares two summary.json files but for timings and the
// rounding of acceptance rates (exact when exact is set).
func sameSummary(t *testing.T, a, b string, exact bool) {
	t.Helper()
	ma, acca := summaryOf(t, a)
	mb, accb := summaryOf(t, b)
	if !reflect.DeepEqual(ma, mb) {
		t.Errorf("summary.json of %s and %s differ beyond timing:\n%v\n%v", a, b, ma, mb)
	}
	for k := range acca {
		if exact && acca[k] != accb[k] || math.Abs(acca[k]-accb[k]) > 1e-12*math.Abs(acca[k]) {
			t.Errorf("run %d: acceptance_rate %v vs %v", k, acca[k], accb[k])
		}
	}
}

// TestShardMergeIsTheWholeRun: a config run whole and as 3 shards then
// merged gives the same samples.npy, byte for byte, the same config.toml
// and the same summary.json but for timings; each shard's summary is
// marked and its manifest records the shard and the config's hash.
func TestShardMergeIsTheWholeRun(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "c.toml", shardConfig)
	whole := filepath.Join(dir, "whole")
	if code, _, stderr := cli(t, "run", cfg, "--out", whole, "--quiet"); code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, stderr)
	}
	merged := runShards(t, cfg, dir, 3)
	for _, s := range []string{"1-hmc", "2-nuts", "3-mala"} {
		sameBytes(t, whole, merged, filepath.Join(s, "samples.npy"))
		// Per-draw statistics and the adapted tuning merge chain by chain.
		sameBytes(t, whole, merged, filepath.Join(s, "sample_stats.npz"))
		sameBytes(t, whole, merged, filepath.Join(s, "adaptation.json"))
	}
	sameBytes(t, whole, merged, "config.toml")
	sameSummary(t, whole, merged, false)
	for _, f := range []string{"samples.png", "trace.png", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(merged, f)); err != nil {
			t.Errorf("merge did not write %s: %v", f, err)
		}
	}

	var sum struct {
		Shard *shardPos `json:"shard"`
		Runs  []struct{ Chains int }
	}
	b, _ := os.ReadFile(filepath.Join(dir, "shard-2", "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil || sum.Shard == nil ||
		*sum.Shard != (shardPos{Index: 2, Count: 3, First: 4, Chains: 3}) || sum.Runs[0].Chains != 3 {
		t.Errorf("shard 2's summary.json: %v %+v", err, sum)
	}
	var man struct{ Shard *shardRecord }
	b, _ = os.ReadFile(filepath.Join(dir, "shard-2", "manifest.json"))
	if err := json.Unmarshal(b, &man); err != nil || man.Shard == nil || len(man.Shard.ConfigSHA256) != 64 || len(man.Shard.Runs) != 3 {
		t.Errorf("shard 2's manifest.json: %v %+v", err, man.Shard)
	}
	b, _ = os.ReadFile(filepath.Join(whole, "summary.json"))
	if bytes.Contains(b, []byte(`"shard"`)) {
		t.Error("a whole run's summary.json mentions a shard")
	}
}

// TestShardCountIndependence: 1, 2 and 4 shards merge to the same draws,
// and with the same split of chains over goroutines (a worker per shard,
// as many workers in the whole run), to the same summary exactly.
func TestShardCountIndependence(t *testing.T) {
	cfg := writeFile(t, "c.toml", shardConfig)
	dir := t.TempDir()
	var first string
	for _, n := range []int{1, 2, 4} {
		merged := runShards(t, cfg, filepath.Join(dir, fmt.Sprint(n)), n)
		if first == "" {
			first = merged
			continue
		}
		for _, s := range []string{"1-hmc", "2-nuts", "3-mala"} {
			sameBytes(t, first, merged, filepath.Join(s, "samples.npy"))
		}
		sameSummary(t, first, merged, false)
	}

	whole := filepath.Join(dir, "whole")
	if code, _, stderr := cli(t, "run", cfg, "--out", whole, "--quiet", "--workers", "2"); code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, stderr)
	}
	merged := runShards(t, cfg, filepath.Join(dir, "w"), 2, "--workers", "1")
	sameSummary(t, whole, merged, true)
}

// TestMergeRefusesRealShardsOfAnotherConfig: shards run from configs that
// differ in one value do not merge.
func TestMergeRefusesRealShardsOfAnotherConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "c.toml", tinyConfig)
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if code, _, stderr := cli(t, "run", cfg, "--shard", "0/2", "--out", a, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := cli(t, "run", cfg, "--shard", "1/2", "--seed", "8", "--out", b, "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr := cli(t, "merge", "--out", filepath.Join(dir, "m"), a, b)
	assertUsageError(t, code, stderr, "comes from another config")
}

// TestShardAuto reads the shard from a Slurm array job or a Kubernetes
// Indexed Job.
func TestShardAuto(t *testing.T) {
	for _, c := range []struct {
		env    map[string]string
		shards string
		want   shardPos
		bad    string
	}{
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"}, want: shardPos{2, 4, 5, 2}},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "4"}, want: shardPos{2, 4, 5, 2}},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "0", "EBM_SHARDS": "3"}, want: shardPos{0, 3, 0, 3}},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "1", "EBM_SHARDS": "3"}, shards: "2", want: shardPos{1, 2, 5, 5}},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "2"}, bad: "neither SLURM_ARRAY_TASK_COUNT"},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"}, bad: "out of range"},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_STEP": "2"}, bad: "step 2"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "1"}, bad: "--shards N or set EBM_SHARDS"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "x", "EBM_SHARDS": "3"}, bad: "not a non-negative integer"},
	} {
		for _, k := range shardEnv {
			t.Setenv(k, "")
		}
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		p, err := parseShard("auto", c.shards, 10)
		switch {
		case c.bad != "":
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(c.bad)) {
				t.Errorf("%v: error %v, want one containing %q", c.env, err, c.bad)
			}
		case err != nil:
			t.Errorf("%v: %v", c.env, err)
		case *p != c.want:
			t.Errorf("%v: %+v, want %+v", c.env, *p, c.want)
		}
	}
}

// TestShardMemoryIsTheShards: the memory check sizes a shard, not the whole
// run: a run too large for the limit is refused whole and accepted as one
// of 100 shards. A failure means a cluster user cannot shard a run that is
// too large for one machine, which is what sharding is for.
func TestShardMemoryIsTheShards(t *testing.T) {
	t.Setenv("EBM_MEMORY_LIMIT", "64MiB")
	cfg := writeFile(t, "big.toml", "[energy]\ntype = \"gaussian\"\nmean = [0.0, 0.0]\n[sampler]\ntype = \"mh\"\n[run]\nchains = 200000\nwarmup = 5\ndraws = 100\n")
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet"); code != exitUsage || !strings.Contains(stderr, "needs about") {
		t.Fatalf("whole run: exit %d, stderr %q; want the memory refusal", code, stderr)
	}
	if code, _, stderr := cli(t, "run", cfg, "--shard", "0/100", "--out", out, "--quiet"); code != 0 {
		t.Fatalf("shard 0/100: exit %d: %s", code, stderr)
	}
}
