package autodiff

import "math"

// LogSoftmax returns the row-wise log-softmax of a (n×m):
//
//	out_ij = a_ij − log Σ_k exp(a_ik).
//
// It is recorded as a composition of differentiable operations, with the
// row maximum subtracted first as a constant (the function does not change
// when a constant is added to a row, so the derivatives are those of the
// formula above, to every order): large logits do not overflow, and a −Inf
// logit in a row with a finite one gives −Inf. Non-finite rows otherwise
// give NaN.
func (g *GraphOf[T]) LogSoftmax(a Node) Node {
	n, m, av := g.shape(a)
	shift, p := g.alloc(opConst, n, 1)
	for i := range p.val {
		mx := T(math.Inf(-1))
		for _, v := range av[i*m : (i+1)*m] {
			mx = max(mx, v)
		}
		if math.IsInf(float64(mx), 0) {
			mx = 0 // a row of −Inf (or with +Inf) keeps its values as they are
		}
		p.val[i] = mx
	}
	z := g.Sub(a, g.BroadcastCols(shift, m))
	lse := g.Log(g.SumRows(g.Exp(z)))
	return g.Sub(z, g.BroadcastCols(lse, m))
}

// SoftmaxCrossEntropy returns the 1×1 mean over rows of the cross-entropy
// between the target distributions t (n×m, rows of probabilities, e.g.
// one-hot labels) and the softmax of the logits (n×m):
//
//	−(1/n) Σ_i Σ_j t_ij · LogSoftmax(logits)_ij.
//
// Its gradient with respect to the logits is (softmax(logits) − t)/n when
// every row of t sums to 1. Gradients flow to t too when it is an Input.
// The logits must be finite (a −Inf logit gives 0·(−Inf) = NaN); an
// empty batch (n = 0) gives NaN, as Mean does.
func (g *GraphOf[T]) SoftmaxCrossEntropy(logits, t Node) Node {
	n, m := g.Shape(logits)
	if tr, tc := g.Shape(t); tr != n || tc != m {
		mismatch("SoftmaxCrossEntropy", n, m, tr, tc)
	}
	return g.sum(g.Mul(t, g.LogSoftmax(logits)), -1/float64(n))
}
