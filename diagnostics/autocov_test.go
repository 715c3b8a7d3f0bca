package diagnostics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// directAutocov is the reference loop Autocovariance documents.
func directAutocov(x []float64) []float64 {
	n := len(x)
	mu := mean(x)
	out := make([]float64, n)
	for t := range n {
		for i := 0; i+t < n; i++ {
			out[t] += (x[i] - mu) * (x[i+t] - mu)
		}
		out[t] /= float64(n)
	}
	return out
}

// TestAutocovarianceByHand: x = [1 2 3 4], mean 2.5, deviations
// −1.5 −0.5 0.5 1.5: c0 = 5/4, c1 = (0.75 − 0.25 + 0.75)/4 = 0.3125,
// c2 = (−0.75 − 0.75)/4 = −0.375, c3 = −2.25/4 = −0.5625. A failure means
// the FFT padding or normalization is wrong.
func TestAutocovarianceByHand(t *testing.T) {
	got := Autocovariance([]float64{1, 2, 3, 4})
	want := []float64{1.25, 0.3125, -0.375, -0.5625}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-14 {
			t.Errorf("acov[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestAutocovarianceMatchesDirect compares the FFT with direct sums for
// lengths that are prime, powers of two and products of 2, 3, 5, plus the
// degenerate lengths 0 and 1. A mismatch means circular wrap-around (too
// little padding) or a wrong scale.
func TestAutocovarianceMatchesDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for _, n := range []int{0, 1, 2, 3, 7, 16, 31, 97, 120, 250} {
		x := make([]float64, n)
		for i := range x {
			x[i] = 5 + r.NormFloat64()
		}
		got, want := Autocovariance(x), directAutocov(x)
		if len(got) != n {
			t.Fatalf("n = %d: got %d lags", n, len(got))
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12*want[0] {
				t.Errorf("n = %d: acov[%d] = %v, direct sum %v", n, i, got[i], want[i])
				break
			}
		}
	}
}

// TestNextFFTSize: the padded length must be ≥ the request and 5-smooth.
func TestNextFFTSize(t *testing.T) {
	for in, want := range map[int]int{1: 2, 2: 2, 7: 8, 14: 15, 1000: 1000, 1001: 1024, 2002: 2025} {
		if got := nextFFTSize(in); got != want {
			t.Errorf("nextFFTSize(%d) = %d, want %d", in, got, want)
		}
	}
}
