package datasets_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/registry"
)

// writeFile writes text to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// npyBytes builds a .npy file (format 1.0) with the given dtype, shape
// tuple text and raw little-endian data, as numpy.save writes it.
func npyBytes(descr, shape string, raw []byte) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	pad := 64 - (10+len(h)+1)%64
	h += strings.Repeat(" ", pad%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	b.Write(raw)
	return b.Bytes()
}

// f4 encodes float32 values little-endian.
func f4(v ...float32) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, v)
	return b.Bytes()
}

// i8 encodes int64 values little-endian.
func i8(v ...int64) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, v)
	return b.Bytes()
}

// f8npy returns a float64 .npy file of the given shape holding data.
func f8npy(t *testing.T, data []float64, shape ...int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := fileio.WriteNPY(&b, data, shape...); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// loadFile builds a file data set from table with base as the config's
// directory, loads it, and returns the data set, the points and the error.
func loadFile(t *testing.T, base string, table map[string]any) (datasets.Dataset, []float64, error) {
	t.Helper()
	d, err := datasets.Registry.Build(registry.Context{Dir: base}, table)
	if err != nil {
		t.Fatalf("%v: %v", table, err)
	}
	x, err := d.Load()
	return d, x, err
}

// TestLoadGoodFiles reads well-formed CSV (with and without a header,
// comma- and space-separated, with comments, a column selection) and .npy
// files (float64, float32, int64, 2-D and 1-D), each by a path relative to
// the base directory, and checks the values and Dim. A failure means a
// valid data file is misread: a header taken as data, columns swapped, a
// dtype misdecoded, a 1-D array taken as one point.
func TestLoadGoodFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "head.csv", "x,y\n1,2\n3.5,-4\n")
	writeFile(t, dir, "plain.csv", "# two points\n\n1 2 3\n4\t5 6\n")
	os.WriteFile(filepath.Join(dir, "f8.npy"), f8npy(t, []float64{1, 2, 3, 4, 5, 6}, 3, 2), 0o644)
	os.WriteFile(filepath.Join(dir, "f4.npy"), npyBytes("<f4", "(2, 2)", f4(0.5, -1.5, 2, 3)), 0o644)
	os.WriteFile(filepath.Join(dir, "i8.npy"), npyBytes("<i8", "(3,)", i8(7, -8, 9)), 0o644)
	cases := []struct {
		table map[string]any
		want  []float64
		dim   int
	}{
		{map[string]any{"type": "csv", "path": "head.csv"}, []float64{1, 2, 3.5, -4}, 2},
		{map[string]any{"type": "csv", "path": "plain.csv"}, []float64{1, 2, 3, 4, 5, 6}, 3},
		{map[string]any{"type": "csv", "path": "plain.csv", "columns": []any{int64(2), int64(0)}}, []float64{3, 1, 6, 4}, 2},
		{map[string]any{"type": "npy", "path": "f8.npy"}, []float64{1, 2, 3, 4, 5, 6}, 2},
		{map[string]any{"type": "npy", "path": "f8.npy", "columns": []any{int64(1)}}, []float64{2, 4, 6}, 1},
		{map[string]any{"type": "npy", "path": "f4.npy"}, []float64{0.5, -1.5, 2, 3}, 2},
		{map[string]any{"type": "npy", "path": "i8.npy"}, []float64{7, -8, 9}, 1},
	}
	for _, c := range cases {
		d, x, err := loadFile(t, dir, c.table)
		if err != nil {
			t.Errorf("%v: %v", c.table, err)
			continue
		}
		if !slices.Equal(x, c.want) || d.Dim() != c.dim {
			t.Errorf("%v: got %v with Dim %d, want %v with Dim %d", c.table, x, d.Dim(), c.want, c.dim)
		}
	}
}

// TestPathResolution checks that Dim is 0 before Load, that a relative
// path is resolved against the Context's directory (and not the working
// directory), that an absolute path ignores it, and that sets without
// files build with a directory too. A failure means the runner reads the
// wrong file for a config run from another directory.
func TestPathResolution(t *testing.T) {
	dir := t.TempDir()
	abs := writeFile(t, dir, "p.csv", "1,2\n")
	d, err := datasets.FromTable(map[string]any{"type": "csv", "path": "p.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Dim() != 0 {
		t.Errorf("Dim before Load = %d, want 0", d.Dim())
	}
	if _, err := d.Load(); err == nil {
		t.Errorf("p.csv found relative to the working directory; it exists only in %s", dir)
	}
	d, err = datasets.Registry.Build(registry.Context{Dir: dir}, map[string]any{"type": "csv", "path": "p.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if x, err := d.Load(); err != nil || !slices.Equal(x, []float64{1, 2}) {
		t.Errorf("relative to the base: %v, %v", x, err)
	}
	_, x, err := loadFile(t, "/nonexistent-base", map[string]any{"type": "csv", "path": abs})
	if err != nil || !slices.Equal(x, []float64{1, 2}) {
		t.Errorf("absolute path with a base: %v, %v", x, err)
	}
	if _, err := datasets.Registry.Build(registry.Context{Dir: dir}, map[string]any{"type": "moons"}); err != nil {
		t.Errorf("moons with a directory: %v", err)
	}
}

// TestBadFiles loads every kind of bad file and checks that the error names
// the loader, the file and, for CSV, the line and column at fault (lines
// counted with the header, comments and blank lines). A failure means a
// user with a broken data file is not told where to look, or a NaN or an
// infinity enters training.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "nan.npy"), f8npy(t, []float64{1, 2, math.NaN(), 4}, 2, 2), 0o644)
	os.WriteFile(filepath.Join(dir, "inf.npy"), npyBytes("<f4", "(2, 2)", f4(1, 2, 3, float32(math.Inf(-1)))), 0o644)
	os.WriteFile(filepath.Join(dir, "cube.npy"), f8npy(t, make([]float64, 4), 2, 1, 1, 1, 2), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.npy"), f8npy(t, nil, 0, 2), 0o644)
	os.WriteFile(filepath.Join(dir, "u2.npy"), npyBytes("<u2", "(2,)", []byte{1, 0, 2, 0}), 0o644)
	os.WriteFile(filepath.Join(dir, "short.npy"), npyBytes("<f8", "(2, 2)", make([]byte, 16)), 0o644)
	cases := []struct {
		name, text string // text "" with a .npy name: the file written above
		table      map[string]any
		frags      []string
	}{
		{"ragged.csv", "x,y\n1,2\n3,4,5\n", nil, []string{"(csv)", "ragged.csv:3:", "3 columns, want 2"}},
		{"word.csv", "1,2\n3,abc\n", nil, []string{"(csv)", "word.csv:2:", "column 2", `"abc" is not a number`}},
		{"nan.csv", "# c\nx,y\n\n1,2\n3,NaN\n", nil, []string{"(csv)", "nan.csv:5:", "column 2", "NaN", "finite"}},
		{"inf.csv", "1 2\n-inf 3\n", nil, []string{"(csv)", "inf.csv:2:", "column 1", "-Inf", "finite"}},
		{"empty.csv", "", nil, []string{"(csv)", "empty.csv", "no points"}},
		{"header.csv", "x,y\n", nil, []string{"(csv)", "header.csv", "no points"}},
		{"cols.csv", "1,2\n", map[string]any{"columns": []any{int64(0), int64(5)}},
			[]string{"(csv)", `key "columns"`, "column index 5 is out of range", "cols.csv has 2 columns"}},
		{"missing.csv", "-", nil, []string{"(csv)", `key "path"`, "missing.csv", "no such file"}},
		{"nan.npy", "", nil, []string{"(npy)", "nan.npy", "element [1, 0]", "NaN", "finite"}},
		{"inf.npy", "", nil, []string{"(npy)", "inf.npy", "element [1, 1]", "-Inf"}},
		{"cube.npy", "", nil, []string{"(npy)", "cube.npy", "shape [2 1 1 1 2]", "want (n, d)"}},
		{"empty.npy", "", nil, []string{"(npy)", "empty.npy", "holds no points"}},
		{"u2.npy", "", nil, []string{"(npy)", "u2.npy", `unsupported .npy dtype "<u2"`}},
		{"short.npy", "", nil, []string{"(npy)", "short.npy", "truncated"}},
		{"text.npy", "1,2\n", nil, []string{"(npy)", "text.npy", "not a .npy file"}},
		{"nan.npy", "", map[string]any{"columns": []any{int64(2)}}, []string{"(npy)", "column index 2 is out of range"}},
		{"missing.npy", "-", nil, []string{"(npy)", `key "path"`, "missing.npy", "no such file"}},
	}
	for _, c := range cases {
		if c.text != "-" && (c.text != "" || strings.HasSuffix(c.name, ".csv")) {
			writeFile(t, dir, c.name, c.text)
		}
		table := map[string]any{"type": strings.TrimPrefix(filepath.Ext(c.name), "."), "path": c.name}
		for k, v := range c.table {
			table[k] = v
		}
		d, x, err := loadFile(t, dir, table)
		wantErr(t, c.name, err, c.frags...)
		if x != nil || d.Dim() != 0 {
			t.Errorf("%s: failed Load returned %d values and set Dim %d", c.name, len(x), d.Dim())
		}
	}
}

// TestNonFiniteInDroppedColumn checks that a NaN in a column that columns
// leaves out is not an error. A failure means a file with an unused
// incomplete column cannot be used at all.
func TestNonFiniteInDroppedColumn(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d.csv", "a,b,c\n1,NaN,2\n3,4,5\n")
	_, x, err := loadFile(t, dir, map[string]any{"type": "csv", "path": "d.csv", "columns": []any{int64(0), int64(2)}})
	if err != nil || !slices.Equal(x, []float64{1, 2, 3, 5}) {
		t.Errorf("got %v, %v; want [1 2 3 5]", x, err)
	}
}
