package samplers

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

// Windows is the mass-matrix adaptation schedule of Stan's windowed warmup
// for one warmup length. It depends on the warmup length alone, so every
// chain (and every shard) follows the same schedule.
type Windows struct {
	warmup           int
	initBuf, termBuf int             // collection runs over [initBuf, warmup−termBuf)
	ends             [maxWindows]int // iterations at which a window ends
	n                int             // number of windows (0: no mass adaptation)
}

// NewWindows computes Stan's schedule for warmup iterations: buffers 75 and
// 50 and a first window of 25 when warmup ≥ 150; otherwise 15% / 75% / 10% of
// warmup (truncated), as Stan does; none at all when warmup < 20.
func NewWindows(warmup int) Windows {
	w := Windows{warmup: warmup}
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

// Warmup is the warmup length the schedule was made for.
func (w *Windows) Warmup() int { return w.warmup }

// Buffers returns the lengths of the initial and terminal fast buffers (0
// and 0 when there is no mass adaptation).
func (w *Windows) Buffers() (init, term int) { return w.initBuf, w.termBuf }

// Ends lists the iterations at which a slow window ends (a fresh slice;
// empty when there is no mass adaptation).
func (w *Windows) Ends() []int { return append([]int(nil), w.ends[:w.n]...) }

// At reports whether warmup iteration i contributes a draw to the variance
// estimate and whether a window ends there (the estimate is then turned
// into a new inverse mass).
func (w *Windows) At(i int) (collect, end bool) {
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

// Adapter is the warmup of one shard of a gradient sampler, in the manner of
// Stan's windowed adaptation: per chain, a step size tuned by dual averaging
// (Hoffman & Gelman 2014) toward a target acceptance and a diagonal inverse
// mass re-estimated from the draws of each slow window (see Windows), the
// step size searched again after every window and frozen at its averaged
// value when warmup ends. HMC and NUTS use it; any sampler that integrates
// with a diagonal mass can, from outside the package too.
//
// A kernel reads Eps and InvM for its transition and brackets it with the
// two calls
//
//	a.Begin(c, it)          // before the transition
//	… the transition, with step a.Eps[i] and inverse mass row i of a.InvM …
//	a.End(c, it, accept)    // after it: accept[i] is chain i's acceptance
//
// at every iteration, warmup or not. Begin and End are Learn, Restart,
// Freeze and SearchStepSize put together; a sampler that wants another
// composition calls those itself. Without adaptation (adapt = false at
// NewAdapter) Eps and InvM never change and every method does nothing.
//
// The step-size searches draw from c.Rng[i] (d normals per trial, see
// SearchStepSize); nothing else here draws random numbers.
type Adapter struct {
	// Eps is each chain's step size for the next transition (N values).
	Eps []float64
	// InvM is each chain's diagonal inverse mass, N×d, row i chain i's;
	// 1 until the first window ends.
	InvM []float64

	on     bool
	target float64
	d      int
	da     []DualAveraging
	mean   []float64 // N×d Welford running means of the window's draws
	m2     []float64 // N×d Welford sums of squared deviations
	count  int       // draws in the current window (the same for every chain)
	sched  Windows
	init   bool // the initial step-size search has run
	frozen bool // warmup is over: ε is the averaged step size

	// step-size search scratch, allocated at the first search
	lf         *Leapfrog
	x, p, g, e []float64
}

// NewAdapter allocates the warmup state of a shard of n chains of dimension
// d, every chain starting at step size eps0 and unit inverse mass; target
// is the mean acceptance dual averaging aims at. With adapt false nothing
// adapts.
func NewAdapter(n, d int, eps0, target float64, adapt bool) *Adapter {
	a := &Adapter{on: adapt, target: target, d: d, Eps: make([]float64, n), InvM: make([]float64, n*d)}
	for i := range a.Eps {
		a.Eps[i] = eps0
	}
	for j := range a.InvM {
		a.InvM[j] = 1
	}
	if adapt {
		a.da = make([]DualAveraging, n)
		for i := range a.da {
			a.da[i] = NewDualAveraging(eps0, target)
		}
		a.mean = make([]float64, n*d)
		a.m2 = make([]float64, n*d)
	}
	return a
}

// Adapting reports whether the adapter adapts (adapt was true).
func (a *Adapter) Adapting() bool { return a.on }

// Target is the mean acceptance probability dual averaging aims at.
func (a *Adapter) Target() float64 { return a.target }

// Begin is called before every transition. At the first warmup iteration it
// searches every chain's initial step size (SearchStepSize) and restarts
// dual averaging from it; after warmup it freezes the step sizes at their
// averaged values (once).
func (a *Adapter) Begin(c *Chains, it Iter) {
	if a.on && it.IsWarmup() && !a.init {
		a.SearchStepSize(c)
		a.Restart()
		a.init = true
	}
	if !it.IsWarmup() {
		a.Freeze()
	}
}

// End is called after every transition with each chain's acceptance
// statistic (NaN counts as 0). During warmup it feeds them to Learn; when a
// window ended it searches the step sizes again under the new inverse mass
// and restarts dual averaging from them, as Stan does.
func (a *Adapter) End(c *Chains, it Iter, accept []float64) {
	if a.Learn(c, it, accept) {
		a.SearchStepSize(c)
		a.Restart()
	}
}

// Learn feeds the transition just taken: accept[i] is chain i's acceptance
// statistic and c.X its new position. During warmup it updates every
// chain's step size by dual averaging and, following the Windows schedule,
// its inverse mass; it returns true when a window ended and the inverse
// masses changed. On the last warmup iteration every step size is frozen at
// its averaged value. Outside warmup, or without adaptation, it does
// nothing.
//
// The inverse mass is the window's sample variance (Welford), shrunk toward
// 1e-3 as Stan does: (n/(n+5))·var + 1e-3·5/(n+5) for n draws.
func (a *Adapter) Learn(c *Chains, it Iter, accept []float64) (windowEnded bool) {
	if !a.on || !it.IsWarmup() {
		return false
	}
	if a.sched.warmup != it.Warmup {
		a.sched = NewWindows(it.Warmup)
	}
	for i := range a.Eps {
		a.Eps[i] = a.da[i].Update(accept[i])
	}
	collect, end := a.sched.At(it.I)
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
		n := float64(a.count)
		for j := range a.InvM {
			v := a.m2[j] / (n - 1)
			a.InvM[j] = n/(n+5)*v + 1e-3*5/(n+5)
			a.mean[j], a.m2[j] = 0, 0
		}
		a.count = 0
		windowEnded = true
	}
	if it.I == it.Warmup-1 {
		a.Freeze()
	}
	return windowEnded
}

// Restart starts every chain's dual averaging again from its current step
// size (after a search, as Stan does).
func (a *Adapter) Restart() {
	for i := range a.da {
		a.da[i].Restart(a.Eps[i])
	}
}

// Freeze sets every step size to its dual-averaged value, once; later calls
// do nothing. Without adaptation it does nothing.
func (a *Adapter) Freeze() {
	if !a.on || a.frozen {
		return
	}
	for i := range a.Eps {
		a.Eps[i] = a.da[i].Final()
	}
	a.frozen = true
}

// SearchStepSize runs the package's SearchStepSize on every chain from its
// current Eps under the current InvM, with scratch of the adapter's own.
// It does not restart dual averaging (Restart does).
func (a *Adapter) SearchStepSize(c *Chains) {
	if a.lf == nil {
		n, d := len(a.Eps), a.d
		a.lf = NewLeapfrog(n, d)
		a.x, a.p, a.g, a.e = make([]float64, n*d), make([]float64, n*d), make([]float64, n*d), make([]float64, n)
	}
	SearchStepSize(c, a.lf, a.Eps, a.InvM, a.x, a.p, a.g, a.e)
}
