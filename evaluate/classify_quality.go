package evaluate

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/rng"
)

// ConfidentProb is the probability from which the classifier's call of a
// point counts as confident (ClassScores.Confident).
const ConfidentProb = 0.9

// FoundFraction sets when a class counts as found (ClassScores.
// ClassesFound): when at least FoundFraction/C of the points are called
// that class confidently (probability ≥ ConfidentProb), a fifth of its
// share under balanced classes (2 % with C = 10). A class a sampler makes
// five times too rarely still counts; one it never makes must not be
// credited through the classifier's errors, and those are why only
// confident calls count. Measured on Fashion-MNIST's test images (10 000,
// 1 000 per class, classifier at 89.6 % accuracy): 2.5 % of all images
// are wrongly called shirts (the T-shirts, pullovers and coats it
// confuses), so a sampler that makes no shirt would have them "found" by
// plain calls, but only 0.2 % are wrongly called shirts confidently, while
// real shirts get 3.5 % of confident calls; of one class alone, at most
// 2.3 % leak confidently into another (shirts called T-shirts). On MNIST
// (98 %) no class gets more than 0.3 % of wrong calls. The count is a
// binomial share, of standard deviation √(q(1−q)/n): take a few hundred
// samples or more (at n = 500, a class at 5 % falls below 2 % with
// probability below 10⁻³).
const FoundFraction = 0.2

// ClassScores describes how the classifier calls a set of points, from
// their class probabilities p(y|x).
type ClassScores struct {
	// N is the number of points.
	N int `json:"n"`
	// Confident is the share of points whose most probable class has
	// probability ≥ ConfidentProb, in [0, 1]: high for sharp, clearly
	// drawn images, low for blurred, mixed or noisy ones.
	Confident float64 `json:"confident"`
	// Counts[k] is the number of points whose most probable class is k
	// (the first of equals): the class histogram.
	Counts []int `json:"counts"`
	// ConfidentCounts[k] is the number of those whose probability of k is
	// ≥ ConfidentProb.
	ConfidentCounts []int `json:"confident_counts"`
	// ClassesFound is the number of classes k with ConfidentCounts[k] ≥
	// FoundFraction/C·N, in [0, C]: C when every class is made (no mode is
	// missing) clearly enough to be recognised. See FoundFraction; the
	// reference's count shows what real images reach.
	ClassesFound int `json:"classes_found"`
	// EntropyOfMean is the entropy H(p̄) in nats of the mean prediction
	// p̄(y) = mean over the points of p(y|x), in [0, log C]: log C when the
	// classes are equally represented, 0 when all points are of one
	// class; exp(EntropyOfMean) is the effective number of classes.
	EntropyOfMean float64 `json:"entropy_of_mean"`
	// MeanEntropy is the mean entropy E H(p(y|x)) in nats of the
	// individual predictions, in [0, log C]: 0 when every call is
	// certain.
	MeanEntropy float64 `json:"mean_entropy"`
	// Score is exp(E KL(p(y|x) ‖ p̄)) = exp(EntropyOfMean − MeanEntropy),
	// the Inception score of Salimans et al. (2016) with this classifier,
	// in [1, C]: C for points that are each certainly of one class, with
	// every class equally represented; lower for uncertain calls or
	// missing classes.
	Score float64 `json:"score"`
}

// scoreClasses computes the ClassScores of the n×C probabilities p.
func scoreClasses(p []float64, C int) ClassScores {
	n := len(p) / C
	s := ClassScores{N: n, Counts: make([]int, C), ConfidentCounts: make([]int, C)}
	mean := make([]float64, C)
	confident := 0
	for i := range n {
		row := p[i*C : (i+1)*C]
		k := argmax(row)
		s.Counts[k]++
		if row[k] >= ConfidentProb {
			s.ConfidentCounts[k]++
			confident++
		}
		s.MeanEntropy += entropy(row)
		for j, v := range row {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for _, c := range s.ConfidentCounts {
		if float64(c) >= FoundFraction/float64(C)*float64(n) {
			s.ClassesFound++
		}
	}
	s.Confident = float64(confident) / float64(n)
	s.MeanEntropy /= float64(n)
	s.EntropyOfMean = entropy(mean)
	s.Score = math.Exp(max(s.EntropyOfMean-s.MeanEntropy, 0))
	return s
}

// entropy is −Σ p log p in nats, with 0·log 0 = 0.
func entropy(p []float64) float64 {
	h := 0.0
	for _, v := range p {
		if v > 0 {
			h -= v * math.Log(v)
		}
	}
	return h
}

// Quality is what SampleQuality measures: how the classifier calls the
// samples and the real reference images, and how far the samples'
// features lie from the real images'.
type Quality struct {
	// Classes is the number of classes C.
	Classes int `json:"classes"`
	// Samples are the class scores of the model samples, Reference those
	// of the real images: the reference shows what a perfect sampler
	// would score with this classifier.
	Samples   ClassScores `json:"samples"`
	Reference ClassScores `json:"reference"`
	// Frechet is the squared Fréchet distance (FrechetDistance) between
	// Gaussian fits of the classifier's features of the samples and of
	// half of the reference (half B, drawn at random), in squared feature units,
	// ≥ 0: FID's measure, on this classifier's features.
	Frechet float64 `json:"frechet"`
	// FrechetFloor is the same distance between FloorRows rows of the
	// other half of the reference (half A) and half B: what
	// real images score at about the samples' count, the level below
	// which a sampler cannot be told from the data. Finite counts bias
	// the distance up (roughly as 1/rows): compare Frechet with the floor
	// only when FloorRows equals Samples.N, i.e. with at most as many
	// samples as half the reference; with more, the floor uses fewer rows
	// than the samples and errs high.
	FrechetFloor float64 `json:"frechet_floor"`
	// FloorRows is the number of real images in the floor's first set,
	// min(Samples.N, ⌈n/2⌉) for n reference rows; RefRows is the number of
	// rows of half B (⌊n/2⌋), the common second set of both distances.
	FloorRows int `json:"frechet_floor_rows"`
	RefRows   int `json:"frechet_reference_rows"`
	// OffRange is the share of the samples with a value beyond the
	// reference's range [lo, hi] widened by half its width on each side
	// (for images in [0, 1]: below −0.5 or above 1.5): draws that a chain
	// left far from anything real, which the classifier may still call
	// confidently. Draws with the small noise of a last Langevin step
	// (σ ≈ 0.1 on [0, 1]) stay within it.
	OffRange float64 `json:"off_range"`
}

// offRange returns the share of the rows of x (dim values each) with a
// value outside [lo − w/2, hi + w/2], where [lo, hi] is the range of
// ref's values and w = hi − lo.
func offRange(x, ref []float64, dim int) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range ref {
		lo, hi = min(lo, v), max(hi, v)
	}
	tol := (hi - lo) / 2
	lo, hi = lo-tol, hi+tol
	n, off := len(x)/dim, 0
	for i := range n {
		for _, v := range x[i*dim : (i+1)*dim] {
			if v < lo || v > hi {
				off++
				break
			}
		}
	}
	return float64(off) / float64(n)
}

// SampleQuality scores model samples against real images of the same
// kind that the classifier was not trained on (reference, e.g. held-out
// test images), both n×Dim row-major: the class scores of each set, and
// the Fréchet distance between the features of the samples and of half of
// the reference, beside the same distance between the two halves of the
// reference (the noise floor). Bad input (rows that are not whole, fewer
// than 2 samples or 4 reference rows, non-finite values, as a diverged
// sampler leaves them, or values so large that the classifier overflows)
// is an error.
func (c *Classifier) SampleQuality(samples, reference []float64) (*Quality, error) {
	if _, err := checkRows("SampleQuality (samples)", samples, c.dim, 2); err != nil {
		return nil, err
	}
	if _, err := checkRows("SampleQuality (reference)", reference, c.dim, 4); err != nil {
		return nil, err
	}
	ps, fs := c.outputs("SampleQuality", samples, true, true)
	pr, fr := c.outputs("SampleQuality", reference, true, true)
	for _, o := range []struct {
		name string
		v    []float64
		w    int
	}{{"samples", ps, c.classes}, {"samples", fs, c.FeatureDim()}, {"reference", pr, c.classes}, {"reference", fr, c.FeatureDim()}} {
		for i, v := range o.v {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("evaluate: SampleQuality (%s): row %d overflows the classifier (values beyond float32's range?)", o.name, i/o.w)
			}
		}
	}
	q := &Quality{Classes: c.classes, Samples: scoreClasses(ps, c.classes), Reference: scoreClasses(pr, c.classes)}

	h := c.FeatureDim()
	a, b := halves(fr, h)
	q.RefRows = len(b) / h
	q.FloorRows = min(q.Samples.N, len(a)/h)
	ref := FitGaussian(b, h)
	q.Frechet = FrechetDistance(FitGaussian(fs, h), ref)
	q.FrechetFloor = FrechetDistance(FitGaussian(a[:q.FloorRows*h], h), ref)
	q.OffRange = offRange(samples, reference, c.dim)
	return q, nil
}

// halfSeed seeds the shuffle that splits the reference in two halves.
const halfSeed = 0x5eed

// halves splits the rows of x (dim values each) into two disjoint halves
// drawn at random (with a fixed seed), first ⌈n/2⌉ then ⌊n/2⌋ rows: any
// order of the rows (sorted by class, or classes in turn) gives halves
// with the same mix.
func halves(x []float64, dim int) (a, b []float64) {
	n := len(x) / dim
	s := rng.New(halfSeed, 0)
	perm := s.Perm(n)
	a, b = make([]float64, 0, (n+1)/2*dim), make([]float64, 0, n/2*dim)
	for k, i := range perm {
		if k < (n+1)/2 {
			a = append(a, x[i*dim:(i+1)*dim]...)
		} else {
			b = append(b, x[i*dim:(i+1)*dim]...)
		}
	}
	return a, b
}

// String summarises q on one line.
func (q *Quality) String() string {
	return fmt.Sprintf("%d/%d classes found (real: %d), %.0f%% confident (real: %.0f%%), score %.2f (real: %.2f), Fréchet %.3g (floor %.3g)",
		q.Samples.ClassesFound, q.Classes, q.Reference.ClassesFound, 100*q.Samples.Confident, 100*q.Reference.Confident,
		q.Samples.Score, q.Reference.Score, q.Frechet, q.FrechetFloor)
}
