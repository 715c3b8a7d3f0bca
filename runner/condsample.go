package runner

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/plots"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/train"
)

// Conditional sampling of a trained image model, as Du & Mordatch show
// it: inpainting ([sample] init = "data" with a mask: the observed pixels
// of a held-out image are held fixed and the others sampled from the
// conditional density) and denoising (init = "noisy": chains start from
// held-out images plus Gaussian noise). Chain i starts from held-out image
// i mod n (the training images when there is no held-out split), so that
// the figures can put each chain beside its original.

// maskNames are the built-in masks of [sample] mask; any other value is an
// .npy file.
var maskNames = []string{"left", "top", "random"}

// condRows is the number of held-out images (rows) in inpaint.png and
// denoise.png, and condSamples the number of samples beside each.
const condRows, condSamples = 8, 4

// condition builds the [sample] mask over a point of the run (image shape
// img, nil when the points are not images) and gives the sampler the mask
// to hold the observed coordinates fixed (samplers.Freezer). seed is the
// [train] seed, which draws mask = "random". Nothing is done without a
// mask.
func (s *SampleSettings) condition(seed int64, img []int) error {
	s.frozen = nil
	if s.Mask == "" {
		return nil
	}
	if img == nil {
		return registry.KeyErrorf("mask", "inpainting needs image data (points of shape (c, h, w) or (h, w)); this data's points are not images")
	}
	mask, err := buildMask(s.Mask, s.MaskFraction, seed, img)
	if err != nil {
		return registry.KeyErrorf("mask", "%v", err)
	}
	f, ok := s.Sampler.Value.(samplers.Freezer)
	if !ok {
		return registry.KeyErrorf("mask", "the sampler %q cannot hold the observed pixels fixed; inpainting needs ula, mala, annealed_langevin, annealed_langevin_sigma, predictor_corrector or hmc in [sample.sampler]", s.Sampler.Type)
	}
	s.frozen = mask
	s.Sampler.Value = f.Freeze(mask)
	return nil
}

// buildMask returns the observed coordinates of an image of shape img =
// (c, h, w) in (c, h, w) order: the left or top half (⌈w/2⌉ columns,
// ⌈h/2⌉ rows), a random fraction of the pixels (every channel of a pixel
// alike; round(fraction·h·w) of them, at least one and one short of all),
// or the file's mask.
func buildMask(name string, fraction float64, seed int64, img []int) ([]bool, error) {
	c, h, w := img[0], img[1], img[2]
	pix := make([]bool, h*w) // observed pixels, row-major
	switch name {
	case "left":
		for y := range h {
			for x := range (w + 1) / 2 {
				pix[y*w+x] = true
			}
		}
	case "top":
		for i := range (h + 1) / 2 * w {
			pix[i] = true
		}
	case "random":
		k := min(max(int(math.Round(fraction*float64(h*w))), 1), h*w-1)
		perm := make([]int, h*w)
		for i := range perm {
			perm[i] = i
		}
		r := rng.New(train.SubSeed(seed, train.SeedSample), sideStream)
		for i := range k { // a partial Fisher–Yates shuffle
			j := i + r.IntN(h*w-i)
			perm[i], perm[j] = perm[j], perm[i]
			pix[perm[i]] = true
		}
	default:
		return readMask(name, img)
	}
	mask := make([]bool, 0, c*h*w)
	for range c {
		mask = append(mask, pix...)
	}
	return mask, nil
}

// readMask reads a mask file: an .npy array of shape (h, w) (every channel
// alike) or (c, h, w), every value 0 or 1, with at least one of each.
func readMask(path string, img []int) ([]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("want \"left\", \"top\", \"random\" or an .npy file: cannot read %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	data, shape, err := fileio.ReadNPY(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	c, h, w := img[0], img[1], img[2]
	if !slices.Equal(shape, []int{h, w}) && !slices.Equal(shape, img) {
		return nil, fmt.Errorf("%s: shape %v; want (h, w) = (%d, %d) or (c, h, w) = (%d, %d, %d), the data's images", path, shape, h, w, c, h, w)
	}
	mask := make([]bool, 0, c*h*w)
	var ones int
	for i, v := range data {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("%s: value %v at index %d; a mask holds 1 (observed) and 0 (sampled) only", path, v, i)
		}
		mask = append(mask, v == 1)
		if v == 1 {
			ones++
		}
	}
	if ones == 0 || ones == len(data) {
		return nil, fmt.Errorf("%s: every value is %v; a mask observes some pixels (1) and samples the others (0)", path, data[0])
	}
	for len(mask) < c*h*w { // (h, w): the same for every channel
		mask = append(mask, mask[:h*w]...)
	}
	return mask, nil
}

// condInit returns the chain start of a conditional [sample] init, or nil
// for the others. Inpainting: chain i's observed coordinates are those of
// held-out image i mod n, the others uniform over [lo, hi] as init =
// "uniform" draws them. Denoising: held-out image i mod n plus N(0, σ²),
// clamped to the sampler's bounds. The starts of the first condRows
// chains are kept in [sample]'s starts for the figures.
func (r *trainRun) condInit(lo, hi []float64) func(int, *rng.Stream, []float64) {
	s := &r.c.Sample
	if s.Start != "noisy" && s.frozen == nil {
		return nil
	}
	d, n := r.dim, len(r.eval)/r.dim
	starts := make([]float64, min(condRows, s.Chains)*d)
	r.c.Sample.starts = starts
	bounds := boundsOf(s.Sampler.Value)
	frozen, sigma := s.frozen, s.Noise
	return func(i int, st *rng.Stream, x []float64) {
		img := r.eval[i%n*d : (i%n+1)*d]
		if frozen != nil {
			for j := range x {
				x[j] = lo[j] + (hi[j]-lo[j])*st.Float64()
			}
			for j, o := range frozen {
				if o {
					x[j] = img[j]
				}
			}
		} else {
			st.FillNorm(x)
			for j := range x {
				x[j] = img[j] + sigma*x[j]
				if bounds != nil {
					x[j] = min(max(x[j], bounds[0]), bounds[1])
				}
			}
		}
		if i < len(starts)/d {
			copy(starts[i*d:(i+1)*d], x)
		}
	}
}

// writeCondFigure writes inpaint.png (a mask) or denoise.png (init =
// "noisy") in format: per row, for the first chains' held-out images, the
// chain's start (inpainting: the sampled pixels grey), up to condSamples
// samples (the last draws of the chains that started from that image, then
// earlier draws of its first chain) and the original image. It adds a
// note saying so; nothing is written without a conditional init or draws.
func (r *trainRun) writeCondFigure(shape []int, format plots.Format, res *samplers.Result, lo, hi float64,
	write func(string, func(io.Writer) error), notes *[]string) {
	s := r.c.Sample
	if (s.Start != "noisy" && s.frozen == nil) || res == nil || res.Draws == 0 || r.c.Sample.starts == nil {
		return
	}
	d, n := r.dim, len(r.eval)/r.dim
	rows := min(len(r.c.Sample.starts)/d, n, res.Chains)
	grey := make([]float64, d)
	for j := range grey {
		grey[j] = (lo + hi) / 2
	}
	draw := func(ch, t int) []float64 { return res.Samples[(ch*res.Draws+t)*d : (ch*res.Draws+t+1)*d] }
	var x []float64
	for i := range rows {
		in := slices.Clone(r.c.Sample.starts[i*d : (i+1)*d])
		for j, o := range s.frozen {
			if !o {
				in[j] = grey[j]
			}
		}
		x = append(x, in...)
		k := 0
		for ch := i; ch < res.Chains && k < condSamples; ch += n {
			x = append(x, draw(ch, res.Draws-1)...)
			k++
		}
		for t := res.Draws - 2; t >= 0 && k < condSamples; t-- {
			x = append(x, draw(i, t)...)
			k++
		}
		for ; k < condSamples; k++ {
			x = append(x, grey...)
		}
		x = append(x, r.eval[i*d:(i+1)*d]...)
	}
	name, what := "denoise", fmt.Sprintf("the noisy start (σ = %g)", s.Noise)
	if s.frozen != nil {
		name, what = "inpaint", fmt.Sprintf("the masked start (mask = %q; grey: the sampled pixels)", s.Mask)
	}
	name += "." + string(format)
	src := "held-out"
	if r.evalOn == "train" {
		src = "training"
	}
	cols := condSamples + 2
	write(name, func(w io.Writer) error {
		return plots.ImageGrid(w, format, plots.Images{Data: x, N: rows * cols, C: shape[0], H: shape[1], W: shape[2], Lo: lo, Hi: hi}, cols)
	})
	*notes = append(*notes, fmt.Sprintf("%s: one row per %s image (chain i starts from image i mod %d): %s, %d samples (the last draws of the chains from that image, then earlier draws), the original",
		name, src, n, what, condSamples))
}
