//go:build !purego

#include "textflag.h"

// The AVX2+FMA matrix-product kernels. Element (r, p) of A is at
// a + r·aRow + p·aP (aRow = lda, aP = 1 for A; aRow = 1, aP = lda for Aᵀ),
// row p of B at b + p·ldb. Every c[r][j] starts from +0 and is accumulated
// with one fused multiply-add per p, in p order, whatever kernel computes
// it: the Go edge code does the same with math.FMA, so a product's
// elements do not depend on the block they fall in.

// func mm6x8AVX2(c *float64, ldc int, a *float64, aRow, aP int, b *float64, ldb, k, acc int)
// C[0:6][0:8] = A[0:6][0:k]·B[0:k][0:8] (acc = 0) or C += A·B (acc ≠ 0:
// the chains continue from C's values), k ≥ 1; twelve YMM accumulators,
// so that each row of B's panel, once in registers, serves six rows of A.
TEXT ·mm6x8AVX2(SB), NOSPLIT, $0-72
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ a+16(FP), SI
	MOVQ aRow+24(FP), R11
	SHLQ $3, R11
	MOVQ aP+32(FP), R9
	SHLQ $3, R9
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), R10
	SHLQ $3, R10
	MOVQ k+56(FP), CX
	LEAQ (R11)(R11*2), R12 // 3·aRow
	LEAQ (R11)(R11*4), R13 // 5·aRow
	MOVQ acc+64(FP), AX
	TESTQ AX, AX
	JZ   zero6
	MOVQ DI, AX
	VMOVUPD (AX), Y0
	VMOVUPD 32(AX), Y1
	ADDQ R8, AX
	VMOVUPD (AX), Y2
	VMOVUPD 32(AX), Y3
	ADDQ R8, AX
	VMOVUPD (AX), Y4
	VMOVUPD 32(AX), Y5
	ADDQ R8, AX
	VMOVUPD (AX), Y6
	VMOVUPD 32(AX), Y7
	ADDQ R8, AX
	VMOVUPD (AX), Y8
	VMOVUPD 32(AX), Y9
	ADDQ R8, AX
	VMOVUPD (AX), Y10
	VMOVUPD 32(AX), Y11
	JMP  loop6

zero6:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

loop6:
	VMOVUPD      (DX), Y12
	VMOVUPD      32(DX), Y13
	VBROADCASTSD (SI), Y14
	VFMADD231PD  Y12, Y14, Y0
	VFMADD231PD  Y13, Y14, Y1
	VBROADCASTSD (SI)(R11*1), Y15
	VFMADD231PD  Y12, Y15, Y2
	VFMADD231PD  Y13, Y15, Y3
	VBROADCASTSD (SI)(R11*2), Y14
	VFMADD231PD  Y12, Y14, Y4
	VFMADD231PD  Y13, Y14, Y5
	VBROADCASTSD (SI)(R12*1), Y15
	VFMADD231PD  Y12, Y15, Y6
	VFMADD231PD  Y13, Y15, Y7
	VBROADCASTSD (SI)(R11*4), Y14
	VFMADD231PD  Y12, Y14, Y8
	VFMADD231PD  Y13, Y14, Y9
	VBROADCASTSD (SI)(R13*1), Y15
	VFMADD231PD  Y12, Y15, Y10
	VFMADD231PD  Y13, Y15, Y11
	ADDQ         R9, SI
	ADDQ         R10, DX
	DECQ         CX
	JNZ          loop6

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	ADDQ    R8, DI
	VMOVUPD Y2, (DI)
	VMOVUPD Y3, 32(DI)
	ADDQ    R8, DI
	VMOVUPD Y4, (DI)
	VMOVUPD Y5, 32(DI)
	ADDQ    R8, DI
	VMOVUPD Y6, (DI)
	VMOVUPD Y7, 32(DI)
	ADDQ    R8, DI
	VMOVUPD Y8, (DI)
	VMOVUPD Y9, 32(DI)
	ADDQ    R8, DI
	VMOVUPD Y10, (DI)
	VMOVUPD Y11, 32(DI)
	VZEROUPPER
	RET

// func mm4x8AVX2(c *float64, ldc int, a *float64, aRow, aP int, b *float64, ldb, k, acc int)
// C[0:4][0:8] = A[0:4][0:k]·B[0:k][0:8] (acc = 0) or C += A·B (acc ≠ 0:
// the chains continue from C's values), k ≥ 1; eight YMM accumulators.
TEXT ·mm4x8AVX2(SB), NOSPLIT, $0-72
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ a+16(FP), SI
	MOVQ aRow+24(FP), R11
	SHLQ $3, R11
	MOVQ aP+32(FP), R9
	SHLQ $3, R9
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), R10
	SHLQ $3, R10
	MOVQ k+56(FP), CX
	LEAQ (R11)(R11*2), R12 // 3·aRow
	MOVQ acc+64(FP), AX
	TESTQ AX, AX
	JZ   zero4
	MOVQ DI, AX
	VMOVUPD (AX), Y0
	VMOVUPD 32(AX), Y1
	ADDQ R8, AX
	VMOVUPD (AX), Y2
	VMOVUPD 32(AX), Y3
	ADDQ R8, AX
	VMOVUPD (AX), Y4
	VMOVUPD 32(AX), Y5
	ADDQ R8, AX
	VMOVUPD (AX), Y6
	VMOVUPD 32(AX), Y7
	JMP  loop4

zero4:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7

loop4:
	VMOVUPD      (DX), Y8
	VMOVUPD      32(DX), Y9
	VBROADCASTSD (SI), Y10
	VFMADD231PD  Y8, Y10, Y0
	VFMADD231PD  Y9, Y10, Y1
	VBROADCASTSD (SI)(R11*1), Y11
	VFMADD231PD  Y8, Y11, Y2
	VFMADD231PD  Y9, Y11, Y3
	VBROADCASTSD (SI)(R11*2), Y12
	VFMADD231PD  Y8, Y12, Y4
	VFMADD231PD  Y9, Y12, Y5
	VBROADCASTSD (SI)(R12*1), Y13
	VFMADD231PD  Y8, Y13, Y6
	VFMADD231PD  Y9, Y13, Y7
	ADDQ         R9, SI
	ADDQ         R10, DX
	DECQ         CX
	JNZ          loop4

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	ADDQ    R8, DI
	VMOVUPD Y2, (DI)
	VMOVUPD Y3, 32(DI)
	ADDQ    R8, DI
	VMOVUPD Y4, (DI)
	VMOVUPD Y5, 32(DI)
	ADDQ    R8, DI
	VMOVUPD Y6, (DI)
	VMOVUPD Y7, 32(DI)
	VZEROUPPER
	RET

// func mm1x8AVX2(c *float64, a *float64, aP int, b *float64, ldb, k, acc int)
// C[0][0:8] = A[0][0:k]·B[0:k][0:8], or += when acc ≠ 0; k ≥ 1.
TEXT ·mm1x8AVX2(SB), NOSPLIT, $0-56
	MOVQ c+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ aP+16(FP), R9
	SHLQ $3, R9
	MOVQ b+24(FP), DX
	MOVQ ldb+32(FP), R10
	SHLQ $3, R10
	MOVQ k+40(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	MOVQ acc+48(FP), AX
	TESTQ AX, AX
	JZ   loop1
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1

loop1:
	VBROADCASTSD (SI), Y10
	VFMADD231PD  (DX), Y10, Y0
	VFMADD231PD  32(DX), Y10, Y1
	ADDQ         R9, SI
	ADDQ         R10, DX
	DECQ         CX
	JNZ          loop1

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VZEROUPPER
	RET
