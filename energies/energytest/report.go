package energytest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// The checks, by the names Options.Checks, Report.Checks and Failure.Check
// use, in the order Run runs them.
const (
	CheckValues      = "values"
	CheckGradient    = "gradient"
	CheckBatch       = "batch"
	CheckConcurrency = "concurrency"
	CheckMoments     = "moments"
)

// allChecks lists every check in the order Run runs them.
var allChecks = []string{CheckValues, CheckGradient, CheckBatch, CheckConcurrency, CheckMoments}

// Report is the structured result of Run: what was checked and every
// failure found, so that a caller (ebmrun check, a third party's tool) can
// name the dimensions that disagree without parsing messages.
type Report struct {
	Dim    int      // the energy's dimension
	Points int      // rows of test points
	Checks []string // the checks run, in order (moments only for energies.Moments)

	// Failures lists every failure found, in the order the checks found
	// them (the gradient's in row order, then dimension).
	Failures []Failure

	// GradientCompared is how many gradient components were compared with
	// central differences (Points × Dim when the gradient check ran).
	GradientCompared int
	// WorstGradient is the largest relative gradient error over those
	// components: |analytic − finite difference| / max(‖∇E(x)‖∞,
	// GradAbsTol/GradRelTol), so a component passes when it is at most
	// GradRelTol. It is NaN when a comparison was NaN, and WorstGradientDim
	// and WorstGradientRow say where it was (−1 when nothing was compared).
	WorstGradient                      float64
	WorstGradientDim, WorstGradientRow int
	// GradRelTol is the relative tolerance the gradient check used.
	GradRelTol float64
}

// Failure is one way the energy broke the contract.
type Failure struct {
	Check string // CheckValues, CheckGradient, …
	Dim   int    // the dimension concerned, or −1 when the failure is not about one
	Row   int    // the test point's row, or −1
	// X is the test point (shared with the report: do not modify), or nil.
	X []float64
	// Message says what is wrong, with numbers, without the check's name.
	Message string
	// Excess is how far past its tolerance a gradient failure is:
	// |analytic − finite difference| / tolerance (> 1, or NaN); 0 for the
	// other checks.
	Excess float64
}

func (f Failure) String() string { return f.Check + ": " + f.Message }

// Failed reports whether any check failed.
func (r *Report) Failed() bool { return len(r.Failures) > 0 }

// FailedDims returns the distinct dimensions named by failures of the
// given check ("" for every check), ascending.
func (r *Report) FailedDims(check string) []int {
	var dims []int
	for _, f := range r.Failures {
		if f.Dim >= 0 && (check == "" || f.Check == check) {
			dims = append(dims, f.Dim)
		}
	}
	slices.Sort(dims)
	return slices.Compact(dims)
}

// Err returns the error TestEnergy returns: nil when every check passed,
// otherwise every check's failures, at most a few per check, the
// gradient's worst first.
func (r *Report) Err() error {
	if len(r.Failures) == 0 {
		return nil
	}
	var checks []string
	by := map[string][]Failure{}
	for _, f := range r.Failures {
		if by[f.Check] == nil {
			checks = append(checks, f.Check)
		}
		by[f.Check] = append(by[f.Check], f)
	}
	var msgs []string
	for _, c := range checks {
		fs := by[c]
		if c == CheckGradient {
			fs = slices.Clone(fs)
			// Worst first (NaN ratios first of all).
			slices.SortStableFunc(fs, func(a, b Failure) int {
				if math.IsNaN(a.Excess) || a.Excess > b.Excess {
					return -1
				}
				if math.IsNaN(b.Excess) || a.Excess < b.Excess {
					return 1
				}
				return 0
			})
			msgs = append(msgs, fmt.Sprintf("%s: %d of %d components differ from central differences beyond max(GradAbsTol, GradRelTol·‖∇E(x)‖∞); worst first:",
				c, len(fs), r.GradientCompared))
			for _, f := range fs[:min(len(fs), maxPerCheck-1)] {
				msgs = append(msgs, f.String())
			}
			continue
		}
		for i, f := range fs {
			if i == maxPerCheck {
				msgs = append(msgs, c+": (further failures of this check not shown)")
				break
			}
			msgs = append(msgs, f.String())
		}
	}
	return errors.New("energytest: " + strings.Join(msgs, "\n\t"))
}

// fail records a failure that is not about one dimension or point.
func (r *Report) fail(check, format string, args ...any) {
	r.failAt(check, -1, -1, nil, format, args...)
}

// failAt records a failure about dimension dim (or −1) at row row of the
// test points x (or −1 and nil).
func (r *Report) failAt(check string, dim, row int, x []float64, format string, args ...any) {
	r.Failures = append(r.Failures, Failure{Check: check, Dim: dim, Row: row, X: x, Message: fmt.Sprintf(format, args...)})
}

// count returns how many failures check has.
func (r *Report) count(check string) int {
	n := 0
	for _, f := range r.Failures {
		if f.Check == check {
			n++
		}
	}
	return n
}
