//go:build (amd64 || arm64) && !purego

package simd

// addScaledFused is AddScaled's loop for avx2 and neon: one pass over
// memory, unrolled by four with the bounds checks hoisted. It computes
// exactly the generic expression (every product rounded), so it agrees with
// the reference bit for bit.
func addScaledFused(dst, a []float64, s float64, b []float64) {
	n := len(dst)
	a, b = a[:n], b[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		ds, as, bs := dst[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		ds[0] = as[0] + float64(s*bs[0])
		ds[1] = as[1] + float64(s*bs[1])
		ds[2] = as[2] + float64(s*bs[2])
		ds[3] = as[3] + float64(s*bs[3])
	}
	for ; i < n; i++ {
		dst[i] = a[i] + float64(s*b[i])
	}
}
