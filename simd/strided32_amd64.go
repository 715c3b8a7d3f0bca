//go:build !purego

package simd

//go:noescape
func gatherStridedF32AVX512(dst, src *float32, ld, ho, wo, s int)

//go:noescape
func scatterAddStridedF32AVX512(dst, src *float32, ld, ho, wo, s int)

// gatherStrided32AVX512 and scatterAddStrided32AVX512 are the avx512
// table's gather and scatterAdd (ho, wo ≥ 1, s ≤ 2, lengths checked).
func gatherStrided32AVX512(dst, src []float32, ld, ho, wo, s int) {
	gatherStridedF32AVX512(&dst[0], &src[0], ld, ho, wo, s)
}

func scatterAddStrided32AVX512(dst, src []float32, ld, ho, wo, s int) {
	scatterAddStridedF32AVX512(&dst[0], &src[0], ld, ho, wo, s)
}

//go:noescape
func gatherRunsF32AVX512(dst, src *float32, off *int32, runs, n int)

//go:noescape
func scatterAddRunsF32AVX512(dst, src *float32, off *int32, runs, n int)

// gatherRuns32AVX512 and scatterAddRuns32AVX512 are the avx512 table's
// gatherRuns and scatterAddRuns (at least one run, n ≥ 1, checked).
func gatherRuns32AVX512(dst, src []float32, off []int32, n int) {
	gatherRunsF32AVX512(&dst[0], &src[0], &off[0], len(off), n)
}

func scatterAddRuns32AVX512(dst, src []float32, off []int32, n int) {
	scatterAddRunsF32AVX512(&dst[0], &src[0], &off[0], len(off), n)
}

//go:noescape
func gatherStridedF32AVX2(dst, src *float32, ld, ho, wo, s int)

//go:noescape
func scatterAddStridedF32AVX2(dst, src *float32, ld, ho, wo, s int)

//go:noescape
func gatherRunsF32AVX2(dst, src *float32, off *int32, runs, n int)

//go:noescape
func scatterAddRunsF32AVX2(dst, src *float32, off *int32, runs, n int)

// The avx2 table's gather, scatterAdd, gatherRuns and scatterAddRuns
// (arguments checked, at least one value).
func gatherStrided32AVX2(dst, src []float32, ld, ho, wo, s int) {
	gatherStridedF32AVX2(&dst[0], &src[0], ld, ho, wo, s)
}

func scatterAddStrided32AVX2(dst, src []float32, ld, ho, wo, s int) {
	scatterAddStridedF32AVX2(&dst[0], &src[0], ld, ho, wo, s)
}

func gatherRuns32AVX2(dst, src []float32, off []int32, n int) {
	gatherRunsF32AVX2(&dst[0], &src[0], &off[0], len(off), n)
}

func scatterAddRuns32AVX2(dst, src []float32, off []int32, n int) {
	scatterAddRunsF32AVX2(&dst[0], &src[0], &off[0], len(off), n)
}
