package fileio

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestReadCSV checks header detection, both delimiters, comments and blank
// lines; a failure means valid points files are misread or rejected.
func TestReadCSV(t *testing.T) {
	for _, c := range []struct{ name, text string }{
		{"header", "x,y\n1,2\n3.5,-4e-1\n"},
		{"quoted header", "\"x\", \"y\"\n1, 2\n3.5 ,-4e-1\n"},
		{"no header", "1,2\n3.5,-4e-1"},
		{"spaces", "# from numpy.savetxt\n1 2\n\n3.5\t-4e-1\n"},
	} {
		p, err := ReadCSV(strings.NewReader(c.text), "p.csv", 0)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if p.N != 2 || p.Dim != 2 || !reflect.DeepEqual(p.Data, []float64{1, 2, 3.5, -0.4}) {
			t.Errorf("%s: got n=%d dim=%d %v", c.name, p.N, p.Dim, p.Data)
		}
	}
}

// TestReadCSVErrors checks that bad cells and ragged rows are reported with
// the file name and the line number, which is what a user needs to fix them.
func TestReadCSVErrors(t *testing.T) {
	for _, c := range []struct {
		text string
		dim  int
		want string
	}{
		{"x,y\n1,2\n3,4,5\n", 0, "p.csv:3: 3 columns, want 2"},
		{"1,2\n3,abc\n", 0, `p.csv:2: column 2: "abc" is not a number`},
		{"1,2,3\n", 2, "p.csv:1: 3 columns, want 2"},
		{"a,b,c\n1,2,3\n", 2, "p.csv:1: header has 3 columns, want 2"},
		{"x,y\n", 0, "p.csv: no points"},
		{"", 2, "p.csv: no points"},
	} {
		_, err := ReadCSV(strings.NewReader(c.text), "p.csv", c.dim)
		if err == nil || err.Error() != c.want && !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
	}
}

// TestReadPointsFile checks dispatch by extension and the NPY shape rules:
// a wrong dispatch would parse binary as CSV.
func TestReadPointsFile(t *testing.T) {
	dir := t.TempDir()
	npy := filepath.Join(dir, "p.npy")
	var buf bytes.Buffer
	WriteNPY(&buf, []float64{1, 2, 3, 4, 5, 6}, 3, 2)
	os.WriteFile(npy, buf.Bytes(), 0o644)
	p, err := ReadPointsFile(npy, 2)
	if err != nil || p.N != 3 || p.Dim != 2 {
		t.Fatalf("npy: %+v %v", p, err)
	}
	if _, err := ReadPointsFile(npy, 3); err == nil || !strings.Contains(err.Error(), "has 2 columns, want 3") {
		t.Errorf("npy with wrong dim: error %v", err)
	}
	csv := filepath.Join(dir, "p.txt")
	os.WriteFile(csv, []byte("1,2\n"), 0o644)
	if p, err := ReadPointsFile(csv, 2); err != nil || p.N != 1 {
		t.Errorf("csv: %+v %v", p, err)
	}
	if _, err := ReadPointsFile(filepath.Join(dir, "missing.csv"), 2); err == nil {
		t.Error("missing file: want an error")
	}
}

// TestWriteCSV checks the exact output, including that values round-trip
// through ReadCSV without loss.
func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	data := []float64{0.1, -2, 1e-300, 3}
	if err := WriteCSV(&buf, []string{"energy", "grad_0"}, data, 2); err != nil {
		t.Fatal(err)
	}
	if want := "energy,grad_0\n0.1,-2\n1e-300,3\n"; buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
	p, err := ReadCSV(&buf, "x", 2)
	if err != nil || !reflect.DeepEqual(p.Data, data) {
		t.Fatalf("round trip: %v %v", p, err)
	}
}

// FuzzReadCSV checks that no input makes the CSV reader panic and that
// anything it accepts is a consistent n×dim batch.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("x,y\n1,2\n3,4\n"))
	f.Add([]byte("1 2\n3 4\n"))
	f.Add([]byte("# c\n\n1,2,3\n"))
	f.Add([]byte("1,2\n3,x\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := ReadCSV(bytes.NewReader(raw), "f.csv", 0)
		if err != nil {
			return
		}
		if p.Dim <= 0 || p.N <= 0 || len(p.Data) != p.N*p.Dim {
			t.Fatalf("inconsistent batch n=%d dim=%d len=%d", p.N, p.Dim, len(p.Data))
		}
	})
}
