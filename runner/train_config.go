package runner

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/train"
)

// TrainConfig is a loaded and validated training pipeline: a data set, a
// learnable energy, an objective, an optimizer and the [train], [eval] and
// [sample] settings. Every component is decoded strictly, initialized and
// checked against the data's dimension, and the data is loaded. The
// components hold a run's state (the model's parameters, the optimizer's
// moments): load a fresh TrainConfig for each run.
type TrainConfig struct {
	File string // the path it was loaded from, for messages
	Name string // run name: outputs go to runs/<Name> by default
	Seed int64  // the top-level seed: the default of [train] seed

	DataType string
	Data     datasets.Dataset
	points   []float64 // the data, loaded while validating

	EnergyType string
	Model      energies.Trainable

	ObjectiveType string
	Objective     objectives.Objective

	OptimizerType string
	Optimizer     optim.Optimizer

	Train  TrainSettings
	Eval   EvalSettings
	Sample SampleSettings

	// Warnings are what the components said while they were built: each
	// line names the file and the table. Commands print them, and eval.json
	// records them.
	Warnings []string
}

// TrainSettings is the [train] table: the training loop's settings, owned
// by package train.
type TrainSettings = train.Settings

// defaultTrain returns the [train] defaults (Seed is filled from the
// top-level seed when absent).
func defaultTrain() TrainSettings { return train.DefaultSettings() }

// EvalSettings is the [eval] table.
type EvalSettings struct {
	Margin       float64 `toml:"margin" doc:"the quadrature grid covers the data's bounding box enlarged by this fraction of its range on each side (≥ 0)"`
	Res          int     `toml:"res" doc:"grid points per dimension for log Z (≥ 8); 0 means 4096 in 1-D, 256 in 2-D, 64 in 3-D"`
	MMDMax       int     `toml:"mmd_max" doc:"at most this many model samples and held-out points enter the MMD (> 0; its cost is quadratic)"`
	MMDBandwidth float64 `toml:"mmd_bandwidth" doc:"Gaussian kernel bandwidth of the MMD; 0 means the median heuristic"`

	AIS         bool   `toml:"ais" doc:"estimate log Z by annealed importance sampling, and from it the held-out log-likelihood (and bits per dimension for images); default: true for data of dimension > 3, where the quadrature is impossible, false otherwise"`
	AISChains   int    `toml:"ais_chains" doc:"independent AIS runs (> 0); a pilot of a quarter as many (at least 4) sets the step sizes first"`
	AISSteps    int    `toml:"ais_steps" doc:"AIS intermediate distributions K, one transition each (≥ 2)"`
	AISSchedule string `toml:"ais_schedule" doc:"spacing of the AIS inverse temperatures: \"sigmoid\", \"geometric\" or \"linear\""`
	AISBase     string `toml:"ais_base" doc:"AIS base distribution: \"standard\" (N(0, I)) or \"fitted\" (a diagonal Gaussian with the training rows' means and variances: for data whose scale is far from 1)"`
	AISKernel   string `toml:"ais_kernel" doc:"AIS transition at each temperature: \"mala\" or \"hmc\""`
	AISLeapfrog int    `toml:"ais_leapfrog" doc:"leapfrog steps per AIS transition with ais_kernel = \"hmc\" (> 0)"`

	DenoiseSigmas []float64 `toml:"denoise_sigmas" doc:"noise levels σ of the held-out denoising loss ½‖∇E(x + σz) − z/σ‖², each > 0; default: [0.1, 0.3, 0.5] for data of dimension > 3, none otherwise; [] turns it off"`
	DenoiseMax    int       `toml:"denoise_max" doc:"at most this many held-out (and as many training) rows enter the denoising loss (> 0)"`

	NN         bool `toml:"nn" doc:"nearest-neighbour distances to the training rows, of model samples and of held-out rows (a memorisation check); default: true for data of dimension > 3, false otherwise"`
	NNMax      int  `toml:"nn_max" doc:"at most this many model samples and this many held-out rows are matched (> 0)"`
	NNTrainMax int  `toml:"nn_train_max" doc:"at most this many training rows are searched (> 0)"`

	Classifier bool `toml:"classifier" doc:"judge the model samples with an independent classifier trained on the data's labels (evaluate.TrainClassifier): share of confident calls, classes found, and the Fréchet distance of its features beside the real held-out images' floor; default: true for labeled data of dimension > 3, false otherwise; needs labels and held-out rows (else a note says why it was skipped)"`
}

// AIS and nearest-neighbour choices of [eval].
var (
	aisSchedules = []string{evaluate.ScheduleSigmoid, evaluate.ScheduleGeometric, evaluate.ScheduleLinear}
	aisBases     = []string{"standard", "fitted"}
	aisKernels   = []string{evaluate.KernelMALA, evaluate.KernelHMC}
)

// defaultDenoiseSigmas are the noise levels of the denoising loss for data
// of dimension > 3.
var defaultDenoiseSigmas = []float64{0.1, 0.3, 0.5}

// defaultEval returns the [eval] defaults; ais, nn and denoise_sigmas
// depend on the data's dimension (resolveDefaults).
func defaultEval() EvalSettings {
	return EvalSettings{Margin: 0.25, MMDMax: 2000,
		AISChains: 32, AISSteps: 1000, AISSchedule: evaluate.ScheduleSigmoid, AISBase: "standard", AISKernel: evaluate.KernelMALA, AISLeapfrog: 5,
		DenoiseMax: 2000, NNMax: 1000, NNTrainMax: 20000}
}

// resolveDefaults sets the keys whose default depends on the data's
// dimension dim and that the table t (the [eval] table as given, or nil)
// does not set: ais, nn and denoise_sigmas are on for dim > 3.
func (s *EvalSettings) resolveDefaults(t map[string]any, dim int) {
	if _, ok := t["ais"]; !ok {
		s.AIS = dim > 3
	}
	if _, ok := t["nn"]; !ok {
		s.NN = dim > 3
	}
	if _, ok := t["classifier"]; !ok {
		s.Classifier = dim > 3
	}
	if _, ok := t["denoise_sigmas"]; !ok && dim > 3 {
		s.DenoiseSigmas = slices.Clone(defaultDenoiseSigmas)
	}
}

// Init validates the [eval] keys.
func (s *EvalSettings) Validate() error {
	var errs []error
	if !(s.Margin >= 0) || math.IsInf(s.Margin, 0) {
		errs = append(errs, fmt.Errorf("key \"margin\": must be ≥ 0 and finite, got %v", s.Margin))
	}
	if s.Res != 0 && s.Res < 8 {
		errs = append(errs, fmt.Errorf("key \"res\": must be ≥ 8 (or 0 for the default), got %d", s.Res))
	}
	if s.MMDMax <= 0 {
		errs = append(errs, fmt.Errorf("key \"mmd_max\": must be > 0, got %d", s.MMDMax))
	}
	if !(s.MMDBandwidth >= 0) || math.IsInf(s.MMDBandwidth, 0) {
		errs = append(errs, fmt.Errorf("key \"mmd_bandwidth\": must be ≥ 0 and finite (0 means the median heuristic), got %v", s.MMDBandwidth))
	}
	for _, k := range []struct {
		key    string
		v, min int
	}{{"ais_chains", s.AISChains, 1}, {"ais_steps", s.AISSteps, 2}, {"ais_leapfrog", s.AISLeapfrog, 1}, {"denoise_max", s.DenoiseMax, 1}, {"nn_max", s.NNMax, 1}, {"nn_train_max", s.NNTrainMax, 1}} {
		if k.v < k.min {
			errs = append(errs, fmt.Errorf("key %q: must be ≥ %d, got %d", k.key, k.min, k.v))
		}
	}
	for _, k := range []struct {
		key, v string
		in     []string
	}{{"ais_schedule", s.AISSchedule, aisSchedules}, {"ais_base", s.AISBase, aisBases}, {"ais_kernel", s.AISKernel, aisKernels}} {
		if !slices.Contains(k.in, k.v) {
			errs = append(errs, fmt.Errorf("key %q: want one of %s, got %q", k.key, strings.Join(quoteAll(k.in), ", "), k.v))
		}
	}
	for i, v := range s.DenoiseSigmas {
		if !(v > 0) || math.IsInf(v, 0) {
			errs = append(errs, fmt.Errorf("key \"denoise_sigmas\": element %d is %v; each σ must be finite and > 0", i, v))
		}
	}
	return errors.Join(errs...)
}

// gridRes returns the grid resolution for dimension dim.
func (s *EvalSettings) gridRes(dim int) int {
	if s.Res > 0 {
		return s.Res
	}
	if dim == 2 {
		return 256
	}
	if dim == 1 {
		return 4096
	}
	return 64
}

// SampleSettings is the [sample] table: how the trained model is sampled.
type SampleSettings struct {
	Chains       int                                  `toml:"chains" doc:"number of chains (> 0); samples.npy has shape (chains, draws, dim)"`
	Warmup       int                                  `toml:"warmup" doc:"sampler iterations per chain before the kept draws (≥ 0); default: 500, or the whole ladder of annealed_langevin, annealed_langevin_sigma and predictor_corrector"`
	Draws        int                                  `toml:"draws" doc:"kept draws per chain (> 0)"`
	Workers      int                                  `toml:"workers" doc:"goroutines running the chains; 0 means one per CPU (results do not depend on it)"`
	Start        string                               `toml:"init" doc:"chain start: \"uniform\" over the evaluation grid's box, \"data\" (random training rows; with mask, held-out\nimages to inpaint), \"normal\" (N(0, I)), \"noisy\" (held-out images plus N(0, noise²), to denoise) or\n\"buffer\" (distinct rows of the pcd objective's replay buffer, chosen by the seed)"`
	Mask         string                               `toml:"mask" doc:"inpainting, with init = \"data\" on image data: the observed pixels, held fixed while the others are\nsampled from the conditional density: \"left\" or \"top\" (that half of the image), \"random\" (a seeded random\nmask_fraction of the pixels) or an .npy file of shape (h, w) or (c, h, w), 1 = observed, 0 = sampled;\nneeds a sampler that can hold coordinates fixed (ula, mala, annealed_langevin, hmc); \"\" (default): none"`
	MaskFraction float64                              `toml:"mask_fraction" doc:"mask = \"random\": the fraction of the pixels observed, in (0, 1)"`
	Noise        float64                              `toml:"noise" doc:"init = \"noisy\": standard deviation σ of the Gaussian noise added to the held-out images (> 0);\nthe sampler's bounds, if any, clamp the noisy start"`
	Sampler      registry.Component[samplers.Sampler] `toml:"sampler" doc:"the sampler, a [sample.sampler] table with a type; default: ula (annealed_langevin after msdsm)"`
	Denoise      float64                              `toml:"denoise_sigma" doc:"if > 0, every kept draw then takes one Tweedie denoising step x - denoise_sigma²·∇E(x) (Song & Ermon 2019),\nand samples.npy and the image grids hold the denoised draws (the MMD and eval.json's quality are of the draws before it, quality_denoised of the denoised ones);\nuse the msdsm objective's sigma_min; 0 = off"`

	// frozen is the inpainting mask (true = observed) over a point's
	// coordinates, set by condition; nil without a mask.
	frozen []bool
	// starts holds the starts of the first chains of the latest
	// conditional sampling (condInit), for its figure.
	starts []float64
}

// Sample init choices.
var sampleInits = []string{"uniform", "data", "normal", "noisy", "buffer"}

// defaultSample returns the [sample] defaults; an absent warmup is chosen
// from the sampler (see defaultSampleWarmup).
func defaultSample() SampleSettings {
	return SampleSettings{Chains: 1000, Draws: 1, Start: "uniform", MaskFraction: 0.5, Noise: 0.3, Sampler: registry.With[samplers.Sampler]("ula", nil)}
}

// Provision resolves a mask file's path against the config's directory,
// so that the resolved config names a file valid from anywhere.
func (s *SampleSettings) Provision(ctx registry.Context) error {
	if s.Mask != "" && !slices.Contains(maskNames, s.Mask) {
		s.Mask = ctx.Resolve(s.Mask)
	}
	return nil
}

// Init validates the [sample] keys other than the sampler.
func (s *SampleSettings) Validate() error {
	var errs []error
	if s.Chains <= 0 {
		errs = append(errs, fmt.Errorf("key \"chains\": must be > 0, got %d", s.Chains))
	}
	if s.Warmup < 0 {
		errs = append(errs, fmt.Errorf("key \"warmup\": must be ≥ 0, got %d", s.Warmup))
	}
	if s.Draws <= 0 {
		errs = append(errs, fmt.Errorf("key \"draws\": must be > 0, got %d", s.Draws))
	}
	if s.Workers < 0 {
		errs = append(errs, fmt.Errorf("key \"workers\": must be ≥ 0 (0 means one per CPU), got %d", s.Workers))
	}
	if !slices.Contains(sampleInits, s.Start) {
		errs = append(errs, fmt.Errorf("key \"init\": want one of %s, got %q", strings.Join(quoteAll(sampleInits), ", "), s.Start))
	}
	if s.Mask != "" && s.Start != "data" {
		errs = append(errs, fmt.Errorf("key \"mask\": inpaints images from the data: it needs init = \"data\", got init = %q", s.Start))
	}
	if !(s.MaskFraction > 0 && s.MaskFraction < 1) {
		errs = append(errs, fmt.Errorf("key \"mask_fraction\": must be in (0, 1), got %v", s.MaskFraction))
	}
	if !(s.Noise > 0) || math.IsInf(s.Noise, 0) {
		errs = append(errs, fmt.Errorf("key \"noise\": must be > 0 and finite, got %v", s.Noise))
	}
	if !(s.Denoise >= 0) || math.IsInf(s.Denoise, 0) {
		errs = append(errs, fmt.Errorf("key \"denoise_sigma\": must be ≥ 0 and finite (0 means no denoising step), got %v", s.Denoise))
	}
	return errors.Join(errs...)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// isTrainFile reports whether the file at path parses as a training config;
// any read or syntax error gives false, leaving the message to Load.
func isTrainFile(path string) bool {
	src, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	m, err := decodeConfig(path, src)
	return err == nil && isTrainTable(m)
}

// LoadTrain reads a training config file, applies --set style overrides
// ("train.steps=50", "objective.sigma=0.2") and validates everything a
// training run needs before it starts. Every error line names the file, the
// table, the component and the key. Relative file paths in [data] (and in a
// checkpoint [energy]) are resolved against the config file's directory;
// an [energy] with a dim key and none given gets the data's dimension.
func LoadTrain(path string, sets []string) (*TrainConfig, error) {
	src, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	return ParseTrain(path, src, sets)
}

// ParseTrain is LoadTrain on the contents src of the file named path.
func ParseTrain(path string, src []byte, sets []string) (*TrainConfig, error) {
	m, err := decodeConfig(path, src)
	if err != nil {
		return nil, err
	}
	if err := trainingSchema.applySets(path, m, sets); err != nil {
		return nil, err
	}
	return buildTrain(path, m)
}

// givesShape reports whether an [energy] table sets its points' shape
// itself (dim or in_shape) rather than taking it from the data.
func givesShape(t any) bool {
	tab, _ := t.(map[string]any)
	_, dim := tab["dim"]
	_, shape := tab["in_shape"]
	return dim || shape
}

// buildTrain validates the table m and builds the training pipeline.
func buildTrain(path string, m map[string]any) (*TrainConfig, error) {
	c := &TrainConfig{File: path, Seed: 1, Train: defaultTrain(), Eval: defaultEval(), Sample: defaultSample()}
	s, b := trainingSchema, newBuilder(path)
	c.Name, c.Seed = s.topLevel(b, m, c.Seed)

	// [data], loaded now: file loaders know their dimension only then, and
	// a bad file is bad input, reported before any work. Its shape is the
	// Context of the tables after it (an mlp takes its dim from it).
	dataFailed := false
	if d, ok := b.component(m, s.section("data")); !ok {
		dataFailed = true
	} else {
		c.DataType = d.typ
		data := d.v.(datasets.Dataset)
		var x []float64
		err := b.checkDataSize(d.typ, data)
		if err == nil {
			x, err = data.Load()
		}
		switch {
		case errors.Is(err, errTooLarge):
			dataFailed = true
		case err != nil:
			b.fail("data", err)
			dataFailed = true
		case data.Dim() <= 0 || len(x) == 0 || len(x)%data.Dim() != 0:
			b.failType("data", d.typ, fmt.Errorf("got %d values of dimension %d: not a positive whole number of points", len(x), data.Dim()))
			dataFailed = true
		default:
			c.Data, c.points, b.shape = data, x, datasets.ShapeOf(data)
		}
	}

	// [energy]: learnable, of the data's dimension. When the data failed
	// and the table leaves the dimension to the data, its checks would
	// only repeat the data's error (dim 0): they wait for good data.
	if !dataFailed || givesShape(m["energy"]) {
		if e, ok := b.component(m, s.section("energy")); ok {
			c.EnergyType = e.typ
			tr, isTr := e.v.(energies.Trainable)
			switch {
			case !isTr:
				b.failType("energy", e.typ, fmt.Errorf("the energy %q is not trainable: a training config needs a learnable energy with parameters, e.g. type = \"mlp\"", e.typ))
			case c.Data != nil && tr.Dim() != c.Data.Dim():
				b.failType("energy", e.typ, fmt.Errorf("dim = %d but [data] (%s) has dimension %d", tr.Dim(), c.DataType, c.Data.Dim()))
			case len(tr.Params()) == 0:
				b.failType("energy", e.typ, errors.New("the energy has no parameters to train"))
			default:
				c.Model = tr
			}
		}
	}

	if o, ok := b.component(m, s.section("objective")); ok {
		c.ObjectiveType, c.Objective = o.typ, o.v.(objectives.Objective)
	}
	if o, ok := b.component(m, s.section("optimizer")); ok {
		c.OptimizerType, c.Optimizer = o.typ, o.v.(optim.Optimizer)
	}

	// [train] (its seed defaults to the top-level one), [eval], [sample].
	c.Train.Seed = c.Seed
	trainOK := b.settings(m, s.section("train"), &c.Train)
	evalOK := b.settings(m, s.section("eval"), &c.Eval)
	if c.Data != nil && trainOK {
		warnBatch(b, c)
	}
	if c.Data != nil && evalOK {
		et, _ := m["eval"].(map[string]any)
		c.Eval.resolveDefaults(et, c.Data.Dim())
		checkGrid(b, &c.Eval, c.Data.Dim())
		if c.Data.Dim() <= 3 {
			// The resolved config records the resolution used, not 0.
			c.Eval.Res = c.Eval.gridRes(c.Data.Dim())
		}
	}
	st, _ := m["sample"].(map[string]any)
	if _, given := st["sampler"]; !given && c.ObjectiveType == "msdsm" && samplers.Registry.Has("annealed_langevin") {
		c.Sample.Sampler = registry.With[samplers.Sampler]("annealed_langevin", nil)
	}
	if b.settings(m, s.section("sample"), &c.Sample) {
		if _, given := st["warmup"]; !given {
			c.Sample.Warmup = defaultSampleWarmup(c.Sample.Sampler.Value)
		}
		if c.Sample.Start == "buffer" && c.Objective != nil {
			if _, ok := c.Objective.(objectives.Replayer); !ok {
				b.fail("sample", registry.KeyErrorf("init", "\"buffer\" starts the chains from the objective's replay buffer; the objective %q keeps none (pcd does)", c.ObjectiveType))
			}
		}
		if c.Data != nil {
			b.fail("sample", c.Sample.condition(c.Train.Seed, runImageShape(b.shape, c.Model, c.Data.Dim())))
		}
	}
	if err := b.err(); err != nil {
		return nil, err
	}
	// Everything is valid: what the run will hold must fit in memory.
	if !b.checkTraining(c) {
		return nil, b.err()
	}
	c.Warnings = b.warns
	return c, nil
}

// warnBatch warns when [train] batch_size exceeds the training rows: a
// batch then spans several passes over the training set, repeating rows.
func warnBatch(b *builder, c *TrainConfig) {
	n := len(c.points) / c.Data.Dim()
	ntrain := n - int(math.Floor(c.Train.Holdout*float64(n)))
	if ntrain > 0 && c.Train.BatchSize > ntrain {
		b.ctx("train").Warnf("batch_size = %d is larger than the %d training rows (%d rows, holdout %v): each batch repeats rows, spanning several passes over the training set; batch_size = %d uses every row once per step", c.Train.BatchSize, ntrain, n, c.Train.Holdout, ntrain)
	}
}

// checkGrid refuses an [eval] res whose quadrature grid, res^dim points
// for data of dimension ≤ 3, is larger than log Z evaluates
// (evaluate.MaxGridPoints).
func checkGrid(b *builder, s *EvalSettings, dim int) {
	if dim > 3 {
		return
	}
	res, n := s.gridRes(dim), int64(1)
	for range dim {
		n = registry.Bytes(n, int64(res))
	}
	if n > evaluate.MaxGridPoints {
		fit := int(math.Floor(math.Pow(evaluate.MaxGridPoints, 1/float64(dim))))
		for pow(fit+1, dim) <= evaluate.MaxGridPoints {
			fit++
		}
		for pow(fit, dim) > evaluate.MaxGridPoints {
			fit--
		}
		b.fail("eval", registry.KeyErrorf("res", "res = %d makes a quadrature grid of res^%d = %s points for this %d-dimensional data, more than the %d log Z evaluates; use res ≤ %d", res, dim, gridCount(n), dim, evaluate.MaxGridPoints, fit))
	}
}

// gridCount formats a number of grid points.
func gridCount(n int64) string {
	if n == math.MaxInt64 {
		return "more than 9.2e18"
	}
	return fmt.Sprintf("%d", n)
}

// defaultSampleWarmup is 500 iterations, or the whole ladder of a sampler
// that has one: its LadderIterations (annealed_langevin,
// annealed_langevin_sigma, predictor_corrector), or levels·steps_per_level
// for another sampler with those keys, so that the kept draws come after
// the ladder.
func defaultSampleWarmup(s samplers.Sampler) int {
	if l, ok := s.(interface{ LadderIterations() int }); ok {
		return l.LadderIterations()
	}
	m := registry.ToMap(s)
	l, k := asInt(m["levels"]), asInt(m["steps_per_level"])
	if l > 0 && k > 0 {
		return l * k
	}
	return 500
}

// asInt returns an integer field value from registry.ToMap, or 0.
func asInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case uint64:
		return int(n)
	}
	return 0
}

// ResolvedTOML renders the training config with every default filled in:
// what ran, written to config.toml in the output directory. Loading it
// again gives the same pipeline, and `ebmrun run --resume` reads it.
func (c *TrainConfig) ResolvedTOML() string {
	var b strings.Builder
	writeTop(&b, c.File, c.Name, c.Seed)
	writeTable(&b, "[data]", c.DataType, c.Data)
	writeTable(&b, "[energy]", c.EnergyType, c.Model)
	writeTable(&b, "[objective]", c.ObjectiveType, c.Objective)
	writeTable(&b, "[optimizer]", c.OptimizerType, c.Optimizer)
	writeTable(&b, "[train]", "", &c.Train)
	writeTable(&b, "[eval]", "", &c.Eval)
	writeTable(&b, "[sample]", "", &c.Sample)
	return b.String()
}
