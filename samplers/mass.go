package samplers

import (
	"math"

	"github.com/goebm/ebm/rng"
)

// Stan's windowed warmup: a fast initial buffer where only the step size
// adapts, a series of slow windows (the first of 25 iterations, each next one
// twice as long, the last stretched to the terminal buffer) at whose ends the
// inverse mass is re-estimated, and a fast terminal buffer for the step size.
const (
	windowInitBuffer = 75
	windowTermBuffer = 50
	windowBase       = 25
	windowMinWarmup  = 20 // below this Stan adapts the step size only
	maxWindows       = 64 // window lengths double, so far more than enough
)

// windows is the mass-matrix adaptation schedule for one warmup length. It
// depends on the warmup length alone, so every chain (and every shard)
// follows the same schedule.
type windows struct {
	warmup           int
	initBuf, termBuf int             // collection runs over [initBuf, warmup−termBuf)
	ends             [maxWindows]int // iterations at which a window ends
	n                int             // number of windows (0: no mass adaptation)
}

// newWindows computes Stan's schedule for warmup iterations: buffers 75 and
// 50 and a first window of 25 when warmup ≥ 150; otherwise 15% / 75% / 10% of
// warmup (truncated), as Stan does; none at all when warmup < 20.
func newWindows(warmup int) windows {
	w := windows{warmup: warmup}
	if warmup < windowMinWarmup {
		return w
	}
	w.initBuf, w.termBuf = windowInitBuffer, windowTermBuffer
	base := windowBase
	if w.initBuf+base+w.termBuf > warmup {
		w.initBuf = int(0.15 * float64(warmup))
		w.termBuf = int(0.1 * float64(warmup))
		base = warmup - (w.initBuf + w.termBuf)
	}
	last := warmup - w.termBuf - 1 // the last slow window ends here
	size := base
	end := w.initBuf + size - 1
	for w.n < maxWindows {
		w.ends[w.n] = end
		w.n++
		if end >= last {
			break
		}
		// The next window doubles; when the one after it would not fit
		// before the terminal buffer, the next one absorbs the rest.
		size *= 2
		end += size
		if end+2*size >= last+1 {
			end = last
		}
	}
	return w
}

// at reports whether iteration i contributes a draw to the variance estimate
// and whether a window ends there (the estimate is then turned into a new
// inverse mass).
func (w *windows) at(i int) (collect, end bool) {
	if w.n == 0 || i >= w.warmup {
		return false, false
	}
	collect = i >= w.initBuf && i < w.warmup-w.termBuf
	for _, e := range w.ends[:w.n] {
		if e == i {
			return collect, true
		}
	}
	return collect, false
}

// adaptation is the warmup state of one shard, one entry per chain: the step
// size and its dual averaging, and the diagonal inverse mass with its
// Welford accumulators. HMC and NUTS share it.
type adaptation struct {
	on     bool      // adapt = true
	target float64   // target acceptance
	eps    []float64 // current step size per chain
	da     []DualAveraging
	invM   []float64 // N×d diagonal inverse mass (1 until adapted)
	mean   []float64 // N×d Welford running means of the window's draws
	m2     []float64 // N×d Welford sums of squared deviations
	count  int       // draws in the current window (the same for every chain)
	sched  windows
	h0     []float64 // step-size search scratch: H before the trial step
	dir    []int8    // step-size search scratch: 0 unknown, +1 doubling, −1 halving
	init   bool      // the initial step-size search has run
	frozen bool      // warmup is over: ε is the averaged step size
}

// newAdaptation allocates the per-chain state for n chains of dimension d,
// every chain starting at step size eps0 and unit inverse mass.
func newAdaptation(n, d int, eps0, target float64, on bool) adaptation {
	a := adaptation{on: on, target: target, eps: make([]float64, n), invM: make([]float64, n*d)}
	for i := range a.eps {
		a.eps[i] = eps0
	}
	for j := range a.invM {
		a.invM[j] = 1
	}
	if on {
		a.da = make([]DualAveraging, n)
		for i := range a.da {
			a.da[i] = NewDualAveraging(eps0, target)
		}
		a.mean = make([]float64, n*d)
		a.m2 = make([]float64, n*d)
		a.h0 = make([]float64, n)
		a.dir = make([]int8, n)
	}
	return a
}

// learn feeds the transition just taken: accept[i] is chain i's acceptance
// statistic and c.X its new position. It updates every chain's step size
// and, following the schedule, its inverse mass; it returns true when a
// window ended and the inverse masses changed, in which case the caller
// re-runs the step-size search and then calls restart. On the last warmup
// iteration every step size is frozen at its averaged value.
func (a *adaptation) learn(c *Chains, it Iter, accept []float64) (windowEnded bool) {
	if !a.on || !it.IsWarmup() {
		return false
	}
	if a.sched.warmup != it.Warmup {
		a.sched = newWindows(it.Warmup)
	}
	for i := range a.eps {
		a.eps[i] = a.da[i].Update(accept[i])
	}
	collect, end := a.sched.at(it.I)
	d := c.Dim
	if collect {
		a.count++
		w := 1 / float64(a.count)
		for j, x := range c.X[:c.N*d] {
			delta := x - a.mean[j]
			a.mean[j] += delta * w
			a.m2[j] += delta * (x - a.mean[j])
		}
	}
	if end && a.count >= 2 {
		// Sample variance, shrunk toward 1e-3 as Stan does:
		// (n/(n+5))·var + 1e-3·5/(n+5).
		n := float64(a.count)
		for j := range a.invM {
			v := a.m2[j] / (n - 1)
			a.invM[j] = n/(n+5)*v + 1e-3*5/(n+5)
			a.mean[j], a.m2[j] = 0, 0
		}
		a.count = 0
		windowEnded = true
	}
	if it.I == it.Warmup-1 {
		a.freeze()
	}
	return windowEnded
}

// restart starts every chain's dual averaging again from its current step
// size (after a window, as Stan does).
func (a *adaptation) restart() {
	for i := range a.da {
		a.da[i].Restart(a.eps[i])
	}
}

// freeze sets every step size to its averaged value, once.
func (a *adaptation) freeze() {
	if !a.on || a.frozen {
		return
	}
	for i := range a.eps {
		a.eps[i] = a.da[i].Final()
	}
	a.frozen = true
}

// kinetic returns ½ pᵀ M⁻¹ p for one row.
func kinetic(p, invM []float64) float64 {
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
