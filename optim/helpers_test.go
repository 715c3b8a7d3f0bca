package optim

import (
	"math"
	"testing"
)

// mustTable builds an optimizer from a table or fails the test.
func mustTable(t *testing.T, table map[string]any) Optimizer {
	t.Helper()
	o, err := FromTable(table)
	if err != nil {
		t.Fatalf("FromTable(%v): %v", table, err)
	}
	return o
}

// mustStart starts o or fails the test.
func mustStart(t *testing.T, o Optimizer, n, total int) {
	t.Helper()
	if err := o.Start(n, total); err != nil {
		t.Fatalf("Start(%d, %d): %v", n, total, err)
	}
}

// closeRel reports whether a and b agree to a relative tolerance tol
// (absolute near 0).
func closeRel(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// quadGrad writes the gradient of ½ Σ k_i θ_i² into g and returns the value.
func quadGrad(g, theta, k []float64) float64 {
	f := 0.0
	for i := range theta {
		g[i] = k[i] * theta[i]
		f += 0.5 * k[i] * theta[i] * theta[i]
	}
	return f
}
