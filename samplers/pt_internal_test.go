package samplers

import (
	"math"
	"testing"

	"github.com/goebm/ebm/energies"
)

// TestPTReplicasConsistent steps a pt shard by hand (swaps every other
// iteration, many accepted) and checks that every replica k holds
// E(x)/T_k and ∇E(x)/T_k at its positions, to rounding. A failure means a
// swap exchanged positions without their energies or gradients, or without
// rescaling them to the receiving temperature, which silently corrupts the
// moves that follow.
func TestPTReplicasConsistent(t *testing.T) {
	e, err := energies.FromTable(map[string]any{"type": "gmm", "weights": []any{0.3, 0.7},
		"means": []any{[]any{-2.0, 0.0}, []any{2.0, 1.0}}, "stds": []any{0.5, 0.8}})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPT()
	p.Temperatures, p.SwapEvery = []float64{1, 1.7, 3, 6}, 2
	const n, iters = 7, 61
	c := NewChains(e, n, 2, 9)
	for i := range n {
		c.Rng[i].FillNorm(c.X[2*i : 2*i+2])
	}
	kern, err := p.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	k := kern.(*ptKernel)
	ee, g := make([]float64, 1), make([]float64, 2)
	for it := range iters {
		kern.Step(c, Iter{I: it, Warmup: 20, Total: iters})
		if (it+1)%2 != 0 {
			continue
		}
		for j, temp := range p.Temperatures {
			r := c
			if j > 0 {
				r = k.reps[j]
			}
			for i := range n {
				e.Gradient(ee, g, r.X[2*i:2*i+2])
				want := []float64{ee[0] / temp, g[0] / temp, g[1] / temp}
				got := []float64{r.E[i], r.Grad[2*i], r.Grad[2*i+1]}
				for m := range want {
					if math.Abs(got[m]-want[m]) > 1e-12*max(1, math.Abs(want[m])) {
						t.Fatalf("iteration %d, replica %d (T = %v), chain %d: stored (E, ∇E) %v, want %v", it, j, temp, i, got, want)
					}
				}
			}
		}
	}
	w, s := k.SwapStats()
	for j := range 3 {
		if w.Accepted[j]+s.Accepted[j] == 0 {
			t.Errorf("pair %d: no swap accepted, so the check above tested nothing there", j)
		}
	}
}
