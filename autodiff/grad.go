package autodiff

import "fmt"

// Marks of Grad's scratch.
const (
	markWanted uint8 = 1 << iota // a requested input
	markDep                      // depends on a requested input through recorded operations
)

// Grad returns d(Σ_i ⟨seeds[i], outputs[i]⟩)/d inputs[j] for each j, as
// nodes of the inputs' shapes. seeds[i] may be 0 (the zero Node), meaning
// all ones of outputs[i]'s shape; seeds itself may be nil (all ones for
// every output). An input the outputs do not depend on, or a Const, gets a
// zero-valued node of its shape.
//
// With createGraph the backward pass is recorded as ordinary differentiable
// operations on g, so the returned nodes can themselves be differentiated,
// to any order (Hessian-vector products, Hessian traces and their
// parameter gradients). Without it the results have the same values but
// are constants for later Grad calls, and are cheaper to compute. Only the
// nodes on a path from the inputs to the outputs are visited.
//
// The returned slice is valid until the next Reset.
func (g *GraphOf[T]) Grad(outputs, inputs, seeds []Node, createGraph bool) []Node {
	if seeds != nil && len(seeds) != len(outputs) {
		panic(fmt.Sprintf("autodiff: Grad: %d seeds for %d outputs", len(seeds), len(outputs)))
	}
	hi := Node(0)
	for i, o := range outputs {
		p := g.at(o)
		if seeds != nil && seeds[i] != 0 {
			s := g.at(seeds[i])
			if s.rows != p.rows || s.cols != p.cols {
				panic(fmt.Sprintf("autodiff: Grad: seed %d is %d×%d for an output of %d×%d", i, s.rows, s.cols, p.rows, p.cols))
			}
		}
		hi = max(hi, o)
	}
	lo := Node(len(g.nodes))
	for _, in := range inputs {
		g.at(in)
		lo = min(lo, in)
	}

	// Which nodes depend on a requested input (through recorded operands).
	size := int(hi) + 1
	if cap(g.mark) < size {
		g.mark = make([]uint8, size)
		g.adj = make([]Node, size)
	}
	mark, adj := g.mark[:size], g.adj[:size]
	clear(mark)
	clear(adj)
	for _, in := range inputs {
		if in <= hi && g.nodes[in].diff {
			mark[in] = markWanted | markDep
		}
	}
	for i := lo + 1; i <= hi; i++ {
		p := &g.nodes[i]
		if !p.diff || mark[i] != 0 {
			continue
		}
		if mark[p.a]&markDep != 0 || mark[p.b]&markDep != 0 || mark[p.c]&markDep != 0 {
			mark[i] = markDep
		}
	}

	saved := g.record
	g.record = createGraph
	defer func() { g.record = saved }()

	for i, o := range outputs {
		if mark[o]&markDep == 0 {
			continue
		}
		var s Node
		if seeds != nil {
			s = seeds[i]
		}
		if s == 0 {
			s = g.filled(int(g.nodes[o].rows), int(g.nodes[o].cols), 1)
		}
		g.accumulate(adj, o, s)
	}
	for i := hi; i >= lo && i > 0; i-- {
		if adj[i] != 0 && mark[i]&markDep != 0 {
			g.backward(adj, i, adj[i])
		}
	}

	start := len(g.out)
	for _, in := range inputs {
		var r Node
		if in <= hi {
			r = adj[in]
		}
		if r == 0 {
			p := &g.nodes[in]
			r = g.filled(int(p.rows), int(p.cols), 0)
		}
		g.out = append(g.out, r)
	}
	return g.out[start:len(g.out):len(g.out)]
}

// accumulate adds the contribution d to the adjoint of node n.
func (g *GraphOf[T]) accumulate(adj []Node, n, d Node) {
	if adj[n] == 0 {
		adj[n] = d
		return
	}
	adj[n] = g.Add(adj[n], d)
}

// backward propagates the adjoint gi of node i to its operands that depend
// on a requested input. Every rule is written with the differentiable
// operations, so that with createGraph the backward pass is itself on the
// tape.
func (g *GraphOf[T]) backward(adj []Node, i, gi Node) {
	p := g.nodes[i] // a copy: recording moves g.nodes
	mark := g.mark
	dep := func(n Node) bool { return n != 0 && mark[n]&markDep != 0 }
	a, b, c := p.a, p.b, p.c
	if !dep(a) && !dep(b) && !dep(c) {
		return // a requested input whose own operands are not wanted
	}
	switch p.op {
	case opMatMul: // C = A·B
		if dep(a) {
			g.accumulate(adj, a, g.MatMulBT(gi, b))
		}
		if dep(b) {
			g.accumulate(adj, b, g.MatMulAT(a, gi))
		}
	case opMatMulBT: // C = A·Bᵀ
		if dep(a) {
			g.accumulate(adj, a, g.MatMul(gi, b))
		}
		if dep(b) {
			g.accumulate(adj, b, g.MatMulAT(gi, a))
		}
	case opMatMulAT: // C = Aᵀ·B
		if dep(a) {
			g.accumulate(adj, a, g.MatMulBT(b, gi))
		}
		if dep(b) {
			g.accumulate(adj, b, g.MatMul(a, gi))
		}
	case opAffine: // C = X·W + 1·biasᵀ
		if dep(a) {
			g.accumulate(adj, a, g.MatMulBT(gi, b))
		}
		if dep(b) {
			g.accumulate(adj, b, g.MatMulAT(a, gi))
		}
		if dep(c) {
			g.accumulate(adj, c, g.SumCols(gi))
		}
	case opAddBias:
		if dep(a) {
			g.accumulate(adj, a, gi)
		}
		if dep(b) {
			g.accumulate(adj, b, g.SumCols(gi))
		}
	case opAdd:
		if dep(a) {
			g.accumulate(adj, a, gi)
		}
		if dep(b) {
			g.accumulate(adj, b, gi)
		}
	case opSub:
		if dep(a) {
			g.accumulate(adj, a, gi)
		}
		if dep(b) {
			g.accumulate(adj, b, g.Neg(gi))
		}
	case opMul: // C = s·A∘B
		if dep(a) {
			g.accumulate(adj, a, g.mulS("Mul", gi, b, p.s))
		}
		if dep(b) {
			g.accumulate(adj, b, g.mulS("Mul", gi, a, p.s))
		}
	case opDiv: // C = A/B: dA = G/B, dB = −dA∘C
		if dep(a) || dep(b) {
			da := g.Div(gi, b)
			if dep(a) {
				g.accumulate(adj, a, da)
			}
			if dep(b) {
				g.accumulate(adj, b, g.mulS("Div", da, i, -1))
			}
		}
	case opScale:
		if dep(a) {
			g.accumulate(adj, a, g.Scale(gi, p.s))
		}
	case opAddConst:
		if dep(a) {
			g.accumulate(adj, a, gi)
		}
	case opSquare:
		if dep(a) {
			g.accumulate(adj, a, g.mulS("Square", gi, a, 2))
		}
	case opMulCol: // C = A∘(c broadcast)
		if dep(a) {
			g.accumulate(adj, a, g.MulCol(gi, b))
		}
		if dep(b) {
			g.accumulate(adj, b, g.RowDot(gi, a))
		}
	case opMulRow:
		if dep(a) {
			g.accumulate(adj, a, g.MulRow(gi, b))
		}
		if dep(b) {
			g.accumulate(adj, b, g.ColDot(gi, a))
		}
	case opRowDot:
		if dep(a) {
			g.accumulate(adj, a, g.MulCol(b, gi))
		}
		if dep(b) {
			g.accumulate(adj, b, g.MulCol(a, gi))
		}
	case opColDot:
		if dep(a) {
			g.accumulate(adj, a, g.MulRow(b, gi))
		}
		if dep(b) {
			g.accumulate(adj, b, g.MulRow(a, gi))
		}
	case opSumRows:
		if dep(a) {
			g.accumulate(adj, a, g.BroadcastCols(gi, int(g.nodes[a].cols)))
		}
	case opSumCols:
		if dep(a) {
			g.accumulate(adj, a, g.BroadcastRows(gi, int(g.nodes[a].rows)))
		}
	case opSum:
		if dep(a) {
			g.accumulate(adj, a, g.fill(gi, int(g.nodes[a].rows), int(g.nodes[a].cols), p.s))
		}
	case opFill:
		if dep(a) {
			g.accumulate(adj, a, g.sum(gi, p.s))
		}
	case opBroadcastRows:
		if dep(a) {
			g.accumulate(adj, a, g.SumCols(gi))
		}
	case opBroadcastCols:
		if dep(a) {
			g.accumulate(adj, a, g.SumRows(gi))
		}
	case opAct: // C = B∘C'∘f⁽ᵏ⁾(X), B and C' optional
		k := int(p.k)
		if dep(b) {
			g.accumulate(adj, b, g.act(gi, c, p.x, p.f, k))
		}
		if dep(c) {
			g.accumulate(adj, c, g.act(gi, b, p.x, p.f, k))
		}
		if dep(a) {
			var d Node
			switch {
			case b == 0 && c == 0:
				d = g.act(gi, 0, a, p.f, k+1)
			case c == 0:
				d = g.act(gi, b, a, p.f, k+1)
			case b == 0:
				d = g.act(gi, c, a, p.f, k+1)
			default:
				d = g.act(g.Mul(gi, b), c, a, p.f, k+1)
			}
			g.accumulate(adj, a, d)
		}
	case opExp:
		if dep(a) {
			g.accumulate(adj, a, g.Mul(gi, i))
		}
	case opLog:
		if dep(a) {
			g.accumulate(adj, a, g.Div(gi, a))
		}
	case opCol:
		if dep(a) {
			g.accumulate(adj, a, g.placeCol(gi, int(p.k), int(g.nodes[a].cols)))
		}
	case opPlaceCol:
		if dep(a) {
			g.accumulate(adj, a, g.Col(gi, int(p.k)))
		}
	case opConv, opConvT, opConvW, opPool, opUnpool:
		g.convBackward(adj, &p, gi, dep)
	default:
		panic(fmt.Sprintf("autodiff: no backward rule for op %d", p.op))
	}
}
