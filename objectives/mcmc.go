package objectives

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/simd"
)

// This file holds what the maximum-likelihood objectives cd and pcd share
// (the nested sampler table, the negative chains, the contrastive loss) and
// the simple densities fitted to the data that pcd restarts chains from and
// nce contrasts the data with.

// defaultSampler is the [objective.sampler] table cd and pcd use when the
// config has none: ULA with the exact noise √(2η). See CD for the choice.
func defaultSampler() registry.Component[samplers.Sampler] {
	return registry.With[samplers.Sampler]("ula", map[string]any{"step_size": 0.005, "noise_std": 0.0})
}

// buildSampler builds the negative sampler of an objective that was not
// built by the registry (registry.Build builds it before Validate), with
// errors naming the table [objective.sampler] as the registry's would.
func buildSampler(s *registry.Component[samplers.Sampler]) error {
	if s.Built() {
		return nil
	}
	return s.Build(registry.Context{Table: "objective.sampler"})
}

// nonNegKey validates a key that must be finite and ≥ 0.
func nonNegKey(key string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("key %q: must be finite and >= 0, got %v", key, v)
	}
	return nil
}

// stepsKey validates the number of sampler steps k.
func stepsKey(k int) error {
	if k < 1 {
		return fmt.Errorf("key %q: must be >= 1 (sampler steps per training step), got %d", "k", k)
	}
	return nil
}

// clipped is a model as the negative sampler sees it: the same energy, but
// each row's ∇ₓE scaled down to norm at most max. A non-finite gradient is
// passed through unchanged, so the sampler counts it as a divergence.
//
// Clipping only changes the drift. For ULA that is the point (it bounds
// each Langevin move where the energy is steep); MALA and HMC stay exact,
// since their accept step uses the true energy and their proposals remain
// reversible with the clipped drift.
type clipped struct {
	m   energies.Energy
	max float64
}

// Dim is the model's dimension.
func (c clipped) Dim() int { return c.m.Dim() }

// Energy is the model's energy.
func (c clipped) Energy(e, x []float64) { c.m.Energy(e, x) }

// Gradient computes E and ∇ₓE, then clips each row of the gradient.
func (c clipped) Gradient(e, grad, x []float64) {
	c.m.Gradient(e, grad, x)
	d := c.m.Dim()
	for i := 0; i < len(e); i++ {
		row := grad[i*d : (i+1)*d]
		ss := 0.0
		for _, v := range row {
			ss += v * v
		}
		if n := math.Sqrt(ss); n > c.max {
			s := c.max / n
			for j := range row {
				row[j] *= s
			}
		}
	}
}

// minShard is the fewest chains worth a goroutine of their own.
const minShard = 32

// chainRunner runs a batch of negative chains for k steps on
// samplers.Shards: contiguous shards over up to workers goroutines (one
// per minShard chains at most). Chain i of a run draws from its own stream
// rng.New(seed, i), and every shipped sampler treats chains independently,
// so the result does not depend on the split. The shards are kept from one
// run to the next while the number of chains and the dimension stay.
type chainRunner struct {
	workers int                // 0 means GOMAXPROCS
	pin     energies.Trainable // the model, pinned (energies.Pinner) while the chains run
	sh      *samplers.Shards
	stats   samplers.Stats // accumulated over every run
}

// run moves the n = len(x)/Dim chains whose start points are the rows of x
// by k steps of s on e (Iter.Warmup = 0: no adaptation) and writes the end
// points back into x. Cancelling ctx stops the chains and returns its error
// with x unchanged.
func (r *chainRunner) run(ctx context.Context, s samplers.Sampler, e energies.Energy, x []float64, k int, seed uint64) error {
	d := e.Dim()
	n := len(x) / d
	if n == 0 {
		return nil
	}
	if r.sh == nil || r.sh.N() != n || r.sh.Dim() != d {
		r.sh = samplers.NewShards(e, n, samplers.ShardCount(n, r.workers, minShard), 0)
	}
	r.sh.Reseed(e, seed)
	r.sh.SetX(x)
	if p, ok := r.pin.(energies.Pinner); ok { // nothing writes the parameters while the chains run
		p.Pin()
		defer p.Unpin()
	}
	err := r.sh.Run(ctx, s, 0, k, nil)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	r.sh.X(x)
	for _, c := range r.sh.Chains {
		r.stats.Add(c.Stats)
	}
	return nil
}

// contrast is the machinery cd and pcd share: the model, the negative
// sampler and its chains, the master random stream, and the graph on which
// the contrastive loss is differentiated.
type contrast struct {
	name    string // "cd" or "pcd", for messages
	m       energies.Trainable
	d, np   int
	sampler samplers.Sampler
	energy  energies.Energy // m, or m with clipped gradients
	chains  chainRunner
	master  rng.Stream
	g       *autodiff.Graph
	x       []float64 // positives then negatives, (n+neg)×d
	seeds   []float64 // ∂loss/∂E per row of x
	out, sd [1]autodiff.Node

	// The contrastive loss (cd, pcd) runs on the score-matching objectives'
	// shards: contiguous blocks of at most contrastRows rows of x, each
	// recorded on its own graph (a float32 one for a float32 model), their
	// losses and gradients added in shard order.
	rows       scorer
	npos, nneg int     // positives and negatives of the running loss
	alpha      float64 // its regulariser weight
}

// contrastRows is the most rows of positives and negatives one shard of
// the contrastive loss records: a batch of up to 128 has one shard, whose
// graph splits its large products over the cores instead.
const contrastRows = 256

// grad writes into dst the gradient of ⟨c.seeds, e⟩ with respect to the
// model's parameter leaves.
func (c *contrast) grad(dst []float64, e autodiff.Node, params []autodiff.Node) {
	c.out[0], c.sd[0] = e, c.g.Const(c.seeds, len(c.seeds), 1)
	c.g.Flatten(dst, c.g.Grad(c.out[:], params, c.sd[:], false))
}

// start prepares a run: it checks the model and data, and seeds the master
// stream with rng.New(seed, 0).
func (c *contrast) start(name string, m energies.Trainable, data []float64, seed uint64, s samplers.Sampler, clip float64) error {
	if m == nil {
		return fmt.Errorf("%s: no model", name)
	}
	d := m.Dim()
	if d < 1 || len(data)%d != 0 || len(data) == 0 {
		return fmt.Errorf("%s: the training data (%d values) are not whole rows of the model's dimension %d", name, len(data), d)
	}
	w := c.chains.workers
	*c = contrast{name: name, m: m, d: d, np: len(m.Params()), sampler: s, energy: m,
		master: rng.New(seed, 0), g: autodiff.New(), chains: chainRunner{workers: w, pin: m},
		rows: scorer{name: name, m: m, d: d, np: len(m.Params()), workers: w, maxRows: contrastRows, shards: c.rows.shards}}
	if m32, ok := m.(energies.Trainable32); ok && m32.Float32() {
		c.rows.m32 = m32
	}
	if clip > 0 {
		c.energy = clipped{m: m, max: clip}
	}
	return nil
}

// check validates a Loss call of objective name and returns the batch's
// row count.
func (c *contrast) check(ctx context.Context, name string, batch, grad []float64, extra int) (int, error) {
	if c.m == nil {
		return 0, fmt.Errorf("%s: Loss called before Start", name)
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(batch) == 0 || len(batch)%c.d != 0 {
		return 0, fmt.Errorf("%s: the batch (%d values) is not whole rows of dimension %d", c.name, len(batch), c.d)
	}
	if len(grad) != c.np+extra {
		return 0, fmt.Errorf("%s: grad has length %d, want %d (%d model parameters + %d of the objective's)", c.name, len(grad), c.np+extra, c.np, extra)
	}
	return len(batch) / c.d, nil
}

// scratch sizes x and seeds for n positives and neg negatives and returns
// the positive and negative parts of x.
func (c *contrast) scratch(n, neg int) (pos, negs []float64) {
	d := c.d
	if cap(c.x) < (n+neg)*d {
		c.x = make([]float64, (n+neg)*d)
		c.seeds = make([]float64, n+neg)
	}
	c.x, c.seeds = c.x[:(n+neg)*d], c.seeds[:n+neg]
	return c.x[:n*d], c.x[n*d:]
}

// loss evaluates, for the n positives and neg negatives in c.x, the loss
//
//	mean E(x₊) − mean E(x₋) + α·(mean E(x₊)² + mean E(x₋)²)
//
// with the negatives held fixed, and writes its gradient with respect to
// the model's parameters into grad[:np]: one forward and one backward pass
// over all n+neg rows, in shards (see contrastRows) whose number depends on
// n+neg only, so the result does not depend on the worker count.
func (c *contrast) loss(n, neg int, alpha float64, grad []float64) float64 {
	r := &c.rows
	r.n, r.x = n+neg, c.x[:(n+neg)*c.d]
	c.npos, c.nneg, c.alpha = n, neg, alpha
	return r.run(c, grad)
}

// shardLoss is the loss's part from the shard's rows (see shardBody): it
// records their energies, sets their seeds ∂loss/∂E (rows before npos are
// positives) and runs the backward pass.
func (c *contrast) shardLoss(sh *shard) float64 {
	e := sh.energy()
	ev := sh.value(e)
	seeds := c.seeds[sh.r0:sh.r1]
	var sp, sn, qp, qn float64
	fn, fm, alpha := float64(c.npos), float64(c.nneg), c.alpha
	for i, v := range ev {
		if sh.r0+i < c.npos {
			sp += v
			qp += v * v
			seeds[i] = (1 + 2*alpha*v) / fn
		} else {
			sn += v
			qn += v * v
			seeds[i] = (-1 + 2*alpha*v) / fm
		}
	}
	sh.output(e, seeds, 1)
	sh.finish()
	loss := sp/fn - sn/fm
	if alpha != 0 {
		loss += alpha * (qp/fn + qn/fm)
	}
	return loss
}

// streamWords returns a stream's state as the []uint64 a State stores.
func streamWords(s rng.Stream) []uint64 {
	st := s.State()
	return st[:]
}

// streamFromState reads the stream named key from st.RNG.
func streamFromState(obj string, st State, key string) (rng.Stream, error) {
	v, ok := st.RNG[key]
	if !ok {
		return rng.Stream{}, fmt.Errorf("%s: state has no random stream %q", obj, key)
	}
	if len(v) != 2 {
		return rng.Stream{}, fmt.Errorf("%s: state: random stream %q has %d words, want 2", obj, key, len(v))
	}
	s := [2]uint64{v[0], v[1]}
	if err := rng.CheckState(s); err != nil {
		return rng.Stream{}, fmt.Errorf("%s: state: random stream %q: %w", obj, key, err)
	}
	return rng.FromState(s), nil
}

// noiseKinds lists the densities fitNoise knows.
const noiseKinds = `"uniform" or "gaussian"`

// noise is a simple density fitted to the training data: "uniform" over
// the data's bounding box enlarged by 25 % about its centre (each side moves
// out by 12.5 % of the box's width), or "gaussian" with the data's mean and
// covariance. pcd restarts chains from it; nce contrasts the data with it.
type noise struct {
	d        int
	gaussian bool
	lo, wid  []float64 // uniform: the box [lo, lo+wid]
	mean     []float64 // gaussian: mean
	chol     []float64 // gaussian: lower Cholesky factor L of the covariance, d×d
	logNorm  float64   // log density inside the box (uniform); −½d·log 2π − Σ log Lⱼⱼ (gaussian)
	z        []float64 // scratch of length d (a noise is used by one goroutine)
}

// fitNoise fits the density kind (key names the config key, for errors) to
// the n×d rows of data.
func fitNoise(key, kind string, data []float64, d int) (*noise, error) {
	n := len(data) / d
	switch kind {
	case "uniform":
		q := &noise{d: d, lo: make([]float64, d), wid: make([]float64, d), z: make([]float64, d)}
		for j := 0; j < d; j++ {
			lo, hi := math.Inf(1), math.Inf(-1)
			for i := 0; i < n; i++ {
				v := data[i*d+j]
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			w := hi - lo
			if !(w > 0) || math.IsInf(w, 0) {
				return nil, fmt.Errorf("key %q: the data's range in dimension %d is [%v, %v]; a uniform box needs a finite, non-zero width", key, j, lo, hi)
			}
			q.lo[j], q.wid[j] = lo-0.125*w, 1.25*w
			q.logNorm -= math.Log(q.wid[j])
		}
		return q, nil
	case "gaussian":
		if n < 2 {
			return nil, fmt.Errorf("key %q: fitting a Gaussian needs at least 2 data rows, got %d", key, n)
		}
		q := &noise{d: d, gaussian: true, mean: make([]float64, d), chol: make([]float64, d*d), z: make([]float64, d)}
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				q.mean[j] += data[i*d+j]
			}
		}
		for j := range q.mean {
			q.mean[j] /= float64(n)
		}
		// The covariance as products of blocks of centred rows, Bᵀ·B, on
		// the simd kernels: for 48 000 images of 784 pixels, under a second where
		// a loop over the pairs of pixels took 15 s.
		cov := q.chol
		const block = 256
		rows, prod := make([]float64, min(block, n)*d), make([]float64, d*d)
		for r0 := 0; r0 < n; r0 += block {
			m := min(block, n-r0)
			b := rows[:m*d]
			for i := 0; i < m; i++ {
				for j, v := range data[(r0+i)*d : (r0+i+1)*d] {
					b[i*d+j] = v - q.mean[j]
				}
			}
			simd.MatMulAT(prod, b, b, d, m, d)
			simd.Axpy(cov, 1, prod)
		}
		for a := 0; a < d; a++ {
			for b := 0; b <= a; b++ {
				cov[a*d+b] /= float64(n - 1)
			}
			clear(cov[a*d+a+1 : (a+1)*d]) // the factor is lower triangular
		}
		// Fewer rows than dimensions, or a dimension without spread (a pixel
		// dark in every image of a small subset), leave the covariance
		// singular: then the smallest ridge λI, from 1e-6 of the mean
		// variance up by tens, that makes it positive definite is added.
		// Data the plain fit accepts get exactly its factor.
		var meanVar float64
		for j := 0; j < d; j++ {
			meanVar += cov[j*d+j] / float64(d)
		}
		plain := slices.Clone(cov)
		for ridge := 0.0; ; {
			logDet, ok := cholLower(cov, d)
			if ok {
				q.logNorm -= logDet
				break
			}
			ridge = max(ridge*10, 1e-6*meanVar)
			if !(meanVar > 0) || math.IsInf(meanVar, 0) || ridge > 0.1*meanVar {
				return nil, fmt.Errorf("key %q: the data's covariance is not finite, or not positive definite even with a ridge of a tenth of its mean variance %v; a Gaussian fit needs data spread in some dimension", key, meanVar)
			}
			copy(cov, plain)
			for j := 0; j < d; j++ {
				cov[j*d+j] += ridge
			}
		}
		q.logNorm -= 0.5 * float64(d) * math.Log(2*math.Pi)
		return q, nil
	}
	return nil, fmt.Errorf("key %q: unknown value %q; want %s", key, kind, noiseKinds)
}

// cholLower factors the symmetric positive definite a (d×d, lower
// triangle read, upper triangle zero) in place into L, a = L·Lᵀ, and
// returns log det L; ok is false, and a part-factored, when a is not
// positive definite or not finite.
func cholLower(a []float64, d int) (logDet float64, ok bool) {
	for j := 0; j < d; j++ {
		rj := a[j*d : j*d+j]
		s := a[j*d+j] - simd.Dot(rj, rj)
		if !(s > 0) || math.IsInf(s, 0) {
			return 0, false
		}
		l := math.Sqrt(s)
		a[j*d+j] = l
		for i := j + 1; i < d; i++ {
			a[i*d+j] = (a[i*d+j] - simd.Dot(a[i*d:i*d+j], rj)) / l
		}
		logDet += math.Log(l)
	}
	return logDet, true
}

// sample writes one draw into x (len d): a uniform draw uses d Float64s of
// r, a Gaussian one d normals.
func (q *noise) sample(x []float64, r *rng.Stream) {
	if !q.gaussian {
		for j := range x {
			x[j] = q.lo[j] + q.wid[j]*r.Float64()
		}
		return
	}
	d, zs := q.d, q.z
	r.FillNorm(zs)
	for i := 0; i < d; i++ {
		x[i] = q.mean[i] + simd.Dot(q.chol[i*d:i*d+i+1], zs[:i+1])
	}
}

// logPdf is log q(x) for one point (len d); −Inf outside the uniform box.
func (q *noise) logPdf(x []float64) float64 {
	if !q.gaussian {
		for j, v := range x {
			if !(v >= q.lo[j] && v <= q.lo[j]+q.wid[j]) {
				return math.Inf(-1)
			}
		}
		return q.logNorm
	}
	// Solve L z = x − mean by forward substitution; log q = −½‖z‖² + logNorm.
	d, zs := q.d, q.z
	ss := 0.0
	for i := 0; i < d; i++ {
		s := x[i] - q.mean[i]
		for k := 0; k < i; k++ {
			s -= q.chol[i*d+k] * zs[k]
		}
		zs[i] = s / q.chol[i*d+i]
		ss += zs[i] * zs[i]
	}
	return q.logNorm - 0.5*ss
}

var _ energies.Energy = clipped{}
