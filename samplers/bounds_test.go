package samplers_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
)

// boundedSamplers are the Langevin samplers with a bounds key, each set to
// [lo, hi] = [-0.5, 0.8].
func boundedSamplers() map[string]samplers.Sampler {
	b := []float64{-0.5, 0.8}
	return map[string]samplers.Sampler{
		"ula":               &samplers.ULA{StepSize: 0.3, Bounds: b},
		"mala":              &samplers.MALA{StepSize: 0.5, TargetAccept: 0.574, Adapt: true, Bounds: b},
		"annealed_langevin": &samplers.AnnealedLangevin{StepSize: 0.3, TMax: 4, TMin: 1, Levels: 3, StepsPerLevel: 4, Bounds: b},
	}
}

// TestBoundsKeepDrawsInside: with bounds every draw of every chain lies in
// [lo, hi] (the start is far outside it, and the steps are large), and the
// draws and counters are bit-identical at 1, 2 and 5 workers. A failure
// means a step escapes the box or the bounds make results depend on the
// sharding.
func TestBoundsKeepDrawsInside(t *testing.T) {
	g := newDrvGauss([]float64{3, -2, 0}, []float64{1, 2, 0.3})
	for name, s := range boundedSamplers() {
		var ref *samplers.Result
		for _, w := range []int{1, 2, 5} {
			res, err := samplers.Run(context.Background(), g, s, samplers.Options{Chains: 17, Warmup: 12, Draws: 30, Thin: 1, Seed: 5, Workers: w,
				Init: func(c int, _ *rng.Stream, x []float64) {
					for j := range x {
						x[j] = 10 * float64(c%3-1)
					}
				}})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for i, v := range res.Samples {
				if !(v >= -0.5 && v <= 0.8) {
					t.Fatalf("%s workers=%d: value %d = %v outside the bounds [-0.5, 0.8]", name, w, i, v)
				}
			}
			if ref == nil {
				ref = res
				continue
			}
			// AcceptSum is a float sum over shards: compare the integer counters.
			same := func(a, b samplers.Stats) bool {
				return a.Transitions == b.Transitions && a.Accepted == b.Accepted && a.Divergences == b.Divergences
			}
			if !slices.Equal(res.Samples, ref.Samples) || !same(res.Warmup, ref.Warmup) || !same(res.Sampling, ref.Sampling) {
				t.Errorf("%s workers=%d: draws or counters differ from workers=1", name, w)
			}
		}
	}
}

// TestMALABoundsExact: MALA rejects proposals outside the bounds, so it
// targets N(0, 1) truncated to [-0.5, 0.8] exactly; its mean and variance
// must match the truncated normal's. A clamping MALA would pile mass on
// the edges and fail the variance.
func TestMALABoundsExact(t *testing.T) {
	g := newDrvGauss([]float64{0}, []float64{1})
	m := &samplers.MALA{StepSize: 0.3, TargetAccept: 0.574, Adapt: false, Bounds: []float64{-0.5, 0.8}}
	res, err := samplers.Run(context.Background(), g, m, samplers.Options{Chains: 400, Warmup: 100, Draws: 100, Thin: 5, Seed: 3, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	a, b := -0.5, 0.8
	pdf := func(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }
	cdf := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	z := cdf(b) - cdf(a)
	mean := (pdf(a) - pdf(b)) / z
	vr := 1 + (a*pdf(a)-b*pdf(b))/z - mean*mean
	n := float64(len(res.Samples))
	var s1, s2 float64
	for _, v := range res.Samples {
		s1 += v
	}
	s1 /= n
	for _, v := range res.Samples {
		s2 += (v - s1) * (v - s1)
	}
	s2 /= n
	// The draws are mildly correlated: allow 6 iid standard errors.
	if se := math.Sqrt(vr / n); math.Abs(s1-mean) > 6*se {
		t.Errorf("MALA with bounds: mean %.4f, truncated normal %.4f (se %.4f)", s1, mean, se)
	}
	if math.Abs(s2-vr) > 0.05*vr {
		t.Errorf("MALA with bounds: variance %.4f, truncated normal %.4f", s2, vr)
	}
}

// TestBoundsConfig: bad bounds are errors naming the key, for each sampler.
func TestBoundsConfig(t *testing.T) {
	for _, typ := range []string{"ula", "mala", "annealed_langevin"} {
		for _, b := range []any{[]any{1.0, 0.0}, []any{0.5, 0.5}, []any{0.0}, []any{0.0, math.Inf(1)}, []any{math.NaN(), 1.0}} {
			_, err := samplers.FromTable(map[string]any{"type": typ, "bounds": b})
			if err == nil || !strings.Contains(err.Error(), "bounds") {
				t.Errorf("%s bounds %v: err = %v, want one naming bounds", typ, b, err)
			}
		}
		if _, err := samplers.FromTable(map[string]any{"type": typ, "bounds": []any{0.0, 1.0}}); err != nil {
			t.Errorf("%s bounds [0, 1]: %v", typ, err)
		}
	}
}
