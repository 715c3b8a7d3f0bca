package plots

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
)

// gauss is a test energy: a standard normal in dim dimensions whose first
// two coordinates have correlation rho.
type gauss struct {
	dim   int
	rho   float64
	calls int // Energy calls, to check batching
}

func (g *gauss) Dim() int { return g.dim }

func (g *gauss) Energy(e, x []float64) {
	g.calls++
	n := energies.CheckBatch(g.dim, e, nil, x)
	for i := range n {
		p := x[i*g.dim : (i+1)*g.dim]
		s := 0.0
		start := 0
		if g.dim >= 2 {
			s = (p[0]*p[0] - 2*g.rho*p[0]*p[1] + p[1]*p[1]) / (1 - g.rho*g.rho)
			start = 2
		}
		for _, v := range p[start:] {
			s += v * v
		}
		e[i] = s / 2
	}
}

func (g *gauss) Gradient(e, grad, x []float64) { panic("plots test: gradient not needed") }

// holey wraps an energy and returns +Inf where x1 > 1 and NaN where x2 < −1
// (x2 only in 2-D), like an energy that diverges or is undefined somewhere.
type holey struct{ inner energies.Energy }

func (h holey) Dim() int { return h.inner.Dim() }

func (h holey) Gradient(e, grad, x []float64) { panic("plots test: gradient not needed") }

func (h holey) Energy(e, x []float64) {
	h.inner.Energy(e, x)
	d := h.Dim()
	for i := range len(x) / d {
		if x[i*d] > 1 {
			e[i] = math.Inf(1)
		}
		if d > 1 && x[i*d+1] < -1 {
			e[i] = math.NaN()
		}
	}
}

// gaussRun draws exact samples of g (scaled by scale) in chains×draws,
// seeded by seed, with a per-chain offset so chains are told apart.
func gaussRun(title string, g *gauss, chains, draws int, scale float64, seed uint64) Run {
	r := Run{Title: title, Chains: chains, Draws: draws, Dim: g.dim,
		Samples: make([]float64, chains*draws*g.dim)}
	for c := range chains {
		s := rng.New(seed, uint64(c))
		for t := range draws {
			p := r.Samples[(c*draws+t)*g.dim : (c*draws+t+1)*g.dim]
			for j := range p {
				p[j] = scale * s.Norm()
			}
			if g.dim >= 2 {
				p[1] = g.rho*p[0] + math.Sqrt(1-g.rho*g.rho)*p[1]
			}
		}
	}
	return r
}

// decodePNG decodes b and fails unless it is a PNG of at least minW×minH
// pixels with more than one colour: an empty, truncated or blank figure.
func decodePNG(t *testing.T, b []byte, minW, minH int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output is not a valid PNG (%d bytes): %v", len(b), err)
	}
	bd := img.Bounds()
	if bd.Dx() < minW || bd.Dy() < minH {
		t.Fatalf("image is %d×%d px, want at least %d×%d: the layout lost its panels", bd.Dx(), bd.Dy(), minW, minH)
	}
	if countColors(img, 2) < 2 {
		t.Fatalf("image is a single colour: nothing was drawn")
	}
	return img
}

// countColors counts distinct colours in img, stopping at most.
func countColors(img image.Image, most int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= most {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// preview writes b to $PLOTS_PREVIEW/name when that variable is set, for
// looking at the figures by eye.
func preview(t *testing.T, name string, b []byte) {
	t.Helper()
	dir := os.Getenv("PLOTS_PREVIEW")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func nan() float64         { return math.NaN() }
func inf(sign int) float64 { return math.Inf(sign) }

// energyIf returns g as an Energy when use is set and a nil interface
// otherwise (a nil *gauss would be a non-nil Energy).
func energyIf(use bool, g *gauss) energies.Energy {
	if !use {
		return nil
	}
	return g
}
