package runner

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goebm/ebm/checkpoint"
	"github.com/goebm/ebm/energies/mlp"
	"github.com/goebm/ebm/fileio"
)

// writeMLPCheckpoint saves a small mlp with perturbed (trained-like)
// weights as dir/model.ckpt and returns the model and the file.
func writeMLPCheckpoint(t *testing.T, dir string) (*mlp.MLP, string) {
	t.Helper()
	path := filepath.Join(dir, "model.ckpt")
	return writeMLPCheckpointAt(t, path), path
}

// writeMLPCheckpointAt is writeMLPCheckpoint to the file path.
func writeMLPCheckpointAt(t *testing.T, path string) *mlp.MLP {
	t.Helper()
	m, err := mlp.New(2, []int{6}, "tanh", 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Params() {
		m.Params()[i] += 0.05 * float64(i%5-2)
	}
	table := map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(6)}, "activation": "tanh", "seed": int64(3)}
	if err := checkpoint.Write(path, &checkpoint.File{Energy: table, Params: m.Params(), Step: 50}); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEnergyCheckpoint evaluates `ebmrun energy --checkpoint FILE` on a
// saved mlp and compares every energy and gradient, exactly, with the model
// evaluated directly, for CSV on stdout and NPY output. A failure means
// the command evaluates another model than the one saved (fresh weights, a
// wrong architecture) or writes its values inexactly.
func TestEnergyCheckpoint(t *testing.T) {
	dir := t.TempDir()
	m, ck := writeMLPCheckpoint(t, dir)
	pts := []float64{0, 0, 1.5, -0.25, -2, 3, 0.125, 7}
	var b strings.Builder
	for i := 0; i < len(pts); i += 2 {
		b.WriteString(strconv.FormatFloat(pts[i], 'g', -1, 64) + "," + strconv.FormatFloat(pts[i+1], 'g', -1, 64) + "\n")
	}
	csv := filepath.Join(dir, "p.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	n := len(pts) / 2
	en, grad := make([]float64, n), make([]float64, 2*n)
	m.Gradient(en, grad, pts)
	want := make([]float64, 0, 3*n)
	for i := range n {
		want = append(want, en[i], grad[2*i], grad[2*i+1])
	}

	code, out, stderr := cli(t, "energy", "--checkpoint", ck, "--points", csv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p, err := fileio.ReadCSV(strings.NewReader(out), "stdout", 3)
	if err != nil || !strings.HasPrefix(out, "energy,grad_0,grad_1\n") {
		t.Fatalf("output %q: %v", out, err)
	}
	if !slices.Equal(p.Data, want) {
		t.Errorf("CSV rows %v, direct evaluation %v", p.Data, want)
	}

	npy := filepath.Join(dir, "e.npy")
	if code, _, stderr := cli(t, "energy", "--points", csv, "--out", npy, "--checkpoint", ck); code != 0 {
		t.Fatalf("NPY: exit %d: %s", code, stderr)
	}
	f, err := os.Open(npy)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, shape, err := fileio.ReadNPY(f)
	if err != nil || !slices.Equal(shape, []int{n, 3}) || !slices.Equal(data, want) {
		t.Errorf("NPY shape %v, rows %v (%v); want (%d, 3) %v", shape, data, err, n, want)
	}
}

// TestEnergyCheckpointUsage: exactly one of CONFIG and --checkpoint, no
// --set with a checkpoint, and a bad checkpoint file, are usage errors:
// exit 2 and one line naming the problem. A failure means an ambiguous
// command line would evaluate some energy silently, or a bad file crash.
func TestEnergyCheckpointUsage(t *testing.T) {
	dir := t.TempDir()
	_, ck := writeMLPCheckpoint(t, dir)
	cfg := writeFile(t, "e.toml", tinyConfig)
	pts := filepath.Join(dir, "p.csv")
	os.WriteFile(pts, []byte("1,2\n"), 0o644)

	code, _, stderr := cli(t, "energy", cfg, "--checkpoint", ck, "--points", pts)
	assertUsageError(t, code, stderr, "not both")
	code, _, stderr = cli(t, "energy", "--points", pts)
	assertUsageError(t, code, stderr, "one CONFIG file or --checkpoint FILE")
	code, _, stderr = cli(t, "energy", "--checkpoint", ck, "--points", pts, "--set", "energy.dim=3")
	assertUsageError(t, code, stderr, "--set", "--checkpoint")
	code, _, stderr = cli(t, "energy", "--checkpoint", ck)
	assertUsageError(t, code, stderr, "--points")

	corrupt := filepath.Join(dir, "bad.ckpt")
	raw, _ := os.ReadFile(ck)
	raw[len(raw)-20] ^= 4
	os.WriteFile(corrupt, raw, 0o644)
	code, _, stderr = cli(t, "energy", "--checkpoint", corrupt, "--points", pts)
	assertUsageError(t, code, stderr, "bad.ckpt", "corrupted")
	code, _, stderr = cli(t, "energy", "--checkpoint", cfg, "--points", pts)
	assertUsageError(t, code, stderr, "e.toml", "not an ebm checkpoint")
	code, _, stderr = cli(t, "energy", "--checkpoint", filepath.Join(dir, "none.ckpt"), "--points", pts)
	assertUsageError(t, code, stderr, "none.ckpt")

	arch := filepath.Join(dir, "arch.ckpt")
	checkpoint.Write(arch, &checkpoint.File{Energy: map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(4)}}, Params: []float64{1, 2}})
	code, _, stderr = cli(t, "energy", "--checkpoint", arch, "--points", pts)
	assertUsageError(t, code, stderr, "arch.ckpt", "architecture", "holds 2")

	_, out, _ := cli(t, "energy", "--help")
	if !strings.Contains(out, "-checkpoint") {
		t.Errorf("energy --help does not list --checkpoint:\n%s", out)
	}
}
