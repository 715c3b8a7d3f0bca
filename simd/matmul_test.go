package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refMat is the doc-comment loop of the four products: at(i,p) and bt(p,j)
// read A and B in the layout under test; it returns C and, per element,
// Σ_p |a·b| for the tolerance.
func refMat(m, k, n int, at, bt func(i, p int) float64, bias []float64) (c, abs []float64) {
	c, abs = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			for p := 0; p < k; p++ {
				s += at(i, p) * bt(p, j)
				sa += math.Abs(at(i, p) * bt(p, j))
			}
			if bias != nil {
				s += bias[j]
				sa += math.Abs(bias[j])
			}
			c[i*n+j], abs[i*n+j] = s, sa
		}
	}
	return c, abs
}

// matSizes straddle the 4×8 NEON block and the 3-row vek blocks, with
// empty and large cases.
var matSizes = [][3]int{
	{0, 0, 0}, {0, 3, 2}, {2, 0, 3}, {3, 2, 0}, {1, 1, 1}, {1, 5, 1}, {3, 4, 8}, {4, 1, 8}, {4, 3, 8},
	{4, 7, 9}, {5, 6, 7}, {7, 5, 15}, {8, 8, 16}, {9, 17, 17}, {13, 3, 31}, {67, 33, 70}, {128, 64, 40},
}

// TestMatMul: MatMul, MatMulBias, MatMulBT and MatMulAT agree with their
// reference loops within sumTol per element, for every implementation and
// shape; nothing past C is written; a NaN in A reaches exactly its row of C.
// A failure means a wrong block edge, stride or layout.
func TestMatMul(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, sz := range matSizes {
			m, k, n := sz[0], sz[1], sz[2]
			a, b, bias := guarded(r, m*k), guarded(r, k*n), guarded(r, n)
			aRM := func(i, p int) float64 { return a[i*k+p] } // A m×k
			bRM := func(p, j int) float64 { return b[p*n+j] } // B k×n
			bNK := func(p, j int) float64 { return b[j*k+p] } // B stored n×k
			aKM := func(i, p int) float64 { return a[p*m+i] } // A stored k×m
			check := func(what string, run func(c []float64), at, bt func(i, p int) float64, bias []float64) {
				t.Helper()
				c := guarded(r, m*n)
				run(c)
				want, abs := refMat(m, k, n, at, bt, bias)
				for e := range c {
					closeTo(t, what, c[e], want[e], sumTol(k+1, abs[e]))
				}
				checkGuards(t, what, c)
			}
			check("MatMul", func(c []float64) { MatMul(c, a, b, m, k, n) }, aRM, bRM, nil)
			check("MatMulBias", func(c []float64) { MatMulBias(c, a, b, bias, m, k, n) }, aRM, bRM, bias)
			check("MatMulBT", func(c []float64) { MatMulBT(c, a, b, m, k, n) }, aRM, bNK, nil)
			check("MatMulAT", func(c []float64) { MatMulAT(c, a, b, m, k, n) }, aKM, bRM, nil)

			if m > 1 && k > 0 && n > 0 {
				a[k] = math.NaN() // row 1 of A
				c := make([]float64, m*n)
				MatMul(c, a, b, m, k, n)
				for e, v := range c {
					if math.IsNaN(v) != (e/n == 1) {
						t.Fatalf("MatMul %v: NaN in row 1 of A gave c[%d] = %v", sz, e, v)
					}
				}
			}
		}
	})
}
