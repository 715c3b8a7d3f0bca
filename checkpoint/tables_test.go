package checkpoint

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestTablesRoundTrip: the extra tables a training run stores (its
// [objective] with a nested sampler, [data]) come back as written, integers
// and floats apart; a file without them reads back with an empty map. A
// failure means --resume could not tell a changed objective or data set.
func TestTablesRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.ebm")
	want := map[string]map[string]any{
		"objective": {"type": "pcd", "buffer": int64(100), "sampler": map[string]any{"type": "ula", "step_size": 0.01}},
		"data":      {"type": "moons", "n": int64(10), "noise": 0.1},
	}
	if err := Write(path, &File{Energy: map[string]any{"type": "quadtest"}, Params: []float64{1}, Tables: want}); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Tables, want) {
		t.Errorf("tables came back as %#v, want %#v", got.Tables, want)
	}
	if err := Write(path, &File{Energy: map[string]any{"type": "quadtest"}, Params: []float64{1}}); err != nil {
		t.Fatal(err)
	}
	if got, err = Read(path); err != nil || got.Tables == nil || len(got.Tables) != 0 {
		t.Errorf("a file without tables read back with %v (%v), want an empty map", got.Tables, err)
	}
}
