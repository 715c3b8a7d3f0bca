package energies

import (
	"fmt"
	"math"
)

func init() {
	Register("banana", func() Energy { return &Banana{D: 2, Curvature: 0.03, Scale: 10} })
}

// Banana is Haario, Saksman and Tamminen's twisted Gaussian: with
// x ~ N(0, diag(scale², 1, …, 1)), y₂ = x₂ + curvature·(x₁² − scale²) and the
// other coordinates unchanged. The map has unit Jacobian, so with
// u = y₂ − curvature·(y₁² − scale²) the exact negative log density is
// E(y) = y₁²/(2 scale²) + u²/2 + Σ_{k>2} y_k²/2 + (dim/2) log 2π + log scale.
// Its moments are known: mean 0, Var y₁ = scale², Var y₂ = 1 + 2 curvature² scale⁴,
// the others 1, all covariances 0.
type Banana struct {
	D         int     `toml:"dim" doc:"dimension, >= 2"`
	Curvature float64 `toml:"curvature" doc:"how strongly the second coordinate bends with the first (0 is a Gaussian)"`
	Scale     float64 `toml:"scale" doc:"standard deviation of the first coordinate, > 0"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (b *Banana) Description() string {
	return "Haario's twisted Gaussian (banana), exactly normalized, with known moments"
}

// Init validates the parameters.
func (b *Banana) Validate() error {
	if err := checkDim("dim", b.D, 2); err != nil {
		return err
	}
	if math.IsNaN(b.Curvature) || math.IsInf(b.Curvature, 0) {
		return fmt.Errorf("key %q: must be finite, got %v", "curvature", b.Curvature)
	}
	return checkPositive("scale", b.Scale)
}

// Dim is the dimension.
func (b *Banana) Dim() int { return b.D }

func (b *Banana) logZ() float64 { return float64(b.D)*halfLog2Pi + math.Log(b.Scale) }

// Energy sets e[i] = E(y_i) for each row of x.
func (b *Banana) Energy(e, x []float64) {
	d := b.D
	n := CheckBatch(d, e, nil, x)
	c, s2, lz := b.Curvature, b.Scale*b.Scale, b.logZ()
	for k := range n {
		y := x[k*d : k*d+d]
		u := y[1] - c*(y[0]*y[0]-s2)
		q := y[0]*y[0]/s2 + u*u
		for _, v := range y[2:] {
			q += v * v
		}
		e[k] = 0.5*q + lz
	}
}

// Gradient sets e[i] = E(y_i) and row i of grad to ∇E(y_i).
func (b *Banana) Gradient(e, grad, x []float64) {
	d := b.D
	n := CheckBatch(d, e, grad, x)
	c, s2, lz := b.Curvature, b.Scale*b.Scale, b.logZ()
	for k := range n {
		y, g := x[k*d:k*d+d], grad[k*d:k*d+d]
		u := y[1] - c*(y[0]*y[0]-s2)
		q := y[0]*y[0]/s2 + u*u
		g[0] = y[0]/s2 - 2*c*y[0]*u
		g[1] = u
		for j, v := range y[2:] {
			q += v * v
			g[j+2] = v
		}
		e[k] = 0.5*q + lz
	}
}

// Mean returns the zero vector.
func (b *Banana) Mean() []float64 { return make([]float64, b.D) }

// Covariance returns diag(scale², 1 + 2 curvature² scale⁴, 1, …, 1), row-major.
func (b *Banana) Covariance() []float64 {
	d := b.D
	c := make([]float64, d*d)
	for i := range d {
		c[i*d+i] = 1
	}
	s2 := b.Scale * b.Scale
	c[0] = s2
	c[d+1] = 1 + 2*b.Curvature*b.Curvature*s2*s2
	return c
}

var (
	_ Energy  = (*Banana)(nil)
	_ Moments = (*Banana)(nil)
)
