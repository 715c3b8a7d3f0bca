//go:build amd64 && !purego

package simd

//go:noescape
func adamAVX2(p, m, v, grad *float64, n int, c *AdamConsts)

//go:noescape
func adamAVX512(p, m, v, grad *float64, n int, c *AdamConsts)

// adam runs the chosen implementation's kernel on whole vectors and the
// reference loop on the tail.
func adam(p, m, v, grad []float64, c *AdamConsts) {
	var lanes int
	var kern func(p, m, v, grad *float64, n int, c *AdamConsts)
	switch current.name {
	case "avx512":
		lanes, kern = 8, adamAVX512
	case "avx2":
		lanes, kern = 4, adamAVX2
	default:
		adamGeneric(p, m, v, grad, c)
		return
	}
	n := len(p) / lanes * lanes
	if n > 0 {
		kern(&p[0], &m[0], &v[0], &grad[0], n, c)
	}
	adamGeneric(p[n:], m[n:], v[n:], grad[n:], c)
}
