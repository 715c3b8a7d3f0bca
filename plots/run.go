// Package plots renders ebmrun's figures as PNG, SVG or PDF: sampler draws
// over the target density with divergent transitions marked (samples.png),
// per-chain marginal densities beside the traces (trace.png), per-chain rank
// histograms (rank.png) and a learned density beside its training data.
// Dimensions are named x[0], x[1], … by their 0-based index, as ebmrun's
// terminal table and summary.json number them. Every function renders to an
// io.Writer; the caller owns the file. Figures are reproducible:
// subsampling uses a fixed seed.
package plots

import (
	"errors"
	"fmt"

	"github.com/goebm/ebm/energies"
)

// Run is one sampler's kept draws in (chain, draw, dim) order: draw t of
// chain c, dimension j is Samples[(c*Draws+t)*Dim+j].
//
// Diverging, optional, flags divergent transitions in (chain, draw) order:
// draw t of chain c diverged when Diverging[c*Draws+t] is nonzero (the
// sampler's sample_stats "diverging"). It is nil or Chains×Draws long.
type Run struct {
	Title              string
	Samples            []float64
	Chains, Draws, Dim int
	Diverging          []float64
}

// rows is the number of draws over all chains.
func (r *Run) rows() int { return r.Chains * r.Draws }

// at returns draw t of chain c, dimension j.
func (r *Run) at(c, t, j int) float64 { return r.Samples[(c*r.Draws+t)*r.Dim+j] }

// checkRuns validates runs as user input and returns their common dimension.
func checkRuns(runs []Run) (int, error) {
	if len(runs) == 0 {
		return 0, errors.New("plots: no runs to plot: pass at least one Run")
	}
	dim := runs[0].Dim
	for i := range runs {
		r := &runs[i]
		switch {
		case r.Draws <= 0:
			return 0, fmt.Errorf("plots: run %q has no draws (Draws = %d): keep at least one draw", r.Title, r.Draws)
		case r.Chains <= 0:
			return 0, fmt.Errorf("plots: run %q has no chains (Chains = %d): run at least one chain", r.Title, r.Chains)
		case r.Dim <= 0:
			return 0, fmt.Errorf("plots: run %q has Dim = %d: it must be > 0", r.Title, r.Dim)
		case len(r.Samples) != r.Chains*r.Draws*r.Dim:
			return 0, fmt.Errorf("plots: run %q: len(Samples) = %d, want Chains×Draws×Dim = %d×%d×%d = %d",
				r.Title, len(r.Samples), r.Chains, r.Draws, r.Dim, r.Chains*r.Draws*r.Dim)
		case r.Diverging != nil && len(r.Diverging) != r.Chains*r.Draws:
			return 0, fmt.Errorf("plots: run %q: len(Diverging) = %d, want Chains×Draws = %d×%d = %d or none",
				r.Title, len(r.Diverging), r.Chains, r.Draws, r.Chains*r.Draws)
		case r.Dim != dim:
			return 0, fmt.Errorf("plots: run %q has dimension %d but run %q has %d: plot runs of one target together",
				r.Title, r.Dim, runs[0].Title, dim)
		}
	}
	return dim, nil
}

// axisLabel names dimension j (0-based) of the state as the terminal
// table numbers it: x[0], x[1], ….
func axisLabel(j int) string { return fmt.Sprintf("x[%d]", j) }

// checkEnergy reports a mismatch between e's dimension and the draws'.
func checkEnergy(e energies.Energy, dim int) error {
	if e != nil && e.Dim() != dim {
		return fmt.Errorf("plots: the energy has dimension %d but the draws have %d", e.Dim(), dim)
	}
	return nil
}

// runMatrices views each run's draws as one n×Dim row-major matrix.
func runMatrices(runs []Run) []matrix {
	ms := make([]matrix, len(runs))
	for i := range runs {
		ms[i] = matrix{x: runs[i].Samples, n: runs[i].rows(), dim: runs[i].Dim}
	}
	return ms
}
