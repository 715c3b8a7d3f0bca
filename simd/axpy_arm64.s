//go:build !purego

#include "textflag.h"

// func axpyNEON(y, x *float64, n int, a float64)
// y += a·x, the product rounded before the add; n is a positive multiple of 4.
TEXT ·axpyNEON(SB), NOSPLIT, $0-32
	MOVD	y+0(FP), R0
	MOVD	x+8(FP), R1
	MOVD	n+16(FP), R2
	FMOVD	a+24(FP), F30
	VDUP	V30.D[0], V30.D2

loop:
	VLD1	(R0), [V0.D2, V1.D2]
	VLD1.P	32(R1), [V2.D2, V3.D2]
	WORD	$0x6e7edc42 // FMUL V2.2D, V2.2D, V30.2D
	WORD	$0x6e7edc63 // FMUL V3.2D, V3.2D, V30.2D
	WORD	$0x4e62d400 // FADD V0.2D, V0.2D, V2.2D
	WORD	$0x4e63d421 // FADD V1.2D, V1.2D, V3.2D
	VST1.P	[V0.D2, V1.D2], 32(R0)
	SUBS	$4, R2, R2
	BNE	loop
	RET
