package runner

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/train"
)

// labeledPoints is a data set of given points, with labels when labels is
// not nil.
type labeledPoints struct {
	x      []float64
	dim    int
	labels []int
}

func (d *labeledPoints) Dim() int                 { return d.dim }
func (d *labeledPoints) Load() ([]float64, error) { return d.x, nil }
func (d *labeledPoints) Labels() []int            { return d.labels }

// unlabeledPoints is a data set that does not implement Labeled.
type unlabeledPoints struct {
	x   []float64
	dim int
}

func (d *unlabeledPoints) Dim() int                 { return d.dim }
func (d *unlabeledPoints) Load() ([]float64, error) { return d.x, nil }

var (
	_ datasets.Labeled = (*labeledPoints)(nil)
	_ datasets.Dataset = (*unlabeledPoints)(nil)
)

// qualityBlobs returns n points in 8 dimensions from 4 classes drawn at
// random, class k centred 5 standard deviations out on axis k (or all of
// class only when only ≥ 0), with their labels.
func qualityBlobs(seed uint64, n, only int) ([]float64, []int) {
	const dim = 8
	r := rng.New(seed, 0)
	x, labels := make([]float64, n*dim), make([]int, n)
	r.FillNorm(x)
	for i := range n {
		k := only
		if only < 0 {
			k = r.IntN(4)
		}
		labels[i] = k
		x[i*dim+k] += 5
	}
	return x, labels
}

// TestMeasureImageQuality runs the hook on labeled points split as a run
// splits them, and on data it must refuse. The held-out accuracy checks
// that the labels were split with the rows (labels misaligned by the
// split would give about 25 %); samples from the data must find the 4
// classes and lie near the floor, samples of one class must not; the
// result must encode as JSON. Each refusal must say why.
// measureSplit splits x as a run does and measures the samples (the
// first set's result; all of them in qs).
func measureSplit(data datasets.Dataset, x []float64, dim int, s *train.Settings, samples []float64, more ...[]float64) (q *imageQuality, why string, qs []*imageQuality) {
	tr, held := s.Split(x, dim)
	qs, why = measureImageQuality(data, tr, held, len(x)/dim, dim, s, samples, more...)
	if len(qs) > 0 {
		q = qs[0]
	}
	return q, why, qs
}

func TestMeasureImageQuality(t *testing.T) {
	x, labels := qualityBlobs(1, 2500, -1)
	data := &labeledPoints{x: x, dim: 8, labels: labels}
	s := &train.Settings{Holdout: 0.2, Seed: 7}
	good, _ := qualityBlobs(2, 500, -1)
	q, why, _ := measureSplit(data, x, 8, s, good)
	if q == nil {
		t.Fatalf("no result: %s", why)
	}
	t.Logf("%+v; %v", q.Classifier, q.Quality)
	if q.Classifier.TrainRows != 2000 || q.Reference.N != 500 || q.Samples.N != 500 || q.Classes != 4 {
		t.Errorf("rows: %d training, %d held out, %d samples, %d classes; want 2000, 500, 500, 4", q.Classifier.TrainRows, q.Reference.N, q.Samples.N, q.Classes)
	}
	if q.Classifier.Accuracy < 0.97 {
		t.Errorf("held-out accuracy %.3f: are the labels split with the rows?", q.Classifier.Accuracy)
	}
	if q.Samples.ClassesFound != 4 || q.Frechet > 2*q.FrechetFloor {
		t.Errorf("samples like the data: %v", q.Quality)
	}
	b, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"classifier":{"hidden":[256,256],"epochs":6,"seed":15,"train_rows":2000,"heldout_accuracy":`, `"frechet":`, `"frechet_floor":`, `"samples":{"n":500,`, `"reference":{"n":500,`, `"classes_found":4`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}

	one, _ := qualityBlobs(3, 500, 2)
	q1, why, _ := measureSplit(data, x, 8, s, one)
	if q1 == nil || q1.Samples.ClassesFound != 1 || q1.Frechet < 10*q1.FrechetFloor {
		t.Errorf("samples of one class: %v (%s)", q1, why)
	}
	// Two sets in one call (a run's draws before and after its Tweedie
	// step): the same classifier scores each as a call of its own would.
	if _, why, qs := measureSplit(data, x, 8, s, good, one); len(qs) != 2 ||
		qs[0].Frechet != q.Frechet || qs[1].Frechet != q1.Frechet || qs[1].Samples.ClassesFound != 1 {
		t.Errorf("two sets: %v (%s), want %v and %v", qs, why, q, q1)
	}

	nan := append([]float64(nil), good...)
	nan[9] = math.NaN()
	for name, c := range map[string]struct {
		data    datasets.Dataset
		s       *train.Settings
		samples []float64
		want    string
	}{
		"unlabeled":    {&unlabeledPoints{x, 8}, s, good, "no labels"},
		"nil labels":   {&labeledPoints{x: x, dim: 8}, s, good, "no labels"},
		"short labels": {&labeledPoints{x: x, dim: 8, labels: labels[:10]}, s, good, "10 labels for 2500 rows"},
		"one class":    {&labeledPoints{x: x, dim: 8, labels: make([]int, 2500)}, s, good, "single class"},
		"no held-out":  {data, &train.Settings{Holdout: 0, Seed: 7}, good, "no held-out rows"},
		"NaN samples":  {data, s, nan, "sample 1 holds NaN"},
	} {
		if q, why, _ := measureSplit(c.data, x, 8, c.s, c.samples); q != nil || !strings.Contains(why, c.want) || strings.Contains(why, "\n") {
			t.Errorf("%s: result %v, reason %q; want none, because %q", name, q, why, c.want)
		}
	}
}
