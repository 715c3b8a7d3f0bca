//go:build !purego

#include "textflag.h"

// func mm8x8F32NEON(c *float32, ldc int, a *float32, aRow, aP int, b *float32, ldb, k, acc int)
// C[0:8][0:8] = A[0:8][0:k]·B[0:k][0:8] (acc = 0) or C += A·B (acc ≠ 0: the
// chains continue from C's values), strides in elements, k ≥ 1; element
// (r, p) of A is at a + r·aRow + p·aP (aRow = lda, aP = 1 for A; aRow = 1,
// aP = lda for Aᵀ). Row r of the block lives in V2r, V2r+1; each step
// loads one row of B (V16, V17), broadcasts one element of each row of A
// (V20–V27) and does 16 fused multiply-adds (FMLA), so every c[r][j] is
// the chain s = fma(a, b, s) in p order, as in the amd64 kernels.
TEXT ·mm8x8F32NEON(SB), NOSPLIT, $0-72
	MOVD	c+0(FP), R0
	MOVD	ldc+8(FP), R1
	MOVD	a+16(FP), R2
	MOVD	aRow+24(FP), R3
	MOVD	aP+32(FP), R19
	MOVD	b+40(FP), R4
	MOVD	ldb+48(FP), R5
	MOVD	k+56(FP), R6
	MOVD	acc+64(FP), R7
	LSL	$2, R1, R1
	LSL	$2, R19, R19
	LSL	$2, R3, R3
	LSL	$2, R5, R5
	MOVD	R2, R8
	ADD	R3, R8, R9
	ADD	R3, R9, R10
	ADD	R3, R10, R11
	ADD	R3, R11, R12
	ADD	R3, R12, R13
	ADD	R3, R13, R14
	ADD	R3, R14, R15
	CBZ	R7, zero
	MOVD	R0, R7
	VLD1	(R7), [V0.S4, V1.S4]
	ADD	R1, R7, R7
	VLD1	(R7), [V2.S4, V3.S4]
	ADD	R1, R7, R7
	VLD1	(R7), [V4.S4, V5.S4]
	ADD	R1, R7, R7
	VLD1	(R7), [V6.S4, V7.S4]
	ADD	R1, R7, R7
	VLD1	(R7), [V8.S4, V9.S4]
	ADD	R1, R7, R7
	VLD1	(R7), [V10.S4, V11.S4]
	ADD	R1, R7, R7
	VLD1	(R7), [V12.S4, V13.S4]
	ADD	R1, R7, R7
	VLD1	(R7), [V14.S4, V15.S4]
	B	loop

zero:
	VEOR	V0.B16, V0.B16, V0.B16
	VEOR	V1.B16, V1.B16, V1.B16
	VEOR	V2.B16, V2.B16, V2.B16
	VEOR	V3.B16, V3.B16, V3.B16
	VEOR	V4.B16, V4.B16, V4.B16
	VEOR	V5.B16, V5.B16, V5.B16
	VEOR	V6.B16, V6.B16, V6.B16
	VEOR	V7.B16, V7.B16, V7.B16
	VEOR	V8.B16, V8.B16, V8.B16
	VEOR	V9.B16, V9.B16, V9.B16
	VEOR	V10.B16, V10.B16, V10.B16
	VEOR	V11.B16, V11.B16, V11.B16
	VEOR	V12.B16, V12.B16, V12.B16
	VEOR	V13.B16, V13.B16, V13.B16
	VEOR	V14.B16, V14.B16, V14.B16
	VEOR	V15.B16, V15.B16, V15.B16

loop:
	VLD1	(R4), [V16.S4, V17.S4]
	ADD	R5, R4, R4
	VLD1R.P	(R8)(R19), [V20.S4]
	VLD1R.P	(R9)(R19), [V21.S4]
	VLD1R.P	(R10)(R19), [V22.S4]
	VLD1R.P	(R11)(R19), [V23.S4]
	VLD1R.P	(R12)(R19), [V24.S4]
	VLD1R.P	(R13)(R19), [V25.S4]
	VLD1R.P	(R14)(R19), [V26.S4]
	VLD1R.P	(R15)(R19), [V27.S4]
	VFMLA	V16.S4, V20.S4, V0.S4
	VFMLA	V17.S4, V20.S4, V1.S4
	VFMLA	V16.S4, V21.S4, V2.S4
	VFMLA	V17.S4, V21.S4, V3.S4
	VFMLA	V16.S4, V22.S4, V4.S4
	VFMLA	V17.S4, V22.S4, V5.S4
	VFMLA	V16.S4, V23.S4, V6.S4
	VFMLA	V17.S4, V23.S4, V7.S4
	VFMLA	V16.S4, V24.S4, V8.S4
	VFMLA	V17.S4, V24.S4, V9.S4
	VFMLA	V16.S4, V25.S4, V10.S4
	VFMLA	V17.S4, V25.S4, V11.S4
	VFMLA	V16.S4, V26.S4, V12.S4
	VFMLA	V17.S4, V26.S4, V13.S4
	VFMLA	V16.S4, V27.S4, V14.S4
	VFMLA	V17.S4, V27.S4, V15.S4
	SUBS	$1, R6, R6
	BNE	loop

	MOVD	R0, R7
	VST1	[V0.S4, V1.S4], (R7)
	ADD	R1, R7, R7
	VST1	[V2.S4, V3.S4], (R7)
	ADD	R1, R7, R7
	VST1	[V4.S4, V5.S4], (R7)
	ADD	R1, R7, R7
	VST1	[V6.S4, V7.S4], (R7)
	ADD	R1, R7, R7
	VST1	[V8.S4, V9.S4], (R7)
	ADD	R1, R7, R7
	VST1	[V10.S4, V11.S4], (R7)
	ADD	R1, R7, R7
	VST1	[V12.S4, V13.S4], (R7)
	ADD	R1, R7, R7
	VST1	[V14.S4, V15.S4], (R7)
	RET

// func dot32NEON(x, y *float32, n int) float32
// n is a positive multiple of 16. Four accumulators of four lanes each
// (FMLA), added pairwise at the end.
TEXT ·dot32NEON(SB), NOSPLIT, $0-28
	MOVD	x+0(FP), R0
	MOVD	y+8(FP), R1
	MOVD	n+16(FP), R2
	VEOR	V0.B16, V0.B16, V0.B16
	VEOR	V1.B16, V1.B16, V1.B16
	VEOR	V2.B16, V2.B16, V2.B16
	VEOR	V3.B16, V3.B16, V3.B16

dloop:
	VLD1.P	64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P	64(R1), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA	V16.S4, V4.S4, V0.S4
	VFMLA	V17.S4, V5.S4, V1.S4
	VFMLA	V18.S4, V6.S4, V2.S4
	VFMLA	V19.S4, V7.S4, V3.S4
	SUBS	$16, R2, R2
	BNE	dloop

	WORD	$0x4e21d400 // FADD V0.4S, V0.4S, V1.4S
	WORD	$0x4e23d442 // FADD V2.4S, V2.4S, V3.4S
	WORD	$0x4e22d400 // FADD V0.4S, V0.4S, V2.4S
	WORD	$0x6e20d400 // FADDP V0.4S, V0.4S, V0.4S
	WORD	$0x7e30d800 // FADDP S0, V0.2S
	FMOVS	F0, ret+24(FP)
	RET

// func axpy32NEON(y, x *float32, n int, a float32)
// y += a·x, the product rounded before the add (FMUL, FADD); n is a
// positive multiple of 8.
TEXT ·axpy32NEON(SB), NOSPLIT, $0-28
	MOVD	y+0(FP), R0
	MOVD	x+8(FP), R1
	MOVD	n+16(FP), R2
	FMOVS	a+24(FP), F30
	VDUP	V30.S[0], V30.S4

aloop:
	VLD1	(R0), [V0.S4, V1.S4]
	VLD1.P	32(R1), [V2.S4, V3.S4]
	WORD	$0x6e3edc42 // FMUL V2.4S, V2.4S, V30.4S
	WORD	$0x6e3edc63 // FMUL V3.4S, V3.4S, V30.4S
	WORD	$0x4e22d400 // FADD V0.4S, V0.4S, V2.4S
	WORD	$0x4e23d421 // FADD V1.4S, V1.4S, V3.4S
	VST1.P	[V0.S4, V1.S4], 32(R0)
	SUBS	$8, R2, R2
	BNE	aloop
	RET
