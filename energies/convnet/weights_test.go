package convnet_test

import (
	"fmt"
	"path/filepath"
	"slices"
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
		{"stride", map[string]any{"stride": 1}, []string{"stride 2 in every layer, the model has strides [1, 1]"}},
		{"strides", map[string]any{"strides": []any{2, 1}}, []string{"stride 2 in every layer, the model has strides [2, 1]"}},
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

// TestMixedStridesRoundTrip: a net with per-layer strides exports them in
// its metadata and its module description, loads back into the same
// architecture with the same parameters and energies, and is refused by
// a model with other strides; a file without strides (written before the
// key existed, or with stride alone) loads into strides that repeat its
// stride, and into no other.
func TestMixedStridesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	mixed := map[string]any{"channels": []any{3, 4, 5}, "strides": []any{1, 2, 1}}
	m := small(t, "float64", mixed)
	ts, meta := m.StateDict("")
	if meta["strides"] != "[1, 2, 1]" || meta["torch"] != "nn.Sequential(nn.Conv2d(1, 3, 3, 1, 1), nn.SiLU(), nn.Conv2d(3, 4, 3, 2, 1), nn.SiLU(), nn.Conv2d(4, 5, 3, 1, 1), nn.SiLU(), nn.Flatten(), nn.Linear(80, 1))" {
		t.Errorf("metadata %v", meta)
	}
	p := filepath.Join(dir, "mixed.safetensors")
	if err := fileio.WriteTensorsFile(p, ts, meta); err != nil {
		t.Fatal(err)
	}
	back := small(t, "float64", map[string]any{"channels": mixed["channels"], "strides": mixed["strides"], "seed": int64(99), "weights": p})
	if !slices.Equal(back.Params(), m.Params()) {
		t.Error("the loaded parameters differ from the exported ones")
	}
	x := points(3, m.Dim(), 8)
	e1, e2 := make([]float64, 3), make([]float64, 3)
	m.Energy(e1, x)
	back.Energy(e2, x)
	if !slices.Equal(e1, e2) {
		t.Errorf("energies %v after the round trip, %v before", e2, e1)
	}
	// Other strides with the same tensor shapes ([1, 2, 1] and [2, 1, 1] both end at 4×4).
	_, err := energies.FromTable(map[string]any{"type": "convnet", "in_shape": []any{1, 8, 8}, "channels": mixed["channels"], "strides": []any{2, 1, 1}, "weights": p})
	if err == nil || !strings.Contains(err.Error(), "strides [1, 2, 1], the model has [2, 1, 1]") {
		t.Errorf("strides [2, 1, 1] with [1, 2, 1]'s weights: %v", err)
	}
	// A file with stride alone, as from before strides existed.
	old := small(t, "float64", map[string]any{"channels": mixed["channels"]})
	ts, meta = old.StateDict("")
	if _, ok := meta["strides"]; ok {
		t.Errorf("strides in the metadata of a model without them: %v", meta)
	}
	p = filepath.Join(dir, "old.safetensors")
	if err := fileio.WriteTensorsFile(p, ts, meta); err != nil {
		t.Fatal(err)
	}
	same := small(t, "float64", map[string]any{"channels": mixed["channels"], "strides": []any{2, 2, 2}, "weights": p})
	if !slices.Equal(same.Params(), old.Params()) {
		t.Error("strides [2, 2, 2] did not load stride 2's weights")
	}
	_, err = energies.FromTable(map[string]any{"type": "convnet", "in_shape": []any{1, 8, 8}, "channels": mixed["channels"], "strides": []any{1, 2, 2}, "weights": p})
	if err == nil || !strings.Contains(err.Error(), "stride 2 in every layer, the model has strides [1, 2, 2]") {
		t.Errorf("strides [1, 2, 2] with stride 2's weights: %v", err)
	}
}
