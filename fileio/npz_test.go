package fileio

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// TestWriteNPZRoundTrip writes two arrays and reads them back member by
// member, as numpy.load does, and checks that the bytes do not depend on
// the time of writing.
func TestWriteNPZRoundTrip(t *testing.T) {
	arrays := []NPZArray{
		{Name: "lp", Data: []float64{-1, -2, -3, -4, -5, -6}, Shape: []int{2, 3}},
		{Name: "diverging", Data: []float64{0, 1}, Shape: []int{2, 1}},
	}
	var b, b2 bytes.Buffer
	if err := WriteNPZ(&b, arrays); err != nil {
		t.Fatal(err)
	}
	if err := WriteNPZ(&b2, arrays); err != nil || !bytes.Equal(b.Bytes(), b2.Bytes()) {
		t.Fatalf("two writes of the same arrays differ (err %v)", err)
	}
	z, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(z.File) != len(arrays) {
		t.Fatalf("%d members, want %d", len(z.File), len(arrays))
	}
	for i, f := range z.File {
		a := arrays[i]
		if f.Name != a.Name+".npy" {
			t.Errorf("member %d is %q, want %q", i, f.Name, a.Name+".npy")
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, shape, err := ReadNPY(r)
		r.Close()
		if err != nil || !slices.Equal(data, a.Data) || !slices.Equal(shape, a.Shape) {
			t.Errorf("%s: read %v %v (err %v), wrote %v %v", a.Name, data, shape, err, a.Data, a.Shape)
		}
	}
}

// TestReadNPZFile: what WriteNPZ writes, ReadNPZFile reads back in order,
// names and shapes included; a missing file is os.ErrNotExist (merge tells
// a shard without per-draw statistics from a broken one by it).
func TestReadNPZFile(t *testing.T) {
	arrays := []NPZArray{{Name: "lp", Data: []float64{-1, -2, -3, -4}, Shape: []int{2, 2}}, {Name: "x", Data: []float64{7}, Shape: []int{1, 1}}}
	path := filepath.Join(t.TempDir(), "s.npz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteNPZ(f, arrays); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, err := ReadNPZFile(path)
	if err != nil || !reflect.DeepEqual(got, arrays) {
		t.Errorf("read %+v (err %v), wrote %+v", got, err, arrays)
	}
	if _, err := ReadNPZFile(path + ".missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
}
