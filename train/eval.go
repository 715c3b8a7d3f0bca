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
	return QuadratureNLLProgress(model, grid, rows, nil)
}

// QuadratureNLLProgress is QuadratureNLL reporting the progress of each
// log Z (see evaluate.LogZProgress): report(step, done, total), nil for
// none. Cancelling ctx stops the quadrature (at its next batch of grid
// points); the point then holds NaN, and Loop records none.
func QuadratureNLLProgress(model energies.Energy, grid evaluate.Grid, rows []float64, report func(step int64, done, total int)) func(ctx context.Context, step int64) EvalPoint {
	return func(ctx context.Context, step int64) EvalPoint {
		nan := math.NaN()
		pt := EvalPoint{Step: step, NLL: nan, NLLStderr: nan, LogZ: nan, BorderMass: nan}
		var rep func(done, total int)
		if report != nil {
			rep = func(done, total int) { report(step, done, total) }
		}
		res, err := evaluate.LogZProgress(ctx, model, grid, rep)
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
