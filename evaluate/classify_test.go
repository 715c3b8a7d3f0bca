package evaluate_test

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
)

// Blobs: blobClasses Gaussian clusters in blobDim dimensions, class k
// centred on blobSep·e_k with identity covariance. Neighbouring centres
// are blobSep·√2 ≈ 5.7 apart, so the Bayes classifier errs on about 3
// pairs × Φ(−2.83) ≈ 0.7 % of the points.
const (
	blobClasses = 4
	blobDim     = 12
	blobSep     = 4.0
)

// blobs returns n points and their labels from the stream rng.New(seed, 0):
// classes drawn uniformly, or all of class only when only ≥ 0.
func blobs(seed uint64, n, only int) ([]float64, []int) {
	r := rng.New(seed, 0)
	x, labels := make([]float64, n*blobDim), make([]int, n)
	r.FillNorm(x)
	for i := range n {
		k := only
		if only < 0 {
			k = r.IntN(blobClasses)
		}
		labels[i] = k
		x[i*blobDim+k] += blobSep
	}
	return x, labels
}

// blobConfig is a small, fast classifier for the blobs.
var blobConfig = evaluate.ClassifierConfig{Hidden: []int{32, 32}, Epochs: 20, BatchSize: 64, Seed: 3}

func trainBlobs(t testing.TB) *evaluate.Classifier {
	t.Helper()
	x, labels := blobs(1, 2000, -1)
	c, err := evaluate.TrainClassifier(x, blobDim, labels, blobConfig)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTrainClassifier checks that the classifier learns the blobs to near
// the Bayes accuracy (99.3 %) on fresh points, and that Predict and
// Features have their documented shapes and Predict's rows sum to 1. A
// failure means the loss, its gradient or the training loop is wrong (a
// classifier that learned nothing scores 25 %).
func TestTrainClassifier(t *testing.T) {
	c := trainBlobs(t)
	x, labels := blobs(2, 2000, -1)
	if acc := c.Accuracy(x, labels); acc < 0.97 {
		t.Errorf("accuracy %.4f on fresh points, want ≥ 0.97 (Bayes: 0.993)", acc)
	}
	if c.Dim() != blobDim || c.Classes() != blobClasses || c.FeatureDim() != 32 {
		t.Errorf("Dim %d, Classes %d, FeatureDim %d; want %d, %d, 32", c.Dim(), c.Classes(), c.FeatureDim(), blobDim, blobClasses)
	}
	p, f := c.Predict(x), c.Features(x)
	if len(p) != 2000*blobClasses || len(f) != 2000*32 {
		t.Fatalf("Predict gave %d values, Features %d", len(p), len(f))
	}
	for i := range 2000 {
		s := 0.0
		for _, v := range p[i*blobClasses : (i+1)*blobClasses] {
			s += v
		}
		if math.Abs(s-1) > 1e-12 {
			t.Fatalf("row %d of Predict sums to %v", i, s)
		}
	}
}

// TestClassifierDeterministic checks that training gives the same bits
// with GOMAXPROCS 1 and 2 (a failure: results depend on the machine) and
// that another seed gives another classifier (a failure: the seed is
// ignored).
func TestClassifierDeterministic(t *testing.T) {
	x, labels := blobs(1, 1000, -1)
	probe, _ := blobs(4, 50, -1)
	run := func(procs int, seed uint64) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		cfg := blobConfig
		cfg.Epochs, cfg.Seed = 3, seed
		c, err := evaluate.TrainClassifier(x, blobDim, labels, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return append(c.Predict(probe), c.Features(probe)...)
	}
	one, two := run(1, 3), run(2, 3)
	for i := range one {
		if math.Float64bits(one[i]) != math.Float64bits(two[i]) {
			t.Fatalf("value %d: %v with GOMAXPROCS=1, %v with 2", i, one[i], two[i])
		}
	}
	if slices.Equal(one, run(2, 4)) {
		t.Error("seeds 3 and 4 gave the same classifier")
	}
}

// TestSampleQuality scores, against a reference of real points: fresh real
// points, several independent sets of them (giving the spread of the
// Fréchet distance), and points of class 0 only. Real points must score
// within 4 standard deviations of the real sets' mean distance, the floor
// too, and find every class; class 0 alone must find exactly one class
// and lie far (> 10 standard deviations) above. A failure means the
// distance, the floor or the class counts misjudge samples.
func TestSampleQuality(t *testing.T) {
	c := trainBlobs(t)
	ref, _ := blobs(10, 2000, -1)
	const n, sets = 1000, 8
	var d []float64
	for k := range sets {
		real, _ := blobs(20+uint64(k), n, -1)
		q, err := c.SampleQuality(real, ref)
		if err != nil {
			t.Fatal(err)
		}
		d = append(d, q.Frechet)
	}
	mean, sd := meanSD(d)
	band := 4 * sd * math.Sqrt(1+1.0/sets) // one more draw against the mean of sets

	real, _ := blobs(30, n, -1)
	q, err := c.SampleQuality(real, ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("real: %v; real sets: Fréchet %.3g ± %.2g", q, mean, sd)
	if q.FloorRows != n || q.RefRows != 1000 || q.Samples.N != n || q.Reference.N != 2000 {
		t.Errorf("rows: floor %d, reference half %d, samples %d, reference %d", q.FloorRows, q.RefRows, q.Samples.N, q.Reference.N)
	}
	if math.Abs(q.Frechet-mean) > band || math.Abs(q.FrechetFloor-mean) > band {
		t.Errorf("real points: Fréchet %.4g, floor %.4g; real sets give %.4g ± %.2g", q.Frechet, q.FrechetFloor, mean, sd)
	}
	if q.Samples.ClassesFound != blobClasses || q.Reference.ClassesFound != blobClasses || q.Samples.Confident < 0.9 {
		t.Errorf("real points: %d and %d classes found, %.3f confident", q.Samples.ClassesFound, q.Reference.ClassesFound, q.Samples.Confident)
	}
	if q.Samples.Score < 3.5 || q.Samples.EntropyOfMean < math.Log(blobClasses)-0.01 {
		t.Errorf("real points: score %.3f, entropy of the mean %.4f; want ≈ %d and log %d", q.Samples.Score, q.Samples.EntropyOfMean, blobClasses, blobClasses)
	}
	if q.OffRange > 0.01 {
		t.Errorf("real points: %.3f off the reference's range", q.OffRange)
	}
	// The same points with one value of every tenth row pushed just past
	// the widened range, and one of every fifth row just inside it.
	lo, hi := slices.Min(ref), slices.Max(ref)
	moved := slices.Clone(real)
	for i := 0; i < n; i += 5 {
		moved[i*blobDim+i%blobDim] = hi + 0.49*(hi-lo)
	}
	base, err := c.SampleQuality(real, ref)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += 10 {
		moved[i*blobDim+(i+1)%blobDim] = lo - 0.51*(hi-lo)
	}
	if q, err = c.SampleQuality(moved, ref); err != nil {
		t.Fatal(err)
	}
	if want := base.OffRange + 0.1; math.Abs(q.OffRange-want) > 0.0101 || q.OffRange < 0.1 {
		t.Errorf("a tenth of the rows pushed off the range: off_range %.4f, want about %.4f", q.OffRange, want)
	}

	one, _ := blobs(40, n, 0)
	q, err = c.SampleQuality(one, ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("class 0 only: %v", q)
	if q.Samples.ClassesFound != 1 || q.Samples.Counts[0] < n*97/100 {
		t.Errorf("class 0 only: %d classes found, counts %v", q.Samples.ClassesFound, q.Samples.Counts)
	}
	if q.Frechet < mean+10*sd || q.Frechet < 10*q.FrechetFloor {
		t.Errorf("class 0 only: Fréchet %.4g, real sets %.4g ± %.2g, floor %.4g", q.Frechet, mean, sd, q.FrechetFloor)
	}
	if q.Samples.Score > 1.1 || q.Samples.EntropyOfMean > 0.2 {
		t.Errorf("class 0 only: score %.3f, entropy of the mean %.3f; want ≈ 1 and ≈ 0", q.Samples.Score, q.Samples.EntropyOfMean)
	}
}

// meanSD returns the mean and sample standard deviation of v.
func meanSD(v []float64) (float64, float64) {
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)-1))
}

// TestClassScores checks the class scores on probabilities with known
// answers, through a classifier whose predictions are set by its inputs:
// the blobs far from every decision boundary. A failure means a score
// misreads the predictions.
func TestClassScores(t *testing.T) {
	c := trainBlobs(t)
	// Points at 3× the centres: certain calls, the classes in turn.
	x := make([]float64, 400*blobDim)
	for i := range 400 {
		x[i*blobDim+i%blobClasses] = 3 * blobSep
	}
	q, err := c.SampleQuality(x, x)
	if err != nil {
		t.Fatal(err)
	}
	s := q.Samples
	if s.Confident != 1 || s.ClassesFound != blobClasses || !slices.Equal(s.Counts, []int{100, 100, 100, 100}) || !slices.Equal(s.ConfidentCounts, s.Counts) {
		t.Errorf("certain balanced calls: %+v", s)
	}
	if math.Abs(s.Score-blobClasses) > 0.01 || math.Abs(s.EntropyOfMean-math.Log(blobClasses)) > 1e-6 || s.MeanEntropy > 0.01 {
		t.Errorf("certain balanced calls: score %v, entropy of the mean %v, mean entropy %v; want %d, log %d, 0", s.Score, s.EntropyOfMean, s.MeanEntropy, blobClasses, blobClasses)
	}
	// The origin is equally far from the four centres: an uncertain call.
	q, err = c.SampleQuality(make([]float64, 10*blobDim), x)
	if err != nil {
		t.Fatal(err)
	}
	if s := q.Samples; s.Confident != 0 || s.ClassesFound != 0 || s.MeanEntropy < 0.5 || s.Score > 1+1e-9 {
		t.Errorf("uncertain calls: %+v", s)
	}
}

// TestClassifierInput checks that bad input is an error that says what is
// wrong, not a panic or a silent result.
func TestClassifierInput(t *testing.T) {
	x, labels := blobs(1, 20, -1)
	nan := slices.Clone(x)
	nan[30] = math.NaN()
	huge := slices.Clone(x)
	huge[15] = 1e300
	bad := slices.Clone(labels)
	bad[3] = 7
	for _, c := range []struct {
		name   string
		x      []float64
		dim    int
		labels []int
		cfg    evaluate.ClassifierConfig
		want   string
	}{
		{"dim", x, 0, labels, evaluate.ClassifierConfig{}, "whole rows"},
		{"partial row", x[:25], blobDim, labels, evaluate.ClassifierConfig{}, "whole rows"},
		{"no rows", nil, blobDim, nil, evaluate.ClassifierConfig{}, "need at least 1"},
		{"NaN", nan, blobDim, labels, evaluate.ClassifierConfig{}, "row 2 holds NaN"},
		{"labels count", x, blobDim, labels[:19], evaluate.ClassifierConfig{}, "19 labels for 20 rows"},
		{"label range", x, blobDim, bad, evaluate.ClassifierConfig{Classes: 4}, "label 7 of row 3 is not in [0, 4)"},
		{"one class", x, blobDim, make([]int, 20), evaluate.ClassifierConfig{}, "1 classes: want at least 2"},
		{"hidden", x, blobDim, labels, evaluate.ClassifierConfig{Hidden: []int{8, 0}}, "hidden widths"},
		{"lr", x, blobDim, labels, evaluate.ClassifierConfig{LR: -1}, "learning rate"},
		{"epochs", x, blobDim, labels, evaluate.ClassifierConfig{Epochs: -1}, "epochs -1"},
		{"diverges", x, blobDim, labels, evaluate.ClassifierConfig{LR: 1e30}, "the gradient is"},
	} {
		_, err := evaluate.TrainClassifier(c.x, c.dim, c.labels, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "evaluate: TrainClassifier: ") {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	cl, err := evaluate.TrainClassifier(x, blobDim, labels, evaluate.ClassifierConfig{Hidden: []int{4}, Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		samples, ref []float64
		want         string
	}{
		"NaN samples":     {nan, x, "SampleQuality (samples): row 2 holds NaN"},
		"one sample":      {x[:blobDim], x, "1 rows, need at least 2"},
		"short reference": {x, x[:3*blobDim], "3 rows, need at least 4"},
		"partial rows":    {x[:13], x, "do not make whole rows"},
		"huge samples":    {huge, x, "SampleQuality (samples): row 1 overflows the classifier"},
	} {
		if _, err := cl.SampleQuality(c.samples, c.ref); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.want)
		}
	}
}
