package datasets_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/registry"
)

// idxBytes builds an IDX file: the magic number, the big-endian dimensions
// and the data.
func idxBytes(magic uint32, dims []int, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, uint32(d))
	}
	b.Write(data)
	return b.Bytes()
}

// gz compresses b.
func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// tinyIDX writes 5 images of 2×3 (pixel j of image i is 40·i + j) and
// their labels 3, 1, 3, 0, 1 into dir, plain and gzipped, and returns the
// pixels.
func tinyIDX(t *testing.T, dir string) []byte {
	t.Helper()
	pix := make([]byte, 5*6)
	for i := range 5 {
		for j := range 6 {
			pix[i*6+j] = byte(40*i + j)
		}
	}
	pix[29] = 255
	img := idxBytes(2051, []int{5, 2, 3}, pix)
	lab := idxBytes(2049, []int{5}, []byte{3, 1, 3, 0, 1})
	for name, b := range map[string][]byte{"img": img, "img.gz": gz(img), "lab": lab, "lab.gz": gz(lab)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pix
}

// TestIDXLoad reads plain and gzipped IDX images with labels, relative to
// the config's directory, and checks values, Dim, Shape, Labels, range,
// classes, n and dequantize. A failure means MNIST-format data is misread:
// pixels scaled wrongly, labels misaligned with their images, a class
// filter that keeps the wrong rows.
func TestIDXLoad(t *testing.T) {
	dir := t.TempDir()
	pix := tinyIDX(t, dir)
	for _, pair := range [][2]string{{"img", "lab"}, {"img.gz", "lab.gz"}, {"img", "lab.gz"}} {
		d, x, err := loadFile(t, dir, map[string]any{"type": "idx", "path": pair[0], "labels": pair[1]})
		if err != nil {
			t.Fatalf("%v: %v", pair, err)
		}
		if len(x) != 30 || d.Dim() != 6 || !slices.Equal(datasets.ShapeOf(d), []int{1, 2, 3}) {
			t.Fatalf("%v: %d values, Dim %d, shape %v; want 30, 6, [1 2 3]", pair, len(x), d.Dim(), datasets.ShapeOf(d))
		}
		for i, v := range x {
			if v != float64(pix[i])/255 {
				t.Fatalf("%v: value %d is %v, want %v/255", pair, i, v, pix[i])
			}
		}
		if l := d.(datasets.Labeled).Labels(); !slices.Equal(l, []int{3, 1, 3, 0, 1}) {
			t.Errorf("%v: labels %v", pair, l)
		}
	}

	d, x, err := loadFile(t, dir, map[string]any{"type": "idx", "path": "img", "range": []any{-1.0, 1.0}})
	if err != nil || x[0] != -1 || x[29] != 1 || x[7] != -1+2*41.0/255 {
		t.Errorf("range [-1, 1]: %v, %v", x, err)
	}
	if l := d.(datasets.Labeled).Labels(); l != nil {
		t.Errorf("no labels file: Labels %v, want nil", l)
	}

	d, x, err = loadFile(t, dir, map[string]any{"type": "idx", "path": "img.gz", "labels": "lab", "classes": []any{int64(3)}})
	want := append(slices.Clone(pix[0:6]), pix[12:18]...)
	if err != nil || len(x) != 12 || x[6] != float64(want[6])/255 || !slices.Equal(d.(datasets.Labeled).Labels(), []int{3, 3}) {
		t.Errorf("classes [3]: %v, %v, labels %v; want rows 0 and 2", x, err, d.(datasets.Labeled).Labels())
	}
	d, x, err = loadFile(t, dir, map[string]any{"type": "idx", "path": "img", "labels": "lab", "classes": []any{int64(0), int64(1)}, "n": 2})
	if err != nil || len(x) != 12 || x[0] != float64(pix[6])/255 || x[6] != float64(pix[18])/255 || !slices.Equal(d.(datasets.Labeled).Labels(), []int{1, 0}) {
		t.Errorf("classes [0, 1], n = 2: %v, %v; want rows 1 and 3", x, err)
	}
	_, x, err = loadFile(t, dir, map[string]any{"type": "idx", "path": "img", "n": 100})
	if err != nil || len(x) != 30 {
		t.Errorf("n beyond the file: %d values, %v; want all 30", len(x), err)
	}

	deq := map[string]any{"type": "idx", "path": "img", "dequantize": true, "seed": 3}
	_, a, err := loadFile(t, dir, deq)
	if err != nil {
		t.Fatal(err)
	}
	_, b, _ := loadFile(t, dir, deq)
	deq["seed"] = 4
	_, c, _ := loadFile(t, dir, deq)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("dequantize: the same seed gave different values, or another seed the same")
	}
	for i, v := range a {
		if lo := float64(pix[i]) / 256; !(v >= lo && v < lo+1.0/256) {
			t.Fatalf("dequantize: value %d is %v, want in [%v, %v)", i, v, lo, lo+1.0/256)
		}
	}
}

// TestIDXBadFiles checks that every malformed IDX input is a one-line error
// naming the file or the key at fault, and that a failed Load leaves Dim 0
// and returns no values. A failure means a user with a wrong, truncated or
// mismatched file is not told which one, or trains on garbage.
func TestIDXBadFiles(t *testing.T) {
	dir := t.TempDir()
	tinyIDX(t, dir)
	img := idxBytes(2051, []int{5, 2, 3}, make([]byte, 30))
	full := gz(img)
	files := map[string][]byte{
		"magic":      idxBytes(2052, []int{5, 2, 3}, make([]byte, 30)),
		"float":      idxBytes(0x0d03, []int{5, 2, 3}, make([]byte, 30)),
		"short":      img[:40],
		"head":       img[:9],
		"short.gz":   full[:len(full)-20],
		"long":       append(slices.Clone(img), 0),
		"lab4":       idxBytes(2049, []int{4}, []byte{1, 2, 3, 4}),
		"garbage.gz": {0x1f, 0x8b, 0, 0},
	}
	for name, b := range files {
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	cases := []struct {
		table map[string]any
		frags []string
	}{
		{map[string]any{"path": "lab"}, []string{"(idx)", `key "path"`, "lab: not an IDX images file", "magic number 2049", "want 2051", "name it in labels"}},
		{map[string]any{"path": "img", "labels": "img.gz"}, []string{"(idx)", `key "labels"`, "img.gz: not an IDX labels file", "magic number 2051", "want 2049"}},
		{map[string]any{"path": "magic"}, []string{"(idx)", "magic: not an IDX images file", "magic number 2052"}},
		{map[string]any{"path": "float"}, []string{"(idx)", "float:", "element type 0x0d"}},
		{map[string]any{"path": "short"}, []string{"(idx)", "short: truncated", "5 images of 2×3", "30 bytes", "holds 24"}},
		{map[string]any{"path": "head"}, []string{"(idx)", "head: truncated IDX header"}},
		{map[string]any{"path": "short.gz"}, []string{"(idx)", "short.gz:", "truncated"}},
		{map[string]any{"path": "garbage.gz"}, []string{"(idx)", "garbage.gz:", "gzip"}},
		{map[string]any{"path": "long"}, []string{"(idx)", "long: more data than the header's 5 images of 2×3"}},
		{map[string]any{"path": "img", "labels": "lab4"}, []string{"(idx)", `key "labels"`, "lab4 holds 4 labels but", "img holds 5 images"}},
		{map[string]any{"path": "img", "labels": "lab", "classes": []any{int64(7)}}, []string{"(idx)", `key "classes"`, "class 7 does not occur in", "lab (its labels: 0, 1, 3)"}},
		{map[string]any{"path": "missing"}, []string{"(idx)", `key "path"`, "missing", "no such file"}},
		{map[string]any{"path": "img", "labels": "missing-labels"}, []string{"(idx)", `key "labels"`, "missing-labels", "no such file"}},
	}
	for _, c := range cases {
		c.table["type"] = "idx"
		d, x, err := loadFile(t, dir, c.table)
		what := registry.EncodeKey("t", c.table)
		wantErr(t, what, err, c.frags...)
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", what, err)
		}
		if x != nil || d.Dim() != 0 || d.(datasets.Shaped).Shape() != nil {
			t.Errorf("%s: failed Load returned %d values and set Dim %d", what, len(x), d.Dim())
		}
	}
}

// TestIDXBadKeys checks the keys Validate rejects before any file is read.
// A failure means a config with classes but no labels, or a nonsense range,
// starts loading instead of being refused.
func TestIDXBadKeys(t *testing.T) {
	cases := []struct {
		table map[string]any
		frags []string
	}{
		{map[string]any{"type": "idx"}, []string{"(idx)", `key "path": required`}},
		{map[string]any{"type": "idx", "path": "a", "classes": []any{int64(1)}}, []string{"(idx)", `key "classes": needs labels`}},
		{map[string]any{"type": "idx", "path": "a", "labels": "b", "classes": []any{}}, []string{"(idx)", `key "classes": empty`}},
		{map[string]any{"type": "idx", "path": "a", "labels": "b", "classes": []any{int64(1), int64(1)}}, []string{"(idx)", `key "classes"`, "twice"}},
		{map[string]any{"type": "idx", "path": "a", "labels": "b", "classes": []any{int64(256)}}, []string{"(idx)", `key "classes"`, "256"}},
		{map[string]any{"type": "idx", "path": "a", "n": -1}, []string{"(idx)", `key "n"`, "-1"}},
		{map[string]any{"type": "idx", "path": "a", "range": []any{1.0, -1.0}}, []string{"(idx)", `key "range"`, "lo < hi"}},
		{map[string]any{"type": "idx", "path": "a", "range": []any{0.0}}, []string{"(idx)", `key "range"`, "[lo, hi]"}},
		{map[string]any{"type": "idx", "path": "a", "range": []any{0.0, math.Inf(1)}}, []string{"(idx)", `key "range"`}},
		{map[string]any{"type": "mnist", "split": "val"}, []string{"(mnist)", `key "split"`, `"train" or "test"`}},
		{map[string]any{"type": "fashion_mnist", "labels": "x"}, []string{"(fashion_mnist)", `unknown key "labels"`}},
		{map[string]any{"type": "images", "path": "a", "range": []any{0.0, 0.0}}, []string{"(images)", `key "range"`}},
		{map[string]any{"type": "images"}, []string{"(images)", `key "path": required`}},
	}
	for _, c := range cases {
		_, err := datasets.FromTable(c.table)
		wantErr(t, registry.EncodeKey("t", c.table), err, c.frags...)
	}
}

// TestShapeOf checks the shape every kind of data set reports: (d) for
// points, nil for a file loader before Load. A failure means the runner
// passes a wrong or missing shape to the components after [data].
func TestShapeOf(t *testing.T) {
	d, _ := load(t, map[string]any{"type": "moons", "n": 3})
	if s := datasets.ShapeOf(d); !slices.Equal(s, []int{2}) {
		t.Errorf("moons: %v", s)
	}
	c, _ := datasets.FromTable(map[string]any{"type": "idx", "path": "x"})
	if s := datasets.ShapeOf(c); s != nil {
		t.Errorf("idx before Load: %v", s)
	}
}
