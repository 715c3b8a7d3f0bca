//go:build !purego

package simd

import "github.com/viterin/vek"

// scaleAVX2 is vek's in-place multiply by a number: one pass, one rounding
// per element, so it equals the reference bit for bit.
func scaleAVX2(x []float64, s float64) { vek.MulNumber_Inplace(x, s) }
