package datasets_test

import (
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/datasets"
)

// writeImage encodes m as PNG, or as JPEG when name ends in .jpg.
func writeImage(t *testing.T, dir, name string, m image.Image) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(name, ".jpg") {
		err = jpeg.Encode(f, m, &jpeg.Options{Quality: 100})
	} else {
		err = png.Encode(f, m)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// greyImage is a w×h grey image whose pixel (x, y) is base + 10·y + x.
func greyImage(w, h, base int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetGray(x, y, color.Gray{Y: uint8(base + 10*y + x)})
		}
	}
	return m
}

// TestImagesGrey reads a directory of grey PNGs (and a file that is not an
// image) and checks the name order, values, shape and n. A failure means
// images are read in the wrong order, pixels transposed or scaled wrongly,
// or stray files taken for images.
func TestImagesGrey(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, dir, "b.png", greyImage(3, 2, 100))
	writeImage(t, dir, "a.PNG", greyImage(3, 2, 0))
	writeImage(t, dir, "c.png", greyImage(3, 2, 200))
	writeFile(t, dir, "README.txt", "not an image")
	d, x, err := loadFile(t, filepath.Dir(dir), map[string]any{"type": "images", "path": filepath.Base(dir)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(datasets.ShapeOf(d), []int{1, 2, 3}) || d.Dim() != 6 || len(x) != 18 {
		t.Fatalf("shape %v, Dim %d, %d values; want [1 2 3], 6, 18", datasets.ShapeOf(d), d.Dim(), len(x))
	}
	for i, base := range []int{0, 100, 200} {
		for y := range 2 {
			for xx := range 3 {
				if got, want := x[6*i+3*y+xx], float64(base+10*y+xx)/255; got != want {
					t.Errorf("image %d (%d, %d): %v, want %v", i, xx, y, got, want)
				}
			}
		}
	}
	_, x, err = loadFile(t, dir, map[string]any{"type": "images", "path": ".", "n": 2, "range": []any{-1.0, 1.0}})
	if err != nil || len(x) != 12 || x[0] != -1 || x[6] != -1+2*100.0/255 {
		t.Errorf("n = 2, range [-1, 1]: %v, %v", x, err)
	}
}

// TestImagesRGB reads colour PNGs (one with a grey image among them) and a
// JPEG, as (3, h, w) and with grayscale as (1, h, w). A failure means the
// channels are interleaved or swapped, a grey image among colour ones is
// mishandled, or the grey conversion is not luma.
func TestImagesRGB(t *testing.T) {
	dir := t.TempDir()
	rgb := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	cols := []color.NRGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {10, 20, 30, 255}}
	for i, c := range cols {
		rgb.SetNRGBA(i%2, i/2, c)
	}
	writeImage(t, dir, "0.png", rgb)
	writeImage(t, dir, "1.png", greyImage(2, 2, 50))
	d, x, err := loadFile(t, dir, map[string]any{"type": "images", "path": "."})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(datasets.ShapeOf(d), []int{3, 2, 2}) || len(x) != 24 {
		t.Fatalf("shape %v, %d values; want [3 2 2], 24", datasets.ShapeOf(d), len(x))
	}
	for i, c := range cols {
		for ch, v := range []uint8{c.R, c.G, c.B} {
			if got := x[4*ch+i]; got != float64(v)/255 {
				t.Errorf("pixel %d channel %d: %v, want %v", i, ch, got, float64(v)/255)
			}
		}
	}
	for ch := range 3 {
		if got := x[12+4*ch+3]; got != 61.0/255 {
			t.Errorf("grey image, channel %d of pixel 3: %v, want 61/255", ch, got)
		}
	}
	d, x, err = loadFile(t, dir, map[string]any{"type": "images", "path": ".", "grayscale": true})
	if err != nil || !slices.Equal(datasets.ShapeOf(d), []int{1, 2, 2}) {
		t.Fatalf("grayscale: shape %v, %v", datasets.ShapeOf(d), err)
	}
	for i, c := range cols {
		luma := (0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)) / 255
		if math.Abs(x[i]-luma) > 1e-3 {
			t.Errorf("grayscale pixel %d: %v, want luma %v", i, x[i], luma)
		}
	}

	jdir := t.TempDir()
	flat := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range flat.Pix {
		flat.Pix[i] = []uint8{200, 100, 50, 255}[i%4]
	}
	writeImage(t, jdir, "x.jpg", flat)
	d, x, err = loadFile(t, jdir, map[string]any{"type": "images", "path": "."})
	if err != nil || !slices.Equal(datasets.ShapeOf(d), []int{3, 8, 8}) {
		t.Fatalf("jpeg: shape %v, %v", datasets.ShapeOf(d), err)
	}
	for ch, v := range []float64{200, 100, 50} {
		if math.Abs(x[64*ch+27]-v/255) > 4.0/255 {
			t.Errorf("jpeg channel %d: %v, want about %v", ch, x[64*ch+27], v/255)
		}
	}
}

// TestImagesBad checks the one-line errors of bad image directories: mixed
// sizes (both files and both sizes named), no images, an undecodable file,
// a missing directory. A failure means a user is not told which image is
// at fault.
func TestImagesBad(t *testing.T) {
	mixed := t.TempDir()
	writeImage(t, mixed, "a.png", greyImage(3, 2, 0))
	writeImage(t, mixed, "b.png", greyImage(2, 3, 0))
	empty := t.TempDir()
	writeFile(t, empty, "notes.txt", "x")
	broken := t.TempDir()
	writeFile(t, broken, "bad.png", "not a png")
	cases := []struct {
		dir   string
		frags []string
	}{
		{mixed, []string{"(images)", `key "path"`, filepath.Join(mixed, "b.png") + " is 2×3", filepath.Join(mixed, "a.png") + ", the first image, is 3×2", "same size"}},
		{empty, []string{"(images)", empty, "holds no PNG or JPEG files"}},
		{broken, []string{"(images)", filepath.Join(broken, "bad.png"), "cannot decode"}},
		{filepath.Join(empty, "nope"), []string{"(images)", `key "path"`, "nope", "no such file"}},
	}
	for _, c := range cases {
		d, x, err := loadFile(t, "/", map[string]any{"type": "images", "path": c.dir})
		wantErr(t, c.dir, err, c.frags...)
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", c.dir, err)
		}
		if x != nil || d.Dim() != 0 {
			t.Errorf("%s: failed Load returned %d values and Dim %d", c.dir, len(x), d.Dim())
		}
	}
}

// TestNPYImages reads (n, h, w) and (n, c, h, w) arrays, float64 and
// uint8, and checks the shape each reports and the errors of columns on
// images and of a NaN in one (its full index). A failure means image data
// saved with numpy is flattened without its shape, or misdecoded.
func TestNPYImages(t *testing.T) {
	dir := t.TempDir()
	v := make([]float64, 2*2*3)
	for i := range v {
		v[i] = float64(i)
	}
	os.WriteFile(filepath.Join(dir, "hw.npy"), f8npy(t, v, 2, 2, 3), 0o644)
	u8 := make([]byte, 2*3*1*2)
	for i := range u8 {
		u8[i] = byte(250 + i%6)
	}
	os.WriteFile(filepath.Join(dir, "chw.npy"), npyBytes("|u1", "(2, 3, 1, 2)", u8), 0o644)
	v[7] = math.NaN()
	os.WriteFile(filepath.Join(dir, "nan.npy"), f8npy(t, v, 2, 2, 3), 0o644)
	nan4 := make([]float64, 2*3*1*2)
	nan4[11] = math.Inf(1)
	os.WriteFile(filepath.Join(dir, "inf4.npy"), f8npy(t, nan4, 2, 3, 1, 2), 0o644)

	d, x, err := loadFile(t, dir, map[string]any{"type": "npy", "path": "hw.npy"})
	if err != nil || !slices.Equal(datasets.ShapeOf(d), []int{1, 2, 3}) || d.Dim() != 6 || len(x) != 12 || x[11] != 11 {
		t.Errorf("(n, h, w): shape %v, Dim %d, %v, %v", datasets.ShapeOf(d), d.Dim(), x, err)
	}
	d, x, err = loadFile(t, dir, map[string]any{"type": "npy", "path": "chw.npy"})
	if err != nil || !slices.Equal(datasets.ShapeOf(d), []int{3, 1, 2}) || d.Dim() != 6 || len(x) != 12 || x[5] != 255 || x[6] != 250 {
		t.Errorf("(n, c, h, w) uint8: shape %v, Dim %d, %v, %v", datasets.ShapeOf(d), d.Dim(), x, err)
	}
	d, _, err = loadFile(t, dir, map[string]any{"type": "npy", "path": "hw.npy", "columns": []any{int64(0)}})
	wantErr(t, "columns on images", err, "(npy)", `key "columns"`, "hw.npy", "(n, d) arrays only")
	_, _, err = loadFile(t, dir, map[string]any{"type": "npy", "path": "nan.npy"})
	wantErr(t, "NaN in (n, h, w)", err, "(npy)", "nan.npy", "element [1, 0, 1]", "NaN")
	_, _, err = loadFile(t, dir, map[string]any{"type": "npy", "path": "inf4.npy"})
	wantErr(t, "Inf in (n, c, h, w)", err, "(npy)", "inf4.npy", "element [1, 2, 0, 1]", "+Inf")
	if d.Dim() != 0 {
		t.Errorf("failed Load set Dim %d", d.Dim())
	}
	d, _, _ = loadFile(t, dir, map[string]any{"type": "csv", "path": writeFile(t, dir, "p.csv", "1,2,3\n")})
	if s := datasets.ShapeOf(d); !slices.Equal(s, []int{3}) {
		t.Errorf("csv: shape %v, want [3]", s)
	}
}
