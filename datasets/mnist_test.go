package datasets_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/datasets"
)

// fakeMNIST writes the four MNIST files into dir, 3 training and 2 test
// images of 4×4 (the training images gzipped, the test ones plain and
// with the dotted names some mirrors use).
func fakeMNIST(t *testing.T, dir string) {
	t.Helper()
	files := map[string][]byte{
		"train-images-idx3-ubyte.gz": gz(idxBytes(2051, []int{3, 4, 4}, make([]byte, 48))),
		"train-labels-idx1-ubyte.gz": gz(idxBytes(2049, []int{3}, []byte{5, 0, 4})),
		"t10k-images.idx3-ubyte":     idxBytes(2051, []int{2, 4, 4}, make([]byte, 32)),
		"t10k-labels.idx1-ubyte":     idxBytes(2049, []int{2}, []byte{7, 2}),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMNISTFinds checks where mnist and fashion_mnist look for their
// files: the key path (relative to the config's directory), then the
// environment variable, and that when nothing is found the one-line error
// says how to get the data. A failure means a user's files are not found,
// or are found somewhere else than the config says, or the user is left
// without a way to get them.
func TestMNISTFinds(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "mnist")
	os.Mkdir(dir, 0o755)
	fakeMNIST(t, dir)
	for _, typ := range []string{"mnist", "fashion_mnist"} {
		for split, want := range map[string][]int{"train": {5, 0, 4}, "test": {7, 2}} {
			d, x, err := loadFile(t, base, map[string]any{"type": typ, "path": "mnist", "split": split})
			if err != nil {
				t.Fatalf("%s %s: %v", typ, split, err)
			}
			if l := d.(datasets.Labeled).Labels(); !slices.Equal(l, want) || len(x) != 16*len(want) || !slices.Equal(datasets.ShapeOf(d), []int{1, 4, 4}) {
				t.Errorf("%s %s: labels %v, %d values, shape %v", typ, split, l, len(x), datasets.ShapeOf(d))
			}
		}
	}
	_, _, err := loadFile(t, base, map[string]any{"type": "mnist", "path": "."})
	wantErr(t, "path without files", err, "(mnist)", `key "path"`, "holds no train-images-idx3-ubyte or train-images-idx3-ubyte.gz")

	t.Setenv("EBM_MNIST_DIR", dir)
	t.Setenv("EBM_FASHION_MNIST_DIR", dir)
	for _, typ := range []string{"mnist", "fashion_mnist"} {
		d, _, err := loadFile(t, "/", map[string]any{"type": typ, "split": "test", "classes": []any{int64(2)}})
		if err != nil || !slices.Equal(d.(datasets.Labeled).Labels(), []int{2}) {
			t.Errorf("%s from the environment: %v, %v", typ, d.(datasets.Labeled).Labels(), err)
		}
	}
	t.Setenv("EBM_MNIST_DIR", base)
	_, _, err = loadFile(t, "/", map[string]any{"type": "mnist"})
	wantErr(t, "env without files", err, "(mnist)", "EBM_MNIST_DIR="+base, "holds no train-images")

	// Nothing found: no variable, no go or dpkg command, no Debian files.
	t.Setenv("EBM_MNIST_DIR", "")
	t.Setenv("EBM_FASHION_MNIST_DIR", "")
	t.Setenv("PATH", t.TempDir())
	datasets.ResetLookups()
	defer datasets.ResetLookups()
	defer datasets.SetFashionDirs(filepath.Join(base, "none"))()
	for typ, frags := range map[string][]string{
		"mnist":         {"(mnist)", "cannot find the MNIST files", "EBM_MNIST_DIR=DIR", "t10k-images-idx3-ubyte", "go mod download " + datasets.MNISTModule, "go command is not on PATH"},
		"fashion_mnist": {"(fashion_mnist)", "cannot find the Fashion-MNIST files", "EBM_FASHION_MNIST_DIR=DIR", "apt-get install dataset-fashion-mnist", "dpkg is not on PATH"},
	} {
		d, x, err := loadFile(t, "/", map[string]any{"type": typ, "split": "test"})
		wantErr(t, typ+" not found", err, frags...)
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", typ, err)
		}
		if x != nil || d.Dim() != 0 {
			t.Errorf("%s: failed Load returned %d values, Dim %d", typ, len(x), d.Dim())
		}
	}
}

// TestRealMNIST loads the test splits of the real MNIST and Fashion-MNIST
// where they are on this machine (the environment variables, the Go module
// cache, Debian's package; no download: GOPROXY=off) and checks their
// sizes, labels and values. It skips, saying why, where they are not.
// A failure means the real files are misread.
func TestRealMNIST(t *testing.T) {
	t.Setenv("GOPROXY", "off")
	datasets.ResetLookups()
	defer datasets.ResetLookups()
	for _, c := range []struct {
		typ   string
		first []int // the first labels of the test split
	}{
		{"mnist", []int{7, 2, 1, 0, 4}},
		{"fashion_mnist", []int{9, 2, 1, 1, 6}},
	} {
		t.Run(c.typ, func(t *testing.T) {
			d, err := datasets.FromTable(map[string]any{"type": c.typ, "split": "test"})
			if err != nil {
				t.Fatal(err)
			}
			images, _, err := d.(interface {
				Files() (string, string, error)
			}).Files()
			if err != nil {
				t.Skipf("%s is not on this machine: %v", c.typ, err)
			}
			t.Logf("%s test images: %s", c.typ, images)
			if testing.Short() {
				t.Skip("-short: not reading the real files")
			}
			x, err := d.Load()
			if err != nil {
				t.Fatal(err)
			}
			l := d.(datasets.Labeled).Labels()
			if len(x) != 10000*784 || !slices.Equal(datasets.ShapeOf(d), []int{1, 28, 28}) || len(l) != 10000 {
				t.Fatalf("%d values, shape %v, %d labels; want 10000 images of (1, 28, 28)", len(x), datasets.ShapeOf(d), len(l))
			}
			if !slices.Equal(l[:5], c.first) {
				t.Errorf("first labels %v, want %v", l[:5], c.first)
			}
			count := make([]int, 10)
			for _, v := range l {
				count[v]++
			}
			for k, n := range count {
				if n < 800 {
					t.Errorf("class %d has %d test images", k, n)
				}
			}
			lo, hi := slices.Min(x), slices.Max(x)
			if lo != 0 || hi != 1 {
				t.Errorf("values in [%v, %v], want [0, 1]", lo, hi)
			}
		})
	}
}
