package autodiff

import (
	"fmt"
	"math"
)

// mismatch panics with a shape error naming the operation.
func mismatch(op string, ar, ac, br, bc int) {
	panic(fmt.Sprintf("autodiff: %s: shape mismatch %d×%d and %d×%d", op, ar, ac, br, bc))
}

// MatMul returns a·b for a n×k and b k×m.
func (g *GraphOf[T]) MatMul(a, b Node) Node {
	n, k, av := g.shape(a)
	k2, m, bv := g.shape(b)
	if k != k2 {
		mismatch("MatMul", n, k, k2, m)
	}
	id, p := g.alloc(opMatMul, n, m)
	g.link(p, a, b, 0)
	g.matMul(p.val, av, bv, nil, n, k, m)
	return id
}

// MatMulBT returns a·bᵀ for a n×k and b m×k (the product with a weight
// matrix stored one output per row).
func (g *GraphOf[T]) MatMulBT(a, b Node) Node {
	n, k, av := g.shape(a)
	m, k2, bv := g.shape(b)
	if k != k2 {
		mismatch("MatMulBT", n, k, m, k2)
	}
	id, p := g.alloc(opMatMulBT, n, m)
	g.link(p, a, b, 0)
	g.matMulBT(p.val, av, b, bv, n, k, m)
	return id
}

// MatMulAT returns aᵀ·b for a k×n and b k×m (a sum over the batch rows:
// the gradient of a weight matrix).
func (g *GraphOf[T]) MatMulAT(a, b Node) Node {
	k, n, av := g.shape(a)
	k2, m, bv := g.shape(b)
	if k != k2 {
		mismatch("MatMulAT", k, n, k2, m)
	}
	id, p := g.alloc(opMatMulAT, n, m)
	g.link(p, a, b, 0)
	g.matMulAT(p.val, av, bv, n, k, m)
	return id
}

// Affine returns x·w + bias broadcast over rows, for x n×k, w k×m and bias
// 1×m: a dense layer in one pass, equal to AddBias(MatMul(x, w), bias) up
// to rounding.
func (g *GraphOf[T]) Affine(x, w, bias Node) Node {
	n, k, xv := g.shape(x)
	k2, m, wv := g.shape(w)
	if k != k2 {
		mismatch("Affine", n, k, k2, m)
	}
	br, bc, bv := g.shape(bias)
	if br != 1 || bc != m {
		mismatch("Affine (bias)", n, m, br, bc)
	}
	id, p := g.alloc(opAffine, n, m)
	g.link(p, x, w, bias)
	g.matMul(p.val, xv, wv, bv, n, k, m)
	return id
}

// AddBias returns a (n×m) plus bias (1×m) added to every row.
func (g *GraphOf[T]) AddBias(a, bias Node) Node {
	n, m, av := g.shape(a)
	br, bc, bv := g.shape(bias)
	if br != 1 || bc != m {
		mismatch("AddBias", n, m, br, bc)
	}
	id, p := g.alloc(opAddBias, n, m)
	g.link(p, a, bias, 0)
	out := p.val
	for i := 0; i < n; i++ {
		row, src := out[i*m:(i+1)*m], av[i*m:(i+1)*m]
		for j, b := range bv[:len(row)] {
			row[j] = src[j] + b
		}
	}
	return id
}

// same checks that a and b have the same shape and returns it with their
// values.
func (g *GraphOf[T]) same(op string, a, b Node) (n, m int, av, bv []T) {
	n, m, av = g.shape(a)
	br, bc, bv := g.shape(b)
	if n != br || m != bc {
		mismatch(op, n, m, br, bc)
	}
	return n, m, av, bv
}

// Add returns a + b (same shapes).
func (g *GraphOf[T]) Add(a, b Node) Node {
	n, m, av, bv := g.same("Add", a, b)
	id, p := g.alloc(opAdd, n, m)
	g.link(p, a, b, 0)
	out := p.val
	av, bv = av[:len(out)], bv[:len(out)]
	if len(out) >= 16 { // av + 1·bv on the simd kernels: the same bits
		kAdd(out, av, bv)
		return id
	}
	for i := range out {
		out[i] = av[i] + bv[i]
	}
	return id
}

// Sub returns a − b (same shapes).
func (g *GraphOf[T]) Sub(a, b Node) Node {
	n, m, av, bv := g.same("Sub", a, b)
	id, p := g.alloc(opSub, n, m)
	g.link(p, a, b, 0)
	out := p.val
	av, bv = av[:len(out)], bv[:len(out)]
	for i := range out {
		out[i] = av[i] - bv[i]
	}
	return id
}

// Mul returns the element-wise product a∘b (same shapes).
func (g *GraphOf[T]) Mul(a, b Node) Node { return g.mulS("Mul", a, b, 1) }

// mulS records s·a∘b.
func (g *GraphOf[T]) mulS(name string, a, b Node, s float64) Node {
	n, m, av, bv := g.same(name, a, b)
	id, p := g.alloc(opMul, n, m)
	g.link(p, a, b, 0)
	p.s = s
	out := p.val
	av, bv = av[:len(out)], bv[:len(out)]
	if s == 1 {
		for i := range out {
			out[i] = av[i] * bv[i]
		}
	} else {
		st := T(s)
		for i := range out {
			out[i] = st * (av[i] * bv[i])
		}
	}
	return id
}

// Div returns the element-wise quotient a / b (same shapes).
func (g *GraphOf[T]) Div(a, b Node) Node {
	n, m, av, bv := g.same("Div", a, b)
	id, p := g.alloc(opDiv, n, m)
	g.link(p, a, b, 0)
	out := p.val
	av, bv = av[:len(out)], bv[:len(out)]
	for i := range out {
		out[i] = av[i] / bv[i]
	}
	return id
}

// Scale returns s·a.
func (g *GraphOf[T]) Scale(a Node, s float64) Node {
	n, m, av := g.shape(a)
	id, p := g.alloc(opScale, n, m)
	g.link(p, a, 0, 0)
	p.s = s
	out, st := p.val, T(s)
	av = av[:len(out)]
	for i := range out {
		out[i] = st * av[i]
	}
	return id
}

// Neg returns −a.
func (g *GraphOf[T]) Neg(a Node) Node { return g.Scale(a, -1) }

// AddConst returns a + c, c added to every element.
func (g *GraphOf[T]) AddConst(a Node, c float64) Node {
	n, m, av := g.shape(a)
	id, p := g.alloc(opAddConst, n, m)
	g.link(p, a, 0, 0)
	p.s = c
	out, ct := p.val, T(c)
	av = av[:len(out)]
	for i := range out {
		out[i] = av[i] + ct
	}
	return id
}

// Square returns a∘a.
func (g *GraphOf[T]) Square(a Node) Node {
	n, m, av := g.shape(a)
	id, p := g.alloc(opSquare, n, m)
	g.link(p, a, 0, 0)
	out := p.val
	av = av[:len(out)]
	for i := range out {
		out[i] = av[i] * av[i]
	}
	return id
}

// MulCol returns a (n×m) with row i scaled by c[i], for c n×1.
func (g *GraphOf[T]) MulCol(a, c Node) Node {
	n, m, av := g.shape(a)
	cr, cc, cv := g.shape(c)
	if cr != n || cc != 1 {
		mismatch("MulCol", n, m, cr, cc)
	}
	id, p := g.alloc(opMulCol, n, m)
	g.link(p, a, c, 0)
	out := p.val
	for i, ci := range cv {
		row, src := out[i*m:(i+1)*m], av[i*m:(i+1)*m]
		for j, v := range src[:len(row)] {
			row[j] = v * ci
		}
	}
	return id
}

// MulRow returns a (n×m) with column j scaled by r[j], for r 1×m.
func (g *GraphOf[T]) MulRow(a, r Node) Node {
	n, m, av := g.shape(a)
	rr, rc, rv := g.shape(r)
	if rr != 1 || rc != m {
		mismatch("MulRow", n, m, rr, rc)
	}
	id, p := g.alloc(opMulRow, n, m)
	g.link(p, a, r, 0)
	out := p.val
	for i := 0; i < n; i++ {
		row, src := out[i*m:(i+1)*m], av[i*m:(i+1)*m]
		for j, v := range rv[:len(row)] {
			row[j] = src[j] * v
		}
	}
	return id
}

// RowDot returns the n×1 row-wise dot products Σ_j a_ij·b_ij of a and b
// (same shapes), e.g. ⟨∇ₓE(x_i), v_i⟩ for every point of a batch.
func (g *GraphOf[T]) RowDot(a, b Node) Node {
	n, m, av, bv := g.same("RowDot", a, b)
	id, p := g.alloc(opRowDot, n, 1)
	g.link(p, a, b, 0)
	out := p.val
	for i := range out {
		out[i] = dot(av[i*m:(i+1)*m], bv[i*m:(i+1)*m])
	}
	return id
}

// ColDot returns the 1×m column-wise dot products Σ_i a_ij·b_ij of a and b
// (same shapes).
func (g *GraphOf[T]) ColDot(a, b Node) Node {
	n, m, av, bv := g.same("ColDot", a, b)
	id, p := g.alloc(opColDot, 1, m)
	g.link(p, a, b, 0)
	out := p.val
	clear(out)
	for i := 0; i < n; i++ {
		ra, rb := av[i*m:(i+1)*m], bv[i*m:(i+1)*m]
		ra, rb = ra[:len(out)], rb[:len(out)]
		for j := range out {
			out[j] += ra[j] * rb[j]
		}
	}
	return id
}

// SumRows returns the n×1 sums of the rows of a (n×m).
func (g *GraphOf[T]) SumRows(a Node) Node {
	n, m, av := g.shape(a)
	id, p := g.alloc(opSumRows, n, 1)
	g.link(p, a, 0, 0)
	out := p.val
	for i := range out {
		var s T
		for _, v := range av[i*m : (i+1)*m] {
			s += v
		}
		out[i] = s
	}
	return id
}

// SumCols returns the 1×m sums over the rows of a (n×m).
func (g *GraphOf[T]) SumCols(a Node) Node {
	n, m, av := g.shape(a)
	id, p := g.alloc(opSumCols, 1, m)
	g.link(p, a, 0, 0)
	out := p.val
	clear(out)
	for i := 0; i < n; i++ {
		row := av[i*m : (i+1)*m]
		row = row[:len(out)]
		if m >= 16 { // out += 1·row on the simd kernels: the same bits
			kAxpy(out, 1, row)
			continue
		}
		for j := range out {
			out[j] += row[j]
		}
	}
	return id
}

// Sum returns the 1×1 sum of all elements of a.
func (g *GraphOf[T]) Sum(a Node) Node { return g.sum(a, 1) }

// Mean returns the 1×1 mean of all elements of a (NaN for an empty a).
func (g *GraphOf[T]) Mean(a Node) Node {
	n, m, _ := g.shape(a)
	return g.sum(a, 1/float64(n*m))
}

// sum records s·Σ a_ij.
func (g *GraphOf[T]) sum(a Node, s float64) Node {
	_, _, av := g.shape(a)
	id, p := g.alloc(opSum, 1, 1)
	g.link(p, a, 0, 0)
	p.s = s
	var t T
	for _, v := range av {
		t += v
	}
	p.val[0] = T(s) * t
	return id
}

// fill records s·a (a 1×1) broadcast to rows×cols.
func (g *GraphOf[T]) fill(a Node, rows, cols int, s float64) Node {
	ar, ac, av := g.shape(a)
	if ar != 1 || ac != 1 {
		mismatch("fill", ar, ac, 1, 1)
	}
	id, p := g.alloc(opFill, rows, cols)
	g.link(p, a, 0, 0)
	p.s = s
	v := T(s) * av[0]
	out := p.val
	for i := range out {
		out[i] = v
	}
	return id
}

// BroadcastRows returns r (1×m) repeated as the n rows of an n×m matrix.
func (g *GraphOf[T]) BroadcastRows(r Node, n int) Node {
	rr, m, rv := g.shape(r)
	if rr != 1 || n < 0 {
		mismatch("BroadcastRows", rr, m, n, m)
	}
	id, p := g.alloc(opBroadcastRows, n, m)
	g.link(p, r, 0, 0)
	out := p.val
	for i := 0; i < n; i++ {
		copy(out[i*m:(i+1)*m], rv)
	}
	return id
}

// BroadcastCols returns c (n×1) repeated as the m columns of an n×m matrix.
func (g *GraphOf[T]) BroadcastCols(c Node, m int) Node {
	n, cc, cv := g.shape(c)
	if cc != 1 || m < 0 {
		mismatch("BroadcastCols", n, cc, n, m)
	}
	id, p := g.alloc(opBroadcastCols, n, m)
	g.link(p, c, 0, 0)
	out := p.val
	for i, v := range cv {
		row := out[i*m : (i+1)*m]
		for j := range row {
			row[j] = v
		}
	}
	return id
}

// Col returns column j of a (n×m) as an n×1 node.
func (g *GraphOf[T]) Col(a Node, j int) Node {
	n, m, av := g.shape(a)
	if j < 0 || j >= m {
		panic(fmt.Sprintf("autodiff: Col: column %d out of range for %d×%d", j, n, m))
	}
	id, p := g.alloc(opCol, n, 1)
	g.link(p, a, 0, 0)
	p.k = int32(j)
	out := p.val
	for i := range out {
		out[i] = av[i*m+j]
	}
	return id
}

// placeCol records the n×cols matrix of zeros with column j set to a (n×1):
// the adjoint of Col.
func (g *GraphOf[T]) placeCol(a Node, j, cols int) Node {
	n, _, av := g.shape(a)
	id, p := g.alloc(opPlaceCol, n, cols)
	g.link(p, a, 0, 0)
	p.k = int32(j)
	out := p.val
	clear(out)
	for i, v := range av {
		out[i*cols+j] = v
	}
	return id
}

// Exp returns eᵃ element-wise (simd.Exp or, on a Graph32, simd.Exp32:
// within 2 units in the last place of the exact value).
func (g *GraphOf[T]) Exp(a Node) Node {
	n, m, av := g.shape(a)
	id, p := g.alloc(opExp, n, m)
	g.link(p, a, 0, 0)
	kExp(p.val, av)
	return id
}

// Log returns the natural logarithm of a element-wise (NaN below 0, −Inf
// at 0, as math.Log; a Graph32 rounds math.Log of its values).
func (g *GraphOf[T]) Log(a Node) Node {
	n, m, av := g.shape(a)
	id, p := g.alloc(opLog, n, m)
	g.link(p, a, 0, 0)
	out := p.val
	av = av[:len(out)]
	for i := range out {
		out[i] = T(math.Log(float64(av[i])))
	}
	return id
}

// dot returns Σ a_i·b_i, with the simd kernel for long rows.
func dot[T Float](a, b []T) T {
	if len(a) >= 16 {
		return kDot(a, b)
	}
	b = b[:len(a)]
	var s T
	for i, v := range a {
		s += v * b[i]
	}
	return s
}
