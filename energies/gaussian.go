package energies

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/goebm/ebm/simd"
)

func init() {
	Register("gaussian", func() Energy { return &Gaussian{} })
}

// Gaussian is the multivariate normal N(μ, Σ) with its exact negative log
// density E(x) = ½(x−μ)ᵀΣ⁻¹(x−μ) + ½ log det(2πΣ). Σ is a full covariance
// (Cov), a diagonal one (Std), or the identity when neither is given. The
// field Mu holds the mean (key "mean"); the Mean method returns it.
type Gaussian struct {
	Mu  []float64   `toml:"mean" doc:"mean vector μ (required); its length sets the dimension"`
	Cov [][]float64 `toml:"cov" doc:"full covariance Σ as rows, symmetric positive definite (optional; not with std)"`
	Std []float64   `toml:"std" doc:"per-coordinate standard deviations, Σ = diag(std²) (optional; not with cov); neither gives Σ = I"`

	dim  int
	mu   []float64 // μ
	prec []float64 // Σ⁻¹ row-major; nil in the diagonal case
	ivar []float64 // diagonal of Σ⁻¹ in the diagonal case
	cov  []float64 // Σ row-major, for Covariance
	logZ float64   // ½ log det(2πΣ)

	scratch *scratchCache[[]float64] // 2·gaussBlock·dim values (full case)
}

// gaussBlock is the number of points the full-covariance path multiplies
// by Σ⁻¹ in one simd.MatMul.
const gaussBlock = 64

// Description is the one-line summary shown by `ebmrun list`.
func (g *Gaussian) Description() string {
	return "multivariate normal N(mean, Σ), exact negative log density; Σ full (cov), diagonal (std) or identity"
}

// Example fills the required mean so the sample config is valid.
func (g *Gaussian) Example() { g.Mu = []float64{0, 0} }

// Init validates the parameters and precomputes Σ⁻¹ and the normalizer.
func (g *Gaussian) Validate() error {
	d := len(g.Mu)
	if d == 0 {
		return errors.New(`key "mean": required; give the mean vector, e.g. mean = [0.0, 0.0]`)
	}
	if err := checkFinite("mean", g.Mu); err != nil {
		return err
	}
	if g.Cov != nil && g.Std != nil {
		return errors.New(`keys "cov" and "std" are exclusive: give a full covariance (cov) or per-coordinate standard deviations (std), not both`)
	}
	g.dim, g.mu = d, slices.Clone(g.Mu)
	g.prec, g.ivar, g.cov = nil, nil, make([]float64, d*d)
	g.scratch = &scratchCache[[]float64]{alloc: func() *[]float64 { s := make([]float64, 2*gaussBlock*d); return &s }}
	switch {
	case g.Cov != nil:
		prec, logZ, err := invertCov(g.Cov, d)
		if err != nil {
			return fmt.Errorf("key %q: %w", "cov", err)
		}
		g.prec, g.logZ = prec, logZ
		for i, row := range g.Cov {
			for j := range row {
				g.cov[i*d+j] = (g.Cov[i][j] + g.Cov[j][i]) / 2
			}
		}
	default:
		std := g.Std
		if std == nil {
			std = make([]float64, d)
			for i := range std {
				std[i] = 1
			}
		} else if len(std) != d {
			return fmt.Errorf("key %q: has length %d, want %d (the length of mean)", "std", len(std), d)
		}
		g.ivar = make([]float64, d)
		g.logZ = float64(d) * halfLog2Pi
		if err := checkPositiveEach("std", "element", std); err != nil {
			return err
		}
		for i, s := range std {
			g.ivar[i] = 1 / (s * s)
			g.cov[i*d+i] = s * s
			g.logZ += math.Log(s)
		}
	}
	return nil
}

// Dim is the dimension, the length of mean.
func (g *Gaussian) Dim() int { return g.dim }

func (g *Gaussian) ready() {
	if g.mu == nil {
		panic("energies: gaussian used before Init")
	}
}

// Energy sets e[i] = E(x_i) for each row of x.
func (g *Gaussian) Energy(e, x []float64) {
	g.ready()
	d := g.dim
	n := CheckBatch(d, e, nil, x)
	if g.prec != nil {
		g.full(e[:n], nil, x)
		return
	}
	mu := g.mu
	for r := range n {
		xr := x[r*d : r*d+d]
		q := 0.0
		for j, iv := range g.ivar[:d] {
			v := xr[j] - mu[j]
			q += v * (iv * v)
		}
		e[r] = 0.5*q + g.logZ
	}
}

// Gradient sets e[i] = E(x_i) and row i of grad to Σ⁻¹(x_i − μ).
func (g *Gaussian) Gradient(e, grad, x []float64) {
	g.ready()
	d := g.dim
	n := CheckBatch(d, e, grad, x)
	if g.prec != nil {
		g.full(e[:n], grad[:n*d], x)
		return
	}
	mu := g.mu
	for r := range n {
		xr, gr := x[r*d:r*d+d], grad[r*d:r*d+d]
		q := 0.0
		for j, iv := range g.ivar[:d] {
			v := xr[j] - mu[j]
			gr[j] = iv * v
			q += v * gr[j]
		}
		e[r] = 0.5*q + g.logZ
	}
}

// full is Energy (grad nil) or Gradient with a full covariance, on the
// simd kernels, gaussBlock points at a time: the deviations D = X − 1μᵀ,
// G = D·Σ⁻¹ in one simd.MatMul (Σ⁻¹ is symmetric, so row r of G is
// Σ⁻¹(x_r − μ), the gradient), and E = ½ D_r·G_r + ½ log det(2πΣ) by
// simd.Dot. Each row's values depend only on that row (MatMul and Dot
// promise it), so Energy and Gradient agree and a batch split anywhere
// gives the same bits.
func (g *Gaussian) full(e, grad, x []float64) {
	d := g.dim
	sp := g.scratch.get()
	defer g.scratch.put(sp)
	dev, gs := (*sp)[:gaussBlock*d], (*sp)[gaussBlock*d:]
	for r0 := 0; r0 < len(e); r0 += gaussBlock {
		b := min(gaussBlock, len(e)-r0)
		db, xb := dev[:b*d], x[r0*d:(r0+b)*d]
		for r := range b {
			simd.AddScaled(db[r*d:(r+1)*d], xb[r*d:(r+1)*d], -1, g.mu)
		}
		gb := gs[:b*d]
		if grad != nil {
			gb = grad[r0*d : (r0+b)*d]
		}
		simd.MatMul(gb, db, g.prec, b, d, d)
		for r := range b {
			e[r0+r] = 0.5*simd.Dot(db[r*d:(r+1)*d], gb[r*d:(r+1)*d]) + g.logZ
		}
	}
}

// Mean returns a copy of μ.
func (g *Gaussian) Mean() []float64 { g.ready(); return slices.Clone(g.mu) }

// Covariance returns a copy of Σ, row-major.
func (g *Gaussian) Covariance() []float64 { g.ready(); return slices.Clone(g.cov) }

var (
	_ Energy  = (*Gaussian)(nil)
	_ Moments = (*Gaussian)(nil)
)
