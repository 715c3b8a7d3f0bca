package convnet_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/fileio"
)

var update = flag.Bool("update", false, "rewrite the ebm-exported files of testdata (then run ../mlp/testdata/make_torch_fixtures.py)")

// torchCase is one case of testdata/torch_fixtures.json, written by
// ../mlp/testdata/make_torch_fixtures.py with PyTorch: a model as an ebm [energy]
// table (TOML), its weights files, points x (rows) and PyTorch's energies
// and ∇ₓE there.
type torchCase struct {
	Name   string    `json:"name"`
	Table  string    `json:"table"`
	Files  []string  `json:"files"`
	X      []float64 `json:"x"`
	Energy []float64 `json:"energy"`
	Grad   []float64 `json:"grad"`
}

type torchFixtures struct {
	Torch []torchCase `json:"torch"` // models made by PyTorch, loaded with weights =
	Ebm   []torchCase `json:"ebm"`   // files ebm exported, loaded by PyTorch (load_state_dict, strict)
}

// ebmExports are the models whose exports testdata holds: the table, and
// the files (a safetensors and an npz of the same state_dict).
var ebmExports = []torchCase{
	{Name: "ebm_conv64", Table: "type = \"convnet\"\nin_shape = [2, 7, 6]\nchannels = [3, 4]\nactivation = \"silu\"\nseed = 5\nquadratic = 0.1\nspectral_norm = true\n",
		Files: []string{"ebm_conv64.safetensors", "ebm_conv64.npz"}},
	{Name: "ebm_conv32", Table: "type = \"convnet\"\nin_shape = [1, 8, 8]\nchannels = [4, 8]\nactivation = \"tanh\"\nseed = 6\ndtype = \"float32\"\n",
		Files: []string{"ebm_conv32.safetensors", "ebm_conv32.npz"}},
}

func readTorchFixtures(t *testing.T) torchFixtures {
	t.Helper()
	raw, err := os.ReadFile("testdata/torch_fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f torchFixtures
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Torch) == 0 || len(f.Ebm) != len(ebmExports) {
		t.Fatalf("testdata/torch_fixtures.json has %d PyTorch and %d ebm cases, want some and %d", len(f.Torch), len(f.Ebm), len(ebmExports))
	}
	return f
}

// fromTOML builds an energy from a TOML table, with weights when not "".
func fromTOML(t *testing.T, table, weights string) energies.Trainable {
	t.Helper()
	m := map[string]any{}
	if _, err := toml.Decode(table, &m); err != nil {
		t.Fatal(err)
	}
	if weights != "" {
		m["weights"] = weights
	}
	e, err := energies.FromTable(m)
	if err != nil {
		t.Fatal(err)
	}
	return e.(energies.Trainable)
}

// tolerance is how close ebm must come to PyTorch: float64 precision for a
// float64 model, float32 precision for a float32 one.
func tolerance(e energies.Trainable) float64 {
	if f, ok := e.(energies.Trainable32); ok && f.Float32() {
		return 1e-5
	}
	return 1e-12
}

// compareTorch evaluates e at c.X and compares with PyTorch's energies
// and gradients, relative to the largest of them (and 1).
func compareTorch(t *testing.T, what string, e energies.Trainable, c torchCase) {
	t.Helper()
	n := len(c.Energy)
	if n == 0 || len(c.X) != n*e.Dim() || len(c.Grad) != len(c.X) {
		t.Fatalf("%s: fixture sizes: %d points, %d values, %d gradient values for dim %d", what, n, len(c.X), len(c.Grad), e.Dim())
	}
	en, grad := make([]float64, n), make([]float64, len(c.X))
	e.Gradient(en, grad, c.X)
	tol := tolerance(e)
	scaleE, scaleG := 1.0, 1.0
	for _, v := range c.Energy {
		scaleE = max(scaleE, math.Abs(v))
	}
	for _, v := range c.Grad {
		scaleG = max(scaleG, math.Abs(v))
	}
	worst := 0.0
	for i := range en {
		worst = max(worst, math.Abs(en[i]-c.Energy[i])/scaleE)
		if d := math.Abs(en[i] - c.Energy[i]); !(d <= tol*scaleE) {
			t.Errorf("%s: E(x_%d) = %.17g, PyTorch %.17g (|Δ| %.3g > %.0e × %.3g)", what, i, en[i], c.Energy[i], d, tol, scaleE)
		}
	}
	for i := range grad {
		worst = max(worst, math.Abs(grad[i]-c.Grad[i])/scaleG)
		if d := math.Abs(grad[i] - c.Grad[i]); !(d <= tol*scaleG) {
			t.Errorf("%s: ∇E[%d] = %.17g, PyTorch %.17g (|Δ| %.3g)", what, i, grad[i], c.Grad[i], d)
		}
	}
	t.Logf("%s: worst relative deviation from PyTorch %.2g (tolerance %.0e)", what, worst, tol)
}

// TestWeightsFromTorch loads networks that PyTorch made (float64 and
// float32, safetensors and npz) with weights = FILE and checks that ebm
// computes PyTorch's energies and gradients: a wrong tensor name, a missed
// transpose or a layer out of order would change them.
func TestWeightsFromTorch(t *testing.T) {
	for _, c := range readTorchFixtures(t).Torch {
		for _, f := range c.Files {
			compareTorch(t, c.Name+"/"+f, fromTOML(t, c.Table, filepath.Join("testdata", f)), c)
		}
	}
}

// TestExportToTorch re-exports fixed-seed models and checks that the files
// are byte-identical to those in testdata, which PyTorch loaded with
// load_state_dict(strict=True) into the nn.Sequential the metadata names;
// its energies there must be ebm's. A change of the export's names,
// layouts or bytes fails here (rerun with -update and the script, then).
func TestExportToTorch(t *testing.T) {
	if *update {
		for _, c := range ebmExports {
			ts, meta := fromTOML(t, c.Table, "").(stateDicter).StateDict("")
			for _, f := range c.Files {
				if err := fileio.WriteTensorsFile(filepath.Join("testdata", f), ts, meta); err != nil {
					t.Fatal(err)
				}
			}
		}
		t.Skip("rewrote the exports; now run /usr/bin/python3 ../mlp/testdata/make_torch_fixtures.py")
	}
	fx := readTorchFixtures(t)
	for i, c := range ebmExports {
		e := fromTOML(t, c.Table, "")
		ts, meta := e.(stateDicter).StateDict("")
		for _, f := range c.Files {
			var buf bytes.Buffer
			var err error
			if filepath.Ext(f) == ".npz" {
				err = fileio.WriteTensorsNPZ(&buf, ts)
			} else {
				err = fileio.WriteSafetensors(&buf, ts, meta)
			}
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", f))
			if err != nil {
				t.Fatal(err)
			}
			// A spectral_norm export holds W/σ, σ from power iterations on
			// the SIMD dot products: its last bits depend on the machine's
			// kernels (arm64's fused multiply-adds), so elsewhere than on
			// amd64, where the files were made, it is compared to 1e-13.
			exact := !strings.Contains(c.Table, "spectral_norm = true") || runtime.GOARCH == "amd64"
			if exact && !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s: the export differs from testdata/%s", c.Name, f)
			}
			if !exact {
				got, _, err := fileio.ReadTensorsFile(filepath.Join("testdata", f))
				if err != nil {
					t.Fatal(err)
				}
				for k, x := range ts {
					if !closeFloats(x.Data, got[k].Data, 1e-13) {
						t.Errorf("%s: tensor %s differs from testdata/%s by more than 1e-13", c.Name, x.Name, f)
					}
				}
			}
			// The file loads back into the same architecture, exactly: Params
			// is in state_dict order (with spectral_norm, the weights come
			// back as the exported W/σ).
			back := fromTOML(t, c.Table, filepath.Join("testdata", f))
			var flat []float64
			for _, x := range ts {
				flat = append(flat, x.Data...)
			}
			if q := back.Params(); !equalFloats(flat, q, tolerance(e) == 1e-5) && (exact || !closeFloats(flat, q, 1e-13)) {
				t.Errorf("%s: %s does not load back to the exported parameters", c.Name, f)
			}
		}
		if fx.Ebm[i].Name != c.Name {
			t.Fatalf("fixture %d is %q, want %q", i, fx.Ebm[i].Name, c.Name)
		}
		compareTorch(t, c.Name, e, fx.Ebm[i])
	}
}

type stateDicter interface {
	StateDict(dtype string) ([]fileio.Tensor, map[string]string)
}

// equalFloats compares exactly, or after rounding a to float32.
// closeFloats reports whether a and b agree to rel, relative to the
// largest magnitude of a.
func closeFloats(a, b []float64, rel float64) bool {
	if len(a) != len(b) {
		return false
	}
	scale := 0.0
	for _, v := range a {
		scale = max(scale, math.Abs(v))
	}
	for i := range a {
		if !(math.Abs(a[i]-b[i]) <= rel*scale) {
			return false
		}
	}
	return true
}

func equalFloats(a, b []float64, f32 bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		v := a[i]
		if f32 {
			v = float64(float32(v))
		}
		if v != b[i] {
			return false
		}
	}
	return true
}
