//go:build !purego

package simd

// The kernels of strided32_avx512_amd64.s and strided32_avx2_amd64.s, on
// pointers; stridedOn and runsOn make them the tables' slice functions
// (called with at least one value, arguments checked).

//go:noescape
func gatherStridedF32AVX512(dst, src *float32, ld, ho, wo, s int)

//go:noescape
func scatterAddStridedF32AVX512(dst, src *float32, ld, ho, wo, s int)

//go:noescape
func gatherRunsF32AVX512(dst, src *float32, off *int32, runs, n int)

//go:noescape
func scatterAddRunsF32AVX512(dst, src *float32, off *int32, runs, n int)

//go:noescape
func gatherStridedF32AVX2(dst, src *float32, ld, ho, wo, s int)

//go:noescape
func scatterAddStridedF32AVX2(dst, src *float32, ld, ho, wo, s int)

//go:noescape
func gatherRunsF32AVX2(dst, src *float32, off *int32, runs, n int)

//go:noescape
func scatterAddRunsF32AVX2(dst, src *float32, off *int32, runs, n int)

func stridedOn(k func(dst, src *float32, ld, ho, wo, s int)) func(dst, src []float32, ld, ho, wo, s int) {
	return func(dst, src []float32, ld, ho, wo, s int) { k(&dst[0], &src[0], ld, ho, wo, s) }
}

func runsOn(k func(dst, src *float32, off *int32, runs, n int)) func(dst, src []float32, off []int32, n int) {
	return func(dst, src []float32, off []int32, n int) { k(&dst[0], &src[0], &off[0], len(off), n) }
}
