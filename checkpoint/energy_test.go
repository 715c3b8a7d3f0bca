package checkpoint

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/mlp"
	"github.com/goebm/ebm/registry"
)

// points is a small batch of 3-D points.
var points = []float64{0, 0, 0, 1, -2, 0.5, -0.3, 0.7, 2.5, 4, 1, -1}

// evalBoth returns the energies and gradients of e at points.
func evalBoth(e energies.Energy, x []float64) (en, grad []float64) {
	n := len(x) / e.Dim()
	en, grad = make([]float64, n), make([]float64, len(x))
	e.Gradient(en, grad, x)
	return en, grad
}

// writeQuad writes a checkpoint of a 3-D quadtest with trained parameters.
func writeQuad(t *testing.T, path string) []float64 {
	t.Helper()
	params := []float64{0.5, 2, 1.25, -1, 0.25, 3}
	f := &File{Energy: map[string]any{"type": "quadtest", "dim": int64(3)}, Params: params, Step: 9}
	if err := Write(path, f); err != nil {
		t.Fatal(err)
	}
	return params
}

// TestEnergyType: the "checkpoint" energy loads the file and then behaves
// exactly as the saved model with its trained parameters (not the fresh
// defaults): same Dim, energies, gradients, Params and Build. A failure
// means a loaded model would be evaluated or sampled with wrong weights.
func TestEnergyType(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.ckpt")
	params := writeQuad(t, path)
	e, err := energies.FromTable(map[string]any{"type": "checkpoint", "path": path})
	if err != nil {
		t.Fatal(err)
	}
	ref := &quad{D: 3, p: params}
	if e.Dim() != 3 {
		t.Fatalf("Dim %d, want 3", e.Dim())
	}
	en, g := evalBoth(e, points)
	wen, wg := evalBoth(ref, points)
	if !slices.Equal(en, wen) || !slices.Equal(g, wg) {
		t.Fatalf("loaded energy gives E %v ∇E %v; the saved model gives %v %v", en, g, wen, wg)
	}
	e2 := make([]float64, 4)
	e.Energy(e2, points)
	if !slices.Equal(e2, wen) {
		t.Errorf("Energy %v, want %v", e2, wen)
	}
	tr, ok := e.(energies.Trainable)
	if !ok || !slices.Equal(tr.Params(), params) {
		t.Fatalf("not a Trainable with the saved params: %v", ok)
	}
	gr := autodiff.New()
	x := gr.Const(points, 4, 3)
	out, ps := tr.Build(gr, x)
	if v := gr.Value(out); len(ps) != 2 || !closeAll(v, wen, 1e-14) {
		t.Errorf("Build gives %v with %d parameter leaves, want %v with 2", v, len(ps), wen)
	}
	c := e.(*Energy)
	if c.Checkpoint() == nil || c.Checkpoint().Step != 9 {
		t.Errorf("Checkpoint() = %+v, want the loaded file (step 9)", c.Checkpoint())
	}
	if !c.Smooth() {
		t.Error("Smooth() is false for a model that does not say")
	}
}

// closeAll compares slices to a relative tolerance.
func closeAll(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*math.Max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}

// TestRelativePath: a relative path is resolved against the directory of
// the registry.Context (the config's directory), else against the working
// directory. A failure means configs would load the wrong file, or none,
// depending on where ebmrun is started.
func TestRelativePath(t *testing.T) {
	dir := t.TempDir()
	writeQuad(t, filepath.Join(dir, "model.ckpt"))
	table := map[string]any{"type": "checkpoint", "path": "model.ckpt"}

	e, err := energies.Registry.Build(registry.Context{Dir: dir}, table)
	if err != nil {
		t.Fatalf("with Dir %s: %v", dir, err)
	}
	if e.Dim() != 3 || e.(*Energy).Path != filepath.Join(dir, "model.ckpt") {
		t.Errorf("Dim %d, Path %q after loading from the config's directory, want 3 and %s", e.Dim(), e.(*Energy).Path, filepath.Join(dir, "model.ckpt"))
	}

	t.Chdir(dir)
	if _, err := energies.FromTable(table); err != nil {
		t.Errorf("relative to the working directory: %v", err)
	}
	other := t.TempDir()
	_, err = energies.Registry.Build(registry.Context{Dir: other}, table)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(other, "model.ckpt")) {
		t.Errorf("directory without the file: error %v, want one naming %s", err, filepath.Join(other, "model.ckpt"))
	}
}

// TestEnergyErrors: every way loading can fail gives an error naming the
// component, the key or the file, and the cause. A failure means a bad
// checkpoint or config would load silently wrong (or panic).
func TestEnergyErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, f *File) string {
		p := filepath.Join(dir, name)
		if err := Write(p, f); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wrongSize := write("size.ckpt", &File{Energy: map[string]any{"type": "quadtest", "dim": int64(3)}, Params: []float64{1, 2, 3, 4}})
	notTrainable := write("gauss.ckpt", &File{Energy: map[string]any{"type": "gaussian", "mean": []any{0.0}}, Params: nil})
	unknown := write("unknown.ckpt", &File{Energy: map[string]any{"type": "nosuch"}})
	badKey := write("badkey.ckpt", &File{Energy: map[string]any{"type": "quadtest", "dim": 2.5}})
	corrupt := filepath.Join(dir, "corrupt.ckpt")
	data, _ := os.ReadFile(wrongSize)
	data[len(data)-9] ^= 1
	os.WriteFile(corrupt, data, 0o644)

	for _, c := range []struct {
		table map[string]any
		want  []string
	}{
		{map[string]any{"type": "checkpoint"}, []string{"(checkpoint)", `"path"`, "required"}},
		{map[string]any{"type": "checkpoint", "path": filepath.Join(dir, "none.ckpt")}, []string{`"path"`, "none.ckpt"}},
		{map[string]any{"type": "checkpoint", "path": wrongSize}, []string{"size.ckpt", "architecture", "6 parameters", "holds 4"}},
		{map[string]any{"type": "checkpoint", "path": notTrainable}, []string{"gauss.ckpt", `"gaussian" is not learnable`}},
		{map[string]any{"type": "checkpoint", "path": unknown}, []string{"unknown.ckpt", `unknown energy "nosuch"`}},
		{map[string]any{"type": "checkpoint", "path": badKey}, []string{"badkey.ckpt", "(quadtest)", `"dim"`}},
		{map[string]any{"type": "checkpoint", "path": corrupt}, []string{"corrupt.ckpt", "corrupted"}},
		{map[string]any{"type": "checkpoint", "path": 3}, []string{`"path"`, "string"}},
	} {
		_, err := energies.FromTable(c.table)
		if err == nil {
			t.Errorf("%v: accepted", c.table)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", c.table, err, w)
			}
		}
	}
	self := &File{Energy: map[string]any{"type": "checkpoint", "path": "x"}}
	if _, err := self.NewEnergy(); err == nil || !strings.Contains(err.Error(), `"checkpoint" itself`) {
		t.Errorf("a checkpoint naming itself as its energy: %v", err)
	}
}

// TestNewEnergyCopies: NewEnergy copies the parameters in; the model must
// not alias the File, or later edits of one would change the other.
func TestNewEnergyCopies(t *testing.T) {
	f := &File{Energy: map[string]any{"type": "quadtest", "dim": int64(1)}, Params: []float64{2, 3}}
	tr, err := f.NewEnergy()
	if err != nil {
		t.Fatal(err)
	}
	f.Params[0] = 100
	if tr.Params()[0] != 2 {
		t.Errorf("the model's parameter followed an edit of File.Params: %v", tr.Params())
	}
}

// TestMLP saves a real mlp energy with perturbed (trained-like) weights and
// checks that the checkpoint energy reproduces it bit for bit, and passes
// Smooth through. A failure means the saved table or parameters do not
// rebuild the same network (a wrong key type, a lost parameter).
func TestMLP(t *testing.T) {
	m, err := mlp.New(3, []int{8, 5}, "softplus", 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Params() {
		m.Params()[i] += 0.01 * float64(i%7-3)
	}
	table := map[string]any{"type": "mlp", "dim": int64(3), "hidden": []any{int64(8), int64(5)}, "activation": "softplus", "seed": int64(4)}
	path := filepath.Join(t.TempDir(), "mlp.ckpt")
	if err := Write(path, &File{Energy: table, Params: m.Params(), Step: 100}); err != nil {
		t.Fatal(err)
	}
	e, err := energies.FromTable(map[string]any{"type": "checkpoint", "path": path})
	if err != nil {
		t.Fatal(err)
	}
	en, g := evalBoth(e, points)
	wen, wg := evalBoth(m, points)
	if !slices.Equal(en, wen) || !slices.Equal(g, wg) {
		t.Fatalf("loaded mlp: E %v ∇E %v; saved mlp: %v %v", en, g, wen, wg)
	}
	if e.(*Energy).Smooth() != m.Smooth() {
		t.Error("Smooth is not passed through")
	}
	table["hidden"] = []any{int64(8)}
	if err := Write(path, &File{Energy: table, Params: m.Params()}); err != nil {
		t.Fatal(err)
	}
	if _, err := energies.FromTable(map[string]any{"type": "checkpoint", "path": path}); err == nil || !strings.Contains(err.Error(), "architecture") {
		t.Errorf("mlp with other hidden layers: %v, want an architecture mismatch", err)
	}
}

// TestMLPFloat32 checks that a float32 model's checkpoint records its
// dtype (the resolved table has it) and rebuilds a float32 network: the
// loaded energy's results equal the saved model's bit for bit, and differ
// from the float64 twin's. A failure means a float32 model reloads as
// float64 (or the reverse), changing every result after a resume.
func TestMLPFloat32(t *testing.T) {
	e32, err := energies.FromTable(map[string]any{"type": "mlp", "dim": int64(3), "hidden": []any{int64(8)}, "dtype": "float32", "seed": int64(2)})
	if err != nil {
		t.Fatal(err)
	}
	m := e32.(*mlp.MLP)
	table := registry.Resolved("mlp", m)
	if table["dtype"] != "float32" {
		t.Fatalf("resolved table %v has no dtype = float32", table)
	}
	path := filepath.Join(t.TempDir(), "mlp32.ckpt")
	if err := Write(path, &File{Energy: table, Params: m.Params()}); err != nil {
		t.Fatal(err)
	}
	e, err := energies.FromTable(map[string]any{"type": "checkpoint", "path": path})
	if err != nil {
		t.Fatal(err)
	}
	en, g := evalBoth(e, points)
	wen, wg := evalBoth(m, points)
	if !slices.Equal(en, wen) || !slices.Equal(g, wg) {
		t.Fatalf("loaded float32 mlp: E %v; saved: %v", en, wen)
	}
	if t32, ok := e.(energies.Trainable32); !ok || !t32.Float32() || !slices.Equal(t32.Params32(), m.Params32()) {
		t.Error("the checkpoint energy does not pass the float32 path through")
	}
	m64, err := energies.FromTable(map[string]any{"type": "mlp", "dim": int64(3), "hidden": []any{int64(8)}, "seed": int64(2)})
	if err != nil {
		t.Fatal(err)
	}
	if en64, _ := evalBoth(m64, points); slices.Equal(en64, en) {
		t.Error("float64 and float32 twins give the same bits: the dtype changed nothing")
	}
}
