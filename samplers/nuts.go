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
// step for every chain still building (their positions written packed into
// one batch and evaluated with a single c.EvalGradient), then each of those
// chains processes its new leaf. Chains whose tree has stopped (U-turn,
// divergence or max_depth) wait until the last one finishes.
//
// The tree is built iteratively. A chain keeps two trajectory ends: "cur",
// the end being extended (its momentum in a row of p, its position and
// gradient in the last batch, which the next step reads and writes the next
// batch from: no gather or scatter), and the other one (rows of ox, op,
// og); when a doubling goes the other way the two are swapped, and the
// signed step ε·dir makes backward integration the same leapfrog. The
// per-leaf work is fused: one pass per chain before the gradient, one after
// (momentum, kinetic energy, finiteness, and the copy into the leaf's
// checkpoint), and the batch's exponentials in a loop of their own. Rows
// long enough for vector code to pay (simd.NUTSVector) run these passes,
// the momentum draw and the U-turn checks on simd's NUTS kernels, shorter
// ones the loops here: the same expressions, so the same bits. The subtree being
// built is kept as a small stack of checkpoints (at most max_depth+1), one
// per completed sub-subtree still waiting for its sibling: its weight,
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
// Weights are kept as plain sums of exp(H0 − H) over leaves, not as
// log-sum-exps: one exponential per leaf (which the acceptance statistic
// needs anyway) and none per merge. A pick compares u with the ratio of two
// sums, which equals Stan's exp(log w₂ − log-sum-exp) but for rounding (a
// relative 2⁻⁵⁰ or so: a different pick only when u falls that close to the
// threshold). Should a leaf's exp(H0 − H) exceed 2⁹⁰⁰ (an energy drop of
// over 624 along the trajectory, far from equilibrium), the tree's weights
// are rescaled to that leaf (nutsTree.shift), so the sums never overflow.
//
// # Two layouts
//
// The kernel above keeps each chain's vectors in rows (nutsKernel). A
// second kernel, nutsLanes (nuts_lanes.go), runs the same algorithm with
// the chains' vectors laid out across chains, eight lanes to a vector
// register: every pass then does eight chains' work per instruction
// instead of one chain's d values, which at short rows (a row of ten is
// one vector and a remainder, and every sum adds its terms one after the
// other) costs about half as much. It is chosen where the implementation has
// lane kernels (simd.NUTSLanes), a shard has 8 chains or more and d ≤ 48
// (nutsLanesFor), and gives the same draws bit for bit
// (TestNUTSLanesBitIdentical).
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
	"github.com/goebm/ebm/simd"
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
	if nutsLanesFor(n, d) {
		return newNUTSLanes(s, n, d), nil
	}
	k := &nutsKernel{maxDepth: s.MaxDepth,
		ad:   NewAdapter(n, d, s.StepSize, s.TargetAccept, s.Adapt),
		rows: make([]int, 0, n), slot: make([]int, n), be: make([]float64, n),
		lh: make([]float64, n), lw: make([]float64, n), fin: make([]bool, n),
		p:  make([]float64, n*d),
		ox: make([]float64, n*d), op: make([]float64, n*d), og: make([]float64, n*d),
		step: make([]float64, n), acc: make([]float64, n), tree: make([]nutsTree, n)}
	// One slab for every chain's vectors: 4 for the tree, 5 per checkpoint.
	per := (4 + 5*(s.MaxDepth+1)) * d
	slab := make([]float64, n*per)
	for b := range k.bx {
		k.bx[b], k.bg[b] = make([]float64, n*d), make([]float64, n*d)
	}
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

// nutsNode is a checkpoint: a completed subtree of the subtree being built.
type nutsNode struct {
	size       int       // leaves
	w          float64   // Σ exp(H0 − H − shift) over its leaves (see nutsTree.shift)
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
	w        float64   // Σ exp(H0 − H − shift) over the whole tree
	shift    float64   // log scale of the weights w: 0 unless a leaf's H0 − H passed rescaleAbove
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
	far0     bool    // the far end is the starting point (see begin)
	done     bool
}

// nutsKernel is one shard's NUTS state, one entry per chain.
type nutsKernel struct {
	maxDepth int
	ad       *Adapter
	// The end being extended ("cur") of the chains that step together:
	// the momenta are rows of p (chain i's row i); the positions and
	// gradients are rows of the batch the gradient is evaluated on, bx[a]
	// and bg[a], chain i's at row slot[i]. A leapfrog step reads them there
	// and writes the new ones to the other batch (a flips), packed in the
	// order of rows, so there is no gather or scatter.
	rows   []int
	first  bool // the next leapfrog step is the transition's first
	vec    bool // the rows run on simd's NUTS kernels (simd.NUTSVector)
	slot   []int
	a      int
	bx, bg [2][]float64 // N×d
	be     []float64    // N: the batch's energies
	lh, lw []float64    // N: the batch's leaves' H and weights
	fin    []bool       // N: and whether their x and g are finite
	p      []float64    // N×d
	ox, op []float64    // N×d: the other end ("oth"): position, momentum,
	og     []float64    // and gradient
	step   []float64    // ε·dir per chain for the current doubling
	acc    []float64    // acceptance statistic of the last transition
	tree   []nutsTree
}

// Step advances every chain by one NUTS transition, all trees built in
// lockstep.
func (k *nutsKernel) Step(c *Chains, it Iter) {
	a := k.ad
	a.Begin(c, it)
	n, d := c.N, c.Dim
	k.vec = simd.NUTSVector(d)
	// The momenta's normals, every row's first (each stream's draws keep
	// their order: begin draws the first direction after them).
	rng.FillNormRows(c.Rng, k.p, d)
	for i := 0; i < n; i++ {
		k.begin(c, i)
	}
	// The chains still building: every chain at first, then those of the
	// last round whose tree is not done (a tree never restarts).
	k.first = true
	rows := k.rows[:0]
	for i := 0; i < n; i++ {
		if !k.tree[i].done {
			rows = append(rows, i)
		}
	}
	for len(rows) > 0 {
		k.leapfrog(c, rows)
		next := rows[:0]
		for _, i := range rows {
			if !k.tree[i].done {
				next = append(next, i)
			}
		}
		rows = next
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

// begin makes chain i's momentum p ~ N(0, M) of the standard normals in
// its row of cur.p (drawMomentum's values), resets its tree to the single
// current point and starts the first doubling.
func (k *nutsKernel) begin(c *Chains, i int) {
	d := c.Dim
	lo, hi := i*d, (i+1)*d
	t := &k.tree[i]
	invM := k.ad.InvM[lo:hi]
	p := k.p[lo:hi]
	op, rho := k.op[lo:hi][:len(p)], t.rho[:len(p)]
	invM = invM[:len(p)]
	// Both ends of the tree are the starting point: the first leapfrog
	// step reads its position and gradient from c.X and c.Grad, and the
	// far end's (ox, og) are written when a doubling first turns back
	// (t.far0). The sample t.x, t.g is only read once moved.
	var sum float64
	if k.vec {
		sum = simd.NUTSMomentum(p, op, rho, invM)
	} else {
		for j, m := range invM {
			v := p[j] / math.Sqrt(m)
			p[j], op[j], rho[j] = v, v, v
			sum += float64(m * v * v) // kinetic's expression, rounded (see simd.NUTSKick)
		}
	}
	k.slot[i] = i
	t.far0 = true
	t.e = c.E[i]
	t.h0 = c.E[i] + 0.5*sum
	t.h, t.div = t.h0, false
	t.w, t.shift = 1, 0
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
		sl, sh := k.slot[i]*d, (k.slot[i]+1)*d
		if t.far0 { // the far end is the starting point
			copy(k.ox[lo:hi], k.bx[k.a][sl:sh])
			copy(k.og[lo:hi], k.bg[k.a][sl:sh])
			copy(k.bx[k.a][sl:sh], c.X[lo:hi])
			copy(k.bg[k.a][sl:sh], c.Grad[lo:hi])
			t.far0 = false
		} else {
			swapRows(k.bx[k.a][sl:sh], k.ox[lo:hi])
			swapRows(k.bg[k.a][sl:sh], k.og[lo:hi])
		}
		swapRows(k.p[lo:hi], k.op[lo:hi])
	}
	t.dir = dir
	k.step[i] = float64(dir) * k.ad.Eps[i]
	copy(t.pNear, k.p[lo:hi])
	t.top = 0
}

func swapRows(a, b []float64) {
	for j := range a {
		a[j], b[j] = b[j], a[j]
	}
}

// leapfrog takes one leapfrog step of every chain in rows (ascending),
//
//	p −= (ε/2)g;  x += ε M⁻¹p;  e, g = E(x), ∇E(x);  p −= (ε/2)g
//
// as Leapfrog.Step does, in two fused passes: the first reads each chain's
// x and g from batch a at its slot and writes the new x to the other
// batch, packed in the order of rows; then one gradient evaluation over
// that batch; the second finishes each momentum together with its
// kinetic energy and the finiteness check, and processes the leaf. Each
// value goes through the expressions of the simd reference kernels, so
// the bits are Leapfrog.Step's.
func (k *nutsKernel) leapfrog(c *Chains, rows []int) {
	d := c.Dim
	r := len(rows)
	xa, ga := k.bx[k.a], k.bg[k.a]
	if k.first { // every chain, at the starting point: see begin
		xa, ga = c.X, c.Grad
		k.first = false
	}
	k.a ^= 1
	xb, gb, eb := k.bx[k.a][:r*d], k.bg[k.a][:r*d], k.be[:r]
	invM := k.ad.InvM
	lh, lw, fin := k.lh[:r], k.lw[:r], k.fin[:r]
	vec := k.vec
	for s, i := range rows {
		src := k.slot[i] * d
		k.slot[i] = s
		if vec {
			simd.NUTSDrift(xb[s*d:(s+1)*d], xa[src:src+d], k.p[i*d:(i+1)*d], ga[src:src+d], invM[i*d:(i+1)*d], k.step[i])
			continue
		}
		h := k.step[i]
		nh := -(0.5 * h)
		p := k.p[i*d : (i+1)*d]
		m := invM[i*d : (i+1)*d][:len(p)]
		xs, gs := xa[src : src+d][:len(p)], ga[src : src+d][:len(p)]
		xd := xb[s*d : (s+1)*d][:len(p)]
		for j := range p {
			v := p[j] + float64(nh*gs[j])
			p[j] = v
			xd[j] = xs[j] + float64(h*float64(m[j]*v))
		}
	}
	c.EvalGradient(eb, gb, xb)
	c.Stats.Leapfrogs += int64(r)
	// The chains' leaves, in blocks of nutsBlock: each chain's data stays
	// in the first-level cache from its second pass to its leaf.
	for b0 := 0; b0 < r; b0 += nutsBlock {
		b1 := min(b0+nutsBlock, r)
		for s := b0; s < b1; s++ {
			i := rows[s]
			p := k.p[i*d : (i+1)*d]
			m := invM[i*d : (i+1)*d][:len(p)]
			x, g := xb[s*d : (s+1)*d][:len(p)], gb[s*d : (s+1)*d][:len(p)]
			// The leaf's checkpoint is the free entry at the top of the
			// stack (a scratch entry whatever happens): fill it here.
			t := &k.tree[i]
			nd := &t.stack[t.top]
			if vec {
				sum, ok := simd.NUTSKick(nd.pBeg, nd.x, nd.g, p, x, g, m, k.step[i])
				lh[s], lw[s] = leafH(eb[s], sum, t)
				fin[s] = ok
				continue
			}
			nh := -(0.5 * k.step[i])
			np, nx, ng := nd.pBeg[:len(p)], nd.x[:len(p)], nd.g[:len(p)]
			sum, zx, zg := 0.0, 0.0, 0.0
			for j := range p {
				v := p[j] + float64(nh*g[j])
				p[j] = v
				np[j] = v
				nx[j], ng[j] = x[j], g[j]
				sum += float64(m[j] * v * v)
				zx += x[j] * 0 // NaN unless every x[j] is finite
				zg += g[j] * 0
			}
			lh[s], lw[s] = leafH(eb[s], sum, t)
			fin[s] = zx+zg == 0
		}
		// The leaves' weights exp(H0 − H) on their trees' scales; with
		// shift 0 (all but pathological trajectories) they are also their
		// acceptance statistics. Exponentials alone, independent of one
		// another, run at their throughput, not their latency (and with
		// avx512 eight at a time: simd.ExpExact, math.Exp's bits).
		simd.ExpExact(lw[b0:b1], lw[b0:b1])
		for s := b0; s < b1; s++ {
			k.leaf(c, rows[s], eb[s], lh[s], lw[s], fin[s])
		}
	}
}

// leafH returns a leaf's Hamiltonian, of energy e and pᵀM⁻¹p = twoK
// (+Inf for NaN), and its log weight H0 − H − shift on tree t's scale.
func leafH(e, twoK float64, t *nutsTree) (h, lw float64) {
	h = e + 0.5*twoK
	if math.IsNaN(h) {
		h = math.Inf(1)
	}
	return h, -(h - t.h0) - t.shift
}

// nutsBlock is the number of chains whose leaves leapfrog finishes
// together: enough exponentials to overlap, few enough chains to stay in
// cache.
const nutsBlock = 16

// leaf processes the point chain i's leapfrog step just reached: it
// accounts for it, detects divergence, pushes it as a checkpoint, merges
// completed subtrees, and joins a complete subtree to the tree. The
// leaf's position, momentum and gradient are already in the free
// checkpoint at the top of the stack (see leapfrog); e is its energy, h
// its Hamiltonian (+Inf for NaN), w = exp(H0 − h − shift) its weight, and
// fin whether its position and gradient are finite.
func (k *nutsKernel) leaf(c *Chains, i int, e, h, w float64, fin bool) {
	d := c.Dim
	lo, hi := i*d, (i+1)*d
	t := &k.tree[i]
	invM := k.ad.InvM[lo:hi]
	dH := h - t.h0
	t.leaves++
	// min(1, exp(H0 − H)): on the unshifted scale min(1, w) (w ≥ 1
	// exactly when dH ≤ 0), without a branch on dH's sign.
	if t.shift == 0 {
		t.sumMetro += min(1, w)
	} else if dH > 0 { // a rescaled tree: rare
		t.sumMetro += math.Exp(-dH)
	} else {
		t.sumMetro++
	}
	if dH > maxEnergyError || !fin || math.IsInf(dH, -1) {
		c.Stats.Divergences++
		t.div = true
		t.done = true
		return
	}
	if w > rescaleAbove {
		t.rescale(-dH)
		w = 1
	}
	nd := &t.stack[t.top]
	t.top++
	nd.size, nd.w, nd.e, nd.h = 1, w, e, h // pBeg, x, g: see leapfrog
	// (a leaf's ρ and last momentum are pBeg too: see ends)
	for t.top >= 2 && t.stack[t.top-1].size == t.stack[t.top-2].size {
		ok := mergeNodes(&t.stack[t.top-2], &t.stack[t.top-1], invM, &c.Rng[i], k.vec)
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
	// Biased progressive sampling: the subtree's proposal replaces the
	// tree's with probability min(1, w_subtree / w_tree).
	if c.Rng[i].Float64()*t.w < s.w {
		t.x, s.x = s.x, t.x
		t.g, s.g = s.g, t.g
		t.e, t.h = s.e, s.h
		t.moved = true
	}
	t.w += s.w
	// The far end of the tree is the other end's momentum; the near end was
	// saved when the doubling started.
	var ok bool
	if t.depth == 0 { // two single points: t.rho, op and pNear are p0
		if k.vec {
			ok = simd.UTurnFree2(t.rho, t.rho, s.pBeg, invM)
		} else {
			ok = uTurnFree2(t.rho, t.rho, s.pBeg, invM)
		}
	} else {
		sEnd, sRho := s.ends()
		if k.vec {
			ok = simd.UTurnFree3(t.rho, k.op[lo:hi], t.pNear, t.rho, s.pBeg, sEnd, sRho, invM)
		} else {
			ok = uTurnFree3(t.rho, k.op[lo:hi], t.pNear, t.rho, s.pBeg, sEnd, sRho, invM)
		}
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
func mergeNodes(l, r *nutsNode, invM []float64, rs *rng.Stream, vec bool) bool {
	w := l.w + r.w
	if rs.Float64() < r.w/w { // r's share of the merged weight
		l.x, r.x = r.x, l.x
		l.g, r.g = r.g, l.g
		l.e, l.h = r.e, r.h
	}
	var ok bool
	if l.size == 1 { // two leaves: the three checks are two (uTurnFree2)
		if vec {
			ok = simd.UTurnFree2(l.rho, l.pBeg, r.pBeg, invM)
		} else {
			ok = uTurnFree2(l.rho, l.pBeg, r.pBeg, invM)
		}
	} else {
		lEnd, lRho := l.ends()
		rEnd, rRho := r.ends()
		if vec {
			ok = simd.UTurnFree3(l.rho, l.pBeg, lEnd, lRho, r.pBeg, rEnd, rRho, invM)
		} else {
			ok = uTurnFree3(l.rho, l.pBeg, lEnd, lRho, r.pBeg, rEnd, rRho, invM)
		}
	}
	// l's last momentum is r's: take over the buffer that holds it.
	if r.size == 1 {
		l.pEnd, r.pBeg = r.pBeg, l.pEnd
	} else {
		l.pEnd, r.pEnd = r.pEnd, l.pEnd
	}
	l.w = w
	l.size += r.size
	return ok
}

// rescaleAbove is the largest weight a leaf is given on its tree's scale
// before the tree's weights are rescaled to keep their sums finite
// (exp(H0 − H) overflows above 709.78).
const rescaleAbove = 0x1p900

// rescale moves the tree's weights to the scale of a leaf whose
// H0 − H = lw: every weight is multiplied by exp(shift − lw), and the new
// leaf gets weight 1. The weights that underflow to 0 there are below
// e⁻⁶²⁴ of the new leaf's: they could not be picked anyway.
func (t *nutsTree) rescale(lw float64) {
	f := math.Exp(t.shift - lw)
	t.w *= f
	for j := range t.top {
		t.stack[j].w *= f
	}
	t.shift = lw
}

// uTurnFree3 makes the three generalized no-U-turn checks of joining a
// span (first, built first) to the next one (second), writes the summed
// momentum of the two, ra + rc, to rho (which may be ra), and reports
// whether all three hold. The first span has end momenta a (its far end)
// and b (the end next to the second), summed momentum ra; the second has
// end momenta c (next to the first) and d (its far end), summed momentum
// rc. The checks are those of the whole span (a, d; ra + rc), of the
// first span with the second's first leaf (a, c; ra + c) and of the second
// span with the first's last leaf (b, d; rc + b); each is
// (M⁻¹x)·ρ > 0 and (M⁻¹y)·ρ > 0 for end momenta x, y and summed momentum ρ.
// One pass over the dimensions computes the six dot products.
func uTurnFree3(rho, a, b, ra, c, d, rc, invM []float64) bool {
	n := len(invM)
	rho, a, b, ra, c, d, rc = rho[:n], a[:n], b[:n], ra[:n], c[:n], d[:n], rc[:n]
	var s1a, s1d, s2a, s2c, s3b, s3d float64
	for j, m := range invM {
		r1 := ra[j] + rc[j]
		r2 := ra[j] + c[j]
		r3 := rc[j] + b[j]
		s1a += float64(m * a[j] * r1)
		s1d += float64(m * d[j] * r1)
		s2a += float64(m * a[j] * r2)
		s2c += float64(m * c[j] * r2)
		s3b += float64(m * b[j] * r3)
		s3d += float64(m * d[j] * r3)
		rho[j] = r1
	}
	return s1a > 0 && s1d > 0 && s2a > 0 && s2c > 0 && s3b > 0 && s3d > 0
}

// uTurnFree2 is uTurnFree3 for two single points of momenta a and c
// (a = b = ra, c = d = rc there; rho may be a): its three summed momenta are the same a + c (IEEE
// addition commutes), so its six dot products are two, each computed in
// the same order, and the result and rho are uTurnFree3's bit for bit.
func uTurnFree2(rho, a, c, invM []float64) bool {
	n := len(invM)
	rho, a, c = rho[:n], a[:n], c[:n]
	var sa, sc float64
	for j, m := range invM {
		r := a[j] + c[j]
		sa += float64(m * a[j] * r)
		sc += float64(m * c[j] * r)
		rho[j] = r
	}
	return sa > 0 && sc > 0
}

var (
	_ Sampler  = (*NUTS)(nil)
	_ Recorder = (*nutsKernel)(nil)
	_ Adapted  = (*nutsKernel)(nil)
	_ Sampler  = (*HMC)(nil)
	_ Recorder = (*hmcKernel)(nil)
	_ Adapted  = (*hmcKernel)(nil)
)
