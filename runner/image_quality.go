package runner

import (
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/train"
)

// classifierSeed seeds the judging classifier: a constant, so that every
// run on the same data and split is judged by the same classifier,
// whatever the run's own seeds.
const classifierSeed = 15

// imageQuality is what an independent classifier, trained on the labels
// of the run's training rows, says about the model's samples beside the
// held-out rows (evaluate.Quality, whose fields document each number), and
// how far that classifier can be trusted.
type imageQuality struct {
	Classifier classifierInfo `json:"classifier"`
	*evaluate.Quality
}

// classifierInfo describes the judging classifier.
type classifierInfo struct {
	Hidden    []int   `json:"hidden"`     // widths of its hidden layers (SiLU); the last is the features'
	Epochs    int     `json:"epochs"`     // passes over the training rows
	Seed      uint64  `json:"seed"`       // its seed
	TrainRows int     `json:"train_rows"` // the run's training rows, with their labels
	Accuracy  float64 `json:"heldout_accuracy"`
}

// measureImageQuality trains evaluate's classifier on the labels of the
// training rows trainX of a run (the n rows of data split by s into trainX
// and heldX, nil without held-out rows, as the run splits them) and scores the model's samples (n×dim) against the held-out
// rows with evaluate.Classifier.SampleQuality. When it cannot, it returns
// nil and why, in one line: the data set has no labels, holds one class,
// or has no held-out rows (the classifier's reference must be real images
// it was not trained on), or the samples are not finite. It takes a few
// seconds per 10 000 training rows of 784 values.
//
// More sample sets (more) are scored by the same classifier, one result
// each, after the first's.
func measureImageQuality(data datasets.Dataset, trainX, heldX []float64, n, dim int, s *train.Settings, samples []float64, more ...[]float64) ([]*imageQuality, string) {
	var labels []int
	if l, ok := data.(datasets.Labeled); ok {
		labels = l.Labels()
	}
	sets := append([][]float64{samples}, more...)
	for _, set := range sets {
		for i, v := range set {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Sprintf("sample %d holds %v", i/dim, v)
			}
		}
	}
	switch {
	case len(labels) == 0:
		return nil, "the data set has no labels to train a classifier on"
	case len(labels) != n:
		return nil, fmt.Sprintf("the data set has %d labels for %d rows", len(labels), n)
	case slices.Min(labels) == slices.Max(labels):
		return nil, "the data hold a single class"
	}
	asRows := make([]float64, n)
	for i, l := range labels {
		asRows[i] = float64(l)
	}
	// datasets.Split shuffles by a permutation that depends only on the
	// number of rows and the seed: the labels split as the rows did.
	trainL, heldL := s.Split(asRows, 1)
	if len(heldX) == 0 {
		return nil, "no held-out rows ([train] holdout = 0 or too few rows): the classifier needs real images it was not trained on"
	}
	cfg := evaluate.ClassifierConfig{Hidden: []int{256, 256}, Epochs: 6, Classes: slices.Max(labels) + 1, Seed: classifierSeed}
	c, err := evaluate.TrainClassifier(trainX, dim, ints(trainL), cfg)
	if err != nil {
		return nil, err.Error()
	}
	info := classifierInfo{
		Hidden: cfg.Hidden, Epochs: cfg.Epochs, Seed: cfg.Seed,
		TrainRows: len(trainL), Accuracy: c.Accuracy(heldX, ints(heldL)),
	}
	var out []*imageQuality
	for _, set := range sets {
		q, err := c.SampleQuality(set, heldX)
		if err != nil {
			return nil, err.Error()
		}
		out = append(out, &imageQuality{Classifier: info, Quality: q})
	}
	return out, ""
}

// ints converts the whole numbers of v.
func ints(v []float64) []int {
	out := make([]int, len(v))
	for i, f := range v {
		out[i] = int(f)
	}
	return out
}

// judgeSamples scores the model samples x (n×dim: the finite rows the MMD
// uses) with the independent classifier and records the result in ev, or
// a note saying why it could not; xd, when not nil, are the same rows
// after [sample] denoise_sigma's Tweedie step (what samples.npy holds),
// scored by the same classifier.
func (r *trainRun) judgeSamples(ev *evalFile, x, xd []float64) {
	c := r.c
	held := r.eval
	if r.evalOn != "heldout" {
		held = nil
	}
	var more [][]float64
	if xd != nil {
		more = append(more, xd)
	}
	qs, why := measureImageQuality(c.Data, r.train, held, r.nAll, r.dim, &c.Train, x, more...)
	if qs == nil {
		ev.Notes = append(ev.Notes, "classifier: skipped: "+why)
		return
	}
	if c.Sample.Mask != "" || c.Sample.Start == "noisy" {
		ev.Notes = append(ev.Notes, "classifier: the samples are conditional (inpainted or denoised held-out images), so their scores are not those of the model's own samples")
	}
	ev.Quality = qs[0]
	if len(qs) > 1 {
		ev.QualityDenoised = qs[1]
	}
}

// reportQuality prints the classifier's verdict on w; what names the
// samples judged ("samples", "denoised samples").
func reportQuality(w io.Writer, q *imageQuality, what string) {
	s := q.Samples
	fmt.Fprintf(w, "  classifier (held-out accuracy %.3f): %.0f%% of %d %s called confidently (real images: %.0f%%), %d of %d classes found; Fréchet distance %.3g (real images: %.3g); %.0f%% stray beyond the data's range\n",
		q.Classifier.Accuracy, 100*s.Confident, s.N, what, 100*q.Reference.Confident, s.ClassesFound, q.Classes, q.Frechet, q.FrechetFloor, 100*q.OffRange)
}
