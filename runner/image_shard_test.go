package runner

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/fileio"
)

// imageShardConfig samples an image energy (in_shape 1×4×4) with two
// samplers, so that the draws go to <i>-<type>/samples.npy.
const imageShardConfig = `name = "img-shards"
seed = 4
[energy]
type = "test_image_bowl"
[[sampler]]
type = "ula"
step_size = 0.05
bounds = [0.0, 1.0]
[[sampler]]
type = "mala"
[run]
chains = 7
warmup = 10
draws = 5
`

// TestImageShardMerge: an image sampling run writes samples.npy as
// (chains, draws, 1, 4, 4), its shards too, and the merge of 3 shards
// gives the whole run's samples.npy byte for byte (streaming merge, which
// maps the merged file back after the image header). A failure means merge
// still expects (chains, draws, dim).
func TestImageShardMerge(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "img.toml", imageShardConfig)
	whole := filepath.Join(dir, "whole")
	if code, _, stderr := cli(t, "run", cfg, "--out", whole, "--quiet"); code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, stderr)
	}
	merged := runShards(t, cfg, dir, 3)
	for _, s := range []string{"1-ula", "2-mala"} {
		sameBytes(t, whole, merged, filepath.Join(s, "samples.npy"))
		sameBytes(t, whole, merged, filepath.Join(s, "sample_stats.npz"))
		for _, d := range []string{whole, merged, filepath.Join(dir, "shard-1")} {
			f, err := os.Open(filepath.Join(d, s, "samples.npy"))
			if err != nil {
				t.Fatal(err)
			}
			_, shape, err := fileio.ReadNPY(f)
			f.Close()
			want := []int{7, 5, 1, 4, 4}
			if d == filepath.Join(dir, "shard-1") {
				want[0] = 2 // chains 2…3 of 7
			}
			if err != nil || !equalInts(shape, want) {
				t.Errorf("%s/%s/samples.npy: shape %v (%v), want %v", d, s, shape, err, want)
			}
		}
	}
	sameSummary(t, whole, merged, false)
	if _, err := os.Stat(filepath.Join(merged, "samples.png")); err != nil {
		t.Errorf("merge did not write samples.png: %v", err)
	}
}

// TestMergeRefusesMixedPointShapes: shards whose samples.npy hold points
// of different shapes (one rewritten flat) are refused with a one-line
// error naming both files, exit 2, and leave nothing in --out.
func TestMergeRefusesMixedPointShapes(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "img.toml", imageShardConfig)
	var shards []string
	for i := range 2 {
		out := filepath.Join(dir, []string{"s0", "s1"}[i])
		if code, _, stderr := cli(t, "run", cfg, "--shard", []string{"0/2", "1/2"}[i], "--out", out, "--quiet"); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, stderr)
		}
		shards = append(shards, out)
	}
	// Rewrite shard 1's first sampler flat: (4, 5, 16).
	p := filepath.Join(shards[1], "1-ula", "samples.npy")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	data, shape, err := fileio.ReadNPY(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := fileio.WriteFile(p, func(w io.Writer) error { return fileio.WriteNPY(w, data, shape[0], shape[1], 16) }); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "merged")
	code, _, stderr := cli(t, append([]string{"merge", "--out", out, "--quiet"}, shards...)...)
	if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 ||
		!strings.Contains(stderr, "same point shape") || !strings.Contains(stderr, p) {
		t.Errorf("mixed point shapes: exit %d, want 2 and a one-line error naming %s:\n%s", code, p, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "1-ula", "samples.npy")); err == nil {
		t.Error("a refused merge left samples.npy in --out")
	}
	// A shape whose point has the wrong number of values is refused too.
	if err := fileio.WriteFile(p, func(w io.Writer) error { return fileio.WriteNPY(w, data[:len(data)/2], shape[0], shape[1], 8) }); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = cli(t, append([]string{"merge", "--out", out, "--quiet"}, shards...)...)
	if code != 2 || !strings.Contains(stderr, "with a point of 16 values") {
		t.Errorf("wrong point size: exit %d, want 2 and the expected shape:\n%s", code, stderr)
	}
}

// shapeWrapper embeds the energy it passes through, as the checkpoint
// energy embeds the model it loaded.
type shapeWrapper struct {
	energies.Energy
	Path string `toml:"path"`
}

// TestEnergyInShapeThroughWrapper: an energy embedded in a wrapper (a
// checkpoint of an image model) gives the wrapper its in_shape, so that a
// sampling run of it writes image grids and image-shaped samples.npy.
func TestEnergyInShapeThroughWrapper(t *testing.T) {
	w := &shapeWrapper{Energy: &imageBowl{InShape: []int{1, 4, 4}}}
	if s := runImageShape(nil, w, 16); !equalInts(s, []int{1, 4, 4}) {
		t.Errorf("runImageShape of a wrapped image energy: %v, want [1 4 4]", s)
	}
	if s := runImageShape(nil, &shapeWrapper{}, 16); s != nil {
		t.Errorf("runImageShape of an empty wrapper: %v, want nil", s)
	}
}

// TestCheckpointImageSamples: sampling a checkpoint of a convnet trained on
// 8×8 images writes samples.npy as (chains, draws, 1, 8, 8) and samples.png
// as an image grid (8 draws in one row of 8 images of 64 pixels).
func TestCheckpointImageSamples(t *testing.T) {
	dir := t.TempDir()
	condImages(t, dir)
	src := strings.Replace(strings.Replace(condTrain, "SAMPLE", "", 1), "type = \"mlp\"\nhidden = [16]", "type = \"convnet\"\nchannels = [2]", 1)
	cfg := filepath.Join(dir, "conv.toml")
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	trained := filepath.Join(dir, "conv")
	if code, _, stderr := cli(t, "run", cfg, "--out", trained, "--quiet", "--set", "train.steps=2", "--set", "sample.chains=2"); code != 0 {
		t.Fatalf("training: exit %d: %s", code, stderr)
	}
	scfg := writeFile(t, "s.toml", `name = "conv-samples"
seed = 2
[energy]
type = "checkpoint"
path = "`+filepath.Join(trained, "checkpoint.ebm")+`"
[sampler]
type = "ula"
step_size = 0.001
bounds = [0.0, 1.0]
[run]
chains = 4
warmup = 3
draws = 2
`)
	out := filepath.Join(dir, "samples")
	if code, _, stderr := cli(t, "run", scfg, "--out", out, "--quiet"); code != 0 {
		t.Fatalf("sampling: exit %d: %s", code, stderr)
	}
	f, err := os.Open(filepath.Join(out, "samples.npy"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, shape, err := fileio.ReadNPY(f); err != nil || !equalInts(shape, []int{4, 2, 1, 8, 8}) {
		t.Errorf("samples.npy of a convnet checkpoint: shape %v (%v), want [4 2 1 8 8]", shape, err)
	}
	if w, h := pngSize(t, filepath.Join(out, "samples.png")); w != 8*64+9*2 || h != 64+2*2 {
		t.Errorf("samples.png is %d×%d, want an image grid of %d×%d", w, h, 8*64+9*2, 64+2*2)
	}
}
