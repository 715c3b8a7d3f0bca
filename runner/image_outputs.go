package runner

import (
	"context"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/plots"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/train"
)

// Image outputs. A run whose points are images — the training data
// reports an image shape (datasets.ShapeOf), or the energy has an
// in_shape key — draws its samples as a grid of images instead of the
// scatter-plot matrix, and a training run writes samples.npy with the
// image shape.

// imageGridCols is the number of columns of samples.png and data.png.
const imageGridCols = 8

// imageGridImages is the number of images in samples.png and data.png.
const imageGridImages = 64

// imageShape returns shape as (c, h, w) when it describes an image of dim
// values: (c, h, w) or (h, w) with h·w > 1, c ∈ {1, 3} and c·h·w = dim;
// nil otherwise.
func imageShape(shape []int, dim int) []int {
	var c, h, w int
	switch len(shape) {
	case 2:
		c, h, w = 1, shape[0], shape[1]
	case 3:
		c, h, w = shape[0], shape[1], shape[2]
	default:
		return nil
	}
	if (c != 1 && c != 3) || h <= 0 || w <= 0 || h*w <= 1 || c*h*w != dim {
		return nil
	}
	return []int{c, h, w}
}

// energyInShape returns the in_shape key of a component (a struct with a
// field tagged toml:"in_shape" of type []int), or nil when it has none.
func energyInShape(v any) []int {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	t := rv.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("toml"), ","); name == "in_shape" {
			if s, ok := rv.Field(i).Interface().([]int); ok {
				return s
			}
		}
	}
	// A wrapper that embeds the energy it passes through (the checkpoint
	// energy embeds the model it loaded) has the shape of that energy.
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.IsExported() && (f.Type.Kind() == reflect.Interface || f.Type.Kind() == reflect.Pointer) {
			if s := energyInShape(rv.Field(i).Interface()); s != nil {
				return s
			}
		}
	}
	return nil
}

// runImageShape is the image shape of a run of dimension dim: the data's
// shape first, then the energy's in_shape; nil when neither is an image
// of dim values.
func runImageShape(dataShape []int, energy any, dim int) []int {
	if s := imageShape(dataShape, dim); s != nil {
		return s
	}
	return imageShape(energyInShape(energy), dim)
}

// displayRange is the value range an image grid maps to black … white:
// [0, 1] when every finite value of x lies in it (or x has none), else the
// range of x's finite values.
func displayRange(x []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo > hi || (lo >= 0 && hi <= 1) || !(lo < hi) {
		return 0, 1
	}
	return lo, hi
}

// lastDraws returns up to n images of r, the newest first: the last draw
// of every chain, then the one before, and so on.
func lastDraws(r *samplers.Result, n int) []float64 {
	var x []float64
	for t := r.Draws - 1; t >= 0 && len(x) < n*r.Dim; t-- {
		for ch := 0; ch < r.Chains && len(x) < n*r.Dim; ch++ {
			x = append(x, r.Samples[(ch*r.Draws+t)*r.Dim:(ch*r.Draws+t+1)*r.Dim]...)
		}
	}
	return x
}

// sampleGrid writes the image grid of the runs' last draws: one block of
// whole rows per run, in order, 64 images in all (at least one row per
// run), values mapped from [lo, hi].
func sampleGrid(w io.Writer, format plots.Format, shape []int, res []*samplers.Result, lo, hi float64) error {
	per := max(imageGridCols, imageGridImages/len(res)/imageGridCols*imageGridCols)
	var x []float64
	for _, r := range res {
		d := lastDraws(r, per)
		x = append(x, d...)
		// Pad the run's block to whole rows with NaN-free blanks at lo.
		if k := len(d) / r.Dim; k%imageGridCols != 0 && len(res) > 1 {
			for range (imageGridCols - k%imageGridCols) * r.Dim {
				x = append(x, lo)
			}
		}
	}
	n := len(x) / (shape[0] * shape[1] * shape[2])
	return plots.ImageGrid(w, format, plots.Images{Data: x, N: n, C: shape[0], H: shape[1], W: shape[2], Lo: lo, Hi: hi}, imageGridCols)
}

// boundsOf returns a sampler's bounds key ([lo, hi]), or nil.
func boundsOf(s samplers.Sampler) []float64 {
	switch v := s.(type) {
	case *samplers.ULA:
		return v.Bounds
	case *samplers.MALA:
		return v.Bounds
	case *samplers.AnnealedLangevin:
		return v.Bounds
	}
	return nil
}

// progressChains is the number of images in each row of progress.png.
const progressChains = 8

// imageShape is the run's image shape (c, h, w), or nil when its points
// are not images.
func (r *trainRun) imageShape() []int {
	return runImageShape(datasets.ShapeOf(r.c.Data), r.c.Model, r.dim)
}

// sideStream is the stream index, under a sampling's seed, of the draws
// that set its chains up (the buffer rows, the random inpainting mask):
// chain i draws from (seed, i), so no chain shares it.
const sideStream = math.MaxUint64

// sampleInit is the chain start of [sample] init for the trained model:
// random training rows ("data"), N(0, I) ("normal"), uniform over the
// data's bounding box enlarged by [eval] margin ("uniform"), or distinct
// rows of the objective's replay buffer ("buffer": chain i takes row
// perm[i mod rows] of a permutation drawn from rng.New(seed, sideStream),
// seed being the sampling's); held-out images to inpaint ("data" with a
// mask) or to denoise ("noisy"): see condInit.
func (r *trainRun) sampleInit(seed uint64) func(int, *rng.Stream, []float64) {
	lo, hi := slices.Clone(r.dataLo), slices.Clone(r.dataHi)
	if r.grid != nil {
		lo, hi = r.grid.Lo, r.grid.Hi
	} else {
		for j := range lo {
			w := hi[j] - lo[j]
			lo[j], hi[j] = lo[j]-r.c.Eval.Margin*w, hi[j]+r.c.Eval.Margin*w
		}
	}
	if f := r.condInit(lo, hi); f != nil {
		return f
	}
	ntrain := len(r.train) / r.dim
	start := r.c.Sample.Start
	var buf []float64
	var perm []int
	if start == "buffer" {
		buf = r.c.Objective.(objectives.Replayer).ReplayBuffer() // checked by the config
		st := rng.New(seed, sideStream)
		perm = st.Perm(len(buf) / r.dim)
	}
	return func(i int, st *rng.Stream, x []float64) {
		switch start {
		case "buffer":
			k := perm[i%len(perm)]
			copy(x, buf[k*r.dim:(k+1)*r.dim])
		case "data":
			i := st.IntN(ntrain)
			copy(x, r.train[i*r.dim:(i+1)*r.dim])
		case "normal":
			st.FillNorm(x)
		default:
			for j := range x {
				x[j] = lo[j] + (hi[j]-lo[j])*st.Float64()
			}
		}
	}
}

// sampleProgress draws progressChains chains of the [sample] sampler
// ([sample] warmup, then one draw) from the model at step and keeps their
// draws as a row of progress.png. A failed or interrupted sampling keeps
// no row. It uses its own seed, so training is not affected.
func (r *trainRun) sampleProgress(ctx context.Context, step int64) {
	s := r.c.Sample
	r.tr.UseAverage(true) // the next step puts the optimizer's parameters back
	defer pin(r.c.Model)()
	seed := train.SubSeed(r.c.Train.Seed, 1000+uint64(step))
	res, err := samplers.Run(ctx, r.c.Model, s.Sampler.Value, samplers.Options{
		Chains: progressChains, Warmup: s.Warmup, Draws: 1, Thin: 1,
		Seed: seed, Workers: s.Workers, Init: r.sampleInit(seed),
	})
	if err != nil || res == nil || res.Draws == 0 {
		return
	}
	r.progress = append(r.progress, lastDraws(res, progressChains))
	r.progressSteps = append(r.progressSteps, step)
}

// writeImageOutputs writes the figures of an image run in format: data.png
// (the first 64 training images), samples.png (the last draws of res, when
// any), progress.png (the rows of sampleProgress, when any) and loss.png
// (loss.csv's loss against the step), and inpaint.png or denoise.png for
// a conditional [sample] init (writeCondFigure). Values are mapped from the data's
// range ([0, 1] when the data lies in it).
func (r *trainRun) writeImageOutputs(shape []int, format plots.Format, res *samplers.Result, write func(string, func(io.Writer) error), notes *[]string) {
	ext := "." + string(format)
	lo, hi := displayRange(append(slices.Clone(r.dataLo), r.dataHi...))
	grid := func(x []float64, cols int) func(io.Writer) error {
		n := len(x) / r.dim
		return func(w io.Writer) error {
			return plots.ImageGrid(w, format, plots.Images{Data: x, N: n, C: shape[0], H: shape[1], W: shape[2], Lo: lo, Hi: hi}, cols)
		}
	}
	write("data"+ext, grid(r.train[:min(len(r.train), imageGridImages*r.dim)], imageGridCols))
	if res != nil {
		write("samples"+ext, grid(lastDraws(res, imageGridImages), imageGridCols))
	}
	r.writeCondFigure(shape, format, res, lo, hi, write, notes)
	if len(r.progress) > 0 {
		var x []float64
		for _, row := range r.progress {
			x = append(x, row...)
		}
		write("progress"+ext, grid(x, progressChains))
		*notes = append(*notes, fmt.Sprintf("progress%s: one row of %d draws from the model every [train] eval_every = %d steps of this session (steps %d … %d)",
			ext, progressChains, r.c.Train.EvalEvery, r.progressSteps[0], r.progressSteps[len(r.progressSteps)-1]))
	} else {
		*notes = append(*notes, "progress"+ext+" not written: no draws during training ([train] eval_every = 0, or no evaluation step in this session)")
	}
	rows := r.tr.Rows()
	if len(rows) > 0 {
		steps, loss := make([]float64, len(rows)), make([]float64, len(rows))
		for i, l := range rows {
			steps[i], loss[i] = float64(l.Step), l.Loss
		}
		title := fmt.Sprintf("%s: %s on %s", r.c.Name, r.c.ObjectiveType, r.c.DataType)
		write("loss"+ext, func(w io.Writer) error { return plots.Loss(w, format, steps, loss, title) })
	}
}
