package checkpoint

import (
	"path/filepath"
	"testing"

	"github.com/goebm/ebm/energies/mlp"
)

// TestNewEnergyWithoutWeightsFile: a model fine-tuned from a weights file
// keeps `weights = FILE` in its stored table; the checkpoint must still
// rebuild it, with its own parameters, once that file is gone (and must
// not read it: the checkpoint's parameters replace it anyway).
func TestNewEnergyWithoutWeightsFile(t *testing.T) {
	m, err := mlp.New(3, []int{4}, "tanh", 2)
	if err != nil {
		t.Fatal(err)
	}
	params := make([]float64, len(m.Params()))
	for i := range params {
		params[i] = 0.01 * float64(i)
	}
	gone := filepath.Join(t.TempDir(), "gone.safetensors")
	table := map[string]any{"type": "mlp", "dim": int64(3), "hidden": []any{int64(4)}, "activation": "tanh", "weights": gone}
	f := &File{Energy: table, Params: params}
	tr, err := f.NewEnergy()
	if err != nil {
		t.Fatalf("a checkpoint whose weights file is gone does not load: %v", err)
	}
	if !sameBits(tr.Params(), params) {
		t.Error("the rebuilt model does not hold the checkpoint's parameters")
	}
	if table["weights"] != gone {
		t.Error("NewEnergy changed the file's energy table")
	}
	p := filepath.Join(t.TempDir(), "c.ebm")
	if err := Write(p, f); err != nil {
		t.Fatal(err)
	}
	back, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.NewEnergy(); err != nil {
		t.Errorf("after a write and read: %v", err)
	}
}
