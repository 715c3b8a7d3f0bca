package samplers

import (
	"math"
	"slices"
	"testing"
)

// TestWindows checks the warmup schedule against Stan's: for 1000 warmup
// iterations the slow windows are 25, 50, 100, 200 and 500 long after a
// buffer of 75 and before one of 50; short warmups scale the buffers to
// 15% / 10%; below 20 there is no mass adaptation. A wrong schedule adapts
// the mass from too few draws or leaves no terminal buffer for the step size.
func TestWindows(t *testing.T) {
	for _, tc := range []struct {
		warmup, init, term int
		ends               []int
	}{
		{1000, 75, 50, []int{99, 149, 249, 449, 949}},
		{150, 75, 50, []int{99}},
		{200, 75, 50, []int{99, 149}},
		{300, 75, 50, []int{99, 149, 249}},
		{100, 15, 10, []int{89}},
		{20, 3, 2, []int{17}},
		{19, 0, 0, nil},
	} {
		w := NewWindows(tc.warmup)
		if got := w.ends[:w.n]; !slices.Equal(got, tc.ends) || (w.n > 0 && (w.initBuf != tc.init || w.termBuf != tc.term)) {
			t.Errorf("warmup %d: buffers %d/%d, window ends %v; want %d/%d, %v",
				tc.warmup, w.initBuf, w.termBuf, got, tc.init, tc.term, tc.ends)
		}
		collected := 0
		for i := 0; i < tc.warmup+5; i++ {
			if c, _ := w.At(i); c {
				collected++
			}
		}
		if want := max(0, tc.warmup-tc.init-tc.term); w.n > 0 && collected != want {
			t.Errorf("warmup %d: %d iterations collected, want %d (between the buffers)", tc.warmup, collected, want)
		}
	}
}

// TestMassFromWindow feeds known positions through one window and checks the
// new inverse mass against the sample variance regularized as Stan does,
// (n/(n+5))·var + 1e-3·5/(n+5), for each chain separately: otherwise the
// Welford update, the regularization or the per-chain bookkeeping is wrong.
func TestMassFromWindow(t *testing.T) {
	const n, d, warmup = 2, 2, 100 // window over iterations 15…89
	c := NewChains(hmGauss{[]float64{1, 1}}, n, 0, 1)
	a := NewAdapter(n, d, 0.1, 0.8, true)
	acc := []float64{0.8, 0.8}
	var vals [n * d][]float64
	ended := 0
	for it := 0; it < 90; it++ {
		for j := range c.X {
			c.X[j] = math.Sin(float64(it*(j+1))) * float64(j+1)
			if it >= 15 {
				vals[j] = append(vals[j], c.X[j])
			}
		}
		if a.Learn(c, Iter{I: it, Warmup: warmup, Total: 200}, acc) {
			ended++
			if it != 89 {
				t.Fatalf("window ended at %d, want 89", it)
			}
		}
	}
	if ended != 1 {
		t.Fatalf("%d windows ended, want 1", ended)
	}
	for j, v := range vals {
		m, ss := 0.0, 0.0
		for _, x := range v {
			m += x
		}
		m /= float64(len(v))
		for _, x := range v {
			ss += (x - m) * (x - m)
		}
		k := float64(len(v))
		want := k/(k+5)*ss/(k-1) + 1e-3*5/(k+5)
		if math.Abs(a.InvM[j]-want) > 1e-12*want {
			t.Errorf("inverse mass [%d] = %.15g, want %.15g", j, a.InvM[j], want)
		}
	}
}

// TestFreezeAtWarmupEnd checks that after the last warmup iteration the
// step size is the dual-averaging average and no longer changes: a step
// size that keeps adapting breaks the Markov property of the kept draws.
func TestFreezeAtWarmupEnd(t *testing.T) {
	c := NewChains(hmGauss{[]float64{1}}, 1, 0, 1)
	a := NewAdapter(1, 1, 0.5, 0.8, true)
	ref := NewDualAveraging(0.5, 0.8)
	for it := 0; it < 10; it++ {
		acc := 0.5 + 0.04*float64(it)
		a.Learn(c, Iter{I: it, Warmup: 10, Total: 20}, []float64{acc})
		ref.Update(acc)
	}
	if a.Eps[0] != ref.Final() {
		t.Fatalf("step after warmup %v, want the averaged %v", a.Eps[0], ref.Final())
	}
	a.Learn(c, Iter{I: 10, Warmup: 10, Total: 20}, []float64{0})
	if a.Eps[0] != ref.Final() {
		t.Fatalf("step changed after warmup: %v, want %v", a.Eps[0], ref.Final())
	}
}
