package convnet_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/convnet"
	"github.com/goebm/ebm/fileio"
)

// TestStateDictLayout checks the default convnet's export against the
// peers' nn.Sequential(Conv2d(1,32,3,2,1), SiLU(), Conv2d(32,64,3,2,1),
// SiLU(), Conv2d(64,64,3,2,1), SiLU(), Flatten(), Linear(1024,1)): keys
// 0, 2, 4 and 7, PyTorch's shapes, and Params sliced in order.
func TestStateDictLayout(t *testing.T) {
	m, err := convnet.New([]int{1, 28, 28}, []int{32, 64, 64}, "silu", 1)
	if err != nil {
		t.Fatal(err)
	}
	ts, meta := m.StateDict("")
	want := []string{"0.weight [32 1 3 3]", "0.bias [32]", "2.weight [64 32 3 3]", "2.bias [64]",
		"4.weight [64 64 3 3]", "4.bias [64]", "7.weight [1 1024]", "7.bias [1]"}
	at := 0
	for i, x := range ts {
		if got := fmt.Sprint(x.Name, " ", x.Shape); i >= len(want) || got != want[i] {
			t.Errorf("tensor %d: %s, want %s", i, got, want[min(i, len(want)-1)])
		}
		for j, v := range x.Data {
			if v != m.Params()[at+j] {
				t.Fatalf("%s[%d] is not Params()[%d]", x.Name, j, at+j)
			}
		}
		at += len(x.Data)
	}
	if at != len(m.Params()) {
		t.Errorf("the tensors hold %d values, Params %d", at, len(m.Params()))
	}
	wantTorch := "nn.Sequential(nn.Conv2d(1, 32, 3, 2, 1), nn.SiLU(), nn.Conv2d(32, 64, 3, 2, 1), nn.SiLU(), nn.Conv2d(64, 64, 3, 2, 1), nn.SiLU(), nn.Flatten(), nn.Linear(1024, 1))"
	if meta["torch"] != wantTorch || meta["spectral_norm"] != "false" {
		t.Errorf("metadata %v", meta)
	}
}

// TestSpectralExport: a spectral_norm model exports W/σ(W), and that file
// loaded into the same architecture without spectral_norm computes the
// same energies, which is what a plain nn.Sequential does with it.
func TestSpectralExport(t *testing.T) {
	sn := small(t, "float64", map[string]any{"spectral_norm": true})
	ts, meta := sn.StateDict("")
	if meta["spectral_norm"] != "folded" {
		t.Errorf("spectral_norm metadata %q, want folded", meta["spectral_norm"])
	}
	if ts[0].Data[0] == sn.Params()[0] {
		t.Error("the exported weight is the raw W, not W/σ")
	}
	p := filepath.Join(t.TempDir(), "sn.safetensors")
	if err := fileio.WriteTensorsFile(p, ts, meta); err != nil {
		t.Fatal(err)
	}
	plain := small(t, "float64", map[string]any{"weights": p})
	x := points(4, sn.Dim(), 2)
	e1, e2 := make([]float64, 4), make([]float64, 4)
	sn.Energy(e1, x)
	plain.Energy(e2, x)
	for i := range e1 {
		if relErr(e2[i], e1[i]) > 1e-13 {
			t.Errorf("E(x_%d): spectral model %.17g, its export without spectral_norm %.17g", i, e1[i], e2[i])
		}
	}
}

// TestWeightsBadInput: a file that does not fit the architecture is a
// one-line error naming the key, the file, and the tensor and shape, or
// the setting, that differ.
func TestWeightsBadInput(t *testing.T) {
	dir := t.TempDir()
	ts, meta := small(t, "float64", nil).StateDict("")
	write := func(name string, ts []fileio.Tensor, meta map[string]string) string {
		p := filepath.Join(dir, name)
		if err := fileio.WriteTensorsFile(p, ts, meta); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.safetensors", ts, meta)
	for _, c := range []struct {
		name  string
		extra map[string]any
		want  []string
	}{
		{"channels", map[string]any{"channels": []any{4, 7}}, []string{`tensor "2.weight" has shape [6, 4, 3, 3], expected [7, 4, 3, 3]`}},
		{"stride", map[string]any{"stride": 1}, []string{"stride 2, the model has 1"}},
		{"kernel", map[string]any{"kernel": 5}, []string{"kernel 3, the model has 5"}},
		{"activation", map[string]any{"activation": "tanh"}, []string{"activation silu"}},
	} {
		c.extra["weights"] = good
		table := map[string]any{"type": "convnet", "in_shape": []any{1, 8, 8}, "channels": []any{4, 6}}
		for k, v := range c.extra {
			table[k] = v
		}
		_, err := energies.FromTable(table)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range append(c.want, `key "weights"`, "good.safetensors") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
	// Without metadata (npz) the shapes still catch another architecture.
	npz := write("good.npz", ts, nil)
	_, err := energies.FromTable(map[string]any{"type": "convnet", "in_shape": []any{1, 9, 9}, "channels": []any{4, 6}, "weights": npz})
	if err == nil || !strings.Contains(err.Error(), `tensor "5.weight" has shape [1, 24], expected [1, 54]`) {
		t.Errorf("in_shape 1×9×9 with 1×8×8's weights: %v", err)
	}
}
