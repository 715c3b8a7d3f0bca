package runner

import "testing"

// A key added to a component after a run started, held at its zero value,
// does not block --resume; a key added with another value does.
func TestDiffTablesNewZeroKey(t *testing.T) {
	old := map[string]any{"type": "mlp", "hidden": []any{int64(8)}}
	same := map[string]any{"type": "mlp", "hidden": []any{int64(8)}, "weights": "", "quadratic": 0.0, "spectral_norm": false}
	if d := diffTables("energy", old, same); len(d) != 0 {
		t.Fatalf("zero-valued new keys reported as changes: %v", d)
	}
	changed := map[string]any{"type": "mlp", "hidden": []any{int64(8)}, "weights": "w.safetensors"}
	if d := diffTables("energy", old, changed); len(d) != 1 || d[0].key != "energy.weights" {
		t.Fatalf("a new non-zero key should be reported, got %v", d)
	}
	if d := diffTables("energy", same, old); len(d) != 3 {
		t.Fatalf("keys dropped from the new table should be reported, got %v", d)
	}
}
