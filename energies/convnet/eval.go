package convnet

import (
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

// evalState is one goroutine's graph and buffers for Energy and Gradient,
// in the model's arithmetic T, kept in a sync.Pool between calls.
type evalState[T autodiff.Float] struct {
	g       *autodiff.GraphOf[T]
	p       []T             // float32: the rounded parameters of this call
	x       []T             // float32: the chunk's images
	params  []autodiff.Node // Build's leaves (reused)
	inv     []float64       // spectral_norm: the weights' 1/σ and scratch
	in, out [1]autodiff.Node
}

// Energy sets e[i] = E(x_i) for each row of x: the forward pass only. Each
// e[i] is bit-identical to the e[i] Gradient writes, and does not depend
// on the batch the row is in.
func (m *ConvNet) Energy(e, x []float64) {
	m.ready()
	n := energies.CheckBatch(m.dim, e, nil, x)
	m.run(e[:n], nil, x[:n*m.dim])
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
	m.run(e[:n], grad[:n*m.dim], x[:n*m.dim])
}

func (m *ConvNet) run(e, grad, x []float64) {
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
			en, gv := chunk(m, st, st.p, xc, r, grad != nil)
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
		en, gv := chunk(m, st, m.params, x[i0*d:i1*d], i1-i0, grad != nil)
		copy(e[i0:i1], en)
		if grad != nil {
			copy(grad[i0*d:i1*d], gv)
		}
	}
	st.g.Reset() // drop the references to x and Params
	m.pool64.Put(st)
}

// chunk records the network for the r images xc on st's graph (reset
// first) with the parameters p and returns the energies and, when
// wantGrad, ∇ₓE: slices of the graph's storage, valid until its next
// Reset.
func chunk[T autodiff.Float](m *ConvNet, st *evalState[T], p, xc []T, r int, wantGrad bool) (en, gv []T) {
	g := st.g
	g.Reset()
	if r >= parallelRows {
		g.SetWorkers(0)
	} else {
		g.SetWorkers(1)
	}
	xn := g.Input(xc, r, m.dim)
	out, params := buildOn(m, g, xn, p, st.inv, st.params[:0], "Gradient")
	st.params = params[:0]
	if wantGrad {
		st.in[0], st.out[0] = xn, out
		gv = g.Value(g.Grad(st.out[:], st.in[:], nil, false)[0])
	}
	return g.Value(out), gv
}
