//go:build !purego

package simd

//go:noescape
func matMul4x8NEON(c *float64, ldc int, a *float64, lda int, b *float64, ldb int, k int)

// matMulNEON sets C = A·B: 4×8 blocks of C by the assembly kernel, the
// right-hand columns (n mod 8) and bottom rows (m mod 4) in Go. Every
// c[i,j] is summed in p order, as in the reference.
func matMulNEON(c, a, b []float64, m, k, n int) {
	clear(c)
	if k == 0 {
		return
	}
	m4, n8 := m&^3, n&^7
	for i0 := 0; i0 < m4; i0 += 4 {
		for j0 := 0; j0 < n8; j0 += 8 {
			matMul4x8NEON(&c[i0*n+j0], n, &a[i0*k], k, &b[j0], n, k)
		}
		if n8 < n {
			for i := i0; i < i0+4; i++ {
				crow := c[i*n+n8 : (i+1)*n]
				for p, aip := range a[i*k : (i+1)*k] {
					brow := b[p*n+n8 : (p+1)*n]
					for j := range crow {
						crow[j] += aip * brow[j]
					}
				}
			}
		}
	}
	for i := m4; i < m; i++ {
		matMulAccRow(c[i*n:(i+1)*n], a[i*k:(i+1)*k], b, n)
	}
}
