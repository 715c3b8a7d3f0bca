package datasets

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registers JPEG with image.Decode
	_ "image/png"  // registers PNG with image.Decode
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goebm/ebm/registry"
)

func init() {
	Register("images", func() Dataset { return &Images{Range: []float64{0, 1}} })
}

// Images loads a directory of PNG and JPEG files (names ending in .png,
// .jpg or .jpeg, any case; other files and subdirectories are ignored),
// sorted by name, one image per row. Every image must be the same size.
// The images are grey (shape (1, h, w)) when all of them are grey
// (8- or 16-bit grey, or a palette of greys) or grayscale is set, which
// converts colour with ITU-R BT.601 luma weights (0.299 R + 0.587 G +
// 0.114 B, as image/color's GrayModel); else RGB (shape (3, h, w)), grey
// images having three equal channels. A row holds channel, then row, then
// column; an intensity v in [0, 1] (v = 1 at the format's maximum, 255 or
// 65535) maps to lo + (hi − lo)·v for range = [lo, hi]. Alpha is dropped:
// a translucent pixel is its colour composited over black.
type Images struct {
	Path      string    `toml:"path" doc:"a directory of PNG or JPEG files of one size, read in name order (required); a relative path is resolved against the config file's directory"`
	N         int       `toml:"n" doc:"keep at most the first n images, in name order (0: all)"`
	Range     []float64 `toml:"range" doc:"[lo, hi]: black maps to lo and white to hi, e.g. [-1.0, 1.0]"`
	Grayscale bool      `toml:"grayscale" doc:"convert colour images to grey (luma 0.299 R + 0.587 G + 0.114 B): shape (1, h, w) instead of (3, h, w)"`

	img imageSet
}

// Description is the one-line summary shown by `ebmrun list`.
func (d *Images) Description() string {
	return "a directory of PNG/JPEG images of one size, grey or RGB; shape (c, h, w)"
}

// Example sets a path so that the sample config validates.
func (d *Images) Example() { d.Path = "images" }

// Provision resolves a relative path against the config file's directory.
func (d *Images) Provision(ctx registry.Context) error {
	d.Path = ctx.Resolve(d.Path)
	return nil
}

// Validate checks the keys; it reads no file (Load does).
func (d *Images) Validate() error {
	if strings.TrimSpace(d.Path) == "" {
		return errors.New(`key "path": required; name the directory of images, e.g. path = "images"`)
	}
	return checkPixelKeys(d.N, nil, d.Range)
}

// Dim is c·h·w: 0 until a Load succeeds.
func (d *Images) Dim() int { return d.img.dim() }

// Shape is (c, h, w): nil until a Load succeeds.
func (d *Images) Shape() []int { return slices.Clone(d.img.shape) }

// Load reads and decodes the images. Errors are *registry.Error values of
// Type "images" naming the directory or the file: a missing directory, one
// without images, a file that does not decode, or an image whose size
// differs from the first one's (both named, with both sizes).
func (d *Images) Load() ([]float64, error) {
	if err := d.Validate(); err != nil {
		return nil, &registry.Error{Type: "images", Err: err}
	}
	fail := func(format string, args ...any) ([]float64, error) {
		return nil, &registry.Error{Type: "images", Key: "path", Err: fmt.Errorf(format, args...)}
	}
	entries, err := os.ReadDir(d.Path)
	if err != nil {
		return fail("%v", err)
	}
	var names []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".jpg", ".jpeg":
			if e.Type().IsRegular() || e.Type()&os.ModeSymlink != 0 {
				names = append(names, e.Name())
			}
		}
	}
	if len(names) == 0 {
		return fail("%s holds no PNG or JPEG files (.png, .jpg, .jpeg)", d.Path)
	}
	if d.N > 0 && len(names) > d.N {
		names = names[:d.N]
	}
	imgs := make([]image.Image, len(names))
	grey := true
	var w, h int
	for i, name := range names {
		p := filepath.Join(d.Path, name)
		f, err := os.Open(p)
		if err != nil {
			return fail("%v", err)
		}
		m, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			return fail("%s: cannot decode as PNG or JPEG: %v", p, err)
		}
		b := m.Bounds()
		if i == 0 {
			w, h = b.Dx(), b.Dy()
			if w == 0 || h == 0 {
				return fail("%s: an empty image (%d×%d)", p, w, h)
			}
		} else if b.Dx() != w || b.Dy() != h {
			return fail("%s is %d×%d (width×height) but %s, the first image, is %d×%d; every image must be the same size",
				p, b.Dx(), b.Dy(), filepath.Join(d.Path, names[0]), w, h)
		}
		imgs[i] = m
		grey = grey && isGrey(m)
	}
	c := 3
	if grey || d.Grayscale {
		c = 1
	}
	lo, hi := d.Range[0], d.Range[1]
	// v/65535 for 16-bit v = 257·v8 is v8/255 exactly: the 8-bit fast path
	// and the general one give the same values.
	val := func(v uint32) float64 { return lo + (hi-lo)*float64(v)/0xffff }
	dim := c * h * w
	x := make([]float64, len(imgs)*dim)
	for i, m := range imgs {
		row := x[i*dim : (i+1)*dim]
		b := m.Bounds()
		if g, ok := m.(*image.Gray); ok && c == 1 {
			for y := range h {
				o := g.PixOffset(b.Min.X, b.Min.Y+y)
				for xx, v := range g.Pix[o : o+w] {
					row[y*w+xx] = lo + (hi-lo)*float64(v)/255
				}
			}
			continue
		}
		for y := range h {
			for xx := range w {
				px := m.At(b.Min.X+xx, b.Min.Y+y)
				k := y*w + xx
				if c == 1 {
					row[k] = val(uint32(color.Gray16Model.Convert(px).(color.Gray16).Y))
					continue
				}
				r, g, bl, _ := px.RGBA()
				row[k], row[h*w+k], row[2*h*w+k] = val(r), val(g), val(bl)
			}
		}
	}
	d.img = imageSet{shape: []int{c, h, w}}
	return x, nil
}

// isGrey reports whether m holds only grey pixels by its type: 8- or
// 16-bit grey, or a palette whose colours are all grey.
func isGrey(m image.Image) bool {
	switch m := m.(type) {
	case *image.Gray, *image.Gray16:
		return true
	case *image.Paletted:
		for _, c := range m.Palette {
			r, g, b, _ := c.RGBA()
			if r != g || g != b {
				return false
			}
		}
		return true
	}
	return false
}

var (
	_ Dataset              = (*Images)(nil)
	_ Shaped               = (*Images)(nil)
	_ registry.Provisioner = (*Images)(nil)
)
