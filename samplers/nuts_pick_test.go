package samplers

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestProgressivePicks checks the picks NUTS makes on plain weight sums
// against the log-space expressions they stand for, u < exp(b − lsw) with
// lsw = log(eᵃ + eᵇ) (uniform, merging subtrees of log weights a and b)
// and u < exp(b − a) (biased, joining a subtree of log weight b to a tree
// of log weight a): for weights over many magnitudes, the decision must be
// the same unless u is within a relative 1e-13 of the threshold.
func TestProgressivePicks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	logAddExp := func(a, b float64) float64 {
		if a < b {
			a, b = b, a
		}
		return a + math.Log1p(math.Exp(b-a))
	}
	for range 200000 {
		a, b := r.NormFloat64()*30, r.NormFloat64()*30
		if r.IntN(4) == 0 {
			b = a + r.NormFloat64()*1e-3
		}
		wa, wb := math.Exp(a), math.Exp(b)
		u := r.Float64()
		thr := math.Exp(b - logAddExp(a, b))
		got := u < wb/(wa+wb) // mergeNodes
		if got != (u < thr) && math.Abs(u-thr) > 1e-13*thr {
			t.Fatalf("uniform pick: u = %v, a = %v, b = %v: %v, want %v", u, a, b, got, u < thr)
		}
		thr = math.Exp(b - a)
		got = u*wa < wb // the join in leaf
		if got != (u < thr) && math.Abs(u-thr) > 1e-13*thr {
			t.Fatalf("biased pick: u = %v, a = %v, b = %v: %v, want %v", u, a, b, got, u < thr)
		}
	}
}

// TestNUTSRescale starts chains of a 3-D standard normal far out, at
// E ≈ 4.5·10⁴, where a trajectory's energy falls by far more than the
// 709 that exp(H0 − H) can hold: the weights must be rescaled, stay finite,
// and the chains reach the mode, in both layouts of the kernel.
func TestNUTSRescale(t *testing.T) {
	defer func() { nutsLayout = "" }()
	for _, layout := range []string{"rows", "lanes"} {
		nutsLayout = layout
		c := NewChains(hmGauss{[]float64{1, 1, 1}}, 8, 0, 4)
		for i := range c.X {
			c.X[i] = 170 + float64(i)
		}
		s := NewNUTS()
		s.Adapt, s.StepSize = false, 0.3
		k, err := s.Start(c)
		if err != nil {
			t.Fatal(err)
		}
		// Each tree's weight sum and shift after a transition.
		weights := func() (w, shift []float64) {
			if kl, ok := k.(*nutsLanes); ok { // 8 lanes: never packed
				return kl.w[:c.N], kl.shift[:c.N]
			}
			kn := k.(*nutsKernel)
			for i := range kn.tree {
				w, shift = append(w, kn.tree[i].w), append(shift, kn.tree[i].shift)
			}
			return w, shift
		}
		rescaled := false
		for it := range 200 {
			k.Step(c, Iter{I: it, Total: math.MaxInt})
			w, shift := weights()
			for i := range w {
				if shift[i] != 0 {
					rescaled = true
				}
				if math.IsNaN(w[i]) || math.IsInf(w[i], 0) || !(w[i] > 0) {
					t.Fatalf("%s: iteration %d, chain %d: tree weight %v", layout, it, i, w[i])
				}
			}
		}
		if !rescaled {
			t.Errorf("%s: no tree was rescaled: the test does not reach the case", layout)
		}
		if c.Stats.Divergences != 0 {
			t.Errorf("%s: %d divergences", layout, c.Stats.Divergences)
		}
		for i, v := range c.X {
			if math.Abs(v) > 6 {
				t.Errorf("%s: x[%d] = %v after 200 transitions: not at the mode", layout, i, v)
			}
		}
	}
}
