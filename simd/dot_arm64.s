//go:build !purego

#include "textflag.h"

// func dotNEON(x, y *float64, n int) float64
// n is a positive multiple of 8. Four accumulators of two lanes each.
TEXT ·dotNEON(SB), NOSPLIT, $0-32
	MOVD	x+0(FP), R0
	MOVD	y+8(FP), R1
	MOVD	n+16(FP), R2
	VEOR	V0.B16, V0.B16, V0.B16
	VEOR	V1.B16, V1.B16, V1.B16
	VEOR	V2.B16, V2.B16, V2.B16
	VEOR	V3.B16, V3.B16, V3.B16

loop:
	VLD1.P	64(R0), [V4.D2, V5.D2, V6.D2, V7.D2]
	VLD1.P	64(R1), [V16.D2, V17.D2, V18.D2, V19.D2]
	VFMLA	V16.D2, V4.D2, V0.D2
	VFMLA	V17.D2, V5.D2, V1.D2
	VFMLA	V18.D2, V6.D2, V2.D2
	VFMLA	V19.D2, V7.D2, V3.D2
	SUBS	$8, R2, R2
	BNE	loop

	WORD	$0x4e61d400 // FADD V0.2D, V0.2D, V1.2D
	WORD	$0x4e63d442 // FADD V2.2D, V2.2D, V3.2D
	WORD	$0x4e62d400 // FADD V0.2D, V0.2D, V2.2D
	WORD	$0x7e70d800 // FADDP D0, V0.2D
	FMOVD	F0, ret+24(FP)
	RET
