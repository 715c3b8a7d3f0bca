//go:build amd64 && !purego

package simd

//go:noescape
func adamAVX2(p, m, v, grad *float64, n int, c *AdamConsts)

//go:noescape
func adamAVX512(p, m, v, grad *float64, n int, c *AdamConsts)

// adamAVX2Go and adamAVX512Go run the kernel on whole vectors (4 or 8
// values) and the reference loop on the tail.
func adamAVX2Go(p, m, v, grad []float64, c *AdamConsts)   { adamVec(4, adamAVX2, p, m, v, grad, c) }
func adamAVX512Go(p, m, v, grad []float64, c *AdamConsts) { adamVec(8, adamAVX512, p, m, v, grad, c) }

func adamVec(lanes int, kern func(p, m, v, grad *float64, n int, c *AdamConsts), p, m, v, grad []float64, c *AdamConsts) {
	n := len(p) / lanes * lanes
	if n > 0 {
		kern(&p[0], &m[0], &v[0], &grad[0], n, c)
	}
	adamGeneric(p[n:], m[n:], v[n:], grad[n:], c)
}
