package runner

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// skipMissingImages skips the test of the shipped image config f when its
// data set is not installed here (err from loading it names the IDX
// files), so that the suite passes on machines without MNIST or
// Fashion-MNIST; any other error is left to the caller.
func skipMissingImages(t *testing.T, f string, err error) {
	t.Helper()
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "mnist") && (strings.Contains(msg, "no such file") || strings.Contains(msg, "not found") || strings.Contains(msg, "cannot find")) {
		t.Skipf("%s: its data set is not installed here: %v", filepath.Base(f), err)
	}
}

// imageRecipes returns the shipped image recipes' config files (pcd and
// msdsm on MNIST, msdsm on Fashion-MNIST), failing t unless all three are
// there.
func imageRecipes(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("../configs/train_*_mnist.toml")
	more, _ := filepath.Glob("../configs/train_*_fashion.toml")
	files = append(files, more...)
	if len(files) < 4 {
		t.Fatalf("found %d image recipes, want 4 (pcd and msdsm on MNIST and on Fashion-MNIST)", len(files))
	}
	return files
}

// imageRecipeSets shrinks an image recipe's sampling for a test: pcd's
// Langevin chains take 3 steps, annealed_langevin_sigma 2 steps per
// level and predictor_corrector 3 levels.
func imageRecipeSets(c *TrainConfig) []string {
	var sets []string
	if c.ObjectiveType == "pcd" {
		sets = append(sets, "--set", "objective.k=3")
	}
	switch c.Sample.Sampler.Type {
	case "annealed_langevin_sigma":
		sets = append(sets, "--set", "sample.sampler.steps_per_level=2")
	case "predictor_corrector":
		sets = append(sets, "--set", "sample.sampler.levels=3")
	}
	return sets
}

// TestImageRecipesReproducible runs each shipped image recipe, shrunk to a
// few steps on 300 images, twice: with GOMAXPROCS 1 and one sampling
// worker, and with GOMAXPROCS 2 and three. samples.npy (which depends on
// every trained parameter, the replay buffer and the final sampler, and
// holds the denoised draws where the recipe denoises) must be the same
// bytes. A failure means the recipe's training or sampling depends on the
// number of workers.
func TestImageRecipesReproducible(t *testing.T) {
	for _, f := range imageRecipes(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := LoadTrain(f, []string{"data.n=300"})
			if err != nil {
				skipMissingImages(t, f, err)
				t.Fatal(err)
			}
			var ref []byte
			for i, w := range []struct{ procs, workers string }{{"1", "1"}, {"2", "3"}} {
				old := runtime.GOMAXPROCS(map[string]int{"1": 1, "2": 2}[w.procs])
				out := filepath.Join(t.TempDir(), "out")
				args := append([]string{"run", f, "--out", out, "--quiet", "--set", "train.steps=6", "--set", "train.batch_size=32",
					"--set", "data.n=300", "--set", "train.eval_every=0", "--set", "sample.chains=8", "--set", "sample.workers=" + w.workers,
					"--set", "sample.warmup=6"}, imageRecipeSets(c)...)
				code, _, stderr := cli(t, args...)
				runtime.GOMAXPROCS(old)
				if code != 0 {
					t.Fatalf("GOMAXPROCS %s: exit %d: %s", w.procs, code, stderr)
				}
				b, err := os.ReadFile(filepath.Join(out, "samples.npy"))
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					ref = b
				} else if !bytes.Equal(b, ref) {
					t.Errorf("samples.npy differs between GOMAXPROCS 1 with 1 sampling worker and GOMAXPROCS 2 with 3")
				}
			}
		})
	}
}

// TestImageRecipesResume interrupts each shipped image recipe, shrunk as
// in TestImageRecipesReproducible, after its third training step and
// resumes it: the parameters, the optimizer state and samples.npy must be
// the bytes of an uninterrupted run. A failure means some state of an
// image recipe (msdsm's noise streams, pcd's chains and restarts, the
// batch order, Adam's moments) is not saved or not restored.
func TestImageRecipesResume(t *testing.T) {
	for _, f := range imageRecipes(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := LoadTrain(f, []string{"data.n=300"})
			if err != nil {
				skipMissingImages(t, f, err)
				t.Fatal(err)
			}
			sets := append([]string{"--quiet", "--set", "train.steps=6", "--set", "train.batch_size=32",
				"--set", "data.n=300", "--set", "train.eval_every=0", "--set", "train.checkpoint_every=2",
				"--set", "sample.chains=8", "--set", "sample.warmup=6",
				// the evaluation's own figures do not depend on training state
				"--set", "eval.ais=false", "--set", "eval.nn=false", "--set", "eval.classifier=false"}, imageRecipeSets(c)...)
			straight := filepath.Join(t.TempDir(), "straight")
			if code, _, stderr := cli(t, append([]string{"run", f, "--out", straight}, sets...)...); code != 0 {
				t.Fatalf("straight run: exit %d: %s", code, stderr)
			}
			dir := filepath.Join(t.TempDir(), "resumed")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			trainStepHook = func(step int64) {
				if step == 3 {
					cancel()
				}
			}
			var o, e strings.Builder
			code := runContext(ctx, append([]string{"run", f, "--out", dir}, sets...), &o, &e)
			trainStepHook = nil
			if code != exitInterrupted {
				t.Fatalf("interrupted run: exit %d, want %d; stderr %s", code, exitInterrupted, e.String())
			}
			if code, _, stderr := cli(t, "run", "--resume", dir, "--quiet"); code != 0 {
				t.Fatalf("resume: exit %d: %s", code, stderr)
			}
			a, b := readCheckpoint(t, straight), readCheckpoint(t, dir)
			if a.Step != 6 || b.Step != 6 {
				t.Fatalf("final steps %d and %d, want 6", a.Step, b.Step)
			}
			for i := range a.Params {
				if math.Float64bits(a.Params[i]) != math.Float64bits(b.Params[i]) {
					t.Fatalf("parameter %d: %v straight, %v after interrupt + resume", i, a.Params[i], b.Params[i])
				}
			}
			for name, v := range a.OptState.Vectors {
				w := b.OptState.Vectors[name]
				for i := range v {
					if math.Float64bits(v[i]) != math.Float64bits(w[i]) {
						t.Fatalf("optimizer state %s[%d]: %v vs %v", name, i, v[i], w[i])
					}
				}
			}
			sa, err := os.ReadFile(filepath.Join(straight, "samples.npy"))
			if err != nil {
				t.Fatal(err)
			}
			sb, err := os.ReadFile(filepath.Join(dir, "samples.npy"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sa, sb) {
				t.Errorf("samples.npy differs between the straight run and interrupt + resume")
			}
		})
	}
}
