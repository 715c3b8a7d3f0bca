package energies

func init() {
	Register("double_well", func() Energy { return &DoubleWell{D: 2, Barrier: 2} })
}

// DoubleWell is a symmetric two-mode energy,
// E(x) = barrier·(x₁² − 1)² + ½ Σ_{k>1} x_k²: wells at x₁ = ±1 separated
// by a barrier of height barrier at x₁ = 0, standard normal in the other
// coordinates. It is not normalized. The density is symmetric under
// x → −x, so its mean is 0, and an unbiased sampler must visit both wells
// equally often; a high barrier makes that hard.
type DoubleWell struct {
	D       int     `toml:"dim" doc:"dimension, >= 1; coordinates after the first are standard normal"`
	Barrier float64 `toml:"barrier" doc:"height of the barrier between the wells at x1 = ±1, > 0"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (w *DoubleWell) Description() string {
	return "double well barrier·(x1² − 1)² + ½Σ_{k>1} x_k², symmetric with modes at x1 = ±1 (unnormalized)"
}

// Init validates the parameters.
func (w *DoubleWell) Validate() error {
	if err := checkDim("dim", w.D, 1); err != nil {
		return err
	}
	return checkPositive("barrier", w.Barrier)
}

// Dim is the dimension.
func (w *DoubleWell) Dim() int { return w.D }

// Energy sets e[i] = E(x_i) for each row of x.
func (w *DoubleWell) Energy(e, x []float64) {
	d := w.D
	n := CheckBatch(d, e, nil, x)
	for k := range n {
		xr := x[k*d : k*d+d]
		u := xr[0]*xr[0] - 1
		q := 0.0
		for _, v := range xr[1:] {
			q += v * v
		}
		e[k] = w.Barrier*u*u + 0.5*q
	}
}

// Gradient sets e[i] = E(x_i) and row i of grad to ∇E(x_i).
func (w *DoubleWell) Gradient(e, grad, x []float64) {
	d := w.D
	n := CheckBatch(d, e, grad, x)
	for k := range n {
		xr, g := x[k*d:k*d+d], grad[k*d:k*d+d]
		u := xr[0]*xr[0] - 1
		g[0] = 4 * w.Barrier * xr[0] * u
		q := 0.0
		for j, v := range xr[1:] {
			q += v * v
			g[j+1] = v
		}
		e[k] = w.Barrier*u*u + 0.5*q
	}
}

var _ Energy = (*DoubleWell)(nil)
