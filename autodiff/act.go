package autodiff

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/goebm/ebm/simd"
)

// Activation names an element-wise function with exact derivatives of every
// order (Act and ActDeriv).
type Activation int

// The activations. Derivatives of every order are exact; they are
// evaluated from one cached exponential per element (see ActDeriv), stable
// for every finite input.
const (
	Identity  Activation = iota // f(x) = x
	Softplus                    // f(x) = log(1 + eˣ)
	SiLU                        // f(x) = x·σ(x), also called swish
	Tanh                        // f(x) = tanh x
	Sigmoid                     // f(x) = σ(x) = 1/(1 + e⁻ˣ)
	ELU                         // f(x) = x for x > 0, eˣ − 1 otherwise (α = 1)
	ReLU                        // f(x) = max(x, 0); f′(0) = 0
	Gaussian                    // f(x) = exp(−x²/2)
	LeakyReLU                   // f(x) = x for x > 0, LeakySlope·x otherwise; f′(0) = LeakySlope
	numActivations
)

var actNames = [numActivations]string{"identity", "softplus", "silu", "tanh", "sigmoid", "elu", "relu", "gaussian", "leaky_relu"}

// LeakySlope is LeakyReLU's slope below 0: 0.2, as in Du & Mordatch's
// energy networks (PyTorch's nn.LeakyReLU(0.2)).
const LeakySlope = 0.2

// ParseActivation returns the activation of the given name: "identity",
// "softplus", "silu" (or "swish"), "tanh", "sigmoid", "elu", "relu",
// "leaky_relu" or "gaussian", in any case. The error of an unknown name lists the known
// ones.
func ParseActivation(name string) (Activation, error) {
	s := strings.ToLower(strings.TrimSpace(name))
	if s == "swish" {
		return SiLU, nil
	}
	for i, n := range actNames {
		if n == s {
			return Activation(i), nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q (known: elu, gaussian, identity, leaky_relu, relu, sigmoid, silu, softplus, swish, tanh)", name)
}

// String returns the name ParseActivation accepts.
func (f Activation) String() string {
	if f.valid() {
		return actNames[f]
	}
	return fmt.Sprintf("Activation(%d)", int(f))
}

// Smooth reports whether f has non-zero second derivatives almost
// everywhere: false for ReLU, LeakyReLU and Identity, whose second
// derivatives vanish wherever they exist (score matching needs a smooth
// activation).
func (f Activation) Smooth() bool { return f != ReLU && f != LeakyReLU && f != Identity && f.valid() }

func (f Activation) valid() bool { return f >= 0 && f < numActivations }

// constDeriv reports whether the order-k derivative of f is constant
// almost everywhere, so that no gradient flows through it.
func constDeriv(f Activation, k int) bool {
	return k >= 1 && (f == ReLU || f == LeakyReLU || f == Identity)
}

// Act returns f(a) element-wise. Its derivative is ActDeriv(a, f, 1).
func (g *GraphOf[T]) Act(a Node, f Activation) Node { return g.ActDeriv(a, f, 0) }

// ActDeriv returns the order-th derivative f⁽ᵒʳᵈᵉʳ⁾(a) element-wise (order 0
// is f itself). It is differentiable again: its derivative is order+1.
func (g *GraphOf[T]) ActDeriv(a Node, f Activation, order int) Node {
	if order < 0 || order > 1<<20 || !f.valid() {
		panic(fmt.Sprintf("autodiff: ActDeriv: invalid activation %v or order %d", f, order))
	}
	return g.act(0, 0, a, f, order)
}

// act records b∘c∘f⁽ᵏ⁾(x), where b and c (each shaped like x, or 0 for
// none) multiply the activation's derivative: the backward pass of an
// activation is one such node instead of a derivative node and a product.
func (g *GraphOf[T]) act(b, c, x Node, f Activation, k int) Node {
	n, m, xv := g.shape(x)
	var bv, cv []T
	if b != 0 {
		_, _, _, bv = g.same("Act", x, b)
	}
	if c != 0 {
		_, _, _, cv = g.same("Act", x, c)
	}
	fam := f.family()
	var base []T
	if fam != famNone && !(k == 0 && fam == famTanh) { // tanh's value needs no cache
		base = g.base(x, fam)
	}
	id, p := g.alloc(opAct, n, m)
	ax := x
	if constDeriv(f, k) {
		ax = 0
	}
	g.link(p, ax, b, c)
	p.x, p.f, p.k = x, f, int32(k)
	g.actJob = actJob[T]{out: p.val, x: xv, base: base, b: bv, c: cv, f: f, k: k, pairs: fam == famSig || fam == famTanh}
	g.split(&g.actJob, len(p.val), 256, len(p.val) >= parMinElems && (base != nil || bv != nil))
	g.actJob = actJob[T]{}
	return id
}

// actJob computes out = b∘c∘f⁽ᵏ⁾(x) over a range of elements, in chunks
// that keep the derivative in L1 while the multipliers apply.
type actJob[T Float] struct {
	out, x, base, b, c []T
	f                  Activation
	k                  int
	pairs              bool // base holds two values per element (σ(ax) then σ(−ax))
}

func (t *actJob[T]) run(r0, r1 int) {
	const chunk = 256
	size := len(t.out)
	for i0 := r0; i0 < r1; i0 += chunk {
		i1 := min(i0+chunk, r1)
		var c1, c2 []T
		switch {
		case t.base == nil:
		case t.pairs:
			c1, c2 = t.base[i0:i1], t.base[size+i0:size+i1]
		default:
			c1 = t.base[i0:i1]
		}
		if t.f == SiLU && t.b != nil && siluFused(t.out[i0:i1], t.x[i0:i1], c1, c2, t.b[i0:i1], t.c, i0, i1, t.k) {
			continue
		}
		deriv(t.out[i0:i1], t.x[i0:i1], c1, c2, t.f, t.k)
		if t.b != nil {
			mulInto(t.out[i0:i1], t.b[i0:i1])
		}
		if t.c != nil {
			mulInto(t.out[i0:i1], t.c[i0:i1])
		}
	}
}

// mulInto sets dst[i] *= v[i] (simd.Mul32 in float32: the same bits).
func mulInto[T Float](dst, v []T) {
	v = v[:len(dst)]
	if is32[T]() {
		simd.Mul32(f32(dst), f32(v))
		return
	}
	for i := range dst {
		dst[i] *= v[i]
	}
}

// The derivatives of every activation are computed from a cache of one
// exponential per element, kept on the activation's input node (its
// "base"), so that the backward passes of every order compute no
// exponentials.
const (
	famNone  = iota
	famSig   // σ(x) then σ(−x), both to full relative accuracy (softplus, SiLU, sigmoid)
	famTanh  // σ(2x) then σ(−2x) (tanh)
	famExp   // exp(min(x, 0)) (ELU)
	famGauss // exp(−x²/2) (Gaussian)
)

func (f Activation) family() uint8 {
	switch f {
	case Softplus, SiLU, Sigmoid:
		return famSig
	case Tanh:
		return famTanh
	case ELU:
		return famExp
	case Gaussian:
		return famGauss
	}
	return famNone
}

// base returns the cache of family fam for x's values, computing it unless
// x already holds it: for famSig and famTanh 2·len values (σ(ax) for every
// element, then σ(−ax), a = 1 or 2), otherwise len values. The values of a
// node never change while it exists, so the cache stays valid until Reset.
func (g *GraphOf[T]) base(x Node, fam uint8) []T {
	p := &g.nodes[x]
	size := len(p.val)
	if fam == famSig || fam == famTanh {
		size *= 2
	}
	if cap(p.baseBuf) < size {
		p.baseBuf = make([]T, size)
		p.baseFam = famNone
	}
	b := p.baseBuf[:size]
	if p.baseFam == fam {
		return b
	}
	g.baseJob = baseJob[T]{b: b, x: p.val, fam: fam}
	g.split(&g.baseJob, len(p.val), 256, len(p.val) >= parMinElems)
	g.baseJob = baseJob[T]{}
	g.nodes[x].baseFam = fam
	return b
}

// baseJob computes a family's cache over a range of elements.
type baseJob[T Float] struct {
	b, x []T
	fam  uint8
}

func (t *baseJob[T]) run(r0, r1 int) {
	n, x := len(t.x), t.x[r0:r1]
	switch t.fam {
	case famSig:
		sigPairs(t.b[r0:r1], t.b[n+r0:n+r1], x, 1)
	case famTanh:
		sigPairs(t.b[r0:r1], t.b[n+r0:n+r1], x, 2)
	case famExp:
		b := t.b[r0:r1]
		for i, v := range x {
			b[i] = min(v, 0)
		}
		kExp(b, b)
	case famGauss:
		b := t.b[r0:r1]
		for i, v := range x {
			b[i] = -0.5 * v * v
		}
		kExp(b, b)
	}
}

// sigPairs sets s[i] = σ(a·x[i]) and u[i] = σ(−a·x[i]) = 1 − s[i], both to
// full relative accuracy: with e = exp(−|ax|) and r = 1/(1 + e), the pair
// is (r, e·r) for ax ≥ 0 and (e·r, r) below, selected without a branch.
// The exponentials go through u first, in chunks that stay in L1. It runs
// one of two twins written per width (the sign-bit selection works on the
// bits of each width, and generic helpers inlined in these loops would
// reload their dictionaries on every element).
func sigPairs[T Float](s, u, x []T, a T) {
	if is32[T]() {
		sigPairs32(f32(s), f32(u), f32(x), float32(a))
	} else {
		sigPairs64(f64(s), f64(u), f64(x), float64(a))
	}
}

// sigPairs64 is sigPairs for float64, on simd.SigPairs64 (the same
// operations, vectorized).
func sigPairs64(s, u, x []float64, a float64) { simd.SigPairs64(s, u, x, a) }

// sigPairs32 is sigPairs for float32, on simd.SigPairs32 (the same
// operations, vectorized).
func sigPairs32(s, u, x []float32, a float32) { simd.SigPairs32(s, u, x, a) }

// The polynomials R_k of tanh's derivatives: tanh⁽ᵏ⁾(y) = (1 − t²)·R_k(t)
// with t = tanh y, for k ≥ 1. R₁ = 1 and, from T_{k+1}(t) = T_k′(t)(1 − t²),
// R_{k+1} = −2t·R_k + (1 − t²)·R_k′. Since σ(x) = (1 + tanh(x/2))/2, the
// same polynomials give σ⁽ᵏ⁾(x) = 2¹⁻ᵏ·σ(x)σ(−x)·R_k(tanh(x/2)).
// Coefficients (lowest degree first) are computed once, as orders are
// first asked for, and shared by every Graph.
var rpolys struct {
	mu  sync.Mutex
	tab atomic.Pointer[[][]float64] // tab[k] = R_k, k ≥ 1
}

// rpoly returns the coefficients of R_k (k ≥ 1). The slice is shared:
// read-only.
func rpoly(k int) []float64 {
	if t := rpolys.tab.Load(); t != nil && k < len(*t) {
		return (*t)[k]
	}
	rpolys.mu.Lock()
	defer rpolys.mu.Unlock()
	var tab [][]float64
	if t := rpolys.tab.Load(); t != nil {
		tab = *t
	}
	if k < len(tab) {
		return tab[k]
	}
	tab = append([][]float64(nil), tab...)
	if len(tab) == 0 {
		tab = append(tab, nil, []float64{1})
	}
	for len(tab) <= k {
		c := tab[len(tab)-1]
		next := make([]float64, len(c)+1)
		for j, v := range c {
			next[j+1] -= 2 * v // −2t·R
		}
		for j := 1; j < len(c); j++ {
			d := float64(j) * c[j] // coefficient of t^(j−1) in R′
			next[j-1] += d         // (1)·R′
			next[j+1] -= d         // (−t²)·R′
		}
		tab = append(tab, next)
	}
	rpolys.tab.Store(&tab)
	return tab[k]
}

// horner evaluates Σ c[j]·tʲ in T (the coefficients are integers).
func horner[T Float](c []float64, t T) T {
	var s T
	for j := len(c) - 1; j >= 0; j-- {
		s = s*t + T(c[j])
	}
	return s
}
