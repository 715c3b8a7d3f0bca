package runner

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/plots"
	"github.com/goebm/ebm/rng"
)

// imageTrain trains an MLP on a synthetic (n, 1, 8, 8) image array.
const imageTrain = `name = "tiny-images"
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
steps = 6
batch_size = 16
log_every = 2
eval_every = 3

[sample]
chains = 12
warmup = 3
draws = 2
init = "data"
[sample.sampler]
type = "ula"
step_size = 0.001
bounds = [0.0, 1.0]
`

// TestTrainImageOutputs: a training run on (n, 1, 8, 8) images writes
// samples.npy of shape (chains, draws, 1, 8, 8), samples.png and data.png
// as image grids of the expected pixel size, progress.png with one row per
// evaluation and loss.png; the sampler's bounds keep the draws in [0, 1].
// A failure means image runs lost their shape or their grids.
func TestTrainImageOutputs(t *testing.T) {
	dir := t.TempDir()
	const n = 40
	x := make([]float64, n*64)
	r := rng.New(2, 0)
	for i := range x {
		x[i] = r.Float64()
	}
	f, err := os.Create(filepath.Join(dir, "images.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if err := fileio.WriteNPY(f, x, n, 1, 8, 8); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cfg := filepath.Join(dir, "img.toml")
	if err := os.WriteFile(cfg, []byte(imageTrain), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", cfg, "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sf, err := os.Open(filepath.Join(out, "samples.npy"))
	if err != nil {
		t.Fatal(err)
	}
	data, shape, err := fileio.ReadNPY(sf)
	sf.Close()
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{12, 2, 1, 8, 8}; !equalInts(shape, want) {
		t.Errorf("samples.npy shape %v, want %v", shape, want)
	}
	for i, v := range data {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("samples.npy value %d = %v outside the sampler's bounds [0, 1]", i, v)
		}
	}
	size := func(name string) (int, int) {
		t.Helper()
		f, err := os.Open(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("%s: %v (stdout %s)", name, err, stdout)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b := img.Bounds()
		return b.Dx(), b.Dy()
	}
	// 24 draws (12 chains × 2) in 8 columns: 3 rows; 8×8 images are
	// enlarged 8 times; 2-pixel borders.
	if w, h := size("samples.png"); w != 8*64+9*2 || h != 3*64+4*2 {
		t.Errorf("samples.png is %d×%d pixels, want %d×%d", w, h, 8*64+9*2, 3*64+4*2)
	}
	if w, h := plots.ImageGridSize(24, 8, 8, 8); w != 8*64+9*2 || h != 3*64+4*2 {
		t.Errorf("ImageGridSize(24, 8, 8, 8) = %d×%d", w, h)
	}
	// data.png: the training rows (40 less the held-out share), at most 64.
	if w, _ := size("data.png"); w != 8*64+9*2 {
		t.Errorf("data.png is %d pixels wide, want %d", w, 8*64+9*2)
	}
	// progress.png: steps 3 and 6, one row of 8 each.
	if w, h := size("progress.png"); w != 8*64+9*2 || h != 2*64+3*2 {
		t.Errorf("progress.png is %d×%d pixels, want %d×%d", w, h, 8*64+9*2, 2*64+3*2)
	}
	size("loss.png")
	if !strings.Contains(stdout, "data.png") || !strings.Contains(stdout, "progress.png") {
		t.Errorf("stdout does not list the image outputs: %s", stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "density.png")); err == nil {
		t.Error("density.png written for image data")
	}
	// The (chains, draws, c, h, w) samples.npy is a points file for ebmrun energy.
	if code, eout, eerr := cli(t, "energy", "--checkpoint", filepath.Join(out, "checkpoint.ebm"), "--points", filepath.Join(out, "samples.npy")); code != 0 || eout == "" {
		t.Errorf("ebmrun energy on the image samples.npy: exit %d: %s", code, eerr)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestManyDimsReport: a 50-dimensional sampling run prints only its worst
// dimensions (by R-hat and by bulk ESS) with a line giving the count and
// where the full table is, while summary.json keeps all 50. A failure means
// a high-dimensional run floods the terminal or loses dimensions.
func TestManyDimsReport(t *testing.T) {
	std := strings.Repeat("1.0, ", 49) + "1.0"
	mean := strings.Repeat("0.0, ", 49) + "0.0"
	cfg := writeFile(t, "g50.toml", `name = "g50"
seed = 1
[energy]
type = "gaussian"
mean = [`+mean+`]
std = [`+std+`]
[sampler]
type = "mala"
[run]
chains = 4
warmup = 50
draws = 60
`)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", cfg, "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "50 dimensions") || !strings.Contains(stdout, "summary.json") ||
		!strings.Contains(stdout, "highest R-hat") || !strings.Contains(stdout, "lowest bulk ESS") {
		t.Errorf("stdout does not announce the worst dimensions:\n%s", stdout)
	}
	rows := regexp.MustCompile(`(?m)^\s+\d+ +[-0-9.e+]+ `).FindAllString(stdout, -1)
	if len(rows) == 0 || len(rows) > 2*worstDims {
		t.Errorf("stdout has %d table rows, want 1 … %d:\n%s", len(rows), 2*worstDims, stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Runs []struct {
			RHat    []any `json:"rhat"`
			ESSBulk []any `json:"ess_bulk"`
			Mean    []any `json:"mean"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Runs) != 1 || len(s.Runs[0].RHat) != 50 || len(s.Runs[0].ESSBulk) != 50 || len(s.Runs[0].Mean) != 50 {
		t.Errorf("summary.json does not hold all 50 dimensions: %s", b)
	}
}

// imageBowl is E(x) = ½‖x − ½‖² on images of shape in_shape: an energy
// with an in_shape key, as image energies (convnets) have.
type imageBowl struct {
	InShape []int `toml:"in_shape" doc:"image shape (c, h, w)"`
}

func (b *imageBowl) Description() string { return "test bowl on images" }
func (b *imageBowl) Dim() int            { return b.InShape[0] * b.InShape[1] * b.InShape[2] }
func (b *imageBowl) Energy(e, x []float64) {
	d := b.Dim()
	for i := range len(x) / d {
		s := 0.0
		for _, v := range x[i*d : (i+1)*d] {
			s += (v - 0.5) * (v - 0.5)
		}
		e[i] = 0.5 * s
	}
}
func (b *imageBowl) Gradient(e, g, x []float64) {
	b.Energy(e, x)
	for j, v := range x {
		g[j] = v - 0.5
	}
}

func init() {
	energies.Register("test_image_bowl", func() energies.Energy { return &imageBowl{InShape: []int{1, 4, 4}} })
}

// TestSampleImageEnergy: a sampling run of an energy with in_shape (1, 4,
// 4) draws samples.png as an 8×8 grid of its last draws (4×4 images
// enlarged 16 times), writes samples.npy with the image shape (chains,
// draws, c, h, w), and prints the worst-dimensions report only for
// more than 20 dimensions (here 16: the table). A failure means image
// energies still get the 16×16 scatter matrix.
func TestSampleImageEnergy(t *testing.T) {
	cfg := writeFile(t, "img.toml", `name = "img-bowl"
seed = 1
[energy]
type = "test_image_bowl"
[sampler]
type = "ula"
step_size = 0.05
bounds = [0.0, 1.0]
[run]
chains = 16
warmup = 10
draws = 4
`)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli(t, "run", cfg, "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := os.Open(filepath.Join(out, "samples.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 8*64+9*2 || b.Dy() != 8*64+9*2 {
		t.Errorf("samples.png is %d×%d, want %d×%d", b.Dx(), b.Dy(), 8*64+9*2, 8*64+9*2)
	}
	sf, err := os.Open(filepath.Join(out, "samples.npy"))
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	if _, shape, err := fileio.ReadNPY(sf); err != nil || !equalInts(shape, []int{16, 4, 1, 4, 4}) {
		t.Errorf("samples.npy shape %v (%v), want [16 4 1 4 4]", shape, err)
	}
	if !strings.Contains(stdout, "… 8 more dimensions in summary.json") {
		t.Errorf("16 dimensions: want the first 8 rows and the usual line:\n%s", stdout)
	}
}
