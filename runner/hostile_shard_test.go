package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// shardManifest is a shard's manifest.json as merge reads it: shard index
// of count, from the config whose hash is sha.
func shardManifest(index, count int, sha string) string {
	return fmt.Sprintf(`{"config": "c.toml", "partial": false, "shard": {"index": %d, "count": %d, "first_chain": %d,
  "chains": 1, "config_sha256": %q, "runs": []}}`, index, count, index, sha)
}

// noOutput checks that merge wrote nothing into $DIR/out.
func noOutput(t *testing.T, dir, _, _ string) {
	t.Helper()
	if ents, err := os.ReadDir(filepath.Join(dir, "out")); err == nil && len(ents) > 0 {
		t.Errorf("merge wrote into out/ although it failed: %d entries", len(ents))
	}
}

// hostileShard: run --shard and merge given what they cannot use.
var hostileShard = []hostileCase{
	{name: "shard index past the count", files: map[string]string{"c.toml": tinyConfig},
		args: []string{"run", "$DIR/c.toml", "--shard", "5/4", "--out", "$DIR/out", "--quiet"}, code: exitUsage,
		want: []string{"--shard 5/4", "shard 5 is out of range", "numbered from 0", "0…3"}, check: noOutput},
	{name: "shard count zero", files: map[string]string{"c.toml": tinyConfig},
		args: []string{"run", "$DIR/c.toml", "--shard", "0/0", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"--shard 0/0", "number of shards must be ≥ 1"}, check: noOutput},
	{name: "shard not i/n", files: map[string]string{"c.toml": tinyConfig},
		args: []string{"run", "$DIR/c.toml", "--shard", "x", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{`--shard "x"`, "want i/n", "or auto"}, check: noOutput},
	{name: "shard negative index", files: map[string]string{"c.toml": tinyConfig},
		args: []string{"run", "$DIR/c.toml", "--shard", "-1/4", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"shard -1 is out of range"}, check: noOutput},
	{name: "more shards than chains", files: map[string]string{"c.toml": tinyConfig},
		args: []string{"run", "$DIR/c.toml", "--shard", "0/5", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"5 shards of 4 chains", "at most 4 shards"}, check: noOutput},
	{name: "shard auto outside an array job", files: map[string]string{"c.toml": tinyConfig},
		args: []string{"run", "$DIR/c.toml", "--shard", "auto", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"--shard auto", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "pass --shard i/n"}, check: noOutput},
	{name: "shards without shard auto", files: map[string]string{"c.toml": tinyConfig},
		args: []string{"run", "$DIR/c.toml", "--shards", "4", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"--shards", "--shard auto"}, check: noOutput},
	{name: "shard of a training config", files: map[string]string{"t.toml": tinyTrain},
		args: []string{"run", "$DIR/t.toml", "--shard", "0/2", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"training config", "not sharded"}, check: noOutput},
	{name: "merge shards of another config", files: map[string]string{
		"a/manifest.json": shardManifest(0, 2, "aaaa"), "b/manifest.json": shardManifest(1, 2, "bbbb")},
		args: []string{"merge", "--out", "$DIR/out", "$DIR/a", "$DIR/b"}, code: exitUsage,
		want: []string{"$DIR/b comes from another config than $DIR/a"}, check: noOutput},
	{name: "merge with a shard missing", files: map[string]string{
		"a/manifest.json": shardManifest(0, 3, "aaaa"), "c/manifest.json": shardManifest(2, 3, "aaaa")},
		args: []string{"merge", "--out", "$DIR/out", "$DIR/a", "$DIR/c"}, code: exitUsage,
		want: []string{"shard(s) 1 of 3 missing"}, check: noOutput},
	{name: "merge with a shard twice", files: map[string]string{
		"a/manifest.json": shardManifest(0, 2, "aaaa"), "b/manifest.json": shardManifest(0, 2, "aaaa")},
		args: []string{"merge", "--out", "$DIR/out", "$DIR/a", "$DIR/b"}, code: exitUsage,
		want: []string{"shard 0/2 is given twice: $DIR/a and $DIR/b"}, check: noOutput},
	{name: "merge shards split differently", files: map[string]string{
		"a/manifest.json": shardManifest(0, 2, "aaaa"), "b/manifest.json": shardManifest(1, 3, "aaaa")},
		args: []string{"merge", "--out", "$DIR/out", "$DIR/a", "$DIR/b"}, code: exitUsage,
		want: []string{"shard 1/3", "shard 0/2"}, check: noOutput},
	{name: "merge with no shards",
		args: []string{"merge", "--out", "$DIR/out"}, code: exitUsage,
		want: []string{"no shards given", "--shard i/n"}, check: noOutput},
	{name: "merge without --out", files: map[string]string{"a/manifest.json": shardManifest(0, 1, "aaaa")},
		args: []string{"merge", "$DIR/a"}, code: exitUsage,
		want: []string{"--out DIR is required"}},
	{name: "merge a training run", files: map[string]string{
		"t/manifest.json": `{"kind": "train", "partial": false, "steps": 10}`, "t/checkpoint.ebm": "x"},
		args: []string{"merge", "--out", "$DIR/out", "$DIR/t"}, code: exitUsage,
		want: []string{"$DIR/t holds a training run", "sampling run"}, check: noOutput},
	{name: "merge a whole run", files: map[string]string{"w/manifest.json": `{"partial": false}`},
		args: []string{"merge", "--out", "$DIR/out", "$DIR/w"}, code: exitUsage,
		want: []string{"$DIR/w is a whole run, not a shard"}, check: noOutput},
	{name: "merge an interrupted shard", files: map[string]string{
		"a/manifest.json": `{"partial": true, "shard": {"index": 0, "count": 1, "config_sha256": "aa"}}`},
		args: []string{"merge", "--out", "$DIR/out", "$DIR/a"}, code: exitUsage,
		want: []string{"interrupted (partial)", "run it again"}, check: noOutput},
	{name: "merge a directory that is no run", files: map[string]string{"x/notes.txt": "hi"},
		args: []string{"merge", "--out", "$DIR/out", "$DIR/x"}, code: exitUsage,
		want: []string{"$DIR/x holds no manifest.json"}, check: noOutput},
	{name: "merge into a shard", files: map[string]string{"a/manifest.json": shardManifest(0, 1, "aaaa")},
		args: []string{"merge", "--out", "$DIR/a", "$DIR/a"}, code: exitUsage,
		want: []string{"is one of the shards"}},
}

func TestHostileShard(t *testing.T) {
	for _, k := range shardEnv {
		t.Setenv(k, "") // --shard auto must not see the environment of a CI job
	}
	runHostile(t, hostileShard)
}
