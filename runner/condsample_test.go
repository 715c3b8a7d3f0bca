package runner

import (
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/train"
)

// condTrain trains an MLP on 40 synthetic 8×8 images (10 held out) and
// samples it conditionally; SAMPLE is replaced by the [sample] keys.
const condTrain = `name = "cond"
seed = 3

[data]
type = "npy"
path = "images.npy"

[energy]
type = "mlp"
hidden = [16]
quadratic = 0.5

[objective]
type = "dsm"
sigma = 0.1

[optimizer]
type = "adam"
lr = 0.01

[train]
steps = 4
batch_size = 16
log_every = 2
holdout = 0.25

[sample]
chains = 24
warmup = 5
draws = 2
SAMPLE
[sample.sampler]
type = "ula"
step_size = 0.001
bounds = [0.0, 1.0]
`

// condImages writes the images into dir and returns them (40 rows of 64).
func condImages(t *testing.T, dir string) []float64 {
	t.Helper()
	x := make([]float64, 40*64)
	r := rng.New(2, 0)
	for i := range x {
		x[i] = r.Float64()
	}
	if err := fileio.WriteFile(filepath.Join(dir, "images.npy"), func(w io.Writer) error { return fileio.WriteNPY(w, x, 40, 1, 8, 8) }); err != nil {
		t.Fatal(err)
	}
	return x
}

// condRun runs condTrain with the [sample] keys sample (and more
// arguments) in dir; it returns the output directory, samples.npy and
// the exit code and stderr.
func condRun(t *testing.T, dir, name, sample string, args ...string) (string, []float64, int, string) {
	t.Helper()
	cfg := filepath.Join(dir, name+".toml")
	if err := os.WriteFile(cfg, []byte(strings.Replace(condTrain, "SAMPLE", sample, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name)
	code, _, stderr := cli(t, append([]string{"run", cfg, "--out", out, "--quiet"}, args...)...)
	if code != 0 {
		return out, nil, code, stderr
	}
	f, err := os.Open(filepath.Join(out, "samples.npy"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, shape, err := fileio.ReadNPY(f)
	if err != nil || !equalInts(shape, []int{24, 2, 1, 8, 8}) {
		t.Fatalf("%s: samples.npy shape %v (%v), want [24 2 1 8 8]", name, shape, err)
	}
	return out, data, code, stderr
}

// heldOut is the run's held-out split of x, as the run draws it.
func heldOut(x []float64) []float64 {
	s := train.Settings{Seed: 3, Holdout: 0.25}
	_, h := s.Split(x, 64)
	return h
}

// pngSize returns the pixel size of a PNG file.
func pngSize(t *testing.T, path string) (int, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img.Bounds().Dx(), img.Bounds().Dy()
}

// checkObserved fails unless, in every draw of chain i, the observed
// coordinates are those of held-out image i mod 10, bit for bit, and some
// sampled coordinate differs from it.
func checkObserved(t *testing.T, name string, data, held []float64, observed func(j int) bool) {
	t.Helper()
	for ch := range 24 {
		img := held[ch%10*64 : (ch%10+1)*64]
		for tt := range 2 {
			x := data[(ch*2+tt)*64 : (ch*2+tt+1)*64]
			moved := false
			for j := range 64 {
				if observed(j) && x[j] != img[j] {
					t.Fatalf("%s: chain %d draw %d: observed pixel %d is %v, the held-out image's %v", name, ch, tt, j, x[j], img[j])
				}
				moved = moved || (!observed(j) && x[j] != img[j])
			}
			if !moved {
				t.Fatalf("%s: chain %d draw %d: every sampled pixel equals the original", name, ch, tt)
			}
		}
	}
}

// TestInpaint: mask = "left", "top", "random" and a mask file hold the
// observed pixels of each chain's held-out image (chain i: image i mod
// 10) exactly, sample the others, and write inpaint.png: 8 rows of the
// masked start, 4 samples and the original. The outputs do not depend on
// the number of workers. A failure means observed pixels move, chains
// start from other images, or the figure is missing. annealed_langevin_sigma
// and predictor_corrector hold them through denoise_sigma's Tweedie step.
func TestInpaint(t *testing.T) {
	dir := t.TempDir()
	x := condImages(t, dir)
	held := heldOut(x)
	if len(held) != 10*64 {
		t.Fatalf("held-out split of %d rows, want 10", len(held)/64)
	}
	out, data, code, stderr := condRun(t, dir, "left", `init = "data"`+"\nmask = \"left\"")
	if code != 0 {
		t.Fatalf("mask left: exit %d: %s", code, stderr)
	}
	checkObserved(t, "left", data, held, func(j int) bool { return j%8 < 4 })
	w, h := pngSize(t, filepath.Join(out, "inpaint.png"))
	if ww, hh := pngImageGrid(8*6, 6, 8, 8); w != ww || h != hh {
		t.Errorf("inpaint.png is %d×%d, want %d×%d (8 rows of 6)", w, h, ww, hh)
	}
	// Workers: the same bytes.
	out1, _, code, stderr := condRun(t, dir, "left1", `init = "data"`+"\nmask = \"left\"\nworkers = 1")
	out3, _, code3, stderr3 := condRun(t, dir, "left3", `init = "data"`+"\nmask = \"left\"\nworkers = 3")
	if code != 0 || code3 != 0 {
		t.Fatalf("workers 1, 3: exit %d %d: %s %s", code, code3, stderr, stderr3)
	}
	for _, f := range []string{"samples.npy", "inpaint.png"} {
		sameBytes(t, out1, out3, f)
		sameBytes(t, out, out1, f)
	}

	// A finished run inpaints again on --resume, with another mask.
	code, _, stderr = cli(t, "run", "--resume", out, "--set", "sample.mask=top", "--quiet")
	if code != 0 {
		t.Fatalf("--resume with mask top: exit %d: %s", code, stderr)
	}
	f, err := os.Open(filepath.Join(out, "samples.npy"))
	if err != nil {
		t.Fatal(err)
	}
	data, _, err = fileio.ReadNPY(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	checkObserved(t, "resume top", data, held, func(j int) bool { return j < 32 })
	// --set as the README shows it.
	_, data, code, stderr = condRun(t, dir, "top", "", "--set", "sample.init=data", "--set", "sample.mask=top")
	if code != 0 {
		t.Fatalf("mask top: exit %d: %s", code, stderr)
	}
	checkObserved(t, "top", data, held, func(j int) bool { return j < 32 })

	_, data, code, stderr = condRun(t, dir, "random", `init = "data"`+"\nmask = \"random\"\nmask_fraction = 0.25")
	if code != 0 {
		t.Fatalf("mask random: exit %d: %s", code, stderr)
	}
	// The observed pixels: those equal to the image in every draw of every
	// chain; a random mask of 0.25 observes 16 of 64.
	obs := make([]bool, 64)
	n := 0
	for j := range 64 {
		obs[j] = true
		for k := range 48 {
			if data[k*64+j] != held[k/2%10*64+j] {
				obs[j] = false
			}
		}
		if obs[j] {
			n++
		}
	}
	if n != 16 {
		t.Errorf("mask random, fraction 0.25: %d pixels held, want 16", n)
	}

	m := make([]float64, 64)
	for j := range m {
		if j%3 == 0 {
			m[j] = 1
		}
	}
	if err := fileio.WriteFile(filepath.Join(dir, "mask.npy"), func(w io.Writer) error { return fileio.WriteNPY(w, m, 8, 8) }); err != nil {
		t.Fatal(err)
	}
	_, data, code, stderr = condRun(t, dir, "file", `init = "data"`+"\nmask = \"mask.npy\"")
	if code != 0 {
		t.Fatalf("mask file: exit %d: %s", code, stderr)
	}
	checkObserved(t, "file", data, held, func(j int) bool { return j%3 == 0 })

	// The σ-ladder samplers hold them too, and the Tweedie step of
	// denoise_sigma leaves them as observed.
	for _, smp := range []string{"annealed_langevin_sigma", "predictor_corrector"} {
		_, data, code, stderr = condRun(t, dir, smp, `init = "data"`+"\nmask = \"left\"\ndenoise_sigma = 0.1",
			"--set", "sample.sampler.type="+smp, "--set", "sample.sampler.levels=3")
		if code != 0 {
			t.Fatalf("%s, mask left: exit %d: %s", smp, code, stderr)
		}
		checkObserved(t, smp, data, held, func(j int) bool { return j%8 < 4 })
	}
}

// pngImageGrid is the pixel size of a grid of n images of h×w in cols
// columns, 2-pixel borders, 8×8 images enlarged 8 times.
func pngImageGrid(n, cols, h, w int) (int, int) {
	rows := (n + cols - 1) / cols
	return cols*w*8 + (cols+1)*2, rows*h*8 + (rows+1)*2
}

// TestDenoise: init = "noisy" starts chain i from held-out image i mod 10
// plus N(0, σ²), clamped to the sampler's bounds, and writes
// denoise.<format> with its note; the draws stay near their own images
// (σ = 0.05, few small steps) and far from the others.
func TestDenoise(t *testing.T) {
	dir := t.TempDir()
	x := condImages(t, dir)
	held := heldOut(x)
	out, data, code, stderr := condRun(t, dir, "noisy", `init = "noisy"`+"\nnoise = 0.05", "--format", "svg")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "denoise.svg")); err != nil {
		t.Errorf("denoise.svg: %v", err)
	}
	// Mean squares from the chain's own image and from the next one: the
	// images are uniform noise, 1/6 apart in mean square; ULA's 7 steps of
	// step 0.001 add a variance of about 0.014 to the start's 0.0025.
	var own, other float64
	for ch := range 24 {
		img, next := held[ch%10*64:(ch%10+1)*64], held[(ch+1)%10*64:((ch+1)%10+1)*64]
		for j, v := range data[(ch*2+1)*64 : (ch*2+2)*64] {
			own += (v - img[j]) * (v - img[j]) / (24 * 64)
			other += (v - next[j]) * (v - next[j]) / (24 * 64)
		}
	}
	if own == 0 || own > 0.03 || other < 0.1 {
		t.Errorf("denoised draws are %.4g (mean square) from their held-out images and %.4g from others; want about 0.017 and 0.18", own, other)
	}
	b, _ := os.ReadFile(filepath.Join(out, "eval.json"))
	if !strings.Contains(string(b), "denoise.svg: one row per held-out image") {
		t.Errorf("eval.json has no note on denoise.svg:\n%s", b)
	}
}

// TestConditionalBadInput: a bad [sample] mask is a one-line error naming
// the file, [sample] and the key, exit 2.
func TestConditionalBadInput(t *testing.T) {
	dir := t.TempDir()
	condImages(t, dir)
	if err := fileio.WriteFile(filepath.Join(dir, "wrong.npy"), func(w io.Writer) error { return fileio.WriteNPY(w, make([]float64, 16), 4, 4) }); err != nil {
		t.Fatal(err)
	}
	half := make([]float64, 64)
	half[3], half[5] = 2, 1
	if err := fileio.WriteFile(filepath.Join(dir, "two.npy"), func(w io.Writer) error { return fileio.WriteNPY(w, half, 8, 8) }); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct{ sample, want string }{
		{`init = "uniform"` + "\nmask = \"left\"", `key "mask": inpaints images from the data: it needs init = "data"`},
		{`init = "data"` + "\nmask = \"wrong.npy\"", "shape [4 4]; want (h, w) = (8, 8)"},
		{`init = "data"` + "\nmask = \"two.npy\"", "value 2 at index 3"},
		{`init = "data"` + "\nmask = \"nothere.npy\"", `want "left", "top", "random" or an .npy file: cannot read`},
		{`init = "data"` + "\nmask = \"random\"\nmask_fraction = 1.5", `key "mask_fraction": must be in (0, 1)`},
		{`init = "noisy"` + "\nnoise = -1.0", `key "noise": must be > 0`},
	} {
		_, _, code, stderr := condRun(t, dir, fmt.Sprint("bad", i), tc.sample)
		if code != 2 || !strings.Contains(stderr, "[sample]") || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%q: exit %d, want 2 and a one-line error with %q:\n%s", tc.sample, code, tc.want, stderr)
		}
	}
	// Data that are not images.
	cfg2 := filepath.Join(dir, "moons.toml")
	src2 := strings.Replace(strings.Replace(condTrain, "SAMPLE", `init = "data"`+"\nmask = \"left\"", 1), "type = \"npy\"\npath = \"images.npy\"", "type = \"moons\"\nn = 200", 1)
	if err := os.WriteFile(cfg2, []byte(src2), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, "run", cfg2, "--out", filepath.Join(dir, "moons"), "--quiet"); code != 2 ||
		!strings.Contains(stderr, `[sample]: key "mask": inpainting needs image data`) {
		t.Errorf("mask on 2-D data: exit %d, want 2 and an error naming [sample] mask:\n%s", code, stderr)
	}
	// A sampler that cannot hold pixels fixed.
	cfg := filepath.Join(dir, "nuts.toml")
	src := strings.Replace(strings.Replace(condTrain, "SAMPLE", `init = "data"`+"\nmask = \"top\"", 1), "type = \"ula\"\nstep_size = 0.001\nbounds = [0.0, 1.0]", `type = "nuts"`, 1)
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, "run", cfg, "--out", filepath.Join(dir, "nuts"), "--quiet")
	if code != 2 || !strings.Contains(stderr, `[sample]: key "mask": the sampler "nuts" cannot hold the observed pixels fixed`) {
		t.Errorf("mask with nuts: exit %d, want 2 and an error naming [sample] mask:\n%s", code, stderr)
	}
}
