package simd

// matMulGeneric sets C = A·B with an i-p-j loop: row i of C accumulates
// a[i,p]·(row p of B) for p = 0, 1, …, so every c[i,j] sums in p order
// as the reference loop does.
func matMulGeneric(c, a, b []float64, m, k, n int) {
	for i := 0; i < m; i++ {
		row := c[i*n : (i+1)*n]
		clear(row)
		matMulAccRow(row, a[i*k:(i+1)*k], b, n)
	}
}

// matMulAccRow adds (row ai of A)·B to crow: crow[j] += Σ_p ai[p]·b[p*n+j].
func matMulAccRow(crow, ai, b []float64, n int) {
	for p, aip := range ai {
		brow := b[p*n : (p+1)*n]
		brow = brow[:len(crow)]
		for j := range crow {
			crow[j] += aip * brow[j]
		}
	}
}
