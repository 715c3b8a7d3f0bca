package diagnostics

import "gonum.org/v1/gonum/dsp/fourier"

// Autocovariance returns the autocovariance of x at every lag 0…len(x)−1,
//
//	acov[t] = (1/n) Σ_{i=0}^{n−1−t} (x[i] − x̄)(x[i+t] − x̄),  n = len(x),
//
// the biased estimator (divisor n at every lag) that Geyer (1992) recommends
// and Stan uses; acov[0] is the variance with divisor n. It is computed by
// FFT (gonum dsp/fourier) of the centred sequence zero-padded to at least
// 2n, so it costs O(n log n). An empty x gives an empty result.
func Autocovariance(x []float64) []float64 {
	dst := make([]float64, len(x))
	if len(x) == 0 {
		return dst
	}
	var a autocov
	a.compute(dst, x)
	return dst
}

// autocov holds the FFT plan and scratch space for autocovariances of
// sequences of one length, so that repeated calls do not allocate.
type autocov struct {
	n    int
	fft  *fourier.FFT
	pad  []float64
	coef []complex128
}

// compute writes the autocovariance of x into dst (len(dst) == len(x) > 0)
// and returns the mean of x.
func (a *autocov) compute(dst, x []float64) float64 {
	n := len(x)
	if len(dst) != n {
		panic("diagnostics: autocovariance length mismatch")
	}
	if a.n != n || a.fft == nil {
		l := nextFFTSize(2 * n)
		a.n = n
		a.fft = fourier.NewFFT(l)
		a.pad = make([]float64, l)
		a.coef = make([]complex128, l/2+1)
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	for i, v := range x {
		a.pad[i] = v - mean
	}
	clear(a.pad[n:])
	coef := a.fft.Coefficients(a.coef, a.pad)
	for i, c := range coef {
		coef[i] = complex(real(c)*real(c)+imag(c)*imag(c), 0)
	}
	seq := a.fft.Sequence(a.pad, coef)
	// The inverse transform is unnormalized (a factor len(pad)); the
	// estimator divides by n.
	scale := 1 / (float64(len(a.pad)) * float64(n))
	for t := range dst {
		dst[t] = seq[t] * scale
	}
	return mean
}

// nextFFTSize returns the smallest integer ≥ n whose only prime factors
// are 2, 3 and 5, the lengths the FFT handles fastest.
func nextFFTSize(n int) int {
	if n <= 2 {
		return 2
	}
	for ; ; n++ {
		m := n
		for _, p := range [...]int{2, 3, 5} {
			for m%p == 0 {
				m /= p
			}
		}
		if m == 1 {
			return n
		}
	}
}
