package samplers

// NUTS is the No-U-Turn sampler (Hoffman & Gelman 2014, "The No-U-Turn
// sampler: adaptively setting path lengths in Hamiltonian Monte Carlo") in
// the form Stan uses (Betancourt 2017, "A conceptual introduction to
// Hamiltonian Monte Carlo"): multinomial sampling over the trajectory,
// biased progressive sampling when a new subtree is joined to the tree,
// uniform progressive sampling inside subtrees, and the generalized U-turn
// criterion p♯ᵀρ > 0 (p♯ = M⁻¹p, ρ the summed momenta)
// checked on every merged subtree together with the two extra checks that
// straddle the merge (Stan ≥ 2.21).
//
// # Design: lockstep trees over a batch
//
// Every chain of a shard builds its own tree, but the leapfrog steps of all
// chains are taken together: each round of the transition does one leapfrog
// step for every chain still building (their rows are gathered into one
// batch, evaluated with a single c.EvalGradient, and scattered back), then
// each of those chains processes its new leaf. Chains whose tree has stopped
// (U-turn, divergence or max_depth) wait until the last one finishes.
//
// The tree is built iteratively. A chain keeps two trajectory ends in N×d
// arrays: "cur", the end being extended, and "oth", the other one; when a
// doubling goes the other way the two rows are swapped, and the signed step
// ε·dir makes backward integration the same leapfrog. The subtree being
// built is kept as a small stack of checkpoints (at most max_depth+1), one
// per completed sub-subtree still waiting for its sibling: its log weight,
// ρ, the momenta at its first and last leaves, and its multinomial proposal.
// A new leaf is pushed; while the two top entries have the same size they
// are merged (uniform progressive sampling of the proposal, U-turn checks),
// so a subtree of 2^j leaves is complete when one entry of that size is
// left. It is then joined to the whole tree with biased progressive
// sampling and the U-turn checks across the join, and the next doubling
// starts. An invalid subtree (divergence or inner U-turn) is discarded and
// ends the transition, as in the recursive algorithm, with the same leaves
// built and the same random draws in the same order.
//
// Each chain draws from c.Rng[i], per transition and in order: d normals for
// the momentum, then for each doubling one uniform for its direction, one
// uniform per subtree merge, and one uniform when the subtree joins the tree.
//
// The acceptance statistic (Stats.AcceptSum, and what dual averaging is fed)
// is Stan's: the mean over every leaf built, including those of a discarded
// subtree, of min(1, exp(H0 − H)). Stats.TreeDepth adds the number of
// completed doublings. Adaptation is HMC's: the same Adapter, called the same way.

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/rng"
)

// NUTS is the No-U-Turn sampler (Hoffman & Gelman 2014; the comment at the
// top of nuts.go describes the algorithm and the batched design):
// multinomial, generalized U-turn criterion, diagonal mass matrix, step size and mass adapted per chain
// during warmup by Stan's windowed scheme.
type NUTS struct {
	StepSize     float64 `toml:"step_size" doc:"leapfrog step ε: the starting point of the adaptation, or the step used throughout when adapt = false"`
	MaxDepth     int     `toml:"max_depth" doc:"maximum number of trajectory doublings per transition (at most 2^max_depth − 1 leapfrog steps)"`
	TargetAccept float64 `toml:"target_accept" doc:"mean acceptance statistic the warmup adapts ε toward, in (0, 1)"`
	Adapt        bool    `toml:"adapt" doc:"adapt ε and a diagonal inverse mass per chain during warmup (Stan's windows), frozen afterwards"`
}

func init() { Register("nuts", func() Sampler { return NewNUTS() }) }

// NewNUTS returns a NUTS sampler with its defaults: step_size 0.1,
// max_depth 10, target_accept 0.8, adapt true.
func NewNUTS() *NUTS { return &NUTS{StepSize: 0.1, MaxDepth: 10, TargetAccept: 0.8, Adapt: true} }

// Description is the one-line summary shown by `ebmrun list`.
func (s *NUTS) Description() string {
	return "No-U-Turn sampler (multinomial, generalized U-turn), step size and diagonal mass adapted per chain"
}

// Validate checks the keys.
func (s *NUTS) Validate() error {
	if err := checkStep(s.StepSize); err != nil {
		return err
	}
	if s.MaxDepth < 1 || s.MaxDepth > 30 {
		return fmt.Errorf("max_depth must be in 1…30, got %d", s.MaxDepth)
	}
	return checkTarget(s.TargetAccept)
}

// Start computes the initial energies and gradients and returns the kernel
// holding this shard's per-chain trees and scratch.
func (s *NUTS) Start(c *Chains) (Kernel, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("samplers: nuts: %w", err)
	}
	c.EvalGradient(c.E, c.Grad, c.X)
	if err := checkStartRows(c, true); err != nil {
		return nil, fmt.Errorf("samplers: nuts: %w", err)
	}
	n, d := c.N, c.Dim
	k := &nutsKernel{maxDepth: s.MaxDepth,
		ad: NewAdapter(n, d, s.StepSize, s.TargetAccept, s.Adapt),
		lf: NewLeapfrog(n, d),
		cur: nutsEnds{x: make([]float64, n*d), p: make([]float64, n*d), g: make([]float64, n*d),
			e: make([]float64, n)},
		oth: nutsEnds{x: make([]float64, n*d), p: make([]float64, n*d), g: make([]float64, n*d),
			e: make([]float64, n)},
		step: make([]float64, n), acc: make([]float64, n), tree: make([]nutsTree, n)}
	// One slab for every chain's vectors: 4 for the tree, 5 per checkpoint.
	per := (4 + 5*(s.MaxDepth+1)) * d
	slab := make([]float64, n*per)
	next := func() []float64 {
		v := slab[:d:d]
		slab = slab[d:]
		return v
	}
	for i := range k.tree {
		t := &k.tree[i]
		t.rho, t.pNear, t.x, t.g = next(), next(), next(), next()
		t.stack = make([]nutsNode, s.MaxDepth+1)
		for j := range t.stack {
			nd := &t.stack[j]
			nd.rho, nd.pBeg, nd.pEnd, nd.x, nd.g = next(), next(), next(), next(), next()
		}
	}
	return k, nil
}

// nutsEnds holds one trajectory end of every chain (N rows).
type nutsEnds struct {
	x, p, g []float64 // N×d
	e       []float64 // N
}

// nutsNode is a checkpoint: a completed subtree of the subtree being built.
type nutsNode struct {
	size       int       // leaves
	lsw        float64   // log Σ exp(H0 − H) over its leaves
	rho        []float64 // Σ p over its leaves
	pBeg, pEnd []float64 // momenta at its first and last leaves (in build order)
	x, g       []float64 // its proposal: position and gradient
	e          float64   // and energy
	h          float64   // and Hamiltonian
}

// ends returns the node's last momentum and ρ. A leaf keeps its momentum
// in pBeg only (it is all three), which saves two copies per leaf.
func (nd *nutsNode) ends() (pEnd, rho []float64) {
	if nd.size == 1 {
		return nd.pBeg, nd.pBeg
	}
	return nd.pEnd, nd.rho
}

// nutsTree is one chain's transition in progress.
type nutsTree struct {
	h0       float64   // H at the start
	lsw      float64   // log Σ exp(H0 − H) over the whole tree
	rho      []float64 // Σ p over the whole tree
	pNear    []float64 // momentum of the tree's end that the current subtree extends
	x, g     []float64 // the sample: position and gradient
	e        float64   // and energy
	h        float64   // and Hamiltonian (with its momentum)
	div      bool      // the transition diverged
	depth    int       // completed doublings
	dir      int       // direction of the current doubling (+1 / −1)
	top      int       // checkpoints in stack
	stack    []nutsNode
	leaves   int     // leapfrog steps this transition
	sumMetro float64 // Σ min(1, exp(H0 − H)) over them
	moved    bool    // the sample changed
	done     bool
}

// nutsKernel is one shard's NUTS state, one entry per chain.
type nutsKernel struct {
	maxDepth int
	ad       *Adapter
	lf       *Leapfrog
	cur, oth nutsEnds
	step     []float64 // ε·dir per chain for the current doubling
	acc      []float64 // acceptance statistic of the last transition
	tree     []nutsTree
}

// Step advances every chain by one NUTS transition, all trees built in
// lockstep.
func (k *nutsKernel) Step(c *Chains, it Iter) {
	a := k.ad
	a.Begin(c, it)
	n, d := c.N, c.Dim
	for i := 0; i < n; i++ {
		k.begin(c, i)
	}
	for {
		rows := k.lf.Rows()
		for i := 0; i < n; i++ {
			if !k.tree[i].done {
				rows = append(rows, i)
			}
		}
		if len(rows) == 0 {
			break
		}
		k.lf.Step(c, rows, k.cur.x, k.cur.p, k.cur.g, k.cur.e, a.InvM, k.step)
		c.Stats.Leapfrogs += int64(len(rows))
		for _, i := range rows {
			k.leaf(c, i)
		}
	}
	for i := 0; i < n; i++ {
		t := &k.tree[i]
		lo, hi := i*d, (i+1)*d
		k.acc[i] = t.sumMetro / float64(t.leaves)
		c.Stats.Transitions++
		c.Stats.AcceptSum += k.acc[i]
		c.Stats.TreeDepth += int64(t.depth)
		if t.moved {
			copy(c.X[lo:hi], t.x)
			copy(c.Grad[lo:hi], t.g)
			c.E[i] = t.e
			c.Stats.Accepted++
		}
	}
	a.End(c, it, k.acc)
}

// Adapted returns each chain's step size and diagonal inverse metric.
func (k *nutsKernel) Adapted() (stepSize, invMetric []float64) { return k.ad.Eps, k.ad.InvM }

// Record reports each chain's last transition as Stan's sampler
// diagnostics: the mean acceptance over the tree, divergence, step size,
// tree depth (completed doublings), leapfrog steps and the Hamiltonian of
// the sample with its momentum (Stan's energy__).
func (k *nutsKernel) Record(c *Chains, st []DrawStats) {
	for i := range st[:c.N] {
		t := &k.tree[i]
		st[i] = DrawStats{Accept: k.acc[i], Diverged: t.div, StepSize: k.ad.Eps[i],
			TreeDepth: float64(t.depth), Steps: float64(t.leaves), Energy: t.h}
	}
}

// begin draws chain i's momentum, resets its tree to the single current
// point and starts the first doubling.
func (k *nutsKernel) begin(c *Chains, i int) {
	d := c.Dim
	lo, hi := i*d, (i+1)*d
	t := &k.tree[i]
	invM := k.ad.InvM[lo:hi]
	p := k.cur.p[lo:hi]
	drawMomentum(p, invM, &c.Rng[i])
	for _, en := range [2]*nutsEnds{&k.cur, &k.oth} {
		copy(en.x[lo:hi], c.X[lo:hi])
		copy(en.g[lo:hi], c.Grad[lo:hi])
		en.e[i] = c.E[i]
	}
	copy(k.oth.p[lo:hi], p)
	copy(t.rho, p)
	copy(t.x, c.X[lo:hi])
	copy(t.g, c.Grad[lo:hi])
	t.e = c.E[i]
	t.h0 = c.E[i] + kinetic(p, invM)
	t.h, t.div = t.h0, false
	t.lsw = 0
	t.depth, t.dir, t.top, t.leaves = 0, 0, 0, 0
	t.sumMetro = 0
	t.moved, t.done = false, false
	k.startDoubling(c, i)
}

// startDoubling draws the direction of chain i's next doubling, makes the
// end it extends the "cur" row, and empties the checkpoint stack.
func (k *nutsKernel) startDoubling(c *Chains, i int) {
	d := c.Dim
	lo, hi := i*d, (i+1)*d
	t := &k.tree[i]
	dir := -1
	if c.Rng[i].Float64() > 0.5 {
		dir = 1
	}
	if t.dir != 0 && dir != t.dir {
		swapRows(k.cur.x[lo:hi], k.oth.x[lo:hi])
		swapRows(k.cur.p[lo:hi], k.oth.p[lo:hi])
		swapRows(k.cur.g[lo:hi], k.oth.g[lo:hi])
		k.cur.e[i], k.oth.e[i] = k.oth.e[i], k.cur.e[i]
	}
	t.dir = dir
	k.step[i] = float64(dir) * k.ad.Eps[i]
	copy(t.pNear, k.cur.p[lo:hi])
	t.top = 0
}

func swapRows(a, b []float64) {
	for j := range a {
		a[j], b[j] = b[j], a[j]
	}
}

// leaf processes the point chain i's leapfrog step just reached: it
// accounts for it, detects divergence, pushes it as a checkpoint, merges
// completed subtrees, and joins a complete subtree to the tree.
func (k *nutsKernel) leaf(c *Chains, i int) {
	d := c.Dim
	lo, hi := i*d, (i+1)*d
	t := &k.tree[i]
	invM := k.ad.InvM[lo:hi]
	x, p, g, e := k.cur.x[lo:hi], k.cur.p[lo:hi], k.cur.g[lo:hi], k.cur.e[i]
	h := e + kinetic(p, invM)
	if math.IsNaN(h) {
		h = math.Inf(1)
	}
	dH := h - t.h0
	t.leaves++
	if dH > 0 {
		t.sumMetro += math.Exp(-dH)
	} else {
		t.sumMetro++
	}
	if dH > maxEnergyError || !finitePair(x, g) {
		c.Stats.Divergences++
		t.div = true
		t.done = true
		return
	}
	nd := &t.stack[t.top]
	t.top++
	nd.size, nd.lsw, nd.e, nd.h = 1, -dH, e, h
	copy(nd.pBeg, p) // a leaf's ρ and last momentum are pBeg too: see ends
	copy(nd.x, x)
	copy(nd.g, g)
	for t.top >= 2 && t.stack[t.top-1].size == t.stack[t.top-2].size {
		ok := mergeNodes(&t.stack[t.top-2], &t.stack[t.top-1], invM, &c.Rng[i])
		t.top--
		if !ok {
			t.done = true
			return
		}
	}
	if t.top != 1 || t.stack[0].size != 1<<t.depth {
		return
	}
	// The subtree is complete: join it to the tree.
	s := &t.stack[0]
	lsw, take := biasedPick(c.Rng[i].Float64(), t.lsw, s.lsw)
	if take {
		t.x, s.x = s.x, t.x
		t.g, s.g = s.g, t.g
		t.e, t.h = s.e, s.h
		t.moved = true
	}
	t.lsw = lsw
	// The far end of the tree is the other end's momentum; the near end was
	// saved when the doubling started.
	far := k.oth.p[lo:hi]
	sEnd, sRho := s.ends()
	ok := uTurnFree(far, sEnd, t.rho, sRho, invM) &&
		uTurnFree(far, s.pBeg, t.rho, s.pBeg, invM) &&
		uTurnFree(t.pNear, sEnd, sRho, t.pNear, invM)
	for j, v := range sRho {
		t.rho[j] += v
	}
	t.depth++
	if !ok || t.depth >= k.maxDepth {
		t.done = true
		return
	}
	k.startDoubling(c, i)
}

// mergeNodes merges checkpoint r (built second) into l (built first): it
// picks l's new proposal by uniform progressive sampling (one uniform from
// r) and reports whether the merged subtree and the two spans across the
// join are free of U-turns.
func mergeNodes(l, r *nutsNode, invM []float64, rs *rng.Stream) bool {
	lsw, take := uniformPick(rs.Float64(), l.lsw, r.lsw)
	if take {
		l.x, r.x = r.x, l.x
		l.g, r.g = r.g, l.g
		l.e, l.h = r.e, r.h
	}
	lEnd, lRho := l.ends()
	rEnd, rRho := r.ends()
	ok := uTurnFree(l.pBeg, rEnd, lRho, rRho, invM) &&
		uTurnFree(l.pBeg, r.pBeg, lRho, r.pBeg, invM) &&
		uTurnFree(lEnd, rEnd, rRho, lEnd, invM)
	rho := l.rho[:len(lRho)]
	for j, v := range rRho {
		rho[j] = lRho[j] + v
	}
	// l's last momentum is r's: take over the buffer that holds it.
	if r.size == 1 {
		l.pEnd, r.pBeg = r.pBeg, l.pEnd
	} else {
		l.pEnd, r.pEnd = r.pEnd, l.pEnd
	}
	l.lsw = lsw
	l.size += r.size
	return ok
}

// uniformPick is uniform progressive sampling of two subtrees with log
// weights a (built first) and b: it returns lsw = logAddExp(a, b) and
// whether u < exp(b − lsw), the second subtree's share, with the bits and
// the decision of computing exactly those two expressions, but usually
// without the second exponential. The share is also t/(1+t) or 1/(1+t),
// with t = exp(−|a − b|) the exponential logAddExp computes; that quotient
// differs from math.Exp(b − lsw) by a relative error below 2⁻⁴⁸·(1 + |a| +
// |b| + |lsw|) (a few roundings, each relative to the magnitudes involved).
// Outside a margin 2⁸ times wider the quotient decides; inside it (or for
// non-finite weights, or shares near underflow) math.Exp does.
func uniformPick(u, a, b float64) (lsw float64, take bool) {
	hi, lo := a, b
	if a < b {
		hi, lo = b, a
	}
	if !(lo-hi > -700) { // a NaN or infinite weight, or a share near underflow
		lsw = logAddExp(a, b)
		return lsw, u < math.Exp(b-lsw)
	}
	t := math.Exp(lo - hi)
	lsw = hi + math.Log1p(t) // = logAddExp(a, b): both finite
	q := 1 / (1 + t)
	if b == lo && a != b {
		q = t / (1 + t)
	}
	m := 0x1p-40 * (1 + math.Abs(a) + math.Abs(b) + math.Abs(lsw))
	switch {
	case u < q*(1-m):
		return lsw, true
	case u >= q*(1+m):
		return lsw, false
	}
	return lsw, u < math.Exp(b-lsw)
}

// biasedPick is biased progressive sampling of a new subtree with log
// weight b joining a tree of log weight a: it returns logAddExp(a, b) and
// whether u < exp(b − a), for u in [0, 1), sharing the one exponential the
// two need (when b < a it is the same expression; otherwise exp(b − a) ≥ 1
// and the subtree is taken).
func biasedPick(u, a, b float64) (lsw float64, take bool) {
	if math.IsInf(a, 0) || math.IsInf(b, 0) || math.IsNaN(a) || math.IsNaN(b) {
		return logAddExp(a, b), u < math.Exp(b-a)
	}
	if b < a {
		t := math.Exp(b - a)
		return a + math.Log1p(t), u < t
	}
	return b + math.Log1p(math.Exp(a-b)), true
}

// uTurnFree is the generalized no-U-turn criterion for a span whose end
// momenta are a and b and whose summed momentum is r1 + r2:
// (M⁻¹a)·ρ > 0 and (M⁻¹b)·ρ > 0.
func uTurnFree(a, b, r1, r2, invM []float64) bool {
	n := len(invM)
	a, b, r1, r2 = a[:n], b[:n], r1[:n], r2[:n]
	sa, sb := 0.0, 0.0
	for j, m := range invM {
		rho := r1[j] + r2[j]
		sa += m * a[j] * rho
		sb += m * b[j] * rho
	}
	return sa > 0 && sb > 0
}

// finitePair reports whether every value of x and g (as long as x) is
// finite: v·0 is ±0 for a finite v and NaN for an infinite or NaN one.
func finitePair(x, g []float64) bool {
	g = g[:len(x)]
	s := 0.0
	for j, v := range x {
		s += v * 0
		s += g[j] * 0
	}
	return s == 0
}

// logAddExp returns log(exp(a) + exp(b)) without overflow.
func logAddExp(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if math.IsInf(b, -1) {
		return a
	}
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

var (
	_ Sampler  = (*NUTS)(nil)
	_ Recorder = (*nutsKernel)(nil)
	_ Adapted  = (*nutsKernel)(nil)
	_ Sampler  = (*HMC)(nil)
	_ Recorder = (*hmcKernel)(nil)
	_ Adapted  = (*hmcKernel)(nil)
)
