package runner

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/train"
)

// pcdBufferTrain is tinyTrain with a pcd objective of 48 buffered chains,
// sampled from its buffer: 100 chains, so the rows are used more than once,
// each taking one ULA step so short that a draw stays within 1e-3 of its start.
var pcdBufferTrain = strings.NewReplacer(
	"type = \"nce\"\nnu = 2", "type = \"pcd\"\nbuffer = 48\nk = 5\n\n[objective.sampler]\ntype = \"ula\"\nstep_size = 0.01",
	"chains = 64\nwarmup = 20\ndraws = 2", "chains = 100\nwarmup = 0\ndraws = 1\ninit = \"buffer\"\n\n[sample.sampler]\ntype = \"ula\"\nstep_size = 1e-10",
).Replace(tinyTrain)

// TestSampleInitBuffer checks [sample] init = "buffer": chain i starts at
// row perm[i mod 48] of the final replay buffer (the one checkpoint.ebm
// holds), so the first 48 chains start at 48 distinct rows and chain
// 48 + i where chain i does; the same run at other worker counts writes the
// same samples.
func TestSampleInitBuffer(t *testing.T) {
	if !strings.Contains(pcdBufferTrain, `init = "buffer"`) || !strings.Contains(pcdBufferTrain, `type = "pcd"`) {
		t.Fatal("the config edit did not apply")
	}
	cfg := writeFile(t, "buf.toml", pcdBufferTrain)
	var first []float64
	for _, w := range []string{"1", "3"} {
		out := filepath.Join(t.TempDir(), "out")
		code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet", "--set", "sample.workers="+w)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		x, shape := readNPY(t, filepath.Join(out, "samples.npy"))
		if !equalInts(shape, []int{100, 1, 2}) {
			t.Fatalf("samples.npy shape %v, want [100 1 2]", shape)
		}
		if first != nil {
			if !slices.Equal(x, first) {
				t.Fatalf("workers=%s: samples differ from workers=1", w)
			}
			continue
		}
		first = x
		buf := readCheckpoint(t, out).Arrays[train.ObjectivePrefix+"buffer"]
		if len(buf) != 48*2 {
			t.Fatalf("checkpoint buffer has %d values, want 96", len(buf))
		}
		row := make([]int, 100)
		for i := range row {
			best, bd := -1, math.Inf(1)
			for k := range 48 {
				if d := math.Hypot(x[2*i]-buf[2*k], x[2*i+1]-buf[2*k+1]); d < bd {
					best, bd = k, d
				}
			}
			if bd > 1e-3 {
				t.Fatalf("chain %d ends %.3g from the nearest buffer row; it should start at one", i, bd)
			}
			row[i] = best
		}
		seen := map[int]bool{}
		for i := range 48 {
			if seen[row[i]] {
				t.Fatalf("chains 0…47 start at repeated rows: %v", row[:48])
			}
			seen[row[i]] = true
		}
		for i := 48; i < 100; i++ {
			if row[i] != row[i-48] {
				t.Fatalf("chain %d starts at row %d, chain %d at %d: want the permutation repeated", i, row[i], i-48, row[i-48])
			}
		}
	}
}

// TestSampleInitBufferNeedsPCD checks that init = "buffer" with an objective
// without a replay buffer is a config error naming the key, exit code 2.
func TestSampleInitBufferNeedsPCD(t *testing.T) {
	cfg := writeFile(t, "nce.toml", tinyTrain)
	code, _, stderr := cli(t, "validate", cfg, "--set", `sample.init="buffer"`)
	if code != 2 || !strings.Contains(stderr, `[sample]`) || !strings.Contains(stderr, `key "init"`) || !strings.Contains(stderr, `"nce" keeps none`) {
		t.Fatalf("exit %d, stderr %q; want 2 and an error naming [sample] key \"init\"", code, stderr)
	}
}
