package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/goebm/ebm/fileio"
)

// TestNPYHeader: merge writes samples.npy as fileio.NPYHeader then the values;
// that must be what fileio.WriteNPY writes.
func TestNPYHeader(t *testing.T) {
	for _, shape := range [][]int{{0}, {3}, {2, 3}, {7, 25, 2}, {0, 5, 2}, {3, 1, 1}, {123456789, 0, 987654}, {1, 2, 3, 4, 5}} {
		n := 1
		for _, s := range shape {
			n *= s
		}
		data := make([]float64, n)
		for i := range data {
			data[i] = float64(i) - 0.5
		}
		var want, got bytes.Buffer
		if err := fileio.WriteNPY(&want, data, shape...); err != nil {
			t.Fatal(err)
		}
		got.Write(fileio.NPYHeader(shape...))
		if err := fileio.WriteFloat64s(&got, data); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want.Bytes(), got.Bytes()) {
			t.Errorf("shape %v: NPYHeader+WriteFloat64s differ from WriteNPY", shape)
		}
	}
}

// TestMergeHeapIsAboutOneShard: merge streams. The live heap, measured
// after a collection where merge holds the most (one shard's draws or
// statistics in memory, and once the outputs are written), stays within
// twice one shard's samples.npy and sample_stats.npz (plus 1 MiB), well
// below the merged files it writes: merging all shards in memory, as
// merge once did, fails it. Not timing-based: mergeProbe runs at fixed
// points, and each measures the heap after runtime.GC.
func TestMergeHeapIsAboutOneShard(t *testing.T) {
	const chains, draws, n = 64, 2000, 8
	cfg := writeFile(t, "heap.toml", fmt.Sprintf(`name = "heap"
seed = 3

[energy]
type = "gaussian"
mean = [0.0, 0.0, 0.0, 0.0]

[sampler]
type = "hmc"
leapfrog_steps = 2

[run]
chains = %d
warmup = 20
draws = %d
`, chains, draws))
	dir := t.TempDir()
	var shards []string
	for i := range n {
		out := filepath.Join(dir, fmt.Sprintf("shard-%d", i))
		if code, _, stderr := cli(t, "run", cfg, "--shard", fmt.Sprintf("%d/%d", i, n), "--out", out, "--quiet", "--format", "svg"); code != 0 {
			t.Fatalf("shard %d/%d: exit %d: %s", i, n, code, stderr)
		}
		shards = append(shards, out)
	}

	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	base := heap()
	var peak int64
	probes := 0
	mergeProbe = func() { probes++; peak = max(peak, heap()) }
	defer func() { mergeProbe = nil }()
	merged := filepath.Join(dir, "merged")
	if code, _, stderr := cli(t, append([]string{"merge", "--out", merged, "--quiet", "--format", "svg"}, shards...)...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}

	size := func(d string) int64 {
		var s int64
		for _, f := range []string{"samples.npy", "sample_stats.npz"} {
			st, err := os.Stat(filepath.Join(d, f))
			if err != nil {
				t.Fatal(err)
			}
			s += st.Size()
		}
		return s
	}
	shard, whole := size(shards[0]), size(merged)
	budget := 2*shard + 1<<20
	if budget >= whole {
		t.Fatalf("the test cannot tell: budget %d B, merged files %d B", budget, whole)
	}
	if probes < 2*n {
		t.Fatalf("mergeProbe ran %d times, want at least %d", probes, 2*n)
	}
	if grown := peak - base; grown > budget {
		t.Errorf("merge's live heap grew by %d B (one shard's files: %d B, the merged ones %d B); want at most %d B",
			grown, shard, whole, budget)
	}
	t.Logf("heap grew by at most %d B; one shard %d B, merged %d B", peak-base, shard, whole)
}

// TestMergeFormat: merge writes its figures in --format, as run does.
func TestMergeFormat(t *testing.T) {
	cfg := writeFile(t, "c.toml", tinyConfig)
	dir := t.TempDir()
	var shards []string
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprint(i))
		if code, _, stderr := cli(t, "run", cfg, "--shard", fmt.Sprintf("%d/2", i), "--out", out, "--quiet"); code != 0 {
			t.Fatal(stderr)
		}
		shards = append(shards, out)
	}
	for _, f := range []string{"svg", "pdf"} {
		out := filepath.Join(dir, "m-"+f)
		if code, _, stderr := cli(t, append([]string{"merge", "--out", out, "--quiet", "--format", f}, shards...)...); code != 0 {
			t.Fatalf("--format %s: exit %d: %s", f, code, stderr)
		}
		for _, name := range []string{"samples", "trace", "rank"} {
			if _, err := os.Stat(filepath.Join(out, name+"."+f)); err != nil {
				t.Errorf("--format %s: %v", f, err)
			}
			if _, err := os.Stat(filepath.Join(out, name+".png")); err == nil {
				t.Errorf("--format %s wrote %s.png too", f, name)
			}
		}
	}
	code, _, stderr := cli(t, append([]string{"merge", "--out", filepath.Join(dir, "bad"), "--format", "gif"}, shards...)...)
	assertUsageError(t, code, stderr, "--format")
	if _, err := os.Stat(filepath.Join(dir, "bad")); err == nil {
		t.Error("merge with a bad --format created its output directory")
	}
}

// TestMergeLeavesNoScratch: the statistics' scratch file is gone after a
// merge.
func TestMergeLeavesNoScratch(t *testing.T) {
	merged := runShards(t, writeFile(t, "c.toml", shardConfig), t.TempDir(), 2)
	err := filepath.WalkDir(merged, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name()[0] == '.' && p != merged {
			t.Errorf("merge left %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMergeFailureLeavesNothing: a shard whose draws are damaged fails
// the merge after earlier samplers were streamed into --out; their files
// are removed, so the same merge, once the shard is run again, needs no
// --force.
func TestMergeFailureLeavesNothing(t *testing.T) {
	cfg := writeFile(t, "c.toml", shardConfig)
	dir := t.TempDir()
	var shards []string
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprint(i))
		if code, _, stderr := cli(t, "run", cfg, "--shard", fmt.Sprintf("%d/2", i), "--out", out, "--quiet"); code != 0 {
			t.Fatal(stderr)
		}
		shards = append(shards, out)
	}
	bad := filepath.Join(shards[1], "3-mala", "samples.npy")
	b, err := os.ReadFile(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, b[:len(b)-8], 0o644); err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(dir, "merged")
	code, _, stderr := cli(t, append([]string{"merge", "--out", merged, "--quiet"}, shards...)...)
	assertUsageError(t, code, stderr, bad)
	ents, _ := os.ReadDir(merged)
	for _, e := range ents {
		if e.Name() != fileio.LockName {
			t.Errorf("the failed merge left %s in %s", e.Name(), merged)
		}
	}
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, append([]string{"merge", "--out", merged, "--quiet"}, shards...)...); code != 0 {
		t.Fatalf("merge after the repair: exit %d: %s", code, stderr)
	}
}
