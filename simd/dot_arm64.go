//go:build !purego

package simd

//go:noescape
func dotNEON(x, y *float64, n int) float64

// dotNEONGo runs the assembly over the multiple-of-8 prefix and adds the
// rest in Go.
func dotNEONGo(x, y []float64) float64 {
	y = y[:len(x)]
	n := len(x) &^ 7
	var s float64
	if n > 0 {
		s = dotNEON(&x[0], &y[0], n)
	}
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

func sumSqNEON(x []float64) float64 { return dotNEONGo(x, x) }
