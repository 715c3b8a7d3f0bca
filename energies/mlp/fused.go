package mlp

import (
	"runtime"
	"sync"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/simd"
)

const (
	// chunkRows is how many rows go through the network together: small
	// enough that a chunk's activations and derivatives stay in the L2
	// cache between the forward and the backward pass.
	chunkRows = 64
	// parallelRows is the batch size from which Energy and Gradient split
	// the rows over goroutines, each with at least parallelRows/2 rows.
	parallelRows = 512
)

// work is one goroutine's scratch for one chunk of rows.
type work struct {
	h  [2][]float64 // chunkRows×maxW each: ping-pong activations, then backward products
	fp []float64    // chunkRows×sumW: f′(zₗ) of every hidden layer, layer after layer
}

// Energy sets e[i] = E(x_i) for each row of x: the forward pass only.
// Each e[i] is bit-identical to the e[i] that Gradient writes.
func (m *MLP) Energy(e, x []float64) {
	m.ready()
	n := energies.CheckBatch(m.D, e, nil, x)
	m.run(e[:n], nil, x, nil)
}

// Gradient sets e[i] = E(x_i) and row i of grad to ∇ₓE(x_i), by a fused
// forward and backward pass over the batch. From 512 rows on, Energy and
// Gradient split the batch over up to GOMAXPROCS goroutines of their own;
// a row's results do not depend on the batch it is in, nor on the split.
// Neither allocates once its pooled buffers are warm.
func (m *MLP) Gradient(e, grad, x []float64) {
	m.ready()
	n := energies.CheckBatch(m.D, e, grad, x)
	wt := m.transposed()
	m.run(e[:n], grad[:n*m.D], x, *wt)
	m.trans.Put(wt)
}

// transposed returns a pooled buffer holding Wₗᵀ (outₗ×inₗ, row-major) of
// every hidden layer ℓ = 1…L, Wₗᵀ at toffs[ℓ−1]: the backward pass
// multiplies by them. They are taken from Params at every call, since
// Params may have been written since the last one.
func (m *MLP) transposed() *[]float64 {
	L := len(m.layers) - 2
	p, _ := m.trans.Get().(*[]float64)
	if p == nil {
		p = new([]float64)
	}
	if cap(*p) < m.toffs[L] {
		*p = make([]float64, m.toffs[L])
	}
	*p = (*p)[:m.toffs[L]]
	for l := 1; l <= L; l++ {
		w, _ := m.layer(l)
		transpose((*p)[m.toffs[l-1]:m.toffs[l]], w, m.layers[l-1], m.layers[l])
	}
	return p
}

// run computes the n = len(e) rows of x, with gradients when grad is
// non-nil (wt then holds the transposed weights). From parallelRows rows on
// it splits them into contiguous blocks over up to GOMAXPROCS goroutines
// (the caller's among them); every row goes through the same arithmetic
// whatever the split, since the kernels treat rows independently.
func (m *MLP) run(e, grad, x, wt []float64) {
	n, d := len(e), m.D
	workers := 1
	if n >= parallelRows {
		workers = min(runtime.GOMAXPROCS(0), n/(parallelRows/2))
	}
	if workers <= 1 {
		m.block(e, grad, x, wt)
		return
	}
	c, _ := m.calls.Get().(*call)
	if c == nil {
		c = new(call)
	}
	for len(c.tasks) < workers-1 {
		t := &task{m: m, wg: &c.wg}
		t.run = func() { t.m.block(t.e, t.grad, t.x, t.wt); t.wg.Done() }
		c.tasks = append(c.tasks, t)
	}
	c.wg.Add(workers - 1)
	for w, t := range c.tasks[:workers-1] {
		lo, hi := (w+1)*n/workers, (w+2)*n/workers
		t.e, t.x, t.wt, t.grad = e[lo:hi], x[lo*d:hi*d], wt, nil
		if grad != nil {
			t.grad = grad[lo*d : hi*d]
		}
		go t.run()
	}
	hi := n / workers
	if grad != nil {
		grad = grad[:hi*d]
	}
	m.block(e[:hi], grad, x[:hi*d], wt)
	c.wg.Wait()
	for _, t := range c.tasks {
		t.e, t.grad, t.x, t.wt = nil, nil, nil, nil // do not keep the caller's slices alive
	}
	m.calls.Put(c)
}

// call is the state of one parallel run, pooled so that starting its
// goroutines allocates nothing: each task's run closure is made once.
type call struct {
	wg    sync.WaitGroup
	tasks []*task
}

// task is one goroutine's block of rows.
type task struct {
	m              *MLP
	e, grad, x, wt []float64
	wg             *sync.WaitGroup
	run            func()
}

// block runs the rows of one goroutine, chunkRows at a time.
func (m *MLP) block(e, grad, x, wt []float64) {
	s, _ := m.scratch.Get().(*work)
	if s == nil {
		s = &work{}
		for i := range s.h {
			s.h[i] = make([]float64, chunkRows*m.maxW)
		}
		s.fp = make([]float64, chunkRows*m.sumW)
	}
	d := m.D
	for c0 := 0; c0 < len(e); c0 += chunkRows {
		c1 := min(c0+chunkRows, len(e))
		var g []float64
		if grad != nil {
			g = grad[c0*d : c1*d]
		}
		m.chunk(s, e[c0:c1], g, x[c0*d:c1*d], wt)
	}
	m.scratch.Put(s)
}

// chunk is the fused pass over r = len(e) ≤ chunkRows rows. Forward, for
// each hidden layer: zₗ = hₗ₋₁·Wₗ + bₗ, hₗ = f(zₗ), keeping f′(zₗ); then
// e = h_L·w + b (+ the quadratic term). Backward (gradient only), with
// δ_L = f′(z_L) ⊙ wᵀ (each row times the output weights):
// δₗ₋₁ = (δₗ·Wₗᵀ) ⊙ f′(zₗ₋₁), and ∇ₓE = δ₁·W₁ᵀ (+ quadratic·x).
func (m *MLP) chunk(s *work, e, grad, x, wt []float64) {
	r, d, L := len(e), m.D, len(m.layers)-2
	in, k := x, d
	fp := 0 // start of the current layer's f′ in s.fp
	wo, bo := m.layer(L + 1)
	for l := 1; l <= L; l++ {
		w, b := m.layer(l)
		out := m.layers[l]
		z := s.h[l&1][:r*out]
		simd.MatMul(z, in, w, r, k, out)
		var scale []float64
		if l == L {
			scale = wo // δ_L = f′(z_L) ⊙ w, row by row
		}
		m.act.layer(z, s.fp[fp:fp+r*out], b, scale, grad != nil)
		if grad != nil {
			fp += r * out
		}
		in, k = z, out
	}
	simd.MatMulBias(e, in, wo, bo, r, k, 1)
	q := m.Quadratic
	if q != 0 {
		for i := range e {
			ss := 0.0
			for _, v := range x[i*d : i*d+d] {
				ss += v * v
			}
			e[i] += 0.5 * q * ss
		}
	}
	if grad == nil {
		return
	}

	fp -= r * m.layers[L]
	delta := s.fp[fp : fp+r*m.layers[L]]
	for l := L; l >= 2; l-- {
		g := s.h[0][:r*m.layers[l-1]]
		m.backLayer(g, delta, wt, l)
		fp -= len(g)
		prev := s.fp[fp : fp+len(g)]
		for i, v := range g[:len(prev)] {
			prev[i] *= v
		}
		delta = prev
	}
	m.backLayer(grad, delta, wt, 1)
	if q != 0 {
		for i, v := range x[:len(grad)] {
			grad[i] += q * v
		}
	}
}

// dotBelow is the input width below which backLayer takes dot products:
// vek's matrix product runs along the rows of its output, which are then
// too short to fill its vectors.
const dotBelow = 16

// backLayer sets g = δ·Wₗᵀ for the rows of δ (outₗ wide; g is inₗ wide),
// with the transposed weights wt for wide inputs and with dot products of
// the rows of δ and Wₗ for narrow ones (the input layer of a
// low-dimensional model).
func (m *MLP) backLayer(g, delta, wt []float64, l int) {
	in, out := m.layers[l-1], m.layers[l]
	r := len(delta) / out
	if in >= dotBelow {
		simd.MatMul(g, delta, wt[m.toffs[l-1]:m.toffs[l]], r, out, in)
		return
	}
	w, _ := m.layer(l)
	for i := range r {
		di := delta[i*out : i*out+out]
		gi := g[i*in : i*in+in]
		for j := range gi {
			gi[j] = simd.Dot(di, w[j*out:j*out+out])
		}
	}
}

// transpose writes the c×r transpose of the r×c row-major src into dst, in
// 8×8 tiles to stay in cache.
func transpose(dst, src []float64, r, c int) {
	const t = 8
	for i0 := 0; i0 < r; i0 += t {
		i1 := min(i0+t, r)
		for j0 := 0; j0 < c; j0 += t {
			j1 := min(j0+t, c)
			for i := i0; i < i1; i++ {
				row := src[i*c : (i+1)*c]
				for j := j0; j < j1; j++ {
					dst[j*r+i] = row[j]
				}
			}
		}
	}
}

var _ energies.Energy = (*MLP)(nil)
