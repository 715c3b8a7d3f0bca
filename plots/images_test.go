package plots

import (
	"bytes"
	"image/color"
	"math"
	"strings"
	"testing"
)

// TestImageGridPixels: values map linearly from [Lo, Hi] to 0 … 255 and
// are clipped, each image pixel is a block of ImageScale pixels, grey
// images are grey and RGB images take channel c from plane c. A failure
// means the grid shows images transposed, scaled wrongly or in the wrong
// colours.
func TestImageGridPixels(t *testing.T) {
	// Two 2×3 grey images: image 0 ramps -1 … 2 over [0, 1]; image 1 is 0.5.
	data := []float64{-1, 0, 0.25, 0.5, 1, 2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
	g := Images{Data: data, N: 2, C: 1, H: 2, W: 3, Lo: 0, Hi: 1}
	img, err := ImageGridImage(g, 8)
	if err != nil {
		t.Fatal(err)
	}
	s := ImageScale(2, 3)
	if s != 21 {
		t.Fatalf("ImageScale(2, 3) = %d, want 64/3 = 21", s)
	}
	w, h := ImageGridSize(2, 8, 2, 3)
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h || w != 2*3*s+3*imagePad || h != 2*s+2*imagePad {
		t.Fatalf("grid %v, ImageGridSize %d×%d", b, w, h)
	}
	want := []uint8{0, 0, 64, 128, 255, 255}
	for y := range 2 {
		for x := range 3 {
			for _, d := range []int{0, s - 1} {
				c := img.NRGBAAt(imagePad+x*s+d, imagePad+y*s+d)
				if v := want[y*3+x]; c != (color.NRGBA{v, v, v, 255}) {
					t.Errorf("pixel (%d, %d) of image 0: %v, want grey %d", x, y, c, v)
				}
			}
		}
	}
	if c := img.NRGBAAt(2*imagePad+3*s, imagePad); c != (color.NRGBA{128, 128, 128, 255}) {
		t.Errorf("image 1's first pixel %v, want grey 128", c)
	}
	// One 1×2 RGB image: pixel 0 red, pixel 1 blue.
	rgb := Images{Data: []float64{1, 0, 0, 0, 0, 1}, N: 1, C: 3, H: 1, W: 2, Lo: 0, Hi: 1}
	img, err = ImageGridImage(rgb, 8)
	if err != nil {
		t.Fatal(err)
	}
	s = ImageScale(1, 2)
	if c := img.NRGBAAt(imagePad, imagePad); c != (color.NRGBA{255, 0, 0, 255}) {
		t.Errorf("RGB pixel 0 %v, want red", c)
	}
	if c := img.NRGBAAt(imagePad+s, imagePad); c != (color.NRGBA{0, 0, 255, 255}) {
		t.Errorf("RGB pixel 1 %v, want blue", c)
	}
}

// TestImageGridFormats writes a grid as PNG, SVG and PDF, and refuses bad
// input with errors naming the problem.
func TestImageGridFormats(t *testing.T) {
	g := Images{Data: make([]float64, 3*16), N: 3, C: 1, H: 4, W: 4, Lo: 0, Hi: 1}
	for _, f := range []Format{PNG, SVG, PDF} {
		var b bytes.Buffer
		if err := ImageGrid(&b, f, g, 2); err != nil || b.Len() < 100 {
			t.Errorf("%s: %d bytes, %v", f, b.Len(), err)
		}
	}
	for _, tc := range []struct {
		g    Images
		want string
	}{
		{Images{Data: make([]float64, 32), N: 1, C: 2, H: 4, W: 4, Lo: 0, Hi: 1}, "channels"},
		{Images{Data: make([]float64, 15), N: 1, C: 1, H: 4, W: 4, Lo: 0, Hi: 1}, "len(Data)"},
		{Images{Data: make([]float64, 16), N: 1, C: 1, H: 4, W: 4, Lo: 1, Hi: 1}, "range"},
		{Images{Data: make([]float64, 16), N: 1, C: 1, H: 4, W: 4, Lo: 0, Hi: math.Inf(1)}, "range"},
		{Images{N: 0, C: 1, H: 4, W: 4, Lo: 0, Hi: 1}, "at least one"},
	} {
		if err := ImageGrid(&bytes.Buffer{}, PNG, tc.g, 8); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want one naming %q", tc.g, err, tc.want)
		}
	}
	var b bytes.Buffer
	if err := Loss(&b, PNG, []float64{1, 2, 3}, []float64{3, math.NaN(), 1}, "loss"); err != nil || b.Len() < 100 {
		t.Errorf("Loss: %d bytes, %v", b.Len(), err)
	}
	if err := Loss(&b, PNG, []float64{1}, []float64{math.NaN()}, "loss"); err == nil {
		t.Error("Loss with no finite value: no error")
	}
}
