//go:build !purego

#include "textflag.h"

// func langevinNEON(dst, x, grad, xi *float64, n int, a, b float64)
// dst = x + (a·g + b·ξ), each product rounded (dst may be x); n is a
// positive multiple of 4.
TEXT ·langevinNEON(SB), NOSPLIT, $0-56
	MOVD	dst+0(FP), R4
	MOVD	x+8(FP), R0
	MOVD	grad+16(FP), R1
	MOVD	xi+24(FP), R2
	MOVD	n+32(FP), R3
	FMOVD	a+40(FP), F30
	FMOVD	b+48(FP), F31
	VDUP	V30.D[0], V30.D2
	VDUP	V31.D[0], V31.D2

loop:
	VLD1.P	32(R0), [V0.D2, V1.D2]
	VLD1.P	32(R1), [V2.D2, V3.D2]
	VLD1.P	32(R2), [V4.D2, V5.D2]
	WORD	$0x6e7edc42 // FMUL V2.2D, V2.2D, V30.2D
	WORD	$0x6e7edc63 // FMUL V3.2D, V3.2D, V30.2D
	WORD	$0x6e7fdc84 // FMUL V4.2D, V4.2D, V31.2D
	WORD	$0x6e7fdca5 // FMUL V5.2D, V5.2D, V31.2D
	WORD	$0x4e64d442 // FADD V2.2D, V2.2D, V4.2D
	WORD	$0x4e65d463 // FADD V3.2D, V3.2D, V5.2D
	WORD	$0x4e62d400 // FADD V0.2D, V0.2D, V2.2D
	WORD	$0x4e63d421 // FADD V1.2D, V1.2D, V3.2D
	VST1.P	[V0.D2, V1.D2], 32(R4)
	SUBS	$4, R3, R3
	BNE	loop
	RET
