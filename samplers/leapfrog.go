package samplers

import (
	"math"

	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// Leapfrog is the scratch through which the chains of a shard that take a
// leapfrog step together are gathered into one gradient evaluation. HMC,
// NUTS and the step-size search use it; so may a third party's gradient
// sampler. One Leapfrog serves one shard (one goroutine).
type Leapfrog struct {
	rows []int     // chains taking part, ascending (capacity N)
	x, g []float64 // gathered positions and gradients
	e    []float64 // gathered energies
	half []float64 // per-chain half steps ε/2 (full-batch steps)
}

// NewLeapfrog allocates the scratch for a shard of n chains of dimension d.
func NewLeapfrog(n, d int) *Leapfrog {
	return &Leapfrog{rows: make([]int, 0, n), x: make([]float64, n*d), g: make([]float64, n*d),
		e: make([]float64, n), half: make([]float64, n)}
}

// Rows returns an empty list of capacity N, for the caller to append the
// chains that step next (ascending). It is the same slice on every call.
func (l *Leapfrog) Rows() []int { return l.rows[:0] }

// Step takes one leapfrog step, with step eps[i] (negative to go back in
// time) and inverse mass row i of invM, for each chain i in rows, on row i
// of the N-row state x, p, g (N×d) and e (N):
//
//	p −= (ε/2)g;  x += ε M⁻¹p;  e, g = E(x), ∇E(x);  p −= (ε/2)g
//
// The updates run on the simd leapfrog kernels, over the whole batch with
// per-row steps when rows lists every chain and row by row otherwise (rows
// shorter than fusedBelow values run the kernels' reference expressions in
// two fused passes, stepShort); the
// kernels are element-wise and exact, so a chain gets the same bits either
// way (and so whatever the number of workers). The gradient is one
// evaluation over the listed rows (c.EvalGradient, so it is counted),
// gathered through l, or made in place when rows lists every chain. Rows
// not listed are left unchanged.
func (l *Leapfrog) Step(c *Chains, rows []int, x, p, g, e, invM, eps []float64) {
	d := c.Dim
	r := len(rows)
	all := r == len(e) // every chain, in order
	if d < fusedBelow {
		l.stepShort(c, rows, all, x, p, g, e, invM, eps)
		return
	}
	if all {
		for i, s := range eps {
			l.half[i] = 0.5 * s
		}
		simd.MomentumRows(p, g, l.half, d)
		simd.PositionRows(x, p, invM, eps, d)
	} else {
		for _, i := range rows {
			lo, hi := i*d, (i+1)*d
			simd.Momentum(p[lo:hi], g[lo:hi], 0.5*eps[i])
			simd.Position(x[lo:hi], p[lo:hi], invM[lo:hi], eps[i])
		}
	}
	if all {
		c.EvalGradient(e, g, x)
	} else {
		for k, i := range rows {
			copy(l.x[k*d:(k+1)*d], x[i*d:(i+1)*d])
		}
		c.EvalGradient(l.e[:r], l.g[:r*d], l.x[:r*d])
		for k, i := range rows {
			copy(g[i*d:(i+1)*d], l.g[k*d:(k+1)*d])
			e[i] = l.e[k]
		}
	}
	if all {
		simd.MomentumRows(p, g, l.half, d)
		return
	}
	for _, i := range rows {
		lo, hi := i*d, (i+1)*d
		simd.Momentum(p[lo:hi], g[lo:hi], 0.5*eps[i])
	}
}

// stepShort is Step for rows shorter than fusedBelow, where the simd row
// kernels run their reference loops: the same expressions (so the same
// bits) in one pass per row before the gradient and one after, with the
// gather and scatter folded in.
func (l *Leapfrog) stepShort(c *Chains, rows []int, all bool, x, p, g, e, invM, eps []float64) {
	d := c.Dim
	r := len(rows)
	for k, i := range rows {
		lo, hi := i*d, (i+1)*d
		xr, pr, gr, mr := x[lo:hi], p[lo:hi], g[lo:hi], invM[lo:hi]
		h := eps[i]
		nh := -(0.5 * h)
		for j := range xr {
			pr[j] += float64(nh * gr[j])
			xr[j] += float64(h * float64(mr[j]*pr[j]))
		}
		if !all {
			copy(l.x[k*d:(k+1)*d], xr)
		}
	}
	if all {
		c.EvalGradient(e, g, x)
	} else {
		c.EvalGradient(l.e[:r], l.g[:r*d], l.x[:r*d])
	}
	for k, i := range rows {
		lo, hi := i*d, (i+1)*d
		pr, gr := p[lo:hi], g[lo:hi]
		if !all {
			copy(gr, l.g[k*d:(k+1)*d])
			e[i] = l.e[k]
		}
		nh := -(0.5 * eps[i])
		for j := range pr {
			pr[j] += float64(nh * gr[j])
		}
	}
}

// SearchStepSize sets every chain's step size eps[i] as Stan's
// init_stepsize does (Hoffman & Gelman 2014, Algorithm 4, with Stan's
// threshold 0.8): from the chain's current position (c.X, c.E, c.Grad) and
// step, draw a momentum p ~ N(0, M) from c.Rng[i] (d normals) and take one
// leapfrog step; if the acceptance exp(H − H′) exceeds 0.8, keep doubling ε
// until it does not, otherwise keep halving until it does, with a fresh
// momentum per trial. A chain whose ε is not in (0, 1e7] is left alone, and
// a search stops after 100 trials or when ε leaves [1e-300, 1e7].
//
// All searching chains step together through lf. invM is the N×d diagonal
// inverse mass; x, p, g (N×d) and e (N) are scratch. The chains' positions
// are not changed; their gradient evaluations are counted in c.Stats.
func SearchStepSize(c *Chains, lf *Leapfrog, eps, invM, x, p, g, e []float64) {
	const (
		logTarget = -0.2231435513142097 // log(0.8)
		maxTrials = 100                 // 2^±100 away from the start: give up
	)
	n, d := c.N, c.Dim
	h0 := make([]float64, n) // H before the trial step
	dir := make([]int8, n)   // 0 unknown, +1 doubling, −1 halving
	rows := lf.Rows()
	for i := 0; i < n; i++ {
		if s := eps[i]; s > 0 && s <= 1e7 {
			rows = append(rows, i)
		}
	}
	for trial := 0; trial < maxTrials && len(rows) > 0; trial++ {
		for _, i := range rows {
			lo, hi := i*d, (i+1)*d
			drawMomentum(p[lo:hi], invM[lo:hi], &c.Rng[i])
			copy(x[lo:hi], c.X[lo:hi])
			copy(g[lo:hi], c.Grad[lo:hi])
			e[i] = c.E[i]
			h0[i] = c.E[i] + kinetic(p[lo:hi], invM[lo:hi])
		}
		lf.Step(c, rows, x, p, g, e, invM, eps)
		next := rows[:0]
		for _, i := range rows {
			dH := h0[i] - e[i] - kinetic(p[i*d:(i+1)*d], invM[i*d:(i+1)*d])
			if math.IsNaN(dH) {
				dH = math.Inf(-1)
			}
			up := dH > logTarget
			switch {
			case dir[i] == 0:
				dir[i] = -1
				if up {
					dir[i] = 1
				}
			case dir[i] == 1 && !up, dir[i] == -1 && up:
				continue // crossed 0.8: done
			case dir[i] == 1:
				eps[i] *= 2
			default:
				eps[i] /= 2
			}
			if eps[i] > 1e7 || eps[i] < 1e-300 {
				continue
			}
			next = append(next, i)
		}
		rows = next
	}
}

// kinetic returns ½ pᵀ M⁻¹ p for one row.
func kinetic(p, invM []float64) float64 {
	invM = invM[:len(p)]
	s := 0.0
	for j, v := range p {
		s += invM[j] * v * v
	}
	return 0.5 * s
}

// drawMomentum fills p with a draw from N(0, M), M = diag(1/invM): d normals
// from r, in order.
func drawMomentum(p, invM []float64, r *rng.Stream) {
	for j := range p {
		p[j] = r.Norm() / math.Sqrt(invM[j])
	}
}
