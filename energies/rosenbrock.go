package energies

import (
	"fmt"
	"math"
)

func init() {
	Register("rosenbrock", func() Energy { return &Rosenbrock{A: 1, B: 100, Temperature: 20, D: 2} })
}

// Rosenbrock is the Rosenbrock "banana valley" as an energy (H. H.
// Rosenbrock, "An automatic method for finding the greatest or least value
// of a function", The Computer Journal 3(3), 175–184, 1960; a standard
// curved 2-D target for samplers): in 2-D
// E(x, y) = ((a − x)² + b(y − x²)²)/temperature; for dim > 2 the chained sum
// over consecutive pairs,
// E(x) = Σ_{i<dim−1} ((a − x_i)² + b(x_{i+1} − x_i²)²)/temperature.
// It is not normalized.
type Rosenbrock struct {
	A           float64 `toml:"a" doc:"the valley's floor passes through x = a; the 2-D minimum is (a, a²)"`
	B           float64 `toml:"b" doc:"steepness of the valley walls, > 0"`
	Temperature float64 `toml:"temperature" doc:"divides the function; larger flattens the density, > 0"`
	D           int     `toml:"dim" doc:"dimension, >= 2; above 2 the chained sum over consecutive pairs"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (r *Rosenbrock) Description() string {
	return "Rosenbrock valley ((a − x)² + b(y − x²)²)/temperature, chained over pairs above 2-D (unnormalized)"
}

// Init validates the parameters.
func (r *Rosenbrock) Validate() error {
	if err := checkDim("dim", r.D, 2); err != nil {
		return err
	}
	if math.IsNaN(r.A) || math.IsInf(r.A, 0) {
		return fmt.Errorf("key %q: must be finite, got %v", "a", r.A)
	}
	if err := checkPositive("b", r.B); err != nil {
		return err
	}
	return checkPositive("temperature", r.Temperature)
}

// Dim is the dimension.
func (r *Rosenbrock) Dim() int { return r.D }

// Energy sets e[i] = E(x_i) for each row of x.
func (r *Rosenbrock) Energy(e, x []float64) {
	d := r.D
	n := CheckBatch(d, e, nil, x)
	a, b, it := r.A, r.B, 1/r.Temperature
	for k := range n {
		xr := x[k*d : k*d+d]
		s := 0.0
		for i := 0; i+1 < d; i++ {
			u, v := a-xr[i], xr[i+1]-xr[i]*xr[i]
			s += u*u + b*v*v
		}
		e[k] = s * it
	}
}

// Gradient sets e[i] = E(x_i) and row i of grad to ∇E(x_i).
func (r *Rosenbrock) Gradient(e, grad, x []float64) {
	d := r.D
	n := CheckBatch(d, e, grad, x)
	a, b, it := r.A, r.B, 1/r.Temperature
	if d == 2 {
		r.gradient2(e[:n], grad[:2*n], x[:2*n])
		return
	}
	for k := range n {
		xr, gr := x[k*d:k*d+d], grad[k*d:k*d+d]
		clear(gr)
		s := 0.0
		for i := 0; i+1 < d; i++ {
			u, v := a-xr[i], xr[i+1]-xr[i]*xr[i]
			s += u*u + b*v*v
			gr[i] += -2*u - 4*b*xr[i]*v
			gr[i+1] += 2 * b * v
		}
		for i := range gr {
			gr[i] *= it
		}
		e[k] = s * it
	}
}

// gradient2 is Gradient in 2-D: the general loop's expressions, in the
// same order (so the same bits), without its per-row slicing and inner loop.
func (r *Rosenbrock) gradient2(e, grad, x []float64) {
	a, b, it := r.A, r.B, 1/r.Temperature
	grad, x = grad[:2*len(e)], x[:2*len(e)]
	for k := range e {
		x0, x1 := x[2*k], x[2*k+1]
		u, v := a-x0, x1-x0*x0
		s, g0, g1 := 0.0, 0.0, 0.0
		s += u*u + b*v*v
		g0 += -2*u - 4*b*x0*v
		g1 += 2 * b * v
		grad[2*k], grad[2*k+1] = g0*it, g1*it
		e[k] = s * it
	}
}

var _ Energy = (*Rosenbrock)(nil)
