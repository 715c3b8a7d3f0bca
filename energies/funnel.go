package energies

import "math"

func init() {
	Register("funnel", func() Energy { return &Funnel{D: 10, Scale: 3} })
}

// Funnel is Neal's funnel: v ~ N(0, scale²) is the first coordinate and
// x_k | v ~ N(0, e^v) for the other dim − 1. The exact negative log density
// is E = v²/(2 scale²) + (dim−1)v/2 + e^{−v} Σ x_k²/2 + (dim/2) log 2π + log scale.
// Moments: mean 0, Var v = scale², Var x_k = exp(scale²/2), covariances 0.
type Funnel struct {
	D     int     `toml:"dim" doc:"dimension, >= 2: the log-scale v and dim − 1 coordinates it scales"`
	Scale float64 `toml:"scale" doc:"standard deviation of the log-variance v, > 0"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (f *Funnel) Description() string {
	return "Neal's funnel v ~ N(0, scale²), x_k | v ~ N(0, e^v), exactly normalized, with known moments"
}

// Init validates the parameters.
func (f *Funnel) Validate() error {
	if err := checkDim("dim", f.D, 2); err != nil {
		return err
	}
	return checkPositive("scale", f.Scale)
}

// Dim is the dimension.
func (f *Funnel) Dim() int { return f.D }

func (f *Funnel) logZ() float64 { return float64(f.D)*halfLog2Pi + math.Log(f.Scale) }

// Energy sets e[i] = E(x_i) for each row of x.
func (f *Funnel) Energy(e, x []float64) {
	d := f.D
	n := CheckBatch(d, e, nil, x)
	is2, half, lz := 1/(f.Scale*f.Scale), 0.5*float64(d-1), f.logZ()
	for k := range n {
		xr := x[k*d : k*d+d]
		v, ss := xr[0], 0.0
		for _, w := range xr[1:] {
			ss += w * w
		}
		e[k] = 0.5*v*v*is2 + half*v + 0.5*math.Exp(-v)*ss + lz
	}
}

// Gradient sets e[i] = E(x_i) and row i of grad to ∇E(x_i).
func (f *Funnel) Gradient(e, grad, x []float64) {
	d := f.D
	n := CheckBatch(d, e, grad, x)
	is2, half, lz := 1/(f.Scale*f.Scale), 0.5*float64(d-1), f.logZ()
	for k := range n {
		xr, g := x[k*d:k*d+d], grad[k*d:k*d+d]
		v, ss := xr[0], 0.0
		ev := math.Exp(-v)
		for j, w := range xr[1:] {
			ss += w * w
			g[j+1] = ev * w
		}
		g[0] = v*is2 + half - 0.5*ev*ss
		e[k] = 0.5*v*v*is2 + half*v + 0.5*ev*ss + lz
	}
}

// Mean returns the zero vector.
func (f *Funnel) Mean() []float64 { return make([]float64, f.D) }

// Covariance returns diag(scale², e^{scale²/2}, …), row-major.
func (f *Funnel) Covariance() []float64 {
	d := f.D
	c := make([]float64, d*d)
	vx := math.Exp(f.Scale * f.Scale / 2)
	c[0] = f.Scale * f.Scale
	for i := 1; i < d; i++ {
		c[i*d+i] = vx
	}
	return c
}

var (
	_ Energy  = (*Funnel)(nil)
	_ Moments = (*Funnel)(nil)
)
