package objectives

import (
	"context"
	"fmt"
	"math"
	"runtime"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/internal/team"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// This file holds what the score-matching objectives (sm, dsm, msdsm, ssm,
// ssm_vr) share: the model checks, the random stream, the shards of the
// batch with their reused autodiff graphs, and the final backward pass to
// the parameters.
//
// Every one of them differentiates the model's score −∇ₓE, so each Loss
// records E on a graph with the points as an input leaf, takes ∇ₓE with
// createGraph (so that it can be differentiated again), forms its loss from
// ∇ₓE (and Hessian-vector products of it, for sm and ssm), and finally runs
// one backward pass from those nodes to the parameter leaves that
// Trainable.Build returned. The loss is a mean over rows of terms whose
// derivatives with respect to the recorded nodes are known in closed form,
// so that last pass is seeded directly with those derivatives (the
// "seeds" of autodiff.Graph.Grad) rather than recording the loss itself.
//
// # Shards
//
// Each row's terms depend on that row alone, so after Loss has drawn the
// random numbers of the whole batch (in one sequential pass over the
// stream, always the same), the rows are cut into contiguous shards whose
// count, ceil(n/shardRows), and bounds depend on the batch size n only
// (and on the model, when it says how many rows it prefers per shard:
// energies.ShardRows).
// Each shard records the model on its own Graph (kept across calls, so the
// steady state allocates nothing but what Build does) and yields its part
// of the loss and its own parameter gradient. The shards run on up to
// GOMAXPROCS goroutines (the calling one and helpers from a shared pool,
// each claiming the next shard until none is left); their losses and
// gradients are then added in shard order. Which goroutine ran which shard
// changes no bit of the result, so a seed gives the same loss and gradient
// on any machine and at any worker count. A shard's graph does its work on
// the goroutine that runs the shard (autodiff's default of one worker).
//
// Trainable.Build is thus called concurrently on the shards' graphs for
// the same model. mlp documents Build as safe for concurrent calls as long
// as nothing writes Params meanwhile, and nothing does during Loss: its
// Build only reads the model's fields and records Params' segments as
// Input leaves, which autodiff aliases and never writes (the caches it
// derives from them, such as transposed weights, belong to each graph).

// shardRows is the largest number of rows a shard gets: ceil(n/shardRows)
// shards of nearly equal size share a batch of n rows.
const shardRows = 128

// scorer is the per-run state of a score-matching objective. The cd and
// pcd objectives use one too, for its shards only: their contrastive loss
// records the energies of its rows (shard.energy), without ∇ₓE.
type scorer struct {
	name    string // the objective's name, for messages
	m       energies.Trainable
	m32     energies.Trainable32 // m, when it computes in float32: the shards record it on float32 graphs
	d, np   int
	rng     rng.Stream // the objective's random stream: rng.New(seed, 0)
	workers int        // goroutines the shards may use: 0 means GOMAXPROCS (tests force other values)
	maxRows int        // rows per shard at most: 0 means the model's ShardRows, or shardRows (tests force other values)

	n   int       // rows of the current batch
	x   []float64 // n×d points recorded as the input leaves (a copy of the batch, or its noised version)
	gs  []float64 // seed of the final pass for ∇ₓE (n×d): ∂J/∂(∇ₓE)
	col []float64 // n×1 constant seed (sm: −1/n for each diagonal entry)
	// levels, when the objective sets it (msdsm) and the model is
	// noise-conditional (cond), is the noise level of each of the n rows:
	// the shards record row i at levels[i] (BuildAt). Otherwise rows are
	// recorded with Build, at the model's own level.
	levels []float64
	cond   energies.NoiseConditional

	shards []*shard    // shards[:active] split the current batch
	active int         // shards in use by the current Loss
	body   shardBody   // the objective whose Loss is running
	grad   []float64   // the running Loss's parameter gradient, which the first shard writes
	team   team.Team   // runs the shards
	split  team.Ranges // sumShards' ranges
	sumFn  func(lo, hi int)
	// sumShards' operands for sumRange: the shards in use, the
	// destination and the parameter node (float32 models).
	sumK, sumNode int
	sumDst        []float64
	// sumBuf is sumRange's scratch for float32 models, np long: a range
	// [lo, hi) widens its pieces into sumBuf[lo:], so that the ranges
	// never share it; only a few pages of it are touched.
	sumBuf []float64
}

// shardBody is a score-matching objective's loss on one shard: it records
// the model on sh's graph (sh.record), computes the shard's rows of the
// seeds, adds the seeded outputs (sh.output), runs the final pass
// (sh.finish) and returns the shard's part of J (its rows' terms, divided
// by the whole batch's row count).
type shardBody interface {
	shardLoss(sh *shard) float64
}

// shard is rows [r0, r1) of the batch with the graph they are recorded on.
type shard struct {
	s      *scorer
	g      *autodiff.Graph   // float64 models
	g32    *autodiff.Graph32 // float32 models (scorer.m32 set)
	r0, r1 int

	// float32 models: buffers the float32 graph's constants alias, and
	// float64 copies of the values the objective reads, both reused from
	// one record to the next.
	c32    [][]float32
	v64    [][]float64
	nc, nv int

	loss     float64
	params   []autodiff.Node // parameter leaves returned by Build
	grads    []autodiff.Node // their gradients, set by finish
	g64      []float64       // a shard after the first: its parameter gradient as float64 (collect)
	panicked any             // a panic of shardLoss, re-raised on the caller's goroutine

	outs []autodiff.Node // outputs of the final backward pass
	sds  []autodiff.Node // their seeds

	one, in, seed [1]autodiff.Node // one-node arguments of Grad, kept here so calls do not allocate
}

// start prepares a run of m on data for objective name: it validates the
// model and the data and seeds the stream with rng.New(seed, 0). The
// shards' graphs and the scratch buffers are kept.
func (s *scorer) start(name string, m energies.Trainable, data []float64, seed uint64) error {
	if m == nil {
		return fmt.Errorf("%s: no model", name)
	}
	d := m.Dim()
	if d < 1 {
		return fmt.Errorf("%s: the model's dimension is %d; it must be >= 1", name, d)
	}
	if len(data) == 0 || len(data)%d != 0 {
		return fmt.Errorf("%s: the training data (%d values) are not whole rows of the model's dimension %d", name, len(data), d)
	}
	if err := checkSmooth(name, m); err != nil {
		return err
	}
	s.name, s.m, s.d, s.np, s.rng = name, m, d, len(m.Params()), rng.New(seed, 0)
	s.m32 = nil
	if m32, ok := m.(energies.Trainable32); ok && m32.Float32() {
		s.m32 = m32
	}
	s.cond, s.levels = energies.Conditional(m), nil
	s.n, s.active, s.body = 0, 0, nil
	for _, sh := range s.shards {
		sh.g.Reset()
		sh.g32.Reset()
		sh.params, sh.grads = nil, nil
	}
	return nil
}

// checkSmooth refuses a model whose second derivatives in x vanish almost
// everywhere (energies.Smooth reporting false): a ReLU network's ∇ₓE is
// piecewise constant, so the Hessian terms of sm and ssm are zero and the
// score that dsm fits cannot follow the data.
func checkSmooth(name string, m energies.Trainable) error {
	sm, ok := m.(energies.Smooth)
	if !ok || sm.Smooth() {
		return nil
	}
	what := "the model is not smooth"
	if a, ok := m.(interface{ Activation() autodiff.Activation }); ok {
		what = fmt.Sprintf("the model's activation %q is not smooth", a.Activation().String())
	}
	return fmt.Errorf("%s: %s: its second derivatives in x vanish almost everywhere, so score matching cannot fit it; use a smooth activation (silu, softplus, tanh, elu, sigmoid or gaussian)", name, what)
}

// check validates a Loss call and returns the batch's row count. It sizes
// the scratch buffers for n rows.
func (s *scorer) check(ctx context.Context, batch, grad []float64) (int, error) {
	if s.m == nil {
		return 0, fmt.Errorf("%s: Loss called before Start", s.nameOr())
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(batch) == 0 || len(batch)%s.d != 0 {
		return 0, fmt.Errorf("%s: the batch (%d values) is not whole rows of dimension %d", s.name, len(batch), s.d)
	}
	if len(grad) != s.np {
		return 0, fmt.Errorf("%s: grad has length %d, want %d (the model's parameters)", s.name, len(grad), s.np)
	}
	n := len(batch) / s.d
	s.n = n
	s.x = grow(s.x, n*s.d)
	s.gs = grow(s.gs, n*s.d)
	s.col = grow(s.col, n)
	return n, nil
}

// nameOr is the objective's name, or "score matching" before Start.
func (s *scorer) nameOr() string {
	if s.name == "" {
		return "score matching"
	}
	return s.name
}

// run evaluates body on every shard of the n = s.n rows prepared by check,
// writes the sum of the shards' parameter gradients into grad and returns
// the sum of their losses, both added in shard order.
func (s *scorer) run(body shardBody, grad []float64) float64 {
	n, per := s.n, s.maxRows
	if per <= 0 {
		per = shardRows
		if r, ok := s.m.(energies.ShardRows); ok && r.ShardRows() > 0 {
			per = r.ShardRows()
		}
	}
	k := (n + per - 1) / per
	for len(s.shards) < k {
		s.shards = append(s.shards, &shard{s: s, g: autodiff.New(), g32: autodiff.New32()})
	}
	w := s.workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	// Fewer shards than cores: each shard's graph splits its large products
	// over the spare ones (autodiff's split changes no bit).
	gw := max(1, w/k)
	for i, sh := range s.shards[:k] {
		sh.r0, sh.r1 = i*n/k, (i+1)*n/k
		sh.panicked = nil
		sh.g.SetWorkers(gw)
		sh.g32.SetWorkers(gw)
	}
	if s.m32 != nil {
		s.m32.Params32() // the float32 copy the shards' Build32 records
	}
	s.active, s.body, s.grad = k, body, grad
	if s.team.Do == nil {
		s.team.Do = func(i int) { s.shards[i].run() }
	}
	s.team.Run(k, w)
	s.body, s.grad = nil, nil

	loss := 0.0
	for _, sh := range s.shards[:k] {
		if sh.panicked != nil {
			panic(sh.panicked)
		}
		loss += sh.loss
	}
	s.sumShards(grad[:s.np], k, w)
	return loss
}

// sumChunk is the length of the pieces in which sumShards widens the
// float32 gradients: small enough to stay in the first-level cache
// between the widening and the additions.
const sumChunk = 2048

// sumShards sets grad to the sum of the k shards' parameter gradients, in
// shard order, over up to w workers. Every element is the chain
// ((g₀ + g₁) + g₂) + … of the shards' values (a float32 model's widened
// exactly first), each addition rounded once, whatever the split: the bits
// of adding the shards one after the other. A float64 model's first shard
// has written its gradient into grad already (collect) and the others
// into their g64. A float32 model's are read from the shards' graphs here,
// in cache-sized pieces, so that no shard widens its own (the first one
// did, and the others waited for it) and each element of grad is written
// once.
func (s *scorer) sumShards(grad []float64, k, w int) {
	if s.sumFn == nil {
		s.sumFn = s.sumRange // made once: a method value passed on allocates
	}
	s.sumK = k
	if s.m32 == nil {
		if k > 1 {
			s.sumDst = grad
			s.split.Run(len(grad), w, team.MinRange, s.sumFn)
		}
	} else {
		s.sumBuf = grow(s.sumBuf, s.np)
		sh, off := s.shards[0], 0
		for p, gn := range sh.grads {
			n := len(sh.g32.Value(gn))
			s.sumDst, s.sumNode = grad[off:off+n], p
			s.split.Run(n, w, team.MinRange, s.sumFn)
			off += n
		}
	}
	s.sumDst = nil
}

// sumRange sums elements [lo, hi) of the shards' gradients into the
// destination sumShards set: for a float64 model the later shards' g64
// into the first's, for a float32 one parameter node sumNode of every
// shard's graph.
func (s *scorer) sumRange(lo, hi int) {
	d := s.sumDst[lo:hi]
	if s.m32 == nil {
		for _, sh := range s.shards[1:s.sumK] {
			simd.Axpy(d, 1, sh.g64[lo:hi])
		}
		return
	}
	buf := s.sumBuf[lo:min(lo+sumChunk, hi)]
	for c := 0; c < len(d); c += sumChunk {
		e := min(c+sumChunk, len(d))
		dc := d[c:e]
		for i, sh := range s.shards[:s.sumK] {
			v := sh.g32.Value(sh.grads[s.sumNode])[lo+c : lo+e]
			if i == 0 {
				simd.ToFloat64(dc, v)
				continue
			}
			b := buf[:e-c]
			simd.ToFloat64(b, v)
			simd.Axpy(dc, 1, b)
		}
	}
}

// collect writes a float64 model's parameter gradient: the first shard's
// into the Loss's grad, a later shard's into its own g64, which sumShards
// adds to grad in shard order. A float32 model's stay on the shards'
// graphs until sumShards widens and adds them all in one pass. It runs
// on the shard's goroutine.
func (sh *shard) collect() {
	s := sh.s
	if s.m32 != nil {
		return
	}
	dst := s.grad[:s.np]
	if sh.r0 != 0 {
		sh.g64 = grow(sh.g64, s.np)
		dst = sh.g64
	}
	sh.g.Flatten(dst, sh.grads)
}

// run evaluates the objective on the shard, keeping a panic for the
// caller of Loss.
func (sh *shard) run() {
	defer func() {
		if r := recover(); r != nil {
			sh.panicked = r
		}
	}()
	sh.loss = sh.s.body.shardLoss(sh)
	sh.collect()
}

// rows is the number of rows of the shard.
func (sh *shard) rows() int { return sh.r1 - sh.r0 }

// span returns the shard's rows of buf, a batch of rows of w values each.
func (sh *shard) span(buf []float64, w int) []float64 { return buf[sh.r0*w : sh.r1*w] }

// record resets the shard's graph, records the model's energies of its
// rows of s.x with the points as an input leaf, and returns that leaf and
// ∇ₓE (rows×d, recorded with createGraph so it can be differentiated
// again); the parameter leaves go to sh.params. A float32 model is
// recorded on the float32 graph, with the points rounded.
func (sh *shard) record() (x, gx autodiff.Node) {
	x, e := sh.build(true)
	sh.one[0], sh.in[0] = e, x
	if sh.s.m32 != nil {
		return x, sh.g32.Grad(sh.one[:], sh.in[:], nil, true)[0]
	}
	return x, sh.g.Grad(sh.one[:], sh.in[:], nil, true)[0]
}

// energy is record without ∇ₓE: the energies of the shard's rows, with
// the points held constant, as the contrastive loss needs.
func (sh *shard) energy() autodiff.Node {
	_, e := sh.build(false)
	return e
}

// build resets the shard's graph and records the model's energies e of its
// rows of s.x, the points x an input leaf when input is true and a
// constant otherwise; the parameter leaves go to sh.params.
func (sh *shard) build(input bool) (x, e autodiff.Node) {
	s := sh.s
	sh.outs, sh.sds, sh.grads = sh.outs[:0], sh.sds[:0], nil
	pts := sh.span(s.x, s.d)
	if s.m32 != nil {
		g := sh.g32
		g.Reset()
		sh.nc, sh.nv = 0, 0
		if input {
			x = g.Input(sh.const32(pts), sh.rows(), s.d)
		} else {
			x = g.Const(sh.const32(pts), sh.rows(), s.d)
		}
		if s.cond != nil && s.levels != nil {
			e, sh.params = s.cond.BuildAt32(g, x, sh.span(s.levels, 1))
		} else {
			e, sh.params = s.m32.Build32(g, x)
		}
		return x, e
	}
	g := sh.g
	g.Reset()
	if input {
		x = g.Input(pts, sh.rows(), s.d)
	} else {
		x = g.Const(pts, sh.rows(), s.d)
	}
	if s.cond != nil && s.levels != nil {
		e, sh.params = s.cond.BuildAt(g, x, sh.span(s.levels, 1))
	} else {
		e, sh.params = s.m.Build(g, x)
	}
	return x, e
}

// const32 returns v rounded into a float32 buffer of the shard that stays
// untouched until the next record (the float32 graph aliases it).
func (sh *shard) const32(v []float64) []float32 {
	if sh.nc == len(sh.c32) {
		sh.c32 = append(sh.c32, nil)
	}
	b := sh.c32[sh.nc]
	if cap(b) < len(v) {
		b = make([]float32, len(v))
	}
	b = b[:len(v)]
	sh.c32[sh.nc] = b
	sh.nc++
	simd.ToFloat32(b, v)
	return b
}

// value returns the values of node n as float64: the float64 graph's own
// slice (read only), or a widened copy of the float32 graph's, valid until
// the next record.
func (sh *shard) value(n autodiff.Node) []float64 {
	if sh.s.m32 == nil {
		return sh.g.Value(n)
	}
	v := sh.g32.Value(n)
	if sh.nv == len(sh.v64) {
		sh.v64 = append(sh.v64, nil)
	}
	b := grow(sh.v64[sh.nv], len(v))
	sh.v64[sh.nv] = b
	sh.nv++
	simd.ToFloat64(b, v)
	return b
}

// constant records the rows×cols values v as a constant of the shard's
// graph.
func (sh *shard) constant(v []float64, cols int) autodiff.Node {
	if sh.s.m32 != nil {
		return sh.g32.Const(sh.const32(v), sh.rows(), cols)
	}
	return sh.g.Const(v, sh.rows(), cols)
}

// col returns column j of node n (rows×1).
func (sh *shard) col(n autodiff.Node, j int) autodiff.Node {
	if sh.s.m32 != nil {
		return sh.g32.Col(n, j)
	}
	return sh.g.Col(n, j)
}

// grad returns ∇_in out, recorded with createGraph.
func (sh *shard) grad(out, in autodiff.Node) autodiff.Node {
	sh.one[0], sh.in[0] = out, in
	if sh.s.m32 != nil {
		return sh.g32.Grad(sh.one[:], sh.in[:], nil, true)[0]
	}
	return sh.g.Grad(sh.one[:], sh.in[:], nil, true)[0]
}

// hvp returns the row-wise Hessian-vector products ∇ₓ²E(x_i)·v_i (rows×d)
// for the rows×d directions v, recorded with createGraph: one backward
// pass from ∇ₓE seeded with v (each row's energy depends on its own row
// only).
func (sh *shard) hvp(x, gx autodiff.Node, v []float64) autodiff.Node {
	sh.one[0], sh.in[0], sh.seed[0] = gx, x, sh.constant(v, sh.s.d)
	if sh.s.m32 != nil {
		return sh.g32.Grad(sh.one[:], sh.in[:], sh.seed[:], true)[0]
	}
	return sh.g.Grad(sh.one[:], sh.in[:], sh.seed[:], true)[0]
}

// output adds node out, seeded with the rows×cols constant seed, to the
// final backward pass.
func (sh *shard) output(out autodiff.Node, seed []float64, cols int) {
	sh.outs = append(sh.outs, out)
	sh.sds = append(sh.sds, sh.constant(seed, cols))
}

// finish runs the final backward pass from the outputs added with output
// to the parameter leaves; their gradients go to sh.grads.
func (sh *shard) finish() {
	if sh.s.m32 != nil {
		sh.grads = sh.g32.Grad(sh.outs, sh.params, sh.sds, false)
	} else {
		sh.grads = sh.g.Grad(sh.outs, sh.params, sh.sds, false)
	}
	sh.outs, sh.sds = sh.outs[:0], sh.sds[:0]
}

// state is the stream's state as a checkpoint stores it.
func (s *scorer) state() State {
	return State{RNG: map[string][]uint64{"rng": streamWords(s.rng)}}
}

// restore sets the stream from a State saved by state.
func (s *scorer) restore(st State) error {
	if s.m == nil {
		return fmt.Errorf("%s: Restore called before Start", s.nameOr())
	}
	r, err := streamFromState(s.name, st, "rng")
	if err != nil {
		return err
	}
	s.rng = r
	return nil
}

// grow returns buf with length n, reallocating only when its capacity is
// too small.
func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}

// positiveKey validates a key that must be finite and > 0.
func positiveKey(key string, v float64) error {
	if !(v > 0) || math.IsInf(v, 1) {
		return fmt.Errorf("key %q: must be finite and > 0, got %v", key, v)
	}
	return nil
}
