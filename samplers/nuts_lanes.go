package samplers

// The lane layout of the NUTS kernel (nutsLanes): the same algorithm and
// the same bits as nutsKernel (nuts.go), with every chain's vectors laid
// out across chains. Chains are lanes, in blocks of 8; a block stores a
// vector of d values per chain as d groups of 8 lanes, so coordinate j of
// lane l is v[at(j, l)] = v[(l/8)·8d + 8j + l%8]. Each pass over the
// chains' vectors then runs along lanes, block by block and coordinate by
// coordinate: every lane's sum adds its own terms in the order a row's
// loop would (hence the same bits), and eight independent lanes, not one
// chain's chain of additions, fill a vector register. At short rows
// (d = 10: one vector and a remainder per row) the per-row passes are
// bound by each sum's latency; the lanes are not. A block's d·8 values
// are contiguous, so one chain's values share cache lines with its
// block's seven others.
//
// Lockstep makes the layout possible: the chains still building have all
// taken the same number of leapfrog steps in the same doubling, so their
// checkpoint stacks have the same shape (the same number of entries, of
// the same sizes), and merges and joins happen to all of them in the same
// round. Only the random picks, the U-turn checks and divergences differ
// by lane: a pick copies a lane's values; a lane whose tree stops leaves
// the active set, and its values go on being computed (and ignored) by the
// passes until the lanes are packed again (compact), when at most half of
// them are active. The chains' random streams are held in lanes too
// during a transition (rng.LaneStates: every active lane draws at the
// same events, its stream's draws in order), and the decisions that are
// coin flips (directions, picks, a leaf's min(1, exp(H0 − H))) are made
// without branches, which a mispredicted half of the time cost more than
// the work they guard.

import (
	"math"

	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// nutsLayout forces a layout (tests): "rows" or "lanes"; "" chooses.
var nutsLayout = ""

// nutsLanesFor reports whether a shard of n chains of dimension d runs in
// the lane layout.
func nutsLanesFor(n, d int) bool {
	switch nutsLayout {
	case "rows":
		return false
	case "lanes":
		return true
	}
	return simd.NUTSLanes() && n >= laneBlock && d <= nutsLanesMaxDim
}

// nutsLanesMaxDim is the largest dimension the lane layout runs: beyond
// it the row layout's per-chain passes, on their own vector kernels, cost
// less. Samplers' BenchmarkBookkeeping (256 chains, AMD EPYC, avx512,
// 2026-12-07, the final code), a transition's bookkeeping in lanes
// against rows, ns: d = 16 474–484 / 678–697, 24 681–776 / 893–945, 32
// 967–976 / 1106–1197, 48 1407–1430 / 1487–1543, 64 1811–1816 /
// 1513–1609, 100 2966–2999 / 2339–2355; at d = 2 and 10 the lanes cost
// about half the rows' (≈ 200 and ≈ 370 against ≈ 400 and ≈ 800).
const nutsLanesMaxDim = 48

// laneNode is a checkpoint of every lane (nutsNode's fields; the size is
// the same in every lane: nutsLanes.size).
type laneNode struct {
	rho, pBeg, pEnd, x, g []float64 // blocks
	w, e, h               []float64 // per lane
}

// nutsLanes is one shard's NUTS state in the lane layout.
type nutsLanes struct {
	maxDepth int
	ad       *Adapter
	n, d     int
	L        int   // lanes in use
	chain    []int // lane → chain

	// Blocks (see at): the inverse metric; the end being extended
	// (momentum, position, gradient); the other end; the tree's ρ, the
	// momentum of its end the current subtree extends, and its sample.
	m, p, x, g    []float64
	ox, op, og    []float64
	rho, pNear    []float64
	tx, tg        []float64
	nodes         []laneNode
	size          []int // leaves of each checkpoint (the same in every lane)
	top           int   // checkpoints in use
	depth, leaves int   // completed doublings, leapfrog steps (of the active lanes)

	// Per lane.
	rs, rg             []uint64 // the chain's random stream (rng.LaneStates), its draws in u
	u                  []float64
	eps                []float64 // the chain's step size
	step, nh           []float64 // ε·dir and −(ε·dir)/2
	dir                []int8
	h0, w, shift, e, h []float64
	sumMetro           []float64
	moved              []bool
	sum, le, lw        []float64 // the leaf's 2K (then H), energy, weight
	mask               []uint8   // per block: the lanes whose leaf is finite, or free of U-turns
	active             []int     // lanes still building, ascending
	sel                []uint8   // per block: the lanes a merge or join picks, or whose ends swap

	// Per lane: the depth and leapfrog steps when the lane stopped; its
	// divergence.
	ldepth, lleaves []int
	ldiv            []bool

	// The batch the gradient is evaluated on (rows of the active lanes).
	bx, bg, be []float64
	z          []float64 // n×d: momentum draws

	// Per chain, the last transition (Record).
	acc, hOut          []float64
	depthOut, stepsOut []int
	divOut             []bool
}

// laneBlock is the number of lanes of a block (simd's).
const laneBlock = simd.LaneBlock

func newNUTSLanes(s *NUTS, n, d int) *nutsLanes {
	k := &nutsLanes{maxDepth: s.MaxDepth, ad: NewAdapter(n, d, s.StepSize, s.TargetAccept, s.Adapt), n: n, d: d}
	np := (n + laneBlock - 1) &^ (laneBlock - 1)
	vec := func() []float64 { return make([]float64, np*d) }
	sc := func() []float64 { return make([]float64, np) }
	k.chain = make([]int, n)
	k.m, k.p, k.x, k.g = vec(), vec(), vec(), vec()
	k.ox, k.op, k.og = vec(), vec(), vec()
	k.rho, k.pNear, k.tx, k.tg = vec(), vec(), vec(), vec()
	k.nodes = make([]laneNode, s.MaxDepth+1)
	for i := range k.nodes {
		k.nodes[i] = laneNode{rho: vec(), pBeg: vec(), pEnd: vec(), x: vec(), g: vec(), w: sc(), e: sc(), h: sc()}
	}
	k.size = make([]int, s.MaxDepth+1)
	k.rs, k.rg, k.u, k.eps = make([]uint64, np), make([]uint64, np), sc(), sc()
	k.step, k.nh, k.dir = sc(), sc(), make([]int8, np)
	k.h0, k.w, k.shift, k.e, k.h, k.sumMetro = sc(), sc(), sc(), sc(), sc(), sc()
	k.moved = make([]bool, np)
	k.sum, k.le, k.lw = sc(), sc(), sc()
	k.mask = make([]uint8, np/laneBlock)
	k.active, k.sel = make([]int, 0, n), make([]uint8, np/laneBlock)
	k.ldepth, k.lleaves, k.ldiv = make([]int, np), make([]int, np), make([]bool, np)
	k.bx, k.bg, k.be, k.z = make([]float64, n*d), make([]float64, n*d), make([]float64, n), make([]float64, n*d)
	k.acc, k.hOut = make([]float64, n), make([]float64, n)
	k.depthOut, k.stepsOut, k.divOut = make([]int, n), make([]int, n), make([]bool, n)
	return k
}

// at is the index of coordinate j of lane l in a block array.
func (k *nutsLanes) at(j, l int) int { return l/laneBlock*(laneBlock*k.d) + j*laneBlock + l%laneBlock }

// span is the length of the block arrays' part that holds the lanes in
// use (whole blocks).
func (k *nutsLanes) span() int { return (k.L + laneBlock - 1) &^ (laneBlock - 1) * k.d }

// Adapted returns each chain's step size and diagonal inverse metric.
func (k *nutsLanes) Adapted() (stepSize, invMetric []float64) { return k.ad.Eps, k.ad.InvM }

// Record reports each chain's last transition (as nutsKernel.Record).
func (k *nutsLanes) Record(c *Chains, st []DrawStats) {
	for i := range st[:c.N] {
		st[i] = DrawStats{Accept: k.acc[i], Diverged: k.divOut[i], StepSize: k.ad.Eps[i],
			TreeDepth: float64(k.depthOut[i]), Steps: float64(k.stepsOut[i]), Energy: k.hOut[i]}
	}
}

// toLanes writes the n×d rows of src into the block array dst (lane i =
// row i).
func (k *nutsLanes) toLanes(dst, src []float64) {
	d := k.d
	for i := 0; i < k.n; i++ {
		row := src[i*d : (i+1)*d]
		o := k.at(0, i)
		for j, v := range row {
			dst[o+j*laneBlock] = v
		}
	}
}

// Step advances every chain by one NUTS transition, all trees built in
// lockstep across lanes.
func (k *nutsLanes) Step(c *Chains, it Iter) {
	a := k.ad
	a.Begin(c, it)
	n, d := c.N, c.Dim
	k.L = n
	for l := range k.chain[:n] {
		k.chain[l] = l
	}
	k.toLanes(k.m, a.InvM)
	k.toLanes(k.x, c.X)
	k.toLanes(k.g, c.Grad)
	sp := k.span()
	copy(k.ox[:sp], k.x[:sp])
	copy(k.og[:sp], k.g[:sp])
	// The momenta: each stream's d normals first (as nutsKernel), then
	// p = z/√m and 2K = Σ m·p², in coordinate order per lane.
	z := k.z[:n*d]
	rng.FillNormRows(c.Rng, z, d)
	// The streams go into lanes for the transition's other draws (every
	// active lane draws at the same events); finish gives them back.
	rng.LaneStates(k.rs[:n], k.rg[:n], c.Rng[:n])
	copy(k.eps[:n], a.Eps[:n])
	k.active = k.active[:0]
	for l := 0; l < n; l++ {
		o := k.at(0, l)
		var sum float64
		for j, zj := range z[l*d : (l+1)*d] {
			q := o + j*laneBlock
			m := k.m[q]
			v := zj / math.Sqrt(m)
			k.p[q], k.op[q], k.rho[q] = v, v, v
			sum += float64(m * v * v)
		}
		k.e[l] = c.E[l]
		k.h0[l] = c.E[l] + 0.5*sum
		k.h[l] = k.h0[l]
		k.w[l], k.shift[l], k.sumMetro[l] = 1, 0, 0
		k.dir[l], k.moved[l], k.ldiv[l] = 0, false, false
		k.active = append(k.active, l)
	}
	k.depth, k.leaves = 0, 0
	k.startDoubling(c)
	for len(k.active) > 0 {
		k.round(c)
		if len(k.active) <= k.L/2 && k.L > nutsLanesMin {
			k.compact(c)
		}
	}
	for l := 0; l < k.L; l++ {
		k.finish(c, l)
	}
	for i := 0; i < n; i++ {
		c.Stats.Transitions++
		c.Stats.AcceptSum += k.acc[i]
		c.Stats.TreeDepth += int64(k.depthOut[i])
	}
	a.End(c, it, k.acc)
}

// nutsLanesMin is the lane count below which the lanes are not packed
// again: a pass over a few idle lanes costs less than the packing.
const nutsLanesMin = 16

// stopLane records the depth and leapfrog steps of lane l, whose tree is
// done (the caller takes it out of the active set).
func (k *nutsLanes) stopLane(l int) {
	k.ldepth[l], k.lleaves[l] = k.depth, k.leaves
}

// finish writes lane l's transition out to its chain.
func (k *nutsLanes) finish(c *Chains, l int) {
	i, d := k.chain[l], k.d
	k.acc[i] = k.sumMetro[l] / float64(k.lleaves[l])
	k.depthOut[i], k.stepsOut[i], k.divOut[i], k.hOut[i] = k.ldepth[l], k.lleaves[l], k.ldiv[l], k.h[l]
	c.Rng[i] = rng.FromState([2]uint64{k.rs[l], k.rg[l]})
	if k.moved[l] {
		x, g := c.X[i*d:(i+1)*d], c.Grad[i*d:(i+1)*d]
		o := k.at(0, l)
		for j := range x {
			x[j], g[j] = k.tx[o+j*laneBlock], k.tg[o+j*laneBlock]
		}
		c.E[i] = k.e[l]
		c.Stats.Accepted++
	}
}

// startDoubling draws each active lane's direction for the next doubling,
// swaps its ends when the direction turns, and empties the stack.
func (k *nutsLanes) startDoubling(c *Chains) {
	sp := k.span()
	sel := k.sel[:sp/(laneBlock*k.d)]
	clear(sel)
	rng.LaneFloat64s(k.u, k.rs, k.rg, k.active)
	var turned uint8
	for _, l := range k.active { // without branches: the draws are coin flips
		dir := int8(2*bit(k.u[l] > 0.5)) - 1
		t := bit(k.dir[l] != 0) & bit(dir != k.dir[l])
		sel[l/laneBlock] |= t << (l % laneBlock)
		turned |= t
		k.dir[l] = dir
		h := float64(dir) * k.eps[l]
		k.step[l], k.nh[l] = h, -(0.5 * h)
	}
	if turned != 0 {
		simd.NUTSLaneSwap(k.x[:sp], k.ox[:sp], sel, k.d)
		simd.NUTSLaneSwap(k.g[:sp], k.og[:sp], sel, k.d)
		simd.NUTSLaneSwap(k.p[:sp], k.op[:sp], sel, k.d)
	}
	copy(k.pNear[:sp], k.p[:sp])
	k.top = 0
}

// round takes one leapfrog step of every lane and processes the leaves of
// the active ones: pushes, merges, and the join of a completed subtree.
func (k *nutsLanes) round(c *Chains) {
	d, sp := k.d, k.span()
	act := k.active
	simd.NUTSLaneDrift(k.p[:sp], k.x[:sp], k.g[:sp], k.m[:sp], k.nh, k.step, d)
	// The gradient at the active lanes' new positions.
	r := len(act)
	bx, bg, be := k.bx[:r*d], k.bg[:r*d], k.be[:r]
	// A block whose eight lanes are all active is transposed whole, in
	// 8×8 tiles (from d = 8: below, a tile's work is mostly the remainder).
	tiles := d >= 8
	whole := func(s int) bool {
		l := act[s]
		return tiles && l%laneBlock == 0 && s+laneBlock <= r && act[s+laneBlock-1] == l+laneBlock-1
	}
	for s := 0; s < r; {
		l := act[s]
		if whole(s) {
			simd.NUTSLanesToRows(bx[s*d:(s+laneBlock)*d], k.x[l*d:(l+laneBlock)*d], d)
			s += laneBlock
			continue
		}
		o := k.at(0, l)
		row := bx[s*d : (s+1)*d]
		for j := range row {
			row[j] = k.x[o+j*laneBlock]
		}
		s++
	}
	c.EvalGradient(be, bg, bx)
	c.Stats.Leapfrogs += int64(r)
	for s := 0; s < r; {
		l := act[s]
		if whole(s) {
			simd.NUTSRowsToLanes(k.g[l*d:(l+laneBlock)*d], bg[s*d:(s+laneBlock)*d], d)
			copy(k.le[l:l+laneBlock], be[s:s+laneBlock])
			s += laneBlock
			continue
		}
		o := k.at(0, l)
		for j, v := range bg[s*d : (s+1)*d] {
			k.g[o+j*laneBlock] = v
		}
		k.le[l] = be[s]
		s++
	}
	// The second half, p −= (ε/2)g, with the leaf's copies into the free
	// checkpoint, 2K and the finiteness sums.
	nd := &k.nodes[k.top]
	simd.NUTSLaneKick(nd.pBeg[:sp], nd.x[:sp], nd.g[:sp], k.p[:sp], k.x[:sp], k.g[:sp], k.m[:sp], k.nh, k.sum, k.mask, d)
	for _, l := range act {
		h := k.le[l] + 0.5*k.sum[l]
		if math.IsNaN(h) {
			h = math.Inf(1)
		}
		k.sum[l] = h // the leaf's H from here on
		k.lw[l] = -(h - k.h0[l]) - k.shift[l]
	}
	simd.ExpExact(k.lw[:k.L], k.lw[:k.L]) // every lane in use: math.Exp's bits, eight at a time
	k.leaves++
	// The leaves: acceptance statistic, divergence, the push.
	keep := act[:0]
	for _, l := range act {
		h, w := k.sum[l], k.lw[l]
		dH := h - k.h0[l]
		// min(1, exp(H0 − H)): on the unshifted scale min(1, w) (w ≥ 1
		// exactly when dH ≤ 0), without a branch on dH's sign.
		if k.shift[l] == 0 {
			k.sumMetro[l] += min(1, w)
		} else if dH > 0 { // a rescaled tree: rare
			k.sumMetro[l] += math.Exp(-dH)
		} else {
			k.sumMetro[l]++
		}
		if dH > maxEnergyError || !simd.LaneSet(k.mask[l/laneBlock], l%laneBlock) || math.IsInf(dH, -1) {
			c.Stats.Divergences++
			k.ldiv[l] = true
			k.stopLane(l)
			continue
		}
		if w > rescaleAbove {
			k.rescale(l, -dH)
			w = 1
		}
		nd.w[l], nd.e[l], nd.h[l] = w, k.le[l], h
		keep = append(keep, l)
	}
	k.active = keep
	k.size[k.top] = 1
	k.top++
	for k.top >= 2 && k.size[k.top-1] == k.size[k.top-2] {
		k.merge(c, &k.nodes[k.top-2], &k.nodes[k.top-1], k.size[k.top-2])
		k.top--
		k.size[k.top-1] *= 2
	}
	if k.top != 1 || k.size[0] != 1<<k.depth || len(k.active) == 0 {
		return
	}
	k.join(c)
}

// rescale moves lane l's weights to the scale of a leaf whose H0 − H = lw
// (nutsTree.rescale).
func (k *nutsLanes) rescale(l int, lw float64) {
	f := math.Exp(k.shift[l] - lw)
	k.w[l] *= f
	for j := range k.top {
		k.nodes[j].w[l] *= f
	}
	k.shift[l] = lw
}

// pick copies the position and gradient of the lanes selected in k.sel
// from src (x, g) to dst.
func (k *nutsLanes) pick(dx, dg, sx, sg []float64) {
	sp := k.span()
	simd.NUTSLaneCopy(dx[:sp], sx[:sp], k.sel, k.d)
	simd.NUTSLaneCopy(dg[:sp], sg[:sp], k.sel, k.d)
}

// clearSel empties the selection of the lanes in use.
func (k *nutsLanes) clearSel() { clear(k.sel[:k.span()/(laneBlock*k.d)]) }

// merge merges checkpoint rn (built second) into ln (built first), both
// of size leaves, in every active lane (mergeNodes): the pick of uniform
// progressive sampling, then the U-turn checks; lanes that fail stop.
func (k *nutsLanes) merge(c *Chains, ln, rn *laneNode, size int) {
	k.clearSel()
	rng.LaneFloat64s(k.u, k.rs, k.rg, k.active)
	for _, l := range k.active { // without branches, as in startDoubling
		w := ln.w[l] + rn.w[l]
		b := bit(k.u[l] < rn.w[l]/w)
		k.sel[l/laneBlock] |= b << (l % laneBlock)
		ln.e[l], ln.h[l] = choose(b, ln.e[l], rn.e[l]), choose(b, ln.h[l], rn.h[l])
		ln.w[l] = w
	}
	k.pick(ln.x, ln.g, rn.x, rn.g)
	// ln's last momentum is rn's: every lane's, so ln takes over the
	// buffer that holds it (rn is free from here on).
	if size == 1 {
		k.uTurn2(ln.rho, ln.pBeg, rn.pBeg)
		ln.pEnd, rn.pBeg = rn.pBeg, ln.pEnd
	} else {
		k.uTurn3(ln.rho, ln.pBeg, ln.pEnd, ln.rho, rn.pBeg, rn.pEnd, rn.rho)
		ln.pEnd, rn.pEnd = rn.pEnd, ln.pEnd
	}
	k.keepFree()
}

// keepFree takes the lanes whose U-turn check failed (their bit clear in
// k.mask) out of the active set, without a branch per lane: every lane's
// depth and steps are recorded (read only once it has stopped).
func (k *nutsLanes) keepFree() {
	act, n := k.active, 0
	for _, l := range act {
		k.ldepth[l], k.lleaves[l] = k.depth, k.leaves
		act[n] = l
		n += int(k.mask[l/laneBlock] >> (l % laneBlock) & 1)
	}
	k.active = act[:n]
}

// join joins the completed subtree (checkpoint 0) to the tree in every
// active lane: biased progressive sampling, the U-turn checks across the
// join; then the next doubling, or the end of the tree.
func (k *nutsLanes) join(c *Chains) {
	s := &k.nodes[0]
	k.clearSel()
	rng.LaneFloat64s(k.u, k.rs, k.rg, k.active)
	for _, l := range k.active { // without branches, as in startDoubling
		b := bit(k.u[l]*k.w[l] < s.w[l])
		k.sel[l/laneBlock] |= b << (l % laneBlock)
		k.e[l], k.h[l] = choose(b, k.e[l], s.e[l]), choose(b, k.h[l], s.h[l])
		k.moved[l] = k.moved[l] || b != 0
		k.w[l] += s.w[l]
	}
	k.pick(k.tx, k.tg, s.x, s.g)
	if k.depth == 0 { // two single points: ρ, op and pNear are p0
		k.uTurn2(k.rho, k.rho, s.pBeg)
	} else { // the subtree has 2^depth ≥ 2 leaves
		k.uTurn3(k.rho, k.op, k.pNear, k.rho, s.pBeg, s.pEnd, s.rho)
	}
	k.depth++
	k.keepFree()
	if k.depth >= k.maxDepth {
		for _, l := range k.active {
			k.stopLane(l)
		}
		k.active = k.active[:0]
		return
	}
	k.startDoubling(c)
}

// uTurn3 is uTurnFree3 in every lane, the verdicts in k.mask.
func (k *nutsLanes) uTurn3(rho, a, b, ra, c, d, rc []float64) {
	sp := k.span()
	simd.NUTSLaneUTurn3(rho[:sp], a[:sp], b[:sp], ra[:sp], c[:sp], d[:sp], rc[:sp], k.m[:sp], k.mask, k.d)
}

// uTurn2 is uTurnFree2 in every lane, the verdicts in k.mask.
func (k *nutsLanes) uTurn2(rho, a, c []float64) {
	sp := k.span()
	simd.NUTSLaneUTurn2(rho[:sp], a[:sp], c[:sp], k.m[:sp], k.mask, k.d)
}

// compact finishes the stopped lanes and moves the active ones to the
// first lanes (in place: the s-th active lane is lane s or later), so
// that the passes run over them alone.
func (k *nutsLanes) compact(c *Chains) {
	act := k.active
	for l, s := 0, 0; l < k.L; l++ {
		if s < len(act) && act[s] == l {
			s++
			continue
		}
		k.finish(c, l)
	}
	move := func(v []float64) {
		for s, l := range act {
			if s != l {
				os, ol := k.at(0, s), k.at(0, l)
				for j := 0; j < k.d; j++ {
					v[os+j*laneBlock] = v[ol+j*laneBlock]
				}
			}
		}
	}
	for _, v := range [][]float64{k.m, k.p, k.x, k.g, k.ox, k.op, k.og, k.rho, k.pNear, k.tx, k.tg} {
		move(v)
	}
	for j := range k.top {
		nd := &k.nodes[j]
		for _, v := range [][]float64{nd.rho, nd.pBeg, nd.pEnd, nd.x, nd.g} {
			move(v)
		}
		for s, l := range act {
			nd.w[s], nd.e[s], nd.h[s] = nd.w[l], nd.e[l], nd.h[l]
		}
	}
	for s, l := range act {
		k.chain[s] = k.chain[l]
		k.rs[s], k.rg[s], k.eps[s] = k.rs[l], k.rg[l], k.eps[l]
		k.step[s], k.nh[s], k.dir[s] = k.step[l], k.nh[l], k.dir[l]
		k.h0[s], k.w[s], k.shift[s], k.e[s], k.h[s] = k.h0[l], k.w[l], k.shift[l], k.e[l], k.h[l]
		k.sumMetro[s], k.moved[s], k.ldiv[s] = k.sumMetro[l], k.moved[l], k.ldiv[l]
		act[s] = s
	}
	k.L = len(act)
}

// bit is 1 for true and 0 for false.
func bit(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// choose returns b when c is 1 and a when c is 0, by the bits, without a
// branch.
func choose(c uint8, a, b float64) float64 {
	m := -uint64(c)
	return math.Float64frombits(math.Float64bits(a)&^m | math.Float64bits(b)&m)
}
