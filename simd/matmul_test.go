package simd

import (
	"fmt"
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

// matSizes straddle the 4×8 blocks of the NEON kernels, the 6×8 and 4×8
// blocks of the AVX2 kernels (m = 10, 11, 17: a 6-row block, a 4-row
// block, single rows) and the AVX2 kernels' p-blocks, with empty and large
// cases.
var matSizes = [][3]int{
	{0, 0, 0}, {0, 3, 2}, {2, 0, 3}, {3, 2, 0}, {1, 1, 1}, {1, 5, 1}, {3, 4, 8}, {4, 1, 8}, {4, 3, 8},
	{4, 7, 9}, {5, 6, 7}, {7, 5, 15}, {8, 8, 16}, {9, 17, 17}, {13, 3, 31}, {67, 33, 70}, {128, 64, 40},
	{10, 9, 16}, {11, 130, 24}, {17, 33, 9},
	{6, 129, 8}, {5, 300, 17}, // depths past the avx2 kernels' p-blocks (128)
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

// TestMatMulRowSplit: for every implementation, multiplying a batch in
// one call or in several calls split at arbitrary rows gives bit-identical
// C, for MatMul, MatMulBias and MatMulBT (rows of A) and MatMulAT (columns
// of A, i.e. rows of C), over shapes that put rows in the 4-row blocks and
// the leftover rows, columns in the 8-wide panels and the leftover columns,
// and depths on both sides of the kernels' p-blocking. A failure means a
// row's values depend on its position or on the batch size, so results
// would change with the number of workers a batch is sharded over.
func TestMatMulRowSplit(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, sz := range [][3]int{{13, 5, 19}, {23, 130, 17}, {9, 300, 8}, {17, 7, 3}, {12, 1, 24}} {
			m, k, n := sz[0], sz[1], sz[2]
			a, b, bias, bt := guarded(r, m*k), guarded(r, k*n), guarded(r, n), guarded(r, n*k)
			whole := map[string][]float64{"MatMul": make([]float64, m*n), "MatMulBias": make([]float64, m*n),
				"MatMulBT": make([]float64, m*n), "MatMulAT": make([]float64, m*n)}
			MatMul(whole["MatMul"], a, b, m, k, n)
			MatMulBias(whole["MatMulBias"], a, b, bias, m, k, n)
			MatMulBT(whole["MatMulBT"], a, bt, m, k, n)
			// For MatMulAT the same numbers stored k×m: column i of at is row i of a.
			at := make([]float64, k*m)
			for i := 0; i < m; i++ {
				for p := 0; p < k; p++ {
					at[p*m+i] = a[i*k+p]
				}
			}
			MatMulAT(whole["MatMulAT"], at, b, m, k, n)
			for trial := 0; trial < 4; trial++ {
				for lo := 0; lo < m; {
					hi := min(m, lo+1+r.IntN(6))
					rows := hi - lo
					part := func(name string, run func(c []float64)) {
						c := make([]float64, rows*n)
						run(c)
						sameSlices(t, fmt.Sprintf("%s %v rows %d:%d", name, sz, lo, hi), c, whole[name][lo*n:hi*n])
					}
					as := a[lo*k : hi*k]
					part("MatMul", func(c []float64) { MatMul(c, as, b, rows, k, n) })
					part("MatMulBias", func(c []float64) { MatMulBias(c, as, b, bias, rows, k, n) })
					part("MatMulBT", func(c []float64) { MatMulBT(c, as, bt, rows, k, n) })
					ats := make([]float64, k*rows)
					for p := 0; p < k; p++ {
						copy(ats[p*rows:(p+1)*rows], at[p*m+lo:p*m+hi])
					}
					part("MatMulAT", func(c []float64) { MatMulAT(c, ats, b, rows, k, n) })
					lo = hi
				}
			}
		}
	})
}

// TestMatMulNoAllocations: after a first call, the products allocate
// nothing (the transposition buffers are reused), with or without the race
// detector. A failure means every layer of a network creates garbage in
// the training loop.
func TestMatMulNoAllocations(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		const m, k, n = 9, 13, 11
		a, b, c := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
		for name, f := range map[string]func(){
			"MatMul":   func() { MatMul(c, a, b, m, k, n) },
			"MatMulBT": func() { MatMulBT(c, a, b, m, k, n) },
			"MatMulAT": func() { MatMulAT(c, a[:k*m], b, m, k, n) },
		} {
			if allocs := testing.AllocsPerRun(20, f); allocs != 0 {
				t.Errorf("%s allocates %v times per call", name, allocs)
			}
		}
	})
}
