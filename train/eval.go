package train

import (
	"context"
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/evaluate"
)

// QuadratureNLL returns an OnEval hook that scores model on rows (rows of
// the model's dimension, ≤ 3) by exact NLL: log Z by quadrature on grid
// (evaluate.LogZ), then the mean NLL and its standard error
// (evaluate.NLL). Values that cannot be computed are NaN.
func QuadratureNLL(model energies.Energy, grid evaluate.Grid, rows []float64) func(ctx context.Context, step int64) EvalPoint {
	return func(ctx context.Context, step int64) EvalPoint {
		nan := math.NaN()
		pt := EvalPoint{Step: step, NLL: nan, NLLStderr: nan, LogZ: nan, BorderMass: nan}
		res, err := evaluate.LogZ(ctx, model, grid)
		if err != nil {
			return pt
		}
		pt.LogZ, pt.BorderMass = res.LogZ, res.BorderMass
		if mean, se, err := evaluate.NLL(model, rows, res.LogZ); err == nil {
			pt.NLL, pt.NLLStderr = mean, se
		}
		return pt
	}
}
