//go:build !purego

package mlp

import (
	"math"

	"github.com/goebm/ebm/simd"
)

//go:noescape
func siluRows64AVX512(z, d, bias, scale, k *float64, rows, w, ld, mode int) (done int)

//go:noescape
func siluRows64AVX2(z, d, bias, scale, k *float64, rows, w, ld, mode int) (done int)

// siluConsts4 holds siluConsts' seven constants and five bit patterns
// (the exponent mask 255, 1, the sign bit, all but the sign bit, the bits
// of 708 less one) four times each, then the table: memory operands of
// 32 bytes for siluRows64AVX2.
var siluConsts4 = func() []float64 {
	var c []float64
	bits := []uint64{255, math.Float64bits(1), 1 << 63, 1<<63 - 1, bits708 - 1}
	for _, v := range siluConsts[:7] {
		c = append(c, v, v, v, v)
	}
	for _, b := range bits {
		v := math.Float64frombits(b)
		c = append(c, v, v, v, v)
	}
	return append(c, exp2by256[:]...)
}()

// siluRowsVector runs siluLayer's fast path on the first columns of rows
// of z (w = len(bias) wide) from the first on, where simd's avx512 (eight
// columns at a time) or avx2 (four) is in use, and returns how many rows it
// finished and how many columns of each (0, 0 where it does not run). It
// stops before a row that needs math.Exp.
func siluRowsVector(z, d, bias, scale []float64, deriv bool) (rows, cols int) {
	w := len(bias)
	if len(z) == 0 {
		return 0, 0
	}
	impl, n := simd.Chosen(), 0
	switch {
	case impl == "avx512": // simd chooses it only where the CPU has AVX-512F
		n = w &^ 7
	case impl == "avx2":
		n = w &^ 3
	}
	if n == 0 {
		return 0, 0
	}
	mode := 0
	var sp *float64
	switch {
	case !deriv:
	case scale == nil:
		mode = 1
	default:
		mode, sp = 2, &scale[0]
	}
	_ = d[len(z)-1]
	if impl == "avx512" {
		return siluRows64AVX512(&z[0], &d[0], &bias[0], sp, &siluConsts[0], len(z)/w, n, w, mode), n
	}
	return siluRows64AVX2(&z[0], &d[0], &bias[0], sp, &siluConsts4[0], len(z)/w, n, w, mode), n
}
