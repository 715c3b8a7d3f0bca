//go:build !amd64 || purego

package mlp

// siluRowsVector has no vector kernel here: siluLayer runs its loops.
func siluRowsVector(z, d, bias, scale []float64, deriv bool) (rows, cols int) { return 0, 0 }
