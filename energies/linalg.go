package energies

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// maxCond is the largest covariance condition number accepted: beyond it
// the precision matrix has too few correct digits to be trusted.
const maxCond = 1e12

// invertCov validates a dim×dim covariance given as rows and returns its
// inverse Σ⁻¹ (row-major) and ½ log det(2πΣ). Errors say what to change;
// the caller prefixes the key.
func invertCov(cov [][]float64, dim int) (prec []float64, halfLogDet float64, err error) {
	if len(cov) != dim {
		return nil, 0, fmt.Errorf("has %d rows, want %d (the dimension set by the mean): one row per coordinate", len(cov), dim)
	}
	sym := mat.NewSymDense(dim, nil)
	scale := 0.0
	for i, row := range cov {
		if len(row) != dim {
			return nil, 0, fmt.Errorf("row %d has length %d, want %d (the dimension set by the mean)", i, len(row), dim)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, fmt.Errorf("entry [%d][%d] is %v; every entry must be finite", i, j, v)
			}
			scale = max(scale, math.Abs(v))
		}
	}
	for i := range dim {
		for j := i; j < dim; j++ {
			a, b := cov[i][j], cov[j][i]
			if math.Abs(a-b) > 1e-10*scale {
				return nil, 0, fmt.Errorf("must be symmetric, but [%d][%d] = %v and [%d][%d] = %v", i, j, a, j, i, b)
			}
			sym.SetSym(i, j, (a+b)/2)
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(sym) {
		return nil, 0, errors.New("must be positive definite (Cholesky failed); check that it is symmetric with positive eigenvalues")
	}
	if c := chol.Cond(); c > maxCond {
		return nil, 0, fmt.Errorf("is numerically singular (condition number %.3g > %.0g); make its eigenvalues less disparate", c, maxCond)
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, 0, fmt.Errorf("cannot be inverted accurately (%v); make it better conditioned", err)
	}
	prec = make([]float64, dim*dim)
	for i := range dim {
		for j := range dim {
			prec[i*dim+j] = inv.At(i, j)
		}
	}
	return prec, 0.5 * (float64(dim)*math.Log(2*math.Pi) + chol.LogDet()), nil
}

// checkPositive returns an error naming key unless v is finite and > 0.
func checkPositive(key string, v float64) error {
	if !(v > 0) || math.IsInf(v, 1) {
		return fmt.Errorf("key %q: must be finite and > 0, got %v", key, v)
	}
	return nil
}

// checkPositiveEach returns an error naming key and the offending item
// (unit i, "element" or "component") unless every value is finite and > 0.
func checkPositiveEach(key, unit string, v []float64) error {
	for i, x := range v {
		if !(x > 0) || math.IsInf(x, 1) {
			return fmt.Errorf("key %q: %s %d must be finite and > 0, got %v", key, unit, i, x)
		}
	}
	return nil
}

// checkFinite returns an error naming key unless every value is finite.
func checkFinite(key string, v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("key %q: element %d is %v; every element must be finite", key, i, x)
		}
	}
	return nil
}

// checkDim returns an error naming key unless dim ≥ least.
func checkDim(key string, dim, least int) error {
	if dim < least {
		return fmt.Errorf("key %q: must be >= %d, got %d", key, least, dim)
	}
	return nil
}

// halfLog2Pi is ½ log 2π, the normalizer of a standard normal coordinate.
var halfLog2Pi = 0.5 * math.Log(2*math.Pi)
