package runner

import (
	"fmt"
	"math"
	"strings"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/energytest"
	"github.com/goebm/ebm/rng"
)

// The start-up spot check: before sampling or training, ebmrun run compares
// the gradient of an energy that ebm did not ship (energies.Builtin is
// false: a third party's, registered by another module, package main or a
// test) with central differences of its Energy at a few points, and prints
// one warning when they disagree. The run goes on: the warning points to
// ebmrun check, which runs the whole energy kit. ebm's own energies are
// checked by its tests, so they are not spot-checked and shipped configs
// run exactly as before.
//
// It cannot change a run's outputs: its points come from streams of its own
// seed (rng.New(spotSeed, i), never the run's), initdist.Fill keeps no state,
// and energies are stateless by contract. Its cost is spotPoints points ×
// (2·dim + 3) single-point evaluations and a batch of spotPoints, at most
// about 2,000 evaluations (dim ≤ spotMaxDim); a larger energy is skipped
// with a note.
const (
	spotPoints = 4
	spotMaxDim = 256
	spotSeed   = 0x73706f74636b // "spotck"
)

// spotCheckRun spot-checks the [energy] of a sampling config at start
// points drawn from its [init].
func spotCheckRun(e *env, c *Config) {
	if energies.Builtin(c.EnergyType) || c.Init == nil {
		return
	}
	d := c.Energy.Dim()
	if spotSkipped(e, c.File, c.EnergyType, d) {
		return
	}
	x := make([]float64, spotPoints*d)
	for i := range spotPoints {
		r := rng.New(spotSeed, uint64(i))
		c.Init.Fill(x[i*d:(i+1)*d], &r)
	}
	spotCheck(e, c.File, c.EnergyType, c.Energy, x, "start points drawn from [init]")
}

// spotCheckTrain spot-checks the (untrained) [energy] of a training config
// at rows of its data set.
func spotCheckTrain(e *env, c *TrainConfig) {
	if energies.Builtin(c.EnergyType) || c.Data == nil {
		return
	}
	d := c.Model.Dim()
	if spotSkipped(e, c.File, c.EnergyType, d) || d != c.Data.Dim() {
		return
	}
	spotCheck(e, c.File, c.EnergyType, c.Model, spreadRows(c.points, d, spotPoints), "data points")
}

// spotSkipped prints a note and reports true when the energy is too large
// to spot-check cheaply.
func spotSkipped(e *env, file, typ string, d int) bool {
	if d <= spotMaxDim {
		return false
	}
	fmt.Fprintf(e.stderr, "ebmrun: note: %s: [energy] (%s): dimension %d > %d, so its gradient is not spot-checked at start-up; ebmrun check %s checks it\n",
		file, typ, d, spotMaxDim, file)
	return true
}

// spotCheck runs the gradient and batch checks at x and warns on one line
// when they fail.
func spotCheck(e *env, file, typ string, en energies.Energy, x []float64, where string) {
	r, err := energytest.Run(en, energytest.Options{At: x, Checks: []string{energytest.CheckGradient, energytest.CheckBatch}})
	if err != nil {
		fmt.Fprintf(e.stderr, "ebmrun: warning: %s: [energy] (%s): the gradient spot check could not run: %v; run ebmrun check %s\n", file, typ, err, file)
		return
	}
	if r.Failed() {
		fmt.Fprintf(e.stderr, "ebmrun: warning: %s: [energy] (%s): %s; run ebmrun check %s\n", file, typ, failureSummary(r, typ, where), file)
	}
}

// failureSummary says on one line what the report found wrong with the
// energy typ at its points (described by where): the gradient's
// disagreement with the dimensions and the worst component, or else the
// first failure of the first failing check.
func failureSummary(r *energytest.Report, typ, where string) string {
	if dims := r.FailedDims(energytest.CheckGradient); len(dims) > 0 {
		worst := worstFailure(r, energytest.CheckGradient, -1)
		return fmt.Sprintf("the gradient of energy %q disagrees with finite differences at %d of %d %s, in %s (worst: %s)",
			typ, failedRows(r, energytest.CheckGradient), r.Points, where, dimList(dims), worst.Message)
	}
	f := r.Failures[0]
	return fmt.Sprintf("energy %q breaks the energy contract at %s: %s", typ, where, f)
}

// worstFailure returns the failure of check (in dimension dim, or any when
// dim < 0) with the largest Excess: NaN first, then the first found.
func worstFailure(r *energytest.Report, check string, dim int) energytest.Failure {
	var w energytest.Failure
	found := false
	for _, f := range r.Failures {
		if f.Check != check || (dim >= 0 && f.Dim != dim) {
			continue
		}
		if !found || (!math.IsNaN(w.Excess) && (math.IsNaN(f.Excess) || f.Excess > w.Excess)) {
			w, found = f, true
		}
	}
	return w
}

// failedRows counts the test points at which check failed.
func failedRows(r *energytest.Report, check string) int {
	rows := map[int]bool{}
	for _, f := range r.Failures {
		if f.Check == check && f.Row >= 0 {
			rows[f.Row] = true
		}
	}
	return len(rows)
}

// dimList names dimensions: "dim 3", "dims 0, 1", "dims 0, 1, … (40 dims)".
func dimList(dims []int) string {
	if len(dims) == 1 {
		return fmt.Sprintf("dim %d", dims[0])
	}
	const show = 8
	var b strings.Builder
	b.WriteString("dims ")
	for i, d := range dims[:min(len(dims), show)] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, d)
	}
	if len(dims) > show {
		fmt.Fprintf(&b, ", … (%d dims)", len(dims))
	}
	return b.String()
}

// spreadRows returns k rows of the n×d matrix x, evenly spaced from the
// first (all n rows when n ≤ k).
func spreadRows(x []float64, d, k int) []float64 {
	n := len(x) / d
	if n <= k {
		return x[:n*d]
	}
	out := make([]float64, 0, k*d)
	for i := range k {
		r := i * n / k
		out = append(out, x[r*d:(r+1)*d]...)
	}
	return out
}
