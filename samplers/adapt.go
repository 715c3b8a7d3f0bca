package samplers

import "math"

// DualAveraging adapts a step size toward a target mean acceptance
// probability (Hoffman & Gelman 2014, Algorithm 5, with Stan's constants
// γ = 0.05, t0 = 10, κ = 0.75 and μ = log(10 ε0)). One value per chain;
// make it with NewDualAveraging (the zero value has no starting step).
// The usual cycle: Update after every warmup transition, using the step it
// returns for the next one; Restart when the problem changes (a new mass
// matrix); Final for the step to keep after warmup.
type DualAveraging struct {
	Target    float64 // target acceptance probability
	mu        float64
	logEps    float64
	logEpsBar float64
	hBar      float64
	t         float64
}

const (
	daGamma = 0.05
	daT0    = 10.0
	daKappa = 0.75
)

// NewDualAveraging starts adaptation from step size eps0.
func NewDualAveraging(eps0, target float64) DualAveraging {
	d := DualAveraging{Target: target}
	d.Restart(eps0)
	return d
}

// Restart forgets the history and starts again from eps0 (Stan restarts after
// each mass-matrix update).
func (d *DualAveraging) Restart(eps0 float64) {
	d.mu = math.Log(10 * eps0)
	d.logEps = math.Log(eps0)
	d.logEpsBar = 0
	d.hBar = 0
	d.t = 0
}

// Update feeds the acceptance probability of the last transition (NaN counts
// as 0) and returns the step size to use next.
func (d *DualAveraging) Update(accept float64) float64 {
	if !(accept >= 0) { // NaN or negative
		accept = 0
	}
	accept = min(accept, 1)
	d.t++
	w := 1 / (d.t + daT0)
	d.hBar = (1-w)*d.hBar + w*(d.Target-accept)
	d.logEps = d.mu - math.Sqrt(d.t)/daGamma*d.hBar
	eta := math.Pow(d.t, -daKappa)
	d.logEpsBar = eta*d.logEps + (1-eta)*d.logEpsBar
	return math.Exp(d.logEps)
}

// Current returns the step size Update last returned (ε0 before any
// update, or after Restart).
func (d *DualAveraging) Current() float64 { return math.Exp(d.logEps) }

// Iterations returns the number of updates since the last Restart.
func (d *DualAveraging) Iterations() int { return int(d.t) }

// Final returns the averaged step size to use after warmup (or the current
// one when no update has happened yet).
func (d *DualAveraging) Final() float64 {
	if d.t == 0 {
		return math.Exp(d.logEps)
	}
	return math.Exp(d.logEpsBar)
}
