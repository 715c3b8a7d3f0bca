package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
)

func init() {
	Register("idx", func() Dataset { return &IDX{Range: []float64{0, 1}} })
}

// The IDX magic numbers: two zero bytes, the element type (0x08: unsigned
// byte) and the number of dimensions.
const (
	idxImagesMagic = 0x00000803 // 2051: uint8, (n, rows, cols)
	idxLabelsMagic = 0x00000801 // 2049: uint8, (n)
)

// maxIDXBytes bounds the data size an IDX header may claim (2^36 bytes):
// beyond it the file is rejected before any allocation.
const maxIDXBytes = 1 << 36

// IDX loads grey images from an IDX file, the format of MNIST and
// Fashion-MNIST: a big-endian header (magic 2051, then n, rows, cols as
// uint32) and n·rows·cols unsigned bytes, gzip-compressed (detected by its
// magic bytes 1f 8b) or plain. Each image is a row of rows·cols values
// (row-major), its shape (1, rows, cols), and grey level v in 0…255 maps
// to lo + (hi − lo)·v/255 for range = [lo, hi]. With dequantize, it maps
// to lo + (hi − lo)·(v + u)/256 with u uniform on [0, 1), drawn from
// rng.New(seed, 0) in row order: the continuous density of Theis et al.
// (2016) whose likelihoods are comparable with the literature's bits/dim.
//
// An optional labels file (magic 2049, n uint8 labels) must hold one label
// per image; classes then keeps the images of the listed labels, and
// Labels returns the kept images' labels. n keeps the first n images (after
// classes), in file order.
type IDX struct {
	Path       string    `toml:"path" doc:"the IDX images file (magic 2051), gzip-compressed or plain (required); a relative path is resolved against the config file's directory"`
	LabelsPath string    `toml:"labels" doc:"the IDX labels file (magic 2049) that goes with the images, one label per image (default: none)"`
	N          int       `toml:"n" doc:"keep at most the first n images, after classes (0: all)"`
	Classes    []int     `toml:"classes" doc:"keep only the images whose label is one of these, e.g. [0, 1]; needs labels (default: all)"`
	Range      []float64 `toml:"range" doc:"[lo, hi]: grey level 0 maps to lo and 255 to hi, e.g. [-1.0, 1.0]"`
	Dequantize bool      `toml:"dequantize" doc:"add uniform noise of one grey level: v -> lo + (hi - lo)(v + u)/256, u ~ U[0, 1)"`
	Seed       uint64    `toml:"seed" doc:"random seed of the dequantization noise"`

	img imageSet
}

// Description is the one-line summary shown by `ebmrun list`.
func (d *IDX) Description() string {
	return "grey images from an IDX file (MNIST format, gz or plain), optional labels; shape (1, h, w)"
}

// Example sets a path so that the sample config validates.
func (d *IDX) Example() {
	d.Path = "train-images-idx3-ubyte.gz"
	d.LabelsPath = "train-labels-idx1-ubyte.gz"
}

// Provision resolves relative paths against the config file's directory.
func (d *IDX) Provision(ctx registry.Context) error {
	d.Path = ctx.Resolve(d.Path)
	d.LabelsPath = ctx.Resolve(d.LabelsPath)
	return nil
}

// Validate checks the keys; it reads no file (Load does).
func (d *IDX) Validate() error {
	if strings.TrimSpace(d.Path) == "" {
		return errors.New(`key "path": required; name the IDX images file, e.g. path = "train-images-idx3-ubyte.gz"`)
	}
	if d.Classes != nil && strings.TrimSpace(d.LabelsPath) == "" {
		return errors.New(`key "classes": needs labels; name the labels file, e.g. labels = "train-labels-idx1-ubyte.gz"`)
	}
	return checkPixelKeys(d.N, d.Classes, d.Range)
}

// Dim is rows·cols: 0 until a Load succeeds.
func (d *IDX) Dim() int { return d.img.dim() }

// Shape is (1, rows, cols): nil until a Load succeeds.
func (d *IDX) Shape() []int { return slices.Clone(d.img.shape) }

// Labels are the labels of the loaded images, nil without a labels file.
func (d *IDX) Labels() []int { return slices.Clone(d.img.labels) }

// Load reads the files. Errors are *registry.Error values of Type "idx"
// naming the file: missing, not IDX (wrong magic number), truncated or
// longer than its header says, labels whose count differs from the
// images', or a class that no label has.
func (d *IDX) Load() ([]float64, error) {
	if err := d.Validate(); err != nil {
		return nil, &registry.Error{Type: "idx", Err: err}
	}
	return d.img.loadIDX("idx", d.Path, d.LabelsPath, pixelOpts{pathKey: "path", labelsKey: "labels", n: d.N, classes: d.Classes, rng: d.Range, dequantize: d.Dequantize, seed: d.Seed})
}

// imageSet is what the image loaders keep from their last successful
// Load: the shape of one image and the labels, if any.
type imageSet struct {
	shape  []int
	labels []int
}

func (s *imageSet) dim() int {
	if len(s.shape) == 0 {
		return 0
	}
	n := 1
	for _, v := range s.shape {
		n *= v
	}
	return n
}

// pixelOpts are the keys the IDX-based loaders share.
type pixelOpts struct {
	pathKey    string // the key blamed for a bad images file ("" for none)
	labelsKey  string // the key blamed for a bad labels file ("" for none)
	n          int
	classes    []int
	rng        []float64
	dequantize bool
	seed       uint64
}

// checkPixelKeys validates n, classes and range.
func checkPixelKeys(n int, classes []int, rng []float64) error {
	if n < 0 || n > maxN {
		return fmt.Errorf("key \"n\": the number of images must be between 0 (all) and %d, got %d", maxN, n)
	}
	if classes != nil && len(classes) == 0 {
		return errors.New(`key "classes": empty; list at least one label, or leave the key out to keep all`)
	}
	seen := map[int]bool{}
	for k, c := range classes {
		if c < 0 || c > 255 {
			return fmt.Errorf("key \"classes\": element %d is %d; IDX labels are 0 to 255", k, c)
		}
		if seen[c] {
			return fmt.Errorf("key \"classes\": class %d is listed twice", c)
		}
		seen[c] = true
	}
	return checkRange(rng)
}

// checkRange validates the key range: two finite numbers, lo < hi.
func checkRange(r []float64) error {
	if len(r) != 2 {
		return fmt.Errorf("key \"range\": want [lo, hi], e.g. [0.0, 1.0] or [-1.0, 1.0]; got %d values", len(r))
	}
	lo, hi := r[0], r[1]
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(lo < hi) {
		return fmt.Errorf("key \"range\": want finite lo < hi, e.g. [0.0, 1.0] or [-1.0, 1.0]; got [%v, %v]", lo, hi)
	}
	return nil
}

// loadIDX reads the images file (and labels, when not ""), keeps the
// images the options select and maps them to float64. On success it sets
// s; on failure s is left as it was.
func (s *imageSet) loadIDX(typ, path, labelsPath string, o pixelOpts) ([]float64, error) {
	dims, pix, err := readIDX(path, idxImagesMagic)
	if err != nil {
		return nil, &registry.Error{Type: typ, Key: o.pathKey, Err: err}
	}
	n, h, w := dims[0], dims[1], dims[2]
	if n == 0 || h == 0 || w == 0 {
		return nil, loadError(typ, "%s: holds no pixels: the header says %d images of %d×%d", path, n, h, w)
	}
	var labels []int
	if labelsPath != "" {
		ld, lb, err := readIDX(labelsPath, idxLabelsMagic)
		if err != nil {
			return nil, &registry.Error{Type: typ, Key: o.labelsKey, Err: err}
		}
		if ld[0] != n {
			return nil, &registry.Error{Type: typ, Key: o.labelsKey, Err: fmt.Errorf("%s holds %d labels but %s holds %d images; give the labels file that goes with the images", labelsPath, ld[0], path, n)}
		}
		labels = make([]int, n)
		for i, b := range lb {
			labels[i] = int(b)
		}
	}
	keep := make([]int, 0, n)
	if o.classes != nil {
		present := map[int]bool{}
		for _, l := range labels {
			present[l] = true
		}
		for _, c := range o.classes {
			if !present[c] {
				have := slices.Sorted(func(yield func(int) bool) {
					for l := range present {
						if !yield(l) {
							return
						}
					}
				})
				return nil, &registry.Error{Type: typ, Key: "classes", Err: fmt.Errorf("class %d does not occur in %s (its labels: %s)", c, labelsPath, intRanges(have))}
			}
		}
		for i, l := range labels {
			if slices.Contains(o.classes, l) {
				keep = append(keep, i)
			}
		}
	} else {
		for i := range n {
			keep = append(keep, i)
		}
	}
	if o.n > 0 && len(keep) > o.n {
		keep = keep[:o.n]
	}
	d := h * w
	lo, hi := o.rng[0], o.rng[1]
	x := make([]float64, len(keep)*d)
	var kept []int
	if labels != nil {
		kept = make([]int, len(keep))
	}
	src := rng.New(o.seed, 0)
	for r, i := range keep {
		row, px := x[r*d:(r+1)*d], pix[i*d:(i+1)*d]
		if o.dequantize {
			for j, v := range px {
				row[j] = lo + (hi-lo)*(float64(v)+src.Float64())/256
			}
		} else {
			for j, v := range px {
				row[j] = lo + (hi-lo)*float64(v)/255
			}
		}
		if kept != nil {
			kept[r] = labels[i]
		}
	}
	s.shape, s.labels = []int{1, h, w}, kept
	return x, nil
}

// intRanges writes sorted integers compactly: "0-9", "1, 3, 5-7".
func intRanges(v []int) string {
	var parts []string
	for i := 0; i < len(v); {
		j := i
		for j+1 < len(v) && v[j+1] == v[j]+1 {
			j++
		}
		if j > i+1 {
			parts = append(parts, fmt.Sprintf("%d to %d", v[i], v[j]))
		} else {
			for k := i; k <= j; k++ {
				parts = append(parts, fmt.Sprint(v[k]))
			}
		}
		i = j + 1
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// readIDX reads an IDX file of unsigned bytes with the given magic number
// (2051: images, 2049: labels), gzip-compressed or plain, and returns its
// dimensions and data. Errors name the file and say what is wrong.
func readIDX(path string, magic uint32) (dims []int, data []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var r io.Reader = br
	gz := false
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: bad gzip header: %v", path, err)
		}
		defer zr.Close()
		r, gz = zr, true
	}
	what := "images"
	if magic == idxLabelsMagic {
		what = "labels"
	}
	var m [4]byte
	if _, err := io.ReadFull(r, m[:]); err != nil {
		return nil, nil, fmt.Errorf("%s: not an IDX %s file: %s", path, what, shortRead(err, gz, "shorter than the 4-byte magic number"))
	}
	got := binary.BigEndian.Uint32(m[:])
	if got != magic {
		msg := fmt.Sprintf("%s: not an IDX %s file: magic number %d (bytes % x), want %d", path, what, got, m[:], magic)
		switch {
		case got == idxLabelsMagic:
			msg += " (this is an IDX labels file: name it in labels, and the images file in path)"
		case got == idxImagesMagic:
			msg += " (this is an IDX images file: name it in path, and the labels file in labels)"
		case m[0] == 0 && m[1] == 0 && m[2] != 0x08:
			msg += fmt.Sprintf(" (IDX element type 0x%02x; only unsigned bytes, 0x08, are read)", m[2])
		}
		return nil, nil, errors.New(msg)
	}
	nd := int(m[3])
	var hb [12]byte
	if _, err := io.ReadFull(r, hb[:4*nd]); err != nil {
		return nil, nil, fmt.Errorf("%s: truncated IDX header: %s", path, shortRead(err, gz, fmt.Sprintf("want %d dimensions", nd)))
	}
	total := 1
	for k := range nd {
		v := int(binary.BigEndian.Uint32(hb[4*k:]))
		dims = append(dims, v)
		if v != 0 && total > maxIDXBytes/v {
			return nil, nil, fmt.Errorf("%s: the IDX header claims dimensions %v, too large to be real", path, dims)
		}
		total *= v
	}
	data, err = io.ReadAll(io.LimitReader(r, int64(total)))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, nil, fmt.Errorf("%s: %s", path, shortRead(err, gz, "read error"))
	}
	if len(data) < total {
		held := "the file holds"
		if gz {
			held = "the gzip stream holds"
		}
		return nil, nil, fmt.Errorf("%s: truncated: the header says %s (%d bytes of data), %s %d", path, idxDims(dims, what), total, held, len(data))
	}
	var one [1]byte
	k, err := io.ReadFull(r, one[:])
	switch {
	case k > 0:
		return nil, nil, fmt.Errorf("%s: more data than the header's %s (%d bytes): not an IDX %s file, or a corrupt one", path, idxDims(dims, what), total, what)
	case err != io.EOF:
		return nil, nil, fmt.Errorf("%s: %s", path, shortRead(err, gz, "the gzip trailer is missing"))
	}
	return dims, data, nil
}

// idxDims describes an IDX header's dimensions: "60000 images of 28×28".
func idxDims(dims []int, what string) string {
	if len(dims) == 3 && what == "images" {
		return fmt.Sprintf("%d images of %d×%d", dims[0], dims[1], dims[2])
	}
	if len(dims) == 1 {
		return fmt.Sprintf("%d %s", dims[0], what)
	}
	return fmt.Sprintf("dimensions %v", dims)
}

// shortRead words a read error: an early end of the stream as what was
// expected, a gzip failure as such.
func shortRead(err error, gz bool, want string) string {
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if gz {
			return "truncated gzip stream (" + want + ")"
		}
		return "file too short (" + want + ")"
	case gz:
		return "corrupt gzip stream: " + err.Error()
	}
	return err.Error()
}

var (
	_ Dataset              = (*IDX)(nil)
	_ Shaped               = (*IDX)(nil)
	_ Labeled              = (*IDX)(nil)
	_ registry.Provisioner = (*IDX)(nil)
)
