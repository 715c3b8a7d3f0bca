package mlp

import (
	"bytes"
	"runtime"
	"sync"
	"unsafe"

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

// elem is the arithmetic of the fused pass: float64, or float32 for
// dtype = "float32".
type elem interface{ float32 | float64 }

// work is one goroutine's scratch for one chunk of rows, in the model's
// arithmetic T.
type work[T elem] struct {
	h  [2][]T // chunkRows×maxW each: ping-pong activations, then backward products
	fp []T    // chunkRows×sumW: f′(zₗ) of every hidden layer, layer after layer

	// float32 only: the chunk's points, energies and gradients in T, and
	// float64 scratch for activations without a float32 kernel.
	x, e, g []T
	tmp     []float64
}

// weights are the parameters one Energy or Gradient call reads, in the
// model's arithmetic: for float64, p is Params itself and wt its
// transposed hidden weights; for float32, p32 is a rounded copy of
// Params and wt32 the transposes of its hidden weights. They are taken
// from Params at every call, since Params may have been written since
// the last one.
type weights struct {
	src   []float64 // the Params these were made from
	back  bool      // the transposes are there too
	epoch uint64    // the pin epoch in which they were last checked (0: none)
	wt    []float64
	p32   []float32
	wt32  []float32
}

// Energy sets e[i] = E(x_i) for each row of x: the forward pass only.
// Each e[i] is bit-identical to the e[i] that Gradient writes.
func (m *MLP) Energy(e, x []float64) {
	m.ready()
	n := energies.CheckBatch(m.D, e, nil, x)
	w := m.weightsFor(false)
	m.run(e[:n], nil, x, w)
	m.trans.Put(w)
}

// Gradient sets e[i] = E(x_i) and row i of grad to ∇ₓE(x_i), by a fused
// forward and backward pass over the batch. From 512 rows on, Energy and
// Gradient split the batch over up to GOMAXPROCS goroutines of their own;
// a row's results do not depend on the batch it is in, nor on the split.
// Neither allocates once its pooled buffers are warm. With dtype =
// "float32" the pass runs in float32 on float32 copies of the weights;
// x, e and grad stay float64.
func (m *MLP) Gradient(e, grad, x []float64) {
	m.ready()
	n := energies.CheckBatch(m.D, e, grad, x)
	w := m.weightsFor(true)
	m.run(e[:n], grad[:n*m.D], x, w)
	m.trans.Put(w)
}

// weightsFor returns pooled weights for one call: the transposed hidden
// weights Wₗᵀ (outₗ×inₗ, row-major, at toffs[ℓ−1]) when the backward pass
// needs them, and in float32 the rounded parameters too. Each pooled set
// remembers the Params it was made from (src) and is rebuilt only when
// they changed since, bit for bit: samplers call Gradient many times
// between two parameter updates. While the model is pinned (Pin), a set
// checked once since the pin began is taken as it is.
func (m *MLP) weightsFor(backward bool) *weights {
	L := len(m.layers) - 2
	w, _ := m.trans.Get().(*weights)
	if w == nil {
		w = new(weights)
	}
	var epoch uint64
	if m.pins.Load() > 0 {
		epoch = m.epoch.Load()
	}
	if epoch != 0 && w.epoch == epoch && (w.back || !backward) {
		return w
	}
	w.epoch = epoch
	if len(w.src) == len(m.params) && (w.back || !backward) && sameBits(w.src, m.params) {
		return w
	}
	w.src = grow(w.src, len(m.params))
	copy(w.src, m.params)
	w.back = backward
	if m.f32 {
		w.p32 = grow(w.p32, len(m.params))
		simd.ToFloat32(w.p32, m.params)
		if backward {
			w.wt32 = grow(w.wt32, m.toffs[L])
			for l := 1; l <= L; l++ {
				o := m.offs[l-1]
				transpose(w.wt32[m.toffs[l-1]:m.toffs[l]], w.p32[o:o+m.layers[l-1]*m.layers[l]], m.layers[l-1], m.layers[l])
			}
		}
		return w
	}
	if backward {
		w.wt = grow(w.wt, m.toffs[L])
		for l := 1; l <= L; l++ {
			wl, _ := m.layer(l)
			transpose(w.wt[m.toffs[l-1]:m.toffs[l]], wl, m.layers[l-1], m.layers[l])
		}
	}
	return w
}

// Pin promises that Params will not be written until the matching Unpin:
// meanwhile Energy and Gradient reuse the weights they derived from Params
// (float32 copies, transposes) without comparing Params with them at each
// call, which for a large network costs a pass over every parameter. Pins
// nest. The pcd and cd objectives pin the model around their Langevin
// chains.
func (m *MLP) Pin() {
	if m.pins.Add(1) == 1 {
		m.epoch.Add(1)
	}
}

// Unpin undoes one Pin.
func (m *MLP) Unpin() {
	if m.pins.Add(-1) < 0 {
		panic("mlp: Unpin without Pin")
	}
}

// sameBits reports whether a and b (of equal length) hold the same bits.
func sameBits(a, b []float64) bool {
	if len(a) == 0 {
		return true
	}
	ab := unsafe.Slice((*byte)(unsafe.Pointer(&a[0])), 8*len(a))
	bb := unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), 8*len(b))
	return bytes.Equal(ab, bb)
}

// grow returns s with length n, reallocated only when too short.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// run computes the n = len(e) rows of x, with gradients when grad is
// non-nil. From parallelRows rows on it splits them into contiguous
// blocks over up to GOMAXPROCS goroutines (the caller's among them); every
// row goes through the same arithmetic whatever the split, since the
// kernels treat rows independently.
func (m *MLP) run(e, grad, x []float64, w *weights) {
	n, d := len(e), m.D
	workers := 1
	if n >= parallelRows {
		workers = min(runtime.GOMAXPROCS(0), n/(parallelRows/2))
	}
	if workers <= 1 {
		m.block(e, grad, x, w)
		return
	}
	c, _ := m.calls.Get().(*call)
	if c == nil {
		c = new(call)
	}
	for len(c.tasks) < workers-1 {
		t := &task{m: m, wg: &c.wg}
		t.run = func() { t.m.block(t.e, t.grad, t.x, t.w); t.wg.Done() }
		c.tasks = append(c.tasks, t)
	}
	c.wg.Add(workers - 1)
	for i, t := range c.tasks[:workers-1] {
		lo, hi := (i+1)*n/workers, (i+2)*n/workers
		t.e, t.x, t.w, t.grad = e[lo:hi], x[lo*d:hi*d], w, nil
		if grad != nil {
			t.grad = grad[lo*d : hi*d]
		}
		go t.run()
	}
	hi := n / workers
	if grad != nil {
		grad = grad[:hi*d]
	}
	m.block(e[:hi], grad, x[:hi*d], w)
	c.wg.Wait()
	for _, t := range c.tasks {
		t.e, t.grad, t.x, t.w = nil, nil, nil, nil // do not keep the caller's slices alive
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
	m          *MLP
	e, grad, x []float64
	w          *weights
	wg         *sync.WaitGroup
	run        func()
}

// block runs the rows of one goroutine, chunkRows at a time, in the
// model's arithmetic.
func (m *MLP) block(e, grad, x []float64, w *weights) {
	if m.f32 {
		blockOf(m, &m.scratch32, e, grad, x, w.p32, w.wt32)
	} else {
		blockOf(m, &m.scratch, e, grad, x, m.params, w.wt)
	}
}

func blockOf[T elem](m *MLP, pool *sync.Pool, e, grad, x []float64, p, wt []T) {
	s, _ := pool.Get().(*work[T])
	if s == nil {
		s = &work[T]{}
		for i := range s.h {
			s.h[i] = make([]T, chunkRows*m.maxW)
		}
		s.fp = make([]T, chunkRows*m.sumW)
		if is32[T]() {
			s.x = make([]T, chunkRows*m.D)
			s.g = make([]T, chunkRows*m.D)
			s.e = make([]T, chunkRows)
		}
	}
	d := m.D
	for c0 := 0; c0 < len(e); c0 += chunkRows {
		c1 := min(c0+chunkRows, len(e))
		var g []float64
		if grad != nil {
			g = grad[c0*d : c1*d]
		}
		chunk(m, s, e[c0:c1], g, x[c0*d:c1*d], p, wt)
	}
	pool.Put(s)
}

// chunk is the fused pass over r = len(e) ≤ chunkRows rows. Forward, for
// each hidden layer: zₗ = hₗ₋₁·Wₗ + bₗ, hₗ = f(zₗ), keeping f′(zₗ); then
// e = h_L·w + b (+ the quadratic term). Backward (gradient only), with
// δ_L = f′(z_L) ⊙ wᵀ (each row times the output weights):
// δₗ₋₁ = (δₗ·Wₗᵀ) ⊙ f′(zₗ₋₁), and ∇ₓE = δ₁·W₁ᵀ (+ quadratic·x). In
// float32 the points are rounded in and the results widened out.
func chunk[T elem](m *MLP, s *work[T], e64, grad64, x64 []float64, p, wt []T) {
	r, d, L := len(e64), m.D, len(m.layers)-2
	var x, e, grad []T
	if is32[T]() {
		x, e = s.x[:r*d], s.e[:r]
		simd.ToFloat32(as32(x), x64)
		if grad64 != nil {
			grad = s.g[:r*d]
		}
	} else {
		x, e, grad = asT[T](x64), asT[T](e64), asT[T](grad64)
	}
	layer := func(l int) (w, b []T) {
		o, n := m.offs[l-1], m.layers[l-1]*m.layers[l]
		return p[o : o+n], p[o+n : m.offs[l]]
	}
	in, k := x, d
	fp := 0 // start of the current layer's f′ in s.fp
	wo, bo := layer(L + 1)
	for l := 1; l <= L; l++ {
		w, b := layer(l)
		out := m.layers[l]
		z := s.h[l&1][:r*out]
		matMul(z, in, w, r, k, out)
		var scale []T
		if l == L {
			scale = wo // δ_L = f′(z_L) ⊙ w, row by row
		}
		actLayer(m.act, s, z, s.fp[fp:fp+r*out], b, scale, grad != nil)
		if grad != nil {
			fp += r * out
		}
		in, k = z, out
	}
	matMulBias(e, in, wo, bo, r, k, 1)
	q := m.Quadratic
	if q != 0 {
		for i := range e {
			var ss T
			for _, v := range x[i*d : i*d+d] {
				ss += v * v
			}
			e[i] += T(0.5*q) * ss
		}
	}
	if grad != nil {
		fp -= r * m.layers[L]
		delta := s.fp[fp : fp+r*m.layers[L]]
		for l := L; l >= 2; l-- {
			g := s.h[0][:r*m.layers[l-1]]
			backLayer(m, g, delta, p, wt, l)
			fp -= len(g)
			prev := s.fp[fp : fp+len(g)]
			mul(prev, g[:len(prev)])
			delta = prev
		}
		backLayer(m, grad, delta, p, wt, 1)
		if q != 0 {
			for i, v := range x[:len(grad)] {
				grad[i] += T(q) * v
			}
		}
	}
	if is32[T]() {
		simd.ToFloat64(e64, as32(e))
		if grad64 != nil {
			simd.ToFloat64(grad64, as32(grad))
		}
	}
}

// dotBelow is the input width below which backLayer takes dot products:
// vek's matrix product runs along the rows of its output, which are then
// too short to fill its vectors.
const dotBelow = 16

// backLayer sets g = δ·Wₗᵀ for the rows of δ (outₗ wide; g is inₗ wide),
// with the transposed weights wt for wide inputs and with dot products of
// the rows of δ and Wₗ (from p) for narrow ones (the input layer of a
// low-dimensional model).
func backLayer[T elem](m *MLP, g, delta, p, wt []T, l int) {
	in, out := m.layers[l-1], m.layers[l]
	r := len(delta) / out
	if in >= dotBelow {
		matMul(g, delta, wt[m.toffs[l-1]:m.toffs[l]], r, out, in)
		return
	}
	w := p[m.offs[l-1] : m.offs[l-1]+in*out]
	for i := range r {
		di := delta[i*out : i*out+out]
		gi := g[i*in : i*in+in]
		for j := range gi {
			gi[j] = dot(di, w[j*out:j*out+out])
		}
	}
}

// transpose writes the c×r transpose of the r×c row-major src into dst
// (simd.Transpose32 or Transpose64).
func transpose[T elem](dst, src []T, r, c int) {
	if is32[T]() {
		simd.Transpose32(as32(dst), as32(src), r, c)
		return
	}
	simd.Transpose64(as64(dst), as64(src), r, c)
}

// The kernels below pick the float64 or float32 simd kernel by T's size;
// the slices are reinterpreted, not converted.

func is32[T elem]() bool { var z T; return unsafe.Sizeof(z) == 4 }

// as32 and as64 reinterpret a []T whose T is float32 (float64).
func as32[T elem](v []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}
func as64[T elem](v []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}

// asT reinterprets a []float64 as []T when T is float64.
func asT[T elem](v []float64) []T {
	if v == nil {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}

func matMul[T elem](c, a, b []T, m, k, n int) {
	if is32[T]() {
		simd.MatMul32(as32(c), as32(a), as32(b), m, k, n)
	} else {
		simd.MatMul(as64(c), as64(a), as64(b), m, k, n)
	}
}

func matMulBias[T elem](c, a, b, bias []T, m, k, n int) {
	if is32[T]() {
		simd.MatMulBias32(as32(c), as32(a), as32(b), as32(bias), m, k, n)
	} else {
		simd.MatMulBias(as64(c), as64(a), as64(b), as64(bias), m, k, n)
	}
}

// mul sets dst[i] *= x[i].
func mul[T elem](dst, x []T) {
	if is32[T]() {
		simd.Mul32(as32(dst), as32(x))
		return
	}
	for i, v := range x {
		dst[i] *= v
	}
}

func dot[T elem](x, y []T) T {
	if is32[T]() {
		return T(simd.Dot32(as32(x), as32(y)))
	}
	return T(simd.Dot(as64(x), as64(y)))
}

// actLayer is act.layer in T: float64 calls it directly; float32 runs
// SiLU (the default) on simd.SiLU32 and the other activations through
// float64 scratch (rounded back), with the same formulas.
func actLayer[T elem](a act, s *work[T], z, d, bias, scale []T, deriv bool) {
	if !is32[T]() {
		a.layer(as64(z), as64(d), as64(bias), as64(scale), deriv)
		return
	}
	z32, d32 := as32(z), as32(d[:len(z)])
	b32 := as32(bias)
	var sc32 []float32
	if scale != nil {
		sc32 = as32(scale)
	}
	if a == actSiLU {
		simd.SiLU32(z32, d32, b32, sc32, deriv)
		return
	}
	n, w := len(z), len(bias)
	s.tmp = grow(s.tmp, 2*n+2*w)
	z64, d64, b64 := s.tmp[:n], s.tmp[n:2*n], s.tmp[2*n:2*n+w]
	simd.ToFloat64(z64, z32)
	simd.ToFloat64(b64, b32)
	var sc64 []float64
	if scale != nil {
		sc64 = s.tmp[2*n+w : 2*n+2*w]
		simd.ToFloat64(sc64, sc32)
	}
	a.layer(z64, d64, b64, sc64, deriv)
	simd.ToFloat32(z32, z64)
	if deriv {
		simd.ToFloat32(d32, d64)
	}
}
