package evaluate

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Gaussian is a Gaussian fit of some points: their mean (Dim values) and
// covariance (Dim×Dim, row-major).
type Gaussian struct {
	Mean []float64
	Cov  []float64
}

// Dim is the dimension of the Gaussian.
func (g Gaussian) Dim() int { return len(g.Mean) }

// FitGaussian returns the sample mean and the unbiased sample covariance
// (divided by n − 1) of the rows of x (n×dim, n ≥ 2). It panics on rows
// that are not whole or fewer than 2 of them (programming errors).
func FitGaussian(x []float64, dim int) Gaussian {
	if dim <= 0 || len(x)%dim != 0 || len(x) < 2*dim {
		panic(fmt.Sprintf("evaluate: FitGaussian: %d values are not 2 or more rows of dimension %d", len(x), dim))
	}
	n := len(x) / dim
	mean := make([]float64, dim)
	for i := range n {
		for j, v := range x[i*dim : (i+1)*dim] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	centred := mat.NewDense(n, dim, nil)
	for i := range n {
		for j, v := range x[i*dim : (i+1)*dim] {
			centred.Set(i, j, v-mean[j])
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n-1), centred.T())
	out := make([]float64, dim*dim)
	for i := range dim {
		for j := range dim {
			out[i*dim+j] = cov.At(i, j)
		}
	}
	return Gaussian{Mean: mean, Cov: out}
}

// FrechetDistance returns the squared Fréchet (2-Wasserstein) distance
// between the Gaussians a and b,
//
//	‖μa − μb‖² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½,
//
// the quantity FID computes on Inception features (Heusel et al. 2017). It
// is ≥ 0 and 0 only for equal Gaussians; in the units of the features
// squared. Both square roots are taken by eigen-decompositions of
// symmetric positive semi-definite matrices (Σa, then Σa^½ Σb Σa^½,
// symmetrised), their slightly negative rounding eigenvalues set to 0; the
// result is clamped at 0. It panics on Gaussians of different or zero
// dimension, or a covariance of the wrong size.
func FrechetDistance(a, b Gaussian) float64 {
	d := a.Dim()
	if d == 0 || b.Dim() != d || len(a.Cov) != d*d || len(b.Cov) != d*d {
		panic(fmt.Sprintf("evaluate: FrechetDistance: Gaussians of dimension %d and %d with %d and %d covariance values", d, b.Dim(), len(a.Cov), len(b.Cov)))
	}
	dist := 0.0
	for j, m := range a.Mean {
		dist += (m - b.Mean[j]) * (m - b.Mean[j])
	}
	for j := range d {
		dist += a.Cov[j*d+j] + b.Cov[j*d+j]
	}
	ra := symSqrt(symmetric(d, a.Cov))
	var m mat.Dense
	m.Product(ra, mat.NewDense(d, d, b.Cov), ra)
	root := 0.0
	for _, l := range eigenvalues(symmetric(d, m.RawMatrix().Data)) {
		root += math.Sqrt(max(l, 0))
	}
	return max(dist-2*root, 0)
}

// symmetric returns (A + Aᵀ)/2 for the d×d row-major A.
func symmetric(d int, a []float64) *mat.SymDense {
	s := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			s.SetSym(i, j, (a[i*d+j]+a[j*d+i])/2)
		}
	}
	return s
}

// eigenvalues returns the eigenvalues of s.
func eigenvalues(s *mat.SymDense) []float64 {
	var es mat.EigenSym
	if !es.Factorize(s, false) {
		panic("evaluate: FrechetDistance: the eigen-decomposition did not converge")
	}
	return es.Values(nil)
}

// symSqrt returns V·diag(√max(λ, 0))·Vᵀ for s = V·diag(λ)·Vᵀ: the square
// root of a positive semi-definite s, its rounding noise clipped.
func symSqrt(s *mat.SymDense) *mat.Dense {
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		panic("evaluate: FrechetDistance: the eigen-decomposition did not converge")
	}
	var v mat.Dense
	es.VectorsTo(&v)
	vals := es.Values(nil)
	var scaled mat.Dense
	scaled.CloneFrom(&v)
	d, _ := v.Dims()
	for j, l := range vals {
		r := math.Sqrt(max(l, 0))
		for i := range d {
			scaled.Set(i, j, v.At(i, j)*r)
		}
	}
	var out mat.Dense
	out.Mul(&scaled, v.T())
	return &out
}
