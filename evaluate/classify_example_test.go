package evaluate_test

import (
	"fmt"

	"github.com/goebm/ebm/evaluate"
	"github.com/goebm/ebm/rng"
)

// Train a classifier on labeled points, then judge two samplers against
// held-out real points: one that draws like the data, and one that
// collapsed onto a single class. The points are three Gaussian clusters
// in 5 dimensions, centred 4 standard deviations out on the first three
// axes.
func ExampleTrainClassifier() {
	const dim, classes = 5, 3
	draw := func(seed uint64, n, only int) ([]float64, []int) {
		r := rng.New(seed, 0)
		x, labels := make([]float64, n*dim), make([]int, n)
		r.FillNorm(x)
		for i := range labels {
			labels[i] = only
			if only < 0 {
				labels[i] = r.IntN(classes)
			}
			x[i*dim+labels[i]] += 4
		}
		return x, labels
	}
	x, labels := draw(1, 3000, -1)
	c, err := evaluate.TrainClassifier(x, dim, labels, evaluate.ClassifierConfig{Hidden: []int{32, 32}, Epochs: 10, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	held, heldLabels := draw(2, 2000, -1)
	fmt.Println("held-out accuracy above 98 %:", c.Accuracy(held, heldLabels) > 0.98)

	good, _ := draw(3, 1000, -1)
	collapsed, _ := draw(4, 1000, 0)
	for _, s := range []struct {
		name    string
		samples []float64
	}{{"good", good}, {"collapsed", collapsed}} {
		q, err := c.SampleQuality(s.samples, held)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %d of %d classes found, Fréchet distance < 2× the floor: %v\n",
			s.name, q.Samples.ClassesFound, q.Classes, q.Frechet < 2*q.FrechetFloor)
	}
	// Output:
	// held-out accuracy above 98 %: true
	// good: 3 of 3 classes found, Fréchet distance < 2× the floor: true
	// collapsed: 1 of 3 classes found, Fréchet distance < 2× the floor: false
}
