package convnet

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/simd"
)

// chunkRows is how many images Energy and Gradient record on one graph at
// a time: the graph's activations, im2col matrices and adjoints grow with
// it, so a large batch costs no more memory than chunkRows images.
const chunkRows = 128

// parallelRows is the chunk size from which a graph splits its
// convolutions and activations over GOMAXPROCS goroutines
// (autodiff.GraphOf.SetWorkers; the values do not depend on the split).
const parallelRows = 32

// shardImages is the most images a shard of a score-matching objective's
// batch holds (ShardRows).
const shardImages = 32

// ShardRows implements energies.ShardRows: the score-matching objectives
// record a batch in shards of at most 32 images. Against the default of
// 128 rows, the msdsm recipes' step (64 images, the denoiser with its
// 28×28 level) takes about three quarters of the time at 2 workers: two
// shards run side by side instead of one whose every op is split over the
// cores, and an image's activations, adjoints and second-order terms stay
// in cache.
func (m *ConvNet) ShardRows() int { return shardImages }

// evalState is one goroutine's graph and buffers for Energy and Gradient,
// in the model's arithmetic T, kept in a sync.Pool between calls.
type evalState[T autodiff.Float] struct {
	g       *autodiff.GraphOf[T]
	p       []T             // float32: the rounded parameters of this call
	x       []T             // float32: the chunk's images
	params  []autodiff.Node // Build's leaves (reused)
	inv     []float64       // spectral_norm: the weights' 1/σ and scratch
	cb      []T             // noise_conditional: buildOn's ln σ and 1/σ columns
	in, out [1]autodiff.Node
}

// Energy sets e[i] = E(x_i) for each row of x: the forward pass only. Each
// e[i] is bit-identical to the e[i] Gradient writes, and does not depend
// on the batch the row is in.
func (m *ConvNet) Energy(e, x []float64) {
	m.ready()
	n := energies.CheckBatch(m.dim, e, nil, x)
	m.run(e[:n], nil, x[:n*m.dim], m.CondSigma)
}

// Gradient sets e[i] = E(x_i) and row i of grad to ∇ₓE(x_i): the network
// is recorded on a pooled autodiff graph, chunkRows rows at a time, and
// differentiated with Grad. A row's results do not depend on the batch it
// is in nor on the chunking. Neither method allocates once the pool's
// graphs are warm. With dtype = "float32" the graph computes in float32 on
// rounded copies of the parameters and points.
func (m *ConvNet) Gradient(e, grad, x []float64) {
	m.ready()
	n := energies.CheckBatch(m.dim, e, grad, x)
	m.run(e[:n], grad[:n*m.dim], x[:n*m.dim], m.CondSigma)
}

// NoiseConditional reports whether the model takes a noise level
// (noise_conditional = true).
func (m *ConvNet) NoiseConditional() bool { m.ready(); return m.Cond }

// Sigma is the level at which Energy and Gradient evaluate a
// noise_conditional model (the key sigma).
func (m *ConvNet) Sigma() float64 { m.ready(); return m.CondSigma }

// At returns x ↦ E(x, σ) of a noise_conditional model: Energy and Gradient
// at the level sigma, on the current Params, as safe for concurrent calls
// as the model's own. It panics on a model without noise_conditional or a
// σ that is not > 0 and finite.
func (m *ConvNet) At(sigma float64) energies.Energy {
	m.ready()
	m.mustCond("At")
	if !(sigma > 0) || math.IsInf(sigma, 1) {
		panic(fmt.Sprintf("convnet: At(%v): the level must be > 0 and finite", sigma))
	}
	return atLevel{m, sigma}
}

// atLevel is a noise_conditional ConvNet at one level σ.
type atLevel struct {
	m     *ConvNet
	sigma float64
}

func (a atLevel) Dim() int { return a.m.dim }

// Float32 reports whether the model computes in float32, as ConvNet's does.
func (a atLevel) Float32() bool { return a.m.f32 }

func (a atLevel) Energy(e, x []float64) {
	n := energies.CheckBatch(a.m.dim, e, nil, x)
	a.m.run(e[:n], nil, x[:n*a.m.dim], a.sigma)
}

func (a atLevel) Gradient(e, grad, x []float64) {
	n := energies.CheckBatch(a.m.dim, e, grad, x)
	a.m.run(e[:n], grad[:n*a.m.dim], x[:n*a.m.dim], a.sigma)
}

// run computes the energies (and, with grad, the gradients) of the rows of
// x, at the level sigma when the model is noise_conditional.
func (m *ConvNet) run(e, grad, x []float64, sigma float64) {
	n, d := len(e), m.dim
	if n == 0 {
		return
	}
	if m.f32 {
		st, _ := m.pool32.Get().(*evalState[float32])
		if st == nil {
			st = &evalState[float32]{g: autodiff.New32()}
		}
		if len(st.p) != len(m.params) {
			st.p = make([]float32, len(m.params))
		}
		simd.ToFloat32(st.p, m.params)
		st.inv = m.invSigmas(st.inv[:cap(st.inv)])
		for i0 := 0; i0 < n; i0 += chunkRows {
			i1 := min(n, i0+chunkRows)
			r := i1 - i0
			if cap(st.x) < r*d {
				st.x = make([]float32, chunkRows*d)
			}
			xc := st.x[:r*d]
			simd.ToFloat32(xc, x[i0*d:i1*d])
			en, gv := chunk(m, st, st.p, xc, r, sigma, grad != nil)
			simd.ToFloat64(e[i0:i1], en)
			if grad != nil {
				simd.ToFloat64(grad[i0*d:i1*d], gv)
			}
		}
		st.g.Reset()
		m.pool32.Put(st)
		return
	}
	st, _ := m.pool64.Get().(*evalState[float64])
	if st == nil {
		st = &evalState[float64]{g: autodiff.New()}
	}
	st.inv = m.invSigmas(st.inv[:cap(st.inv)])
	for i0 := 0; i0 < n; i0 += chunkRows {
		i1 := min(n, i0+chunkRows)
		en, gv := chunk(m, st, m.params, x[i0*d:i1*d], i1-i0, sigma, grad != nil)
		copy(e[i0:i1], en)
		if grad != nil {
			copy(grad[i0*d:i1*d], gv)
		}
	}
	st.g.Reset() // drop the references to x and Params
	m.pool64.Put(st)
}

// chunk records the network for the r images xc on st's graph (reset
// first) with the parameters p, at the level sigma when the model is
// noise_conditional, and returns the energies and, when wantGrad, ∇ₓE:
// slices of the graph's storage, valid until its next Reset.
func chunk[T autodiff.Float](m *ConvNet, st *evalState[T], p, xc []T, r int, sigma float64, wantGrad bool) (en, gv []T) {
	g := st.g
	g.Reset()
	if r >= parallelRows {
		g.SetWorkers(0)
	} else {
		g.SetWorkers(1)
	}
	xn := g.Input(xc, r, m.dim)
	if m.Cond && cap(st.cb) < 2*r {
		st.cb = make([]T, 2*chunkRows)
	}
	out, params := buildOn(m, g, xn, p, st.inv, nil, sigma, st.cb, st.params[:0], "Gradient")
	st.params = params[:0]
	if wantGrad {
		st.in[0], st.out[0] = xn, out
		gv = g.Value(g.Grad(st.out[:], st.in[:], nil, false)[0])
	}
	return g.Value(out), gv
}
