package fileio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goebm/ebm/rng"
)

func sampleTensors() []Tensor {
	return []Tensor{
		{Name: "0.weight", DType: "F64", Shape: []int{2, 3}, Data: []float64{1, -2, 3.5, math.Pi, math.Copysign(0, -1), 1e-300}},
		{Name: "0.bias", DType: "F32", Shape: []int{2}, Data: []float64{0.1, -7}},
		{Name: "scalar", DType: "F64", Shape: []int{}, Data: []float64{42}},
		{Name: "empty", DType: "F32", Shape: []int{0, 4}, Data: []float64{}},
	}
}

func encodeST(t testing.TB, ts []Tensor, meta map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, ts, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSafetensorsRoundTrip writes tensors of both dtypes, a scalar and an
// empty one, with metadata, and reads them back: F64 exactly, F32 rounded
// to float32, shapes, names and metadata as written; the bytes are the
// same at every write and the buffer starts 8-byte aligned.
func TestSafetensorsRoundTrip(t *testing.T) {
	meta := map[string]string{"type": "mlp", "quadratic": "0.5"}
	b := encodeST(t, sampleTensors(), meta)
	if !bytes.Equal(b, encodeST(t, sampleTensors(), meta)) {
		t.Error("two writes of the same tensors differ")
	}
	if n := binary.LittleEndian.Uint64(b); n%8 != 0 {
		t.Errorf("header of %d bytes: the buffer is not 8-byte aligned", n)
	}
	ts, m, err := ReadSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, meta) {
		t.Errorf("metadata %v, want %v", m, meta)
	}
	want := sampleTensors()
	want[1].Data = []float64{float64(float32(0.1)), -7}
	// Empty tensors sort first (offset 0 … 0 ties broken by end), so compare by name.
	got := map[string]Tensor{}
	for _, x := range ts {
		got[x.Name] = x
	}
	for _, w := range want {
		g := got[w.Name]
		if g.DType != w.DType || !reflect.DeepEqual(g.Shape, w.Shape) || !reflect.DeepEqual(g.Data, w.Data) {
			t.Errorf("%s: read %+v, want %+v", w.Name, g, w)
		}
	}
	if !math.Signbit(got["0.weight"].Data[4]) {
		t.Error("-0 lost its sign")
	}
	if len(ts) != len(want) {
		t.Errorf("%d tensors, want %d", len(ts), len(want))
	}
}

// TestSafetensorsWriteErrors: what cannot be written is an error, not a
// corrupt file.
func TestSafetensorsWriteErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		ts   []Tensor
		want string
	}{
		{"dtype", []Tensor{{Name: "a", DType: "I8", Shape: []int{1}, Data: []float64{1}}}, "unknown dtype"},
		{"shape", []Tensor{{Name: "a", DType: "F64", Shape: []int{3}, Data: []float64{1}}}, "holds 3 values"},
		{"duplicate", []Tensor{{Name: "a", DType: "F64", Data: []float64{1}}, {Name: "a", DType: "F64", Data: []float64{1}}}, "twice"},
		{"reserved", []Tensor{{Name: "__metadata__", DType: "F64", Data: []float64{1}}}, "reserved"},
		{"no name", []Tensor{{DType: "F64", Data: []float64{1}}}, "name"},
	} {
		err := WriteSafetensors(&bytes.Buffer{}, c.ts, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// stFile assembles a safetensors file from a header text and a buffer.
func stFile(header string, buf []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), buf...)
}

// TestSafetensorsBadInput: each malformed file is an error saying what is
// wrong.
func TestSafetensorsBadInput(t *testing.T) {
	eight := make([]byte, 8)
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "shorter"},
		{"huge header", binary.LittleEndian.AppendUint64(nil, 1<<40), "implausibly large"},
		{"header past the end", binary.LittleEndian.AppendUint64(nil, 100), "truncated"},
		{"not an object", stFile(`[1, 2]`, nil), "not a JSON object"},
		{"bad JSON", stFile(`{"a": {`, nil), "bad safetensors header"},
		{"unknown dtype", stFile(`{"a": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]}}`, eight), `dtype "BF16" is not supported`},
		{"missing offsets", stFile(`{"a": {"dtype": "F64", "shape": [1]}}`, eight), "data_offsets"},
		{"missing shape", stFile(`{"a": {"dtype": "F64", "data_offsets": [0, 8]}}`, eight), "shape"},
		{"unknown field", stFile(`{"a": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8], "x": 1}}`, eight), "unknown field"},
		{"negative dim", stFile(`{"a": {"dtype": "F64", "shape": [-1], "data_offsets": [0, 8]}}`, eight), "negative"},
		{"fractional dim", stFile(`{"a": {"dtype": "F64", "shape": [1.5], "data_offsets": [0, 8]}}`, eight), "tensor \"a\""},
		{"offsets past the buffer", stFile(`{"a": {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]}}`, eight), "outside"},
		{"size mismatch", stFile(`{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 8]}}`, eight), "number of bytes"},
		{"overflowing shape", stFile(`{"a": {"dtype": "F64", "shape": [4294967296, 4294967296], "data_offsets": [0, 8]}}`, eight), "number of bytes"},
		{"hole", stFile(`{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}`, eight), "belong to no tensor"},
		{"trailing bytes", stFile(`{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}`, eight), "belong to no tensor"},
		{"overlap", stFile(`{"a": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}`, eight), "overlap"},
		{"duplicate", stFile(`{"a": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}, "a": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}`, eight), "twice"},
		{"metadata not strings", stFile(`{"__metadata__": {"k": 1}}`, nil), "__metadata__"},
		{"trailing text", stFile(`{} {}`, nil), "after the JSON object"},
	} {
		_, _, err := ReadSafetensors(c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// TestSafetensorsTruncatedAndGarbled cuts a valid file at every length and
// flips random bytes of it: every cut is an error, and no input panics.
func TestSafetensorsTruncatedAndGarbled(t *testing.T) {
	b := encodeST(t, sampleTensors(), map[string]string{"k": "v"})
	for n := range len(b) {
		if _, _, err := ReadSafetensors(b[:n]); err == nil {
			t.Errorf("a file cut to %d of %d bytes was accepted", n, len(b))
		}
	}
	s := rng.New(14, 0)
	for range 2000 {
		g := bytes.Clone(b)
		for range 1 + s.IntN(4) {
			g[s.IntN(len(g))] ^= byte(1 + s.IntN(255))
		}
		ReadSafetensors(g) // must return, whatever it says
	}
}

// FuzzReadSafetensors checks that no input makes the reader panic, and that
// whatever it accepts is self-consistent and survives a round trip.
func FuzzReadSafetensors(f *testing.F) {
	f.Add(encodeST(f, sampleTensors(), map[string]string{"a": "b"}))
	f.Add(stFile(`{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}`, make([]byte, 4)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ts, meta, err := ReadSafetensors(raw)
		if err != nil {
			return
		}
		for _, x := range ts {
			if err := checkTensor(x); err != nil {
				t.Fatalf("accepted an inconsistent tensor: %v", err)
			}
		}
		back, meta2, err := ReadSafetensors(encodeST(t, ts, meta))
		if err != nil || len(back) != len(ts) || len(meta2) != len(meta) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

// TestTensorsNPZ writes F64 and F32 tensors as npz and reads them back
// through ReadTensorsFile: '<f4' arrays come back as the float32 values.
func TestTensorsNPZ(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "w.npz")
	ts := sampleTensors()
	if err := WriteTensorsFile(p, ts, map[string]string{"dropped": "yes"}); err != nil {
		t.Fatal(err)
	}
	back, meta, err := ReadTensorsFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if meta != nil || len(back) != len(ts) {
		t.Fatalf("read %d tensors and metadata %v, want %d and none", len(back), meta, len(ts))
	}
	for i, w := range ts {
		g := back[i]
		wd := w.Data
		if w.DType == "F32" {
			wd = make([]float64, len(w.Data))
			for j, v := range w.Data {
				wd[j] = float64(float32(v))
			}
		}
		if g.Name != w.Name || !reflect.DeepEqual(g.Shape, w.Shape) || !reflect.DeepEqual(g.Data, wd) {
			t.Errorf("%s: read %+v", w.Name, g)
		}
	}
	raw, _ := os.ReadFile(p)
	if !bytes.Contains(raw, []byte("'descr': '<f4'")) || !bytes.Contains(raw, []byte("'descr': '<f8'")) {
		t.Error("the npz does not store F32 tensors as <f4 and F64 as <f8")
	}
	if _, _, err := ReadTensorsFile(filepath.Join(dir, "w.pt")); err == nil || !strings.Contains(err.Error(), ".safetensors or .npz") {
		t.Errorf("a .pt file: error %v, want one naming the extensions", err)
	}
}

// TestMatchTensors: the tensors a model expects, in its order, or an error
// naming the tensor and the expected shape.
func TestMatchTensors(t *testing.T) {
	want := []TensorSpec{{"w", []int{2, 1}}, {"b", []int{2}}}
	ts := []Tensor{{Name: "b", Shape: []int{2}, Data: []float64{3, 4}}, {Name: "w", Shape: []int{2, 1}, Data: []float64{1, 2}}}
	vals, err := MatchTensors(ts, want)
	if err != nil || !reflect.DeepEqual(vals, [][]float64{{1, 2}, {3, 4}}) {
		t.Fatalf("got %v, %v", vals, err)
	}
	for _, c := range []struct {
		name string
		ts   []Tensor
		want string
	}{
		{"missing", ts[:1], `tensor "w" is missing (expected shape [2, 1]`},
		{"shape", []Tensor{ts[0], {Name: "w", Shape: []int{1, 2}, Data: []float64{1, 2}}}, `tensor "w" has shape [1, 2], expected [2, 1]`},
		{"extra", append(ts[:2:2], Tensor{Name: "x", Shape: []int{}, Data: []float64{0}}), `unexpected tensor "x"`},
		{"twice", append(ts[:2:2], ts[0]), `tensor "b" appears twice`},
		{"nan", []Tensor{ts[0], {Name: "w", Shape: []int{2, 1}, Data: []float64{1, math.NaN()}}}, "non-finite"},
	} {
		_, err := MatchTensors(c.ts, want)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func ExampleWriteSafetensors() {
	var buf bytes.Buffer
	w := []Tensor{{Name: "0.weight", DType: "F32", Shape: []int{1, 2}, Data: []float64{0.5, -1}}}
	if err := WriteSafetensors(&buf, w, map[string]string{"type": "mlp"}); err != nil {
		panic(err)
	}
	ts, meta, err := ReadSafetensors(buf.Bytes())
	if err != nil {
		panic(err)
	}
	fmt.Println(ts[0].Name, ts[0].DType, ts[0].Shape, ts[0].Data, meta["type"])
	// Output: 0.weight F32 [1 2] [0.5 -1] mlp
}
