package simd_test

import (
	"fmt"

	"github.com/goebm/ebm/simd"
)

// A dense layer's forward pass for two points: C = A·W + 1·biasᵀ.
func ExampleMatMulBias() {
	a := []float64{1, 2, 3, 4}          // 2 points × 2 inputs
	w := []float64{1, 0, -1, 0.5, 1, 2} // 2 inputs × 3 outputs
	bias := []float64{0.1, 0.2, 0.3}
	c := make([]float64, 6)
	simd.MatMulBias(c, a, w, bias, 2, 2, 3)
	fmt.Println(c)
	// Output: [2.1 2.2 3.3 5.1 4.2 5.3]
}

// Exp over a batch, with underflow to 0 and overflow to +Inf.
func ExampleExp() {
	x := []float64{0, 1, -745.2, 710}
	y := make([]float64, len(x))
	simd.Exp(y, x)
	fmt.Printf("%.6f %.6f %v %v\n", y[0], y[1], y[2], y[3])
	// Output: 1.000000 2.718282 0 +Inf
}
