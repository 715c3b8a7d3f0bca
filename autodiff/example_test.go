package autodiff_test

import (
	"fmt"

	"github.com/goebm/ebm/autodiff"
)

// The energy E(x) = Σ_j tanh(w_j·x) of two points, its gradient in x and,
// by differentiating that gradient again (createGraph), the Laplacian
// ∇ₓ²E = Σ_j w_j²·tanh″(w_j·x) at each point. The weights are a leaf
// aliasing a caller-owned parameter vector.
func ExampleGraph_Grad() {
	params := []float64{1, -0.5} // w, 1×2
	points := []float64{0.5, -1} // x, one point per row, 2×1
	g := autodiff.New()
	w := g.Input(params, 1, 2)
	x := g.Input(points, 2, 1)
	e := g.SumRows(g.Act(g.MatMul(x, w), autodiff.Tanh)) // 2×1: one energy per point
	gx := g.Grad([]autodiff.Node{e}, []autodiff.Node{x}, nil, true)[0]
	lap := g.Grad([]autodiff.Node{gx}, []autodiff.Node{x}, nil, false)[0]
	fmt.Printf("E  = %.4f\n", g.Value(e))
	fmt.Printf("∇E = %.4f\n", g.Value(gx))
	fmt.Printf("ΔE = %.4f\n", g.Value(lap))

	// The next step reuses every buffer: Reset, then record again.
	g.Reset()
	fmt.Println("nodes after Reset:", g.Len())
	// Output:
	// E  = [0.2172 -0.2995]
	// ∇E = [0.3164 0.0268]
	// ΔE = [-0.6117 0.4580]
	// nodes after Reset: 0
}

// The same energy on a float32 graph: values, gradients and derivatives of
// every order in single precision, through simd's float32 kernels. The
// leaves alias []float32 slices (scalar arguments such as Scale's stay
// float64).
func ExampleNew32() {
	params := []float32{1, -0.5}
	points := []float32{0.5, -1}
	g := autodiff.New32()
	w := g.Input(params, 1, 2)
	x := g.Input(points, 2, 1)
	e := g.SumRows(g.Act(g.MatMul(x, w), autodiff.Tanh))
	gx := g.Grad([]autodiff.Node{e}, []autodiff.Node{x}, nil, true)[0]
	lap := g.Grad([]autodiff.Node{gx}, []autodiff.Node{x}, nil, false)[0]
	fmt.Printf("E  = %.4f\n", g.Value(e))
	fmt.Printf("∇E = %.4f\n", g.Value(gx))
	fmt.Printf("ΔE = %.4f\n", g.Value(lap))
	// Output:
	// E  = [0.2172 -0.2995]
	// ∇E = [0.3164 0.0268]
	// ΔE = [-0.6117 0.4580]
}
