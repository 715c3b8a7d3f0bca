package autodiff

import (
	"fmt"

	"github.com/goebm/ebm/internal/team"
)

// Node is a handle to a value recorded on a Graph: an index, valid until
// the Graph's next Reset. The zero Node is invalid and means "none".
type Node int32

// opcode names the operation that produced a node.
type opcode uint8

const (
	opInvalid       opcode = iota
	opInput                // leaf, differentiable
	opConst                // leaf, never differentiated
	opMatMul               // a·b
	opMatMulBT             // a·bᵀ
	opMatMulAT             // aᵀ·b
	opAffine               // a·b + 1·cᵀ (c is 1×m)
	opAddBias              // a + 1·bᵀ (b is 1×m)
	opAdd                  // a + b
	opSub                  // a − b
	opMul                  // s·a∘b
	opDiv                  // a / b
	opScale                // s·a
	opAddConst             // a + s
	opSquare               // a∘a
	opMulCol               // a∘(b broadcast over columns), b is n×1
	opMulRow               // a∘(b broadcast over rows), b is 1×m
	opRowDot               // Σ_j a_ij b_ij, n×1
	opColDot               // Σ_i a_ij b_ij, 1×m
	opSumRows              // Σ_j a_ij, n×1
	opSumCols              // Σ_i a_ij, 1×m
	opSum                  // s·Σ a_ij, 1×1
	opFill                 // s·a (1×1) broadcast to rows×cols
	opBroadcastRows        // a (1×m) repeated over rows
	opBroadcastCols        // a (n×1) repeated over columns
	opAct                  // [b∘][c∘] f⁽ᵏ⁾(x): activation derivative times optional multipliers
	opExp                  // eᵃ
	opLog                  // log a
	opCol                  // column k of a, n×1
	opPlaceCol             // a (n×1) as column k of an n×cols matrix of zeros
	opConv                 // Conv2D(a, b) + bias c, geometry g.cv.recs[k]
	opConvT                // ConvTranspose2D(a, b), geometry g.cv.recs[k]
	opConvW                // ConvWeightGrad(a, b), geometry g.cv.recs[k]
	opPool                 // s·(window sums of a), geometry g.cv.recs[k]
	opUnpool               // s·(a spread over windows): the adjoint of opPool
)

// node is one recorded value. a, b and c are the operands gradients flow
// to (0 when absent or when the node was recorded as a constant); x is the
// activation's input for opAct (it is also a when the derivative of the
// activation's derivative is not identically zero).
type node[T Float] struct {
	val     []T     // rows·cols values, row-major (aliases the caller's data for leaves)
	buf     []T     // storage owned by this slot, kept across Reset
	baseBuf []T     // storage for the activation cache of this node's value, kept across Reset
	trBuf   []T     // storage for the transpose of this node's value, kept across Reset
	s       float64 // scalar parameter (Scale, AddConst, Mul, Sum, Fill), converted to T where used
	rows    int32
	cols    int32
	a, b, c Node
	x       Node
	k       int32 // derivative order (opAct) or column index (opCol, opPlaceCol)
	op      opcode
	f       Activation
	diff    bool  // depends on an Input leaf through recorded operations
	baseFam uint8 // family whose cache baseBuf holds (famNone: none)
	trOK    bool  // trBuf holds the transpose of val
}

// GraphOf records operations on batched matrices of element type T and
// differentiates them. The zero value is not usable; call New, New32 or
// NewOf. A GraphOf is not safe for concurrent use.
type GraphOf[T Float] struct {
	nodes  []node[T] // nodes[0] is the invalid node
	record bool      // false while Grad runs without createGraph: new nodes are constants

	workers int       // 0 (the default) or 1: serial; −1: GOMAXPROCS; n > 1: n
	team    team.Team // runs the ranges of a split job
	job     job       // the job being split, its size and its ranges' length
	jobN    int
	jobPer  int
	mmJob   mmJob[T] // the jobs split over workers, reused
	actJob  actJob[T]
	baseJob baseJob[T]
	tbuf    []T // transposition scratch of MatMulAT

	cv convState[T] // geometry records and scratch of the convolution and pooling ops (conv.go)

	// Grad scratch, kept across calls.
	mark []uint8
	adj  []Node
	out  []Node // arena for Grad results, emptied by Reset
}

// Graph is the float64 graph: every value, gradient and derivative in
// double precision.
type Graph = GraphOf[float64]

// Graph32 is the float32 graph: values and products in single precision
// (simd's float32 kernels), with the same operations and derivatives of
// every order as Graph.
type Graph32 = GraphOf[float32]

// New returns an empty float64 Graph.
func New() *Graph { return NewOf[float64]() }

// New32 returns an empty float32 Graph32.
func New32() *Graph32 { return NewOf[float32]() }

// NewOf returns an empty graph of element type T.
func NewOf[T Float]() *GraphOf[T] {
	return &GraphOf[T]{nodes: make([]node[T], 1, 64), record: true}
}

// Reset forgets every node but keeps their buffers, so that replaying the
// same sequence of operations after Reset allocates nothing (the steady
// state of a training loop). Nodes and slices returned before Reset
// (including Value's and Grad's) must not be used after it.
func (g *GraphOf[T]) Reset() {
	g.nodes = g.nodes[:1]
	g.out = g.out[:0]
	g.cv.recs = g.cv.recs[:0]
	g.record = true
}

// Len returns the number of nodes recorded since New or the last Reset.
func (g *GraphOf[T]) Len() int { return len(g.nodes) - 1 }

// SetWorkers sets how many goroutines large matrix products and
// activation passes may be split over: 1 (the default) keeps all work on
// the calling goroutine, n > 1 uses up to n, and n ≤ 0 means
// runtime.GOMAXPROCS(0). Results are bit-identical for every n. Splitting
// pays only with idle cores and large batches (it lost on a loaded 2-core
// machine at batch 256); leave it at 1 where the caller already shards
// work across goroutines, each with its own Graph. A graph also keeps its
// work on the caller while another job on several goroutines of
// internal/team runs (the shards of samplers and objectives do), whatever
// n is.
func (g *GraphOf[T]) SetWorkers(n int) {
	if n <= 0 {
		n = -1
	}
	g.workers = n
}

// Value returns the values of n, rows·cols of them in row-major order. The
// slice is the node's storage (or the caller's, for leaves): read it, do
// not write it.
func (g *GraphOf[T]) Value(n Node) []T { return g.at(n).val }

// Shape returns the number of rows and columns of n.
func (g *GraphOf[T]) Shape(n Node) (rows, cols int) {
	p := g.at(n)
	return int(p.rows), int(p.cols)
}

// Flatten copies the values of nodes, in order, into dst, whose length must
// be the sum of their sizes.
func (g *GraphOf[T]) Flatten(dst []T, nodes []Node) {
	total := 0
	for _, n := range nodes {
		total += len(g.at(n).val)
	}
	if total != len(dst) {
		panic(fmt.Sprintf("autodiff: Flatten: dst has length %d, the nodes hold %d values", len(dst), total))
	}
	off := 0
	for _, n := range nodes {
		off += copy(dst[off:], g.nodes[n].val)
	}
}

// Input records a leaf that gradients can be taken with respect to. data
// holds rows·cols values, row-major; it is aliased, not copied. Do not
// write it while the leaf is recorded (between Input and the next Reset):
// nodes computed from it, and caches derived from it, would not follow.
func (g *GraphOf[T]) Input(data []T, rows, cols int) Node {
	return g.leaf(opInput, "Input", data, rows, cols)
}

// Const records a leaf that is never differentiated: Grad treats it, and
// everything computed from constants alone, as fixed, and returns zeros
// when asked for a gradient with respect to it. data is aliased as in
// Input.
func (g *GraphOf[T]) Const(data []T, rows, cols int) Node {
	return g.leaf(opConst, "Const", data, rows, cols)
}

func (g *GraphOf[T]) leaf(op opcode, name string, data []T, rows, cols int) Node {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("autodiff: %s: len(data) = %d for shape %d×%d", name, len(data), rows, cols))
	}
	id, p := g.slot(op, rows, cols)
	p.val = data
	p.diff = op == opInput
	return id
}

// at returns the node n, panicking if n is not a node of g.
func (g *GraphOf[T]) at(n Node) *node[T] {
	if n <= 0 || int(n) >= len(g.nodes) {
		panic(fmt.Sprintf("autodiff: invalid node %d (graph has %d nodes)", n, len(g.nodes)-1))
	}
	return &g.nodes[n]
}

// slot appends a node of the given op and shape, reusing the storage of a
// node forgotten by Reset, without giving it a value.
func (g *GraphOf[T]) slot(op opcode, rows, cols int) (Node, *node[T]) {
	if rows > 1<<30 || cols > 1<<30 {
		panic(fmt.Sprintf("autodiff: shape %d×%d too large", rows, cols))
	}
	i := len(g.nodes)
	if i >= 1<<31-1 {
		panic("autodiff: too many nodes")
	}
	if i < cap(g.nodes) {
		g.nodes = g.nodes[:i+1]
	} else {
		g.nodes = append(g.nodes, node[T]{})
	}
	p := &g.nodes[i]
	buf, base, tr := p.buf, p.baseBuf, p.trBuf
	*p = node[T]{buf: buf, baseBuf: base, trBuf: tr, op: op, rows: int32(rows), cols: int32(cols)}
	return Node(i), p
}

// alloc appends a node with its own storage of rows·cols values (not
// cleared). Pointers to nodes are invalid after the next alloc; value
// slices stay valid.
func (g *GraphOf[T]) alloc(op opcode, rows, cols int) (Node, *node[T]) {
	id, p := g.slot(op, rows, cols)
	size := rows * cols
	if cap(p.buf) < size {
		p.buf = make([]T, size)
	}
	p.val = p.buf[:size]
	return id, p
}

// link records the operands gradients flow to (when recording) and whether
// the node depends on an Input.
func (g *GraphOf[T]) link(p *node[T], a, b, c Node) {
	if !g.record {
		return
	}
	p.a, p.b, p.c = a, b, c
	p.diff = g.nodes[a].diff || g.nodes[b].diff || g.nodes[c].diff
}

// filled records a constant node of the given shape with every value v.
func (g *GraphOf[T]) filled(rows, cols int, v T) Node {
	id, p := g.alloc(opConst, rows, cols)
	if v == 0 {
		clear(p.val)
	} else {
		for i := range p.val {
			p.val[i] = v
		}
	}
	return id
}

// shape returns rows, cols and values of n.
func (g *GraphOf[T]) shape(n Node) (int, int, []T) {
	p := g.at(n)
	return int(p.rows), int(p.cols), p.val
}
