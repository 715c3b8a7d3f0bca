package autodiff

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/goebm/ebm/rng"
)

// ops is the part of a graph's API that takes and returns only nodes, the
// same for every element type: the op cases record through it on Graph
// and Graph32 alike.
type ops interface {
	MatMul(a, b Node) Node
	MatMulBT(a, b Node) Node
	MatMulAT(a, b Node) Node
	Affine(x, w, bias Node) Node
	AddBias(a, bias Node) Node
	Add(a, b Node) Node
	Sub(a, b Node) Node
	Mul(a, b Node) Node
	Div(a, b Node) Node
	Scale(a Node, s float64) Node
	Neg(a Node) Node
	AddConst(a Node, c float64) Node
	Square(a Node) Node
	MulCol(a, c Node) Node
	MulRow(a, r Node) Node
	RowDot(a, b Node) Node
	ColDot(a, b Node) Node
	SumRows(a Node) Node
	SumCols(a Node) Node
	Sum(a Node) Node
	Mean(a Node) Node
	BroadcastRows(r Node, n int) Node
	BroadcastCols(c Node, m int) Node
	Col(a Node, j int) Node
	Exp(a Node) Node
	Log(a Node) Node
	ActDeriv(a Node, f Activation, order int) Node
	Shape(n Node) (rows, cols int)
}

var (
	_ ops = (*Graph)(nil)
	_ ops = (*Graph32)(nil)
)

// opCase is one operation under test: the shapes of its leaves for batch
// n, inner size k and width m, and how to record it on them.
type opCase struct {
	name   string
	shapes func(n, k, m int) [][2]int
	build  func(g ops, in []Node) Node
}

func sh(s ...[2]int) [][2]int { return s }

// pos maps a leaf to strictly positive values (for Log and Div).
func pos(g ops, a Node) Node { return g.AddConst(g.Square(a), 0.5) }

var opCases = []opCase{
	{"MatMul", func(n, k, m int) [][2]int { return sh([2]int{n, k}, [2]int{k, m}) },
		func(g ops, in []Node) Node { return g.MatMul(in[0], in[1]) }},
	{"MatMulBT", func(n, k, m int) [][2]int { return sh([2]int{n, k}, [2]int{m, k}) },
		func(g ops, in []Node) Node { return g.MatMulBT(in[0], in[1]) }},
	{"MatMulAT", func(n, k, m int) [][2]int { return sh([2]int{k, n}, [2]int{k, m}) },
		func(g ops, in []Node) Node { return g.MatMulAT(in[0], in[1]) }},
	{"Affine", func(n, k, m int) [][2]int { return sh([2]int{n, k}, [2]int{k, m}, [2]int{1, m}) },
		func(g ops, in []Node) Node { return g.Affine(in[0], in[1], in[2]) }},
	{"AddBias", func(n, k, m int) [][2]int { return sh([2]int{n, m}, [2]int{1, m}) },
		func(g ops, in []Node) Node { return g.AddBias(in[0], in[1]) }},
	{"Add", func(n, k, m int) [][2]int { return sh([2]int{n, m}, [2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Add(in[0], in[1]) }},
	{"Sub", func(n, k, m int) [][2]int { return sh([2]int{n, m}, [2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Sub(in[0], in[1]) }},
	{"Mul", func(n, k, m int) [][2]int { return sh([2]int{n, m}, [2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Mul(in[0], in[1]) }},
	{"MulSelf", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Mul(in[0], in[0]) }},
	{"Div", func(n, k, m int) [][2]int { return sh([2]int{n, m}, [2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Div(in[0], pos(g, in[1])) }},
	{"Scale", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Scale(in[0], -2.5) }},
	{"AddConst", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Mul(g.AddConst(in[0], 1.5), in[0]) }},
	{"Neg", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Neg(in[0]) }},
	{"Square", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Square(in[0]) }},
	{"MulCol", func(n, k, m int) [][2]int { return sh([2]int{n, m}, [2]int{n, 1}) },
		func(g ops, in []Node) Node { return g.MulCol(in[0], in[1]) }},
	{"MulRow", func(n, k, m int) [][2]int { return sh([2]int{n, m}, [2]int{1, m}) },
		func(g ops, in []Node) Node { return g.MulRow(in[0], in[1]) }},
	{"RowDot", func(n, k, m int) [][2]int { return sh([2]int{n, m}, [2]int{n, m}) },
		func(g ops, in []Node) Node { return g.RowDot(in[0], in[1]) }},
	{"ColDot", func(n, k, m int) [][2]int { return sh([2]int{n, m}, [2]int{n, m}) },
		func(g ops, in []Node) Node { return g.ColDot(in[0], in[1]) }},
	{"SumRows", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.SumRows(in[0]) }},
	{"SumCols", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.SumCols(in[0]) }},
	{"Sum", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Sum(in[0]) }},
	{"Mean", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Mean(in[0]) }},
	{"BroadcastRows", func(n, k, m int) [][2]int { return sh([2]int{1, m}) },
		func(g ops, in []Node) Node { return g.BroadcastRows(in[0], 3) }},
	{"BroadcastCols", func(n, k, m int) [][2]int { return sh([2]int{n, 1}) },
		func(g ops, in []Node) Node { return g.BroadcastCols(in[0], 3) }},
	{"Col", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { _, m := g.Shape(in[0]); return g.Col(in[0], m-1) }},
	{"Exp", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Exp(in[0]) }},
	{"Log", func(n, k, m int) [][2]int { return sh([2]int{n, m}) },
		func(g ops, in []Node) Node { return g.Log(pos(g, in[0])) }},
	// Chains that reach the internal ops of the backward pass (fill, sum
	// with scale, placeCol, multi-factor activations) through their own
	// backward rules are covered by the higher-order tests.
}

func init() {
	for f := Activation(0); f < numActivations; f++ {
		for k := 0; k <= 2; k++ {
			f, k := f, k
			opCases = append(opCases, opCase{fmt.Sprintf("Act/%v/order=%d", f, k),
				func(n, _, m int) [][2]int { return sh([2]int{n, m}) },
				func(g ops, in []Node) Node { return g.ActDeriv(in[0], f, k) }})
		}
	}
}

// edgeShapes are the (n, k, m) the op checks run over: a general case,
// batch 1, width 1 and everything 1.
var edgeShapes = [][3]int{{3, 4, 2}, {1, 3, 2}, {3, 1, 1}, {1, 1, 1}}

// TestOpGradients checks every operation's first derivatives against
// central differences of Σ w∘op(leaves) for a random weight w, for each
// leaf and element, over general and edge shapes. A failure means a wrong
// backward rule (or forward value) for that op and shape. It also checks
// that Grad without createGraph gives bit-identical values to Grad with it
// (a failure: the two modes compute different things).
func TestOpGradients(t *testing.T) {
	for ci, c := range opCases {
		for _, dims := range edgeShapes {
			n, k, m := dims[0], dims[1], dims[2]
			t.Run(fmt.Sprintf("%s/%dx%dx%d", c.name, n, k, m), func(t *testing.T) {
				s := rng.New(7, uint64(ci))
				shapes := c.shapes(n, k, m)
				data := make([][]float64, len(shapes))
				for i, sh := range shapes {
					data[i] = randAway(&s, sh[0]*sh[1], 1)
				}
				inputs := func(g *Graph) []Node {
					in := make([]Node, len(shapes))
					for i, sh := range shapes {
						in[i] = g.Input(data[i], sh[0], sh[1])
					}
					return in
				}
				g := New()
				in := inputs(g)
				out := c.build(g, in)
				r, cc := g.Shape(out)
				w := randAway(&s, r*cc, 1)
				seed := g.Const(w, r, cc)
				an := vals(g, g.Grad([]Node{out}, in, []Node{seed}, true))
				an0 := vals(g, g.Grad([]Node{out}, in, []Node{seed}, false))
				for i := range an {
					if err := sameBits(an[i], an0[i]); err != nil {
						t.Fatalf("leaf %d: createGraph=false differs from true: %v", i, err)
					}
				}
				f := func() float64 {
					g.Reset()
					o := c.build(g, inputs(g))
					var sum float64
					for j, v := range g.Value(o) {
						sum += w[j] * v
					}
					return sum
				}
				for i := range data {
					for j := range data[i] {
						v := data[i][j]
						data[i][j] = v + fdStep
						fp := f()
						data[i][j] = v - fdStep
						fm := f()
						data[i][j] = v
						fd := (fp - fm) / (2 * fdStep)
						if !near(an[i][j], fd, 1e-6) {
							t.Errorf("leaf %d element %d: Grad %.12g, central difference %.12g", i, j, an[i][j], fd)
						}
					}
				}
			})
		}
	}
}

// TestOpValues checks forward values against direct formulas on a small
// case: a wrong value here would make every gradient check meaningless.
func TestOpValues(t *testing.T) {
	g := New()
	a := g.Const([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	b := g.Const([]float64{1, 0, -1, 2, 1, 0}, 3, 2)
	r := g.Const([]float64{10, 20, 30}, 1, 3)
	c := g.Const([]float64{2, -1}, 2, 1)
	bt := g.Const([]float64{1, 3, 5, 0, 2, -1}, 2, 3) // rows: [1 3 5], [0 2 -1]
	cases := []struct {
		name string
		n    Node
		want []float64
	}{
		{"MatMul", g.MatMul(a, b), []float64{2, 4, 5, 10}},
		{"MatMulBT", g.MatMulBT(a, bt), []float64{1 + 6 + 15, 0 + 4 - 3, 4 + 15 + 30, 0 + 10 - 6}},
		{"MatMulAT", g.MatMulAT(a, c), []float64{2 - 4, 4 - 5, 6 - 6}},
		{"Affine", g.Affine(a, b, g.Const([]float64{1, -1}, 1, 2)), []float64{3, 3, 6, 9}},
		{"AddBias", g.AddBias(a, r), []float64{11, 22, 33, 14, 25, 36}},
		{"MulCol", g.MulCol(a, c), []float64{2, 4, 6, -4, -5, -6}},
		{"MulRow", g.MulRow(a, r), []float64{10, 40, 90, 40, 100, 180}},
		{"RowDot", g.RowDot(a, a), []float64{14, 77}},
		{"ColDot", g.ColDot(a, a), []float64{17, 29, 45}},
		{"SumRows", g.SumRows(a), []float64{6, 15}},
		{"SumCols", g.SumCols(a), []float64{5, 7, 9}},
		{"Sum", g.Sum(a), []float64{21}},
		{"Mean", g.Mean(a), []float64{3.5}},
		{"BroadcastRows", g.BroadcastRows(r, 2), []float64{10, 20, 30, 10, 20, 30}},
		{"BroadcastCols", g.BroadcastCols(c, 2), []float64{2, 2, -1, -1}},
		{"Col", g.Col(a, 1), []float64{2, 5}},
		{"Div", g.Div(a, a), []float64{1, 1, 1, 1, 1, 1}},
		{"Sub", g.Sub(a, a), []float64{0, 0, 0, 0, 0, 0}},
		{"AddConst", g.AddConst(c, 1), []float64{3, 0}},
		{"Scale", g.Scale(c, 3), []float64{6, -3}},
		{"Square", g.Square(c), []float64{4, 1}},
		{"Log", g.Log(g.Exp(c)), []float64{2, -1}},
	}
	for _, tc := range cases {
		got := g.Value(tc.n)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d values, want %d", tc.name, len(got), len(tc.want))
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-12 {
				t.Errorf("%s: value %d is %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}

// TestShapePanics checks that shape mismatches and foreign nodes panic
// with the package prefix (a failure: a silent wrong result or an index
// panic deep in a kernel).
func TestShapePanics(t *testing.T) {
	g := New()
	a := g.Const(make([]float64, 6), 2, 3)
	b := g.Const(make([]float64, 6), 3, 2)
	row := g.Const(make([]float64, 2), 1, 2)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"MatMul", func() { g.MatMul(a, a) }},
		{"MatMulBT", func() { g.MatMulBT(a, b) }},
		{"MatMulAT", func() { g.MatMulAT(a, b) }},
		{"Affine", func() { g.Affine(a, b, a) }},
		{"AddBias", func() { g.AddBias(a, row) }},
		{"Add", func() { g.Add(a, b) }},
		{"Mul", func() { g.Mul(a, b) }},
		{"MulCol", func() { g.MulCol(a, row) }},
		{"MulRow", func() { g.MulRow(a, row) }},
		{"BroadcastRows", func() { g.BroadcastRows(a, 2) }},
		{"BroadcastCols", func() { g.BroadcastCols(a, 2) }},
		{"Col", func() { g.Col(a, 3) }},
		{"Input", func() { g.Input(make([]float64, 5), 2, 3) }},
		{"invalid node", func() { g.Value(0) }},
		{"node out of range", func() { g.Value(Node(g.Len() + 1)) }},
		{"Grad seed shape", func() { g.Grad([]Node{a}, []Node{a}, []Node{b}, false) }},
		{"Grad seed count", func() { g.Grad([]Node{a}, []Node{a}, []Node{}, false) }},
		{"Flatten length", func() { g.Flatten(make([]float64, 5), []Node{a}) }},
		{"ActDeriv order", func() { g.ActDeriv(a, Tanh, -1) }},
		{"ActDeriv activation", func() { g.ActDeriv(a, Activation(-1), 0) }},
	} {
		func() {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.HasPrefix(msg, "autodiff: ") {
					t.Errorf("%s: recovered %v, want a panic starting \"autodiff: \"", tc.name, r)
				}
			}()
			tc.f()
		}()
	}
}

// TestWorkersInvariant checks that large matrix products (split over
// goroutines by rows) give bit-identical results for 1, 2 and 3 workers
// and GOMAXPROCS, and agree with the reference loop, for each product
// kind (a failure: a result that depends on the machine's thread count, or
// a wrong split).
func TestWorkersInvariant(t *testing.T) {
	const n, k, m = 70, 96, 40 // n·k·m > parMin; n not a multiple of the block
	s := rng.New(3, 0)
	x, w, wt, xt := randAway(&s, n*k, 1), randAway(&s, k*m, 1), randAway(&s, m*k, 1), randAway(&s, k*n, 1)
	bias := randAway(&s, m, 1)
	var ref [][]float64
	for _, workers := range []int{1, 2, 3, 0} { // 0: GOMAXPROCS
		g := New()
		g.SetWorkers(workers)
		nodes := []Node{
			g.MatMul(g.Const(x, n, k), g.Const(w, k, m)),
			g.MatMulBT(g.Const(x, n, k), g.Const(wt, m, k)),
			g.MatMulAT(g.Const(xt, k, n), g.Const(w, k, m)),
			g.Affine(g.Const(x, n, k), g.Const(w, k, m), g.Const(bias, 1, m)),
		}
		got := vals(g, nodes)
		if ref == nil {
			ref = got
			// Reference loops for the first two kinds.
			for i := 0; i < n; i++ {
				for j := 0; j < m; j++ {
					var s1, s2, s3 float64
					for p := 0; p < k; p++ {
						s1 += x[i*k+p] * w[p*m+j]
						s2 += x[i*k+p] * wt[j*k+p]
						s3 += xt[p*n+i] * w[p*m+j]
					}
					for kind, want := range []float64{s1, s2, s3, s1 + bias[j]} {
						if !near(got[kind][i*m+j], want, 1e-12*float64(k)) {
							t.Fatalf("product %d element (%d,%d): %v, reference %v", kind, i, j, got[kind][i*m+j], want)
						}
					}
				}
			}
			continue
		}
		for kind := range got {
			if err := sameBits(got[kind], ref[kind]); err != nil {
				t.Errorf("product %d with %d workers differs from 1 worker: %v", kind, workers, err)
			}
		}
	}
}
