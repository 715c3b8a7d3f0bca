package autodiff

import (
	"runtime"

	"github.com/goebm/ebm/simd"
)

// Work large enough to pay for a hand-over (matrix products of at least
// parMin multiply-adds, element-wise passes with exponentials or several
// factors over at least parMinElems elements) is split into contiguous
// ranges over the Graph's workers. Every row or element is computed the
// same way whatever range it falls in (simd's products compute each row
// of C independently of the others), so the split changes no result.
const (
	parMin      = 1 << 16
	parMinElems = 1 << 14
	rowQuantum  = 8
)

// job is work over the index range [0, n) that can be split: run(r0, r1)
// does [r0, r1). Jobs live in the Graph (one per kind, reused), so handing
// one to a worker allocates nothing. The ranges run on the Graph's Team,
// whose helpers the whole process shares (internal/team): the objectives'
// shards and negative chains run on the same ones.
type job interface{ run(r0, r1 int) }

// nworkers is the number of goroutines a job may use.
func (g *GraphOf[T]) nworkers() int {
	switch {
	case g.workers < 0:
		return runtime.GOMAXPROCS(0)
	case g.workers == 0:
		return 1
	}
	return g.workers
}

// split runs j over [0, n), in up to nworkers ranges whose lengths are
// multiples of quantum (the last may be shorter) when large is true, else
// on the calling goroutine; the team runs the ranges on the caller alone
// while another job holds the cores (the shards of a sampler or an
// objective). The results do not depend on which.
func (g *GraphOf[T]) split(j job, n, quantum int, large bool) {
	w := 1
	if large {
		w = min(g.nworkers(), n/quantum)
	}
	if w <= 1 {
		j.run(0, n)
		return
	}
	per := (n + w - 1) / w
	per = (per + quantum - 1) / quantum * quantum
	g.job, g.jobN, g.jobPer = j, n, per
	if g.team.Do == nil {
		g.team.Do = func(i int) {
			r0 := i * g.jobPer
			g.job.run(r0, min(r0+g.jobPer, g.jobN))
		}
	}
	g.team.Run((n+per-1)/per, w)
	g.job = nil
}

// mmJob is a matrix product over the rows of C: C = A·B (+ bias).
type mmJob[T Float] struct {
	c, a, b, bias []T
	k, n          int
}

func (t *mmJob[T]) run(r0, r1 int) {
	c, a, m := t.c[r0*t.n:r1*t.n], t.a[r0*t.k:r1*t.k], r1-r0
	if t.bias != nil {
		kMatMulBias(c, a, t.b, t.bias, m, t.k, t.n)
	} else {
		kMatMul(c, a, t.b, m, t.k, t.n)
	}
}

// mm runs a product of m rows, split when large.
func (g *GraphOf[T]) mm(c, a, b, bias []T, m, k, n int) {
	g.mmJob = mmJob[T]{c: c, a: a, b: b, bias: bias, k: k, n: n}
	g.split(&g.mmJob, m, rowQuantum, m*k*n >= parMin)
	g.mmJob = mmJob[T]{} // drop the references to the operands
}

// matMul sets c = a·b (+ bias) for a m×k, b k×n (an outer product for
// k = 1).
func (g *GraphOf[T]) matMul(c, a, b, bias []T, m, k, n int) {
	if k == 1 {
		outer(c, a, b, bias, n)
		return
	}
	g.mm(c, a, b, bias, m, k, n)
}

// outer sets c = a·bᵀ (+ bias) for column a (m values) and row b (n
// values): a product with inner size 1.
func outer[T Float](c, a, b, bias []T, n int) {
	for i, ai := range a {
		row := c[i*n : (i+1)*n]
		b := b[:len(row)]
		if bias == nil {
			for j := range row {
				row[j] = ai * b[j]
			}
		} else {
			bias := bias[:len(row)]
			for j := range row {
				row[j] = ai*b[j] + bias[j]
			}
		}
	}
}

// matMulBT sets c = a·bᵀ for a m×k and b (the values of node bn) n×k.
// For k = 1 (the backward pass from a scalar per row) it is an outer
// product; for a few columns (n ≤ 4, the gradient with respect to
// low-dimensional points) row-by-row dot products, several times faster
// than a matrix kernel there; otherwise a product with bᵀ, which is
// computed once per node and cached (a weight matrix is multiplied this
// way in the first and in the second backward pass).
func (g *GraphOf[T]) matMulBT(c, a []T, bn Node, b []T, m, k, n int) {
	switch {
	case k == 1:
		outer(c, a, b, nil, n)
	case n <= 4:
		for i := 0; i < m; i++ {
			ai, ci := a[i*k:(i+1)*k], c[i*n:(i+1)*n]
			for j := range ci {
				ci[j] = dot(ai, b[j*k:(j+1)*k])
			}
		}
	default:
		g.mm(c, a, g.transposed(bn), nil, m, k, n)
	}
}

// transposed returns the transpose of node n's value, computing it once.
func (g *GraphOf[T]) transposed(n Node) []T {
	p := &g.nodes[n]
	size := len(p.val)
	if cap(p.trBuf) < size {
		p.trBuf = make([]T, size)
		p.trOK = false
	}
	t := p.trBuf[:size]
	if !p.trOK {
		transpose(t, p.val, int(p.rows), int(p.cols))
		p.trOK = true
	}
	return t
}

// matMulAT sets c = aᵀ·b for a k×m, b k×n. A product to be split over
// goroutines transposes a into the Graph's scratch and multiplies by rows
// of aᵀ, so that it splits by rows like the others; one on this goroutine
// runs simd's Aᵀ·B kernel. For one column it sums scaled rows of a.
func (g *GraphOf[T]) matMulAT(c, a, b []T, m, k, n int) {
	if n == 1 {
		// c = Σ_p b[p]·(row p of a): no transposition.
		clear(c)
		for p, bp := range b {
			kAxpy(c, bp, a[p*m:(p+1)*m])
		}
		return
	}
	if k > 1 && (g.nworkers() <= 1 || m*k*n < parMin) {
		// Not split: simd's Aᵀ·B kernel computes every element as the same
		// chain of fused multiply-adds as the product with the transpose.
		kMatMulAT(c, a, b, m, k, n)
		return
	}
	if cap(g.tbuf) < m*k {
		g.tbuf = make([]T, m*k)
	}
	at := g.tbuf[:m*k]
	transpose(at, a, k, m)
	g.matMul(c, at, b, nil, m, k, n)
}

// transpose writes the c×r transpose of the r×c row-major src into dst,
// in 8×8 blocks in vector registers where the implementation has them
// (simd.Transpose32, simd.Transpose64).
func transpose[T Float](dst, src []T, r, c int) {
	if c == 1 || r == 1 {
		copy(dst, src)
		return
	}
	dst, src = dst[:r*c], src[:r*c]
	if is32[T]() {
		simd.Transpose32(f32(dst), f32(src), r, c)
		return
	}
	simd.Transpose64(f64(dst), f64(src), r, c)
}
