//go:build !purego

#include "textflag.h"

// func positionNEON(x, p, minv *float64, n int, h float64)
// x += h·(minv·p), each product rounded; n is a positive multiple of 4.
TEXT ·positionNEON(SB), NOSPLIT, $0-40
	MOVD	x+0(FP), R0
	MOVD	p+8(FP), R1
	MOVD	minv+16(FP), R2
	MOVD	n+24(FP), R3
	FMOVD	h+32(FP), F30
	VDUP	V30.D[0], V30.D2

loop:
	VLD1	(R0), [V0.D2, V1.D2]
	VLD1.P	32(R1), [V2.D2, V3.D2]
	VLD1.P	32(R2), [V4.D2, V5.D2]
	WORD	$0x6e64dc42 // FMUL V2.2D, V2.2D, V4.2D
	WORD	$0x6e65dc63 // FMUL V3.2D, V3.2D, V5.2D
	WORD	$0x6e7edc42 // FMUL V2.2D, V2.2D, V30.2D
	WORD	$0x6e7edc63 // FMUL V3.2D, V3.2D, V30.2D
	WORD	$0x4e62d400 // FADD V0.2D, V0.2D, V2.2D
	WORD	$0x4e63d421 // FADD V1.2D, V1.2D, V3.2D
	VST1.P	[V0.D2, V1.D2], 32(R0)
	SUBS	$4, R3, R3
	BNE	loop
	RET
