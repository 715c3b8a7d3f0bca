package mlp_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/mlp"
	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/registry"
)

// TestStateDictLayout checks the export's names and shapes against
// nn.Sequential(Linear(3, 5), act, Linear(5, 4), act, Linear(4, 1)), and
// that "0.weight" is W₁ transposed (PyTorch's out×in).
func TestStateDictLayout(t *testing.T) {
	m, err := mlp.New(3, []int{5, 4}, "leaky_relu", 1)
	if err != nil {
		t.Fatal(err)
	}
	ts, meta := m.StateDict("")
	want := []string{"0.weight [5 3]", "0.bias [5]", "2.weight [4 5]", "2.bias [4]", "4.weight [1 4]", "4.bias [1]"}
	for i, x := range ts {
		if got := fmt.Sprint(x.Name, " ", x.Shape); i >= len(want) || got != want[i] {
			t.Errorf("tensor %d: %s", i, got)
		}
		if x.DType != "F64" {
			t.Errorf("%s: dtype %s, want F64 for a float64 model", x.Name, x.DType)
		}
	}
	p := m.Params() // W₁ is 3×5 row-major: W₁[i][j] = p[5i+j]
	if ts[0].Data[1*3+2] != p[2*5+1] {
		t.Error("0.weight[1][2] is not W₁[2][1]")
	}
	if meta["torch"] != "nn.Sequential(nn.Linear(3, 5), nn.LeakyReLU(0.2), nn.Linear(5, 4), nn.LeakyReLU(0.2), nn.Linear(4, 1))" {
		t.Errorf("torch module %q", meta["torch"])
	}
	if ts32, _ := m.StateDict("F32"); ts32[0].DType != "F32" {
		t.Error("StateDict(\"F32\") did not give F32 tensors")
	}
}

// TestWeightsBadInput: a file that does not fit the architecture, or is no
// weights file, is a one-line error naming the key, the file, the tensor
// and the shape expected.
func TestWeightsBadInput(t *testing.T) {
	dir := t.TempDir()
	m, err := mlp.New(2, []int{3}, "silu", 1)
	if err != nil {
		t.Fatal(err)
	}
	good, meta := m.StateDict("")
	write := func(name string, ts []fileio.Tensor, meta map[string]string) string {
		p := filepath.Join(dir, name)
		if err := fileio.WriteTensorsFile(p, ts, meta); err != nil {
			t.Fatal(err)
		}
		return p
	}
	renamed := append([]fileio.Tensor(nil), good...)
	renamed[0].Name = "fc.weight"
	reshaped := append([]fileio.Tensor(nil), good...)
	reshaped[0].Shape = []int{2, 3}
	tanh := map[string]string{"activation": "tanh"}
	full := write("good.safetensors", good, meta)
	raw, _ := os.ReadFile(full)
	trunc := filepath.Join(dir, "trunc.safetensors")
	os.WriteFile(trunc, raw[:len(raw)-5], 0o644)
	npzRaw, _ := os.ReadFile(write("good.npz", good, nil))
	truncNPZ := filepath.Join(dir, "trunc.npz")
	os.WriteFile(truncNPZ, npzRaw[:len(npzRaw)/2], 0o644)
	bf16 := filepath.Join(dir, "bf16.safetensors")
	os.WriteFile(bf16, []byte(strings.Replace(string(raw), `"F64"`, `"I64"`, 1)), 0o644)
	for _, c := range []struct {
		name, path string
		want       []string
	}{
		{"wrong name", write("renamed.safetensors", renamed, nil), []string{`tensor "0.weight" is missing`, "[3, 2]", "renamed.safetensors"}},
		{"wrong shape", write("reshaped.npz", reshaped, nil), []string{`tensor "0.weight" has shape [2, 3], expected [3, 2]`, "reshaped.npz"}},
		{"activation", write("tanh.safetensors", good, tanh), []string{`activation "tanh"`}},
		{"truncated", trunc, []string{"trunc.safetensors", "outside"}},
		{"truncated npz", truncNPZ, []string{"trunc.npz"}},
		{"dtype", bf16, []string{`dtype "I64" is not supported`}},
		{"missing", filepath.Join(dir, "nope.safetensors"), []string{"cannot read", "nope.safetensors"}},
		{"extension", filepath.Join(dir, "w.pt"), []string{".safetensors or .npz"}},
	} {
		_, err := energies.FromTable(map[string]any{"type": "mlp", "dim": 2, "hidden": []any{3}, "weights": c.path})
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		msg := err.Error()
		for _, w := range append(c.want, `key "weights"`) {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q lacks %q", c.name, msg, w)
			}
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("%s: error spans lines: %q", c.name, msg)
		}
	}
}

// TestWeightsPathResolved: a relative weights path is resolved against the
// config's directory, as the npy data set's path is.
func TestWeightsPathResolved(t *testing.T) {
	dir := t.TempDir()
	m, _ := mlp.New(2, []int{3}, "silu", 4)
	ts, meta := m.StateDict("")
	if err := fileio.WriteTensorsFile(filepath.Join(dir, "w.safetensors"), ts, meta); err != nil {
		t.Fatal(err)
	}
	e, err := energies.Registry.Build(registry.Context{Dir: dir}, map[string]any{"type": "mlp", "dim": 2, "hidden": []any{3}, "weights": "w.safetensors"})
	if err != nil {
		t.Fatal(err)
	}
	got := e.(*mlp.MLP)
	if got.Weights != filepath.Join(dir, "w.safetensors") {
		t.Errorf("weights resolved to %q", got.Weights)
	}
	for i, v := range m.Params() {
		if got.Params()[i] != v {
			t.Fatalf("param %d: %v, want %v (seed 0's draw was not replaced)", i, got.Params()[i], v)
		}
	}
}
