package evaluate

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// ClassifierConfig sets up TrainClassifier. The zero value of a field
// means its default.
type ClassifierConfig struct {
	// Hidden are the widths of the hidden layers (default 256, 256). The
	// last one is the width of Features.
	Hidden []int
	// Epochs is the number of passes over the training rows (default 6).
	Epochs int
	// BatchSize is the number of rows per Adam step (default 128).
	BatchSize int
	// LR is Adam's learning rate at the start; it decays to 0 along half
	// a cosine over the training (default 1e-3).
	LR float64
	// Classes is the number of classes C (default: the largest label + 1).
	Classes int
	// Seed seeds the initial weights and the order of the rows.
	Seed uint64
}

// Classifier is a fully connected network with SiLU hidden layers that
// maps an image (or any point) to the probabilities of C classes. It is
// trained by TrainClassifier and computes in float32; its results depend
// only on its weights and inputs, not on the number of threads.
type Classifier struct {
	dim, classes int
	layers       []int     // dim, hidden…, classes
	params       []float64 // for each layer, W (in×out, row-major) then b (1×out)
	p32          []float32 // params rounded to float32, what the graph reads
	shift, scale float64   // inputs enter as (x − shift)·scale
}

// Dim is the dimension of the points the classifier takes.
func (c *Classifier) Dim() int { return c.dim }

// Classes is the number of classes C.
func (c *Classifier) Classes() int { return c.classes }

// FeatureDim is the width of Features: the last hidden layer's.
func (c *Classifier) FeatureDim() int { return c.layers[len(c.layers)-2] }

// Streams of the classifier's seed.
const (
	streamInit    = 0 // the initial weights
	streamBatches = 1 // the order of the rows in every epoch
)

// TrainClassifier trains a classifier on n labeled points: x holds them
// row-major (n×dim) and labels[i] ∈ {0, …, C−1} is the class of row i. It
// minimises the softmax cross-entropy with Adam (β = 0.9, 0.999) over
// cfg.Epochs shuffled passes, from He-initialised weights and zero biases;
// the inputs are standardised by the mean and standard deviation of all of
// x's values. The result is a function of x, labels and cfg alone: the
// same bits at any GOMAXPROCS. With the defaults and seed 0, trained on
// all 60 000 training images, it calls 98.3 % of MNIST's test images
// right, and 89.6 % of Fashion-MNIST's (BenchmarkTrainClassifier).
//
// Bad input (a dim ≤ 0, rows that are not whole, no rows, a label out of
// range, non-finite values, a negative setting) is an error, and so is a
// training that diverges (a non-finite gradient).
func TrainClassifier(x []float64, dim int, labels []int, cfg ClassifierConfig) (*Classifier, error) {
	n, err := checkRows("TrainClassifier", x, dim, 1)
	if err != nil {
		return nil, err
	}
	cfg, err = cfg.withDefaults(labels)
	if err != nil {
		return nil, err
	}
	if len(labels) != n {
		return nil, fmt.Errorf("evaluate: TrainClassifier: %d labels for %d rows", len(labels), n)
	}
	for i, l := range labels {
		if l < 0 || l >= cfg.Classes {
			return nil, fmt.Errorf("evaluate: TrainClassifier: label %d of row %d is not in [0, %d)", l, i, cfg.Classes)
		}
	}
	c := newClassifier(dim, cfg)
	c.shift, c.scale = standardise(x)
	if err := c.fit(x, labels, cfg); err != nil {
		return nil, err
	}
	return c, nil
}

// withDefaults fills the zero fields and checks the others.
func (cfg ClassifierConfig) withDefaults(labels []int) (ClassifierConfig, error) {
	if cfg.Hidden == nil {
		cfg.Hidden = []int{256, 256}
	}
	cfg.Hidden = slices.Clone(cfg.Hidden)
	if cfg.Epochs == 0 {
		cfg.Epochs = 6
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 128
	}
	if cfg.LR == 0 {
		cfg.LR = 1e-3
	}
	if cfg.Classes == 0 && len(labels) > 0 {
		cfg.Classes = slices.Max(labels) + 1
	}
	var errs []error
	if len(cfg.Hidden) == 0 || slices.Min(cfg.Hidden) <= 0 {
		errs = append(errs, fmt.Errorf("hidden widths %v: want at least one, each > 0", cfg.Hidden))
	}
	if cfg.Epochs < 0 || cfg.BatchSize < 0 {
		errs = append(errs, fmt.Errorf("epochs %d and batch size %d must be > 0", cfg.Epochs, cfg.BatchSize))
	}
	if !(cfg.LR > 0) || math.IsInf(cfg.LR, 0) {
		errs = append(errs, fmt.Errorf("learning rate %v must be > 0 and finite", cfg.LR))
	}
	if cfg.Classes < 2 {
		errs = append(errs, fmt.Errorf("%d classes: want at least 2", cfg.Classes))
	}
	if err := errors.Join(errs...); err != nil {
		return cfg, fmt.Errorf("evaluate: TrainClassifier: %w", err)
	}
	return cfg, nil
}

// checkRows checks that x holds at least least whole rows of dim finite
// values and returns their number.
func checkRows(fn string, x []float64, dim, least int) (int, error) {
	if dim <= 0 || len(x)%dim != 0 {
		return 0, fmt.Errorf("evaluate: %s: %d values do not make whole rows of dimension %d", fn, len(x), dim)
	}
	if n := len(x) / dim; n < least {
		return 0, fmt.Errorf("evaluate: %s: %d rows, need at least %d", fn, n, least)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("evaluate: %s: row %d holds %v", fn, i/dim, v)
		}
	}
	return len(x) / dim, nil
}

// standardise returns the mean of x's values and the inverse of their
// standard deviation (1 when they are all equal).
func standardise(x []float64) (shift, scale float64) {
	var s float64
	for _, v := range x {
		s += v
	}
	shift = s / float64(len(x))
	var q float64
	for _, v := range x {
		q += (v - shift) * (v - shift)
	}
	sd := math.Sqrt(q / float64(len(x)))
	if !(sd > 0) {
		return shift, 1
	}
	return shift, 1 / sd
}

// newClassifier lays out the parameters and draws the initial weights:
// He-normal weights (std √(2/in)), the output layer's scaled by 1/√2 as
// nothing follows it, and zero biases.
func newClassifier(dim int, cfg ClassifierConfig) *Classifier {
	c := &Classifier{dim: dim, classes: cfg.Classes}
	c.layers = append(append([]int{dim}, cfg.Hidden...), cfg.Classes)
	size := 0
	for l := 1; l < len(c.layers); l++ {
		size += (c.layers[l-1] + 1) * c.layers[l]
	}
	c.params = make([]float64, size)
	s := rng.New(cfg.Seed, streamInit)
	off := 0
	for l := 1; l < len(c.layers); l++ {
		in, out := c.layers[l-1], c.layers[l]
		std := math.Sqrt(2 / float64(in))
		if l == len(c.layers)-1 {
			std /= math.Sqrt2
		}
		for i := range in * out {
			c.params[off+i] = std * s.Norm()
		}
		off += (in + 1) * out
	}
	c.p32 = make([]float32, size)
	simd.ToFloat32(c.p32, c.params)
	return c
}

// forward records the network on g for the standardised rows xs (n×dim)
// and returns the last hidden layer's activations, the logits, and the
// parameter leaves.
func (c *Classifier) forward(g *autodiff.Graph32, xs autodiff.Node) (feat, logits autodiff.Node, params []autodiff.Node) {
	h, off := xs, 0
	last := len(c.layers) - 1
	for l := 1; l <= last; l++ {
		in, out := c.layers[l-1], c.layers[l]
		w := g.Input(c.p32[off:off+in*out], in, out)
		b := g.Input(c.p32[off+in*out:off+(in+1)*out], 1, out)
		off += (in + 1) * out
		params = append(params, w, b)
		h = g.Affine(h, w, b)
		if l < last {
			h = g.Act(h, autodiff.SiLU)
			feat = h
		}
	}
	return feat, h, params
}

// load writes rows idx of x, standardised, into dst as float32.
func (c *Classifier) load(dst []float32, x []float64, idx []int) {
	d := c.dim
	for k, i := range idx {
		row, out := x[i*d:(i+1)*d], dst[k*d:(k+1)*d]
		for j, v := range row {
			out[j] = float32((v - c.shift) * c.scale)
		}
	}
}

// fit runs the Adam steps; it stops at a non-finite gradient.
func (c *Classifier) fit(x []float64, labels []int, cfg ClassifierConfig) error {
	n := len(labels)
	bs := min(cfg.BatchSize, n)
	perEpoch := (n + bs - 1) / bs
	adam := optim.NewAdam()
	adam.LR, adam.Schedule = cfg.LR, "cosine"
	if err := adam.Start(len(c.params), cfg.Epochs*perEpoch); err != nil {
		panic("evaluate: " + err.Error()) // the settings above are valid
	}
	g := autodiff.New32()
	g.SetWorkers(0)
	xb, tb := make([]float32, bs*c.dim), make([]float32, bs*c.classes)
	grad32, grad := make([]float32, len(c.params)), make([]float64, len(c.params))
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	s := rng.New(cfg.Seed, streamBatches)
	for e := range cfg.Epochs {
		for i := n - 1; i > 0; i-- {
			j := s.IntN(i + 1)
			order[i], order[j] = order[j], order[i]
		}
		for b := 0; b < n; b += bs {
			idx := order[b:min(b+bs, n)]
			m := len(idx)
			c.load(xb, x, idx)
			clear(tb)
			for k, i := range idx {
				tb[k*c.classes+labels[i]] = 1
			}
			g.Reset()
			_, logits, params := c.forward(g, g.Const(xb[:m*c.dim], m, c.dim))
			loss := g.SoftmaxCrossEntropy(logits, g.Const(tb[:m*c.classes], m, c.classes))
			g.Flatten(grad32, g.Grad([]autodiff.Node{loss}, params, nil, false))
			simd.ToFloat64(grad, grad32)
			if _, norm := adam.Step(c.params, grad); math.IsNaN(norm) || math.IsInf(norm, 0) {
				return fmt.Errorf("evaluate: TrainClassifier: epoch %d: the gradient is %v: training diverged (learning rate too large?)", e+1, norm)
			}
			simd.ToFloat32(c.p32, c.params)
		}
	}
	return nil
}

// evalRows is how many rows one forward pass of Predict and Features
// takes: memory stays bounded whatever n.
const evalRows = 1024

// outputs passes the rows of x through the network in blocks of evalRows
// and returns their class probabilities (n×C, the softmax of the float32
// logits taken in float64) when wantP, and their features (n×FeatureDim)
// when wantF. It panics unless x holds whole rows of Dim (a programming
// error).
func (c *Classifier) outputs(fn string, x []float64, wantP, wantF bool) (p, feat []float64) {
	if len(x)%c.dim != 0 {
		panic(fmt.Sprintf("evaluate: %s: %d values do not make whole rows of dimension %d", fn, len(x), c.dim))
	}
	n, C, h := len(x)/c.dim, c.classes, c.FeatureDim()
	if wantP {
		p = make([]float64, n*C)
	}
	if wantF {
		feat = make([]float64, n*h)
	}
	g := autodiff.New32()
	g.SetWorkers(0)
	xb := make([]float32, min(n, evalRows)*c.dim)
	idx := make([]int, 0, evalRows)
	for i0 := 0; i0 < n; i0 += evalRows {
		idx = idx[:0]
		for i := i0; i < min(i0+evalRows, n); i++ {
			idx = append(idx, i)
		}
		m := len(idx)
		c.load(xb, x, idx)
		g.Reset()
		f, logits, _ := c.forward(g, g.Const(xb[:m*c.dim], m, c.dim))
		if wantP {
			z := g.Value(logits)
			for k := range m {
				softmax(p[(i0+k)*C:(i0+k+1)*C], z[k*C:(k+1)*C])
			}
		}
		if wantF {
			simd.ToFloat64(feat[i0*h:(i0+m)*h], g.Value(f))
		}
	}
	return p, feat
}

// Predict returns the class probabilities of the rows of x (n×Dim): n×C
// values, row-major, each row summing to 1 (the softmax of the float32
// logits, taken in float64). Non-finite inputs give NaN rows.
func (c *Classifier) Predict(x []float64) []float64 {
	p, _ := c.outputs("Predict", x, true, false)
	return p
}

// softmax writes the softmax of z into p.
func softmax(p []float64, z []float32) {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = math.Max(mx, float64(v))
	}
	var s float64
	for j, v := range z {
		p[j] = math.Exp(float64(v) - mx)
		s += p[j]
	}
	for j := range p {
		p[j] /= s
	}
}

// Features returns the last hidden layer's activations for the rows of x
// (n×Dim): n×FeatureDim values, row-major. They are the representation
// SampleQuality compares with a Fréchet distance.
func (c *Classifier) Features(x []float64) []float64 {
	_, f := c.outputs("Features", x, false, true)
	return f
}

// Accuracy returns the share of the rows of x whose most probable class is
// their label (ties to the lower class). It panics unless there is one
// label per row.
func (c *Classifier) Accuracy(x []float64, labels []int) float64 {
	if len(x) != len(labels)*c.dim {
		panic(fmt.Sprintf("evaluate: Accuracy: %d values for %d labels of dimension %d", len(x), len(labels), c.dim))
	}
	p, right := c.Predict(x), 0
	for i, l := range labels {
		if argmax(p[i*c.classes:(i+1)*c.classes]) == l {
			right++
		}
	}
	return float64(right) / float64(len(labels))
}

// argmax is the index of the largest value of p, the first among equals.
func argmax(p []float64) int {
	k := 0
	for j, v := range p {
		if v > p[k] {
			k = j
		}
	}
	return k
}
