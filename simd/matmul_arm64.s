//go:build !purego

#include "textflag.h"

// func matMul4x8NEON(c *float64, ldc int, a *float64, lda int, b *float64, ldb int, k int)
// C[0:4, 0:8] += A[0:4, 0:k]·B[0:k, 0:8] with strides ldc, lda, ldb in
// elements and k > 0. The 4×8 block of C lives in V0–V15 (row r in
// V4r…V4r+3); each step loads one row of B (V16–V19), broadcasts one
// element of each row of A (V20–V23) and does 16 fused multiply-adds.
TEXT ·matMul4x8NEON(SB), NOSPLIT, $0-56
	MOVD	c+0(FP), R0
	MOVD	ldc+8(FP), R1
	MOVD	a+16(FP), R2
	MOVD	lda+24(FP), R3
	MOVD	b+32(FP), R4
	MOVD	ldb+40(FP), R5
	MOVD	k+48(FP), R6
	LSL	$3, R1, R1
	LSL	$3, R3, R3
	LSL	$3, R5, R5
	MOVD	R2, R8
	ADD	R3, R8, R9
	ADD	R3, R9, R10
	ADD	R3, R10, R11

	MOVD	R0, R7
	VLD1	(R7), [V0.D2, V1.D2, V2.D2, V3.D2]
	ADD	R1, R7, R7
	VLD1	(R7), [V4.D2, V5.D2, V6.D2, V7.D2]
	ADD	R1, R7, R7
	VLD1	(R7), [V8.D2, V9.D2, V10.D2, V11.D2]
	ADD	R1, R7, R7
	VLD1	(R7), [V12.D2, V13.D2, V14.D2, V15.D2]

loop:
	VLD1	(R4), [V16.D2, V17.D2, V18.D2, V19.D2]
	ADD	R5, R4, R4
	VLD1R.P	8(R8), [V20.D2]
	VLD1R.P	8(R9), [V21.D2]
	VLD1R.P	8(R10), [V22.D2]
	VLD1R.P	8(R11), [V23.D2]
	VFMLA	V16.D2, V20.D2, V0.D2
	VFMLA	V17.D2, V20.D2, V1.D2
	VFMLA	V18.D2, V20.D2, V2.D2
	VFMLA	V19.D2, V20.D2, V3.D2
	VFMLA	V16.D2, V21.D2, V4.D2
	VFMLA	V17.D2, V21.D2, V5.D2
	VFMLA	V18.D2, V21.D2, V6.D2
	VFMLA	V19.D2, V21.D2, V7.D2
	VFMLA	V16.D2, V22.D2, V8.D2
	VFMLA	V17.D2, V22.D2, V9.D2
	VFMLA	V18.D2, V22.D2, V10.D2
	VFMLA	V19.D2, V22.D2, V11.D2
	VFMLA	V16.D2, V23.D2, V12.D2
	VFMLA	V17.D2, V23.D2, V13.D2
	VFMLA	V18.D2, V23.D2, V14.D2
	VFMLA	V19.D2, V23.D2, V15.D2
	SUBS	$1, R6, R6
	BNE	loop

	MOVD	R0, R7
	VST1	[V0.D2, V1.D2, V2.D2, V3.D2], (R7)
	ADD	R1, R7, R7
	VST1	[V4.D2, V5.D2, V6.D2, V7.D2], (R7)
	ADD	R1, R7, R7
	VST1	[V8.D2, V9.D2, V10.D2, V11.D2], (R7)
	ADD	R1, R7, R7
	VST1	[V12.D2, V13.D2, V14.D2, V15.D2], (R7)
	RET
