//go:build !purego

#include "textflag.h"

// NUTS's per-chain passes (nuts.go) on four values per YMM register, the
// last n mod 4 one at a time (scalar instructions). Element-wise values
// get the generic loops' operations in the same order; a sum's terms are
// computed four at a time and added to it one lane after the other, in
// order j, so every sum is the generic loop's, bit for bit. Two sums advance together in the
// two lanes of an XMM register (their terms interleaved by
// VUNPCKLPD/VUNPCKHPD).

// sum4 adds the four lanes of Y (whose low lanes are X) to the scalar in
// ACC, lane 0 first, using T.
#define sum4(Y, X, ACC, T) \
	VADDSD       X, ACC, ACC \
	VPERMILPD    $1, X, T    \
	VADDSD       T, ACC, ACC \
	VEXTRACTF128 $1, Y, T    \
	VADDSD       T, ACC, ACC \
	VPERMILPD    $1, T, T    \
	VADDSD       T, ACC, ACC

// sum2x4 adds the four lanes of YA to lane 0 of ACC and those of YB to
// lane 1, lane 0 first, using YL, YH (whose low lanes are XL, XH) and T.
#define sum2x4(YA, YB, ACC, YL, XL, YH, XH, T) \
	VUNPCKLPD    YB, YA, YL  \
	VUNPCKHPD    YB, YA, YH  \
	VADDPD       XL, ACC, ACC \
	VADDPD       XH, ACC, ACC \
	VEXTRACTF128 $1, YL, T   \
	VADDPD       T, ACC, ACC \
	VEXTRACTF128 $1, YH, T   \
	VADDPD       T, ACC, ACC

// func nutsDriftAVX2(xd, x, p, gr, m *float64, n int, h, nh float64)
TEXT ·nutsDriftAVX2(SB), NOSPLIT, $0-64
	MOVQ         xd+0(FP), R8
	MOVQ         x+8(FP), DI
	MOVQ         p+16(FP), SI
	MOVQ         gr+24(FP), DX
	MOVQ         m+32(FP), R9
	MOVQ         n+40(FP), CX
	VBROADCASTSD h+48(FP), Y14
	VBROADCASTSD nh+56(FP), Y15
	CMPQ         CX, $4
	JLT          drift1

drift4:
	VMULPD  (DX), Y15, Y0 // nh·g
	VADDPD  (SI), Y0, Y0  // v = p + nh·g
	VMOVUPD Y0, (SI)
	VMULPD  (R9), Y0, Y1  // m·v
	VMULPD  Y14, Y1, Y1   // h·(m·v)
	VADDPD  (DI), Y1, Y1  // x + h·(m·v)
	VMOVUPD Y1, (R8)
	ADDQ    $32, R8
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R9
	SUBQ    $4, CX
	CMPQ    CX, $4
	JGE     drift4

drift1:
	TESTQ   CX, CX
	JZ      driftdone
	VMOVSD  (DX), X2
	VMULSD  X2, X15, X0
	VADDSD  (SI), X0, X0
	VMOVSD  X0, (SI)
	VMULSD  (R9), X0, X1
	VMULSD  X14, X1, X1
	VADDSD  (DI), X1, X1
	VMOVSD  X1, (R8)
	ADDQ    $8, R8
	ADDQ    $8, DI
	ADDQ    $8, SI
	ADDQ    $8, DX
	ADDQ    $8, R9
	DECQ    CX
	JMP     drift1

driftdone:
	VZEROUPPER
	RET

// func nutsKickAVX2(pc, xc, gc, p, x, gr, m *float64, n int, nh float64) (twoK float64, finite bool)
TEXT ·nutsKickAVX2(SB), NOSPLIT, $0-81
	MOVQ         pc+0(FP), R8
	MOVQ         xc+8(FP), R9
	MOVQ         gc+16(FP), R10
	MOVQ         p+24(FP), SI
	MOVQ         x+32(FP), DI
	MOVQ         gr+40(FP), DX
	MOVQ         m+48(FP), R11
	MOVQ         n+56(FP), CX
	VBROADCASTSD nh+64(FP), Y15
	VXORPD       X10, X10, X10 // the sum
	VXORPD       Y11, Y11, Y11 // Σ x·0 + g·0, lane-wise: NaN once a value is not finite
	VXORPD       Y12, Y12, Y12 // zero
	VXORPD       X9, X9, X9    // the same for the last n mod 4 (scalar)
	CMPQ         CX, $4
	JLT          kick1

kick4:
	VMOVUPD (DX), Y2
	VMOVUPD (DI), Y3
	VMULPD  Y2, Y15, Y0  // nh·g
	VADDPD  (SI), Y0, Y0 // v
	VMOVUPD Y0, (SI)
	VMOVUPD Y0, (R8)
	VMOVUPD Y3, (R9)
	VMOVUPD Y2, (R10)
	VMULPD  (R11), Y0, Y1 // m·v
	VMULPD  Y0, Y1, Y1    // (m·v)·v
	VMULPD  Y12, Y3, Y4
	VMULPD  Y12, Y2, Y5
	VADDPD  Y4, Y11, Y11
	VADDPD  Y5, Y11, Y11
	sum4(Y1, X1, X10, X13)
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, R10
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	ADDQ    $32, R11
	SUBQ    $4, CX
	CMPQ    CX, $4
	JGE     kick4

kick1:
	TESTQ   CX, CX
	JZ      kickdone
	VMOVSD  (DX), X2
	VMOVSD  (DI), X3
	VMULSD  X2, X15, X0
	VADDSD  (SI), X0, X0
	VMOVSD  X0, (SI)
	VMOVSD  X0, (R8)
	VMOVSD  X3, (R9)
	VMOVSD  X2, (R10)
	VMULSD  (R11), X0, X1
	VMULSD  X0, X1, X1
	VADDSD  X1, X10, X10
	VMULSD  X12, X3, X4
	VMULSD  X12, X2, X5
	VADDSD  X4, X9, X9
	VADDSD  X5, X9, X9
	ADDQ    $8, R8
	ADDQ    $8, R9
	ADDQ    $8, R10
	ADDQ    $8, SI
	ADDQ    $8, DI
	ADDQ    $8, DX
	ADDQ    $8, R11
	DECQ    CX
	JMP     kick1

kickdone:
	VMOVSD    X10, twoK+72(FP)
	VCMPPD    $4, Y12, Y11, Y11 // lanes ≠ 0 or NaN: all ones
	VMOVMSKPD Y11, AX
	VCMPPD    $4, X12, X9, X9
	VMOVMSKPD X9, BX
	ORL       BX, AX
	TESTL     AX, AX
	SETEQ     finite+80(FP)
	VZEROUPPER
	RET

// func nutsMomentumAVX2(p, op, rho, m *float64, n int) (twoK float64)
TEXT ·nutsMomentumAVX2(SB), NOSPLIT, $0-48
	MOVQ   p+0(FP), SI
	MOVQ   op+8(FP), R8
	MOVQ   rho+16(FP), R9
	MOVQ   m+24(FP), R11
	MOVQ   n+32(FP), CX
	VXORPD X10, X10, X10
	CMPQ   CX, $4
	JLT    mom1

mom4:
	VMOVUPD (R11), Y2
	VSQRTPD Y2, Y1
	VMOVUPD (SI), Y0
	VDIVPD  Y1, Y0, Y0 // v = p / √m
	VMOVUPD Y0, (SI)
	VMOVUPD Y0, (R8)
	VMOVUPD Y0, (R9)
	VMULPD  Y0, Y2, Y3 // m·v
	VMULPD  Y0, Y3, Y3 // (m·v)·v
	sum4(Y3, X3, X10, X13)
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, R11
	SUBQ    $4, CX
	CMPQ    CX, $4
	JGE     mom4

mom1:
	TESTQ   CX, CX
	JZ      momdone
	VMOVSD  (R11), X2
	VSQRTSD X2, X2, X1
	VMOVSD  (SI), X0
	VDIVSD  X1, X0, X0
	VMOVSD  X0, (SI)
	VMOVSD  X0, (R8)
	VMOVSD  X0, (R9)
	VMULSD  X0, X2, X3
	VMULSD  X0, X3, X3
	VADDSD  X3, X10, X10
	ADDQ    $8, SI
	ADDQ    $8, R8
	ADDQ    $8, R9
	ADDQ    $8, R11
	DECQ    CX
	JMP     mom1

momdone:
	VMOVSD X10, twoK+40(FP)
	VZEROUPPER
	RET

// func uTurnFree3AVX2(rho, a, b, ra, c, d, rc, m *float64, n int, s *[6]float64)
// Advances the six sums s1a, s1d, s2a, s2c, s3b, s3d in s (X10, X14, X15
// hold them in pairs) over n values.
TEXT ·uTurnFree3AVX2(SB), NOSPLIT, $0-80
	MOVQ    rho+0(FP), R8
	MOVQ    a+8(FP), R9
	MOVQ    b+16(FP), R10
	MOVQ    ra+24(FP), R11
	MOVQ    c+32(FP), R12
	MOVQ    d+40(FP), R13
	MOVQ    rc+48(FP), SI
	MOVQ    m+56(FP), DI
	MOVQ    n+64(FP), CX
	MOVQ    s+72(FP), AX
	VMOVUPD (AX), X10
	VMOVUPD 16(AX), X14
	VMOVUPD 32(AX), X15
	CMPQ    CX, $4
	JLT     u3x1

u3x4:
	VMOVUPD (R11), Y0 // ra
	VMOVUPD (SI), Y1  // rc
	VMOVUPD (R12), Y2 // c
	VMOVUPD (R10), Y3 // b
	VMOVUPD (R9), Y4  // a
	VMOVUPD (R13), Y5 // d
	VMOVUPD (DI), Y6  // m
	VADDPD  Y1, Y0, Y7 // r1 = ra + rc
	VMOVUPD Y7, (R8)
	VADDPD  Y2, Y0, Y0 // r2 = ra + c
	VADDPD  Y3, Y1, Y1 // r3 = rc + b
	VMULPD  Y4, Y6, Y4 // m·a
	VMULPD  Y5, Y6, Y5 // m·d
	VMULPD  Y2, Y6, Y2 // m·c
	VMULPD  Y3, Y6, Y3 // m·b
	VMULPD  Y7, Y4, Y8 // (m·a)·r1
	VMULPD  Y7, Y5, Y9 // (m·d)·r1
	sum2x4(Y8, Y9, X10, Y11, X11, Y12, X12, X13)
	VMULPD  Y0, Y4, Y8 // (m·a)·r2
	VMULPD  Y0, Y2, Y9 // (m·c)·r2
	sum2x4(Y8, Y9, X14, Y11, X11, Y12, X12, X13)
	VMULPD  Y1, Y3, Y8 // (m·b)·r3
	VMULPD  Y1, Y5, Y9 // (m·d)·r3
	sum2x4(Y8, Y9, X15, Y11, X11, Y12, X12, X13)
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, R10
	ADDQ    $32, R11
	ADDQ    $32, R12
	ADDQ    $32, R13
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	CMPQ    CX, $4
	JGE     u3x4

u3x1:
	TESTQ     CX, CX
	JZ        u3done
	VMOVSD    (R11), X0 // ra
	VMOVSD    (SI), X1  // rc
	VMOVSD    (R12), X2 // c
	VMOVSD    (R10), X3 // b
	VMOVSD    (R9), X4  // a
	VMOVSD    (R13), X5 // d
	VMOVSD    (DI), X6  // m
	VADDSD    X1, X0, X7
	VMOVSD    X7, (R8)
	VADDSD    X2, X0, X0
	VADDSD    X3, X1, X1
	VMULSD    X4, X6, X4
	VMULSD    X5, X6, X5
	VMULSD    X2, X6, X2
	VMULSD    X3, X6, X3
	VMULSD    X7, X4, X8
	VMULSD    X7, X5, X9
	VUNPCKLPD X9, X8, X8
	VADDPD    X8, X10, X10
	VMULSD    X0, X4, X8
	VMULSD    X0, X2, X9
	VUNPCKLPD X9, X8, X8
	VADDPD    X8, X14, X14
	VMULSD    X1, X3, X8
	VMULSD    X1, X5, X9
	VUNPCKLPD X9, X8, X8
	VADDPD    X8, X15, X15
	ADDQ      $8, R8
	ADDQ      $8, R9
	ADDQ      $8, R10
	ADDQ      $8, R11
	ADDQ      $8, R12
	ADDQ      $8, R13
	ADDQ      $8, SI
	ADDQ      $8, DI
	DECQ      CX
	JMP       u3x1

u3done:
	MOVQ    s+72(FP), AX
	VMOVUPD X10, (AX)
	VMOVUPD X14, 16(AX)
	VMOVUPD X15, 32(AX)
	VZEROUPPER
	RET

// func uTurnFree2AVX2(rho, a, c, m *float64, n int) (sa, sc float64)
TEXT ·uTurnFree2AVX2(SB), NOSPLIT, $0-56
	MOVQ   rho+0(FP), R8
	MOVQ   a+8(FP), R9
	MOVQ   c+16(FP), R12
	MOVQ   m+24(FP), R11
	MOVQ   n+32(FP), CX
	VXORPD X10, X10, X10
	CMPQ   CX, $4
	JLT    u2x1

u2x4:
	VMOVUPD (R9), Y0   // a
	VMOVUPD (R12), Y1  // c
	VMOVUPD (R11), Y6  // m
	VADDPD  Y1, Y0, Y7 // r = a + c
	VMULPD  Y0, Y6, Y4 // m·a
	VMULPD  Y1, Y6, Y2 // m·c
	VMULPD  Y7, Y4, Y8 // (m·a)·r
	VMULPD  Y7, Y2, Y9 // (m·c)·r
	VMOVUPD Y7, (R8)
	sum2x4(Y8, Y9, X10, Y11, X11, Y12, X12, X13)
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, R12
	ADDQ    $32, R11
	SUBQ    $4, CX
	CMPQ    CX, $4
	JGE     u2x4

u2x1:
	TESTQ     CX, CX
	JZ        u2done
	VMOVSD    (R9), X0
	VMOVSD    (R12), X1
	VMOVSD    (R11), X6
	VADDSD    X1, X0, X7
	VMULSD    X0, X6, X4
	VMULSD    X1, X6, X2
	VMULSD    X7, X4, X8
	VMULSD    X7, X2, X9
	VMOVSD    X7, (R8)
	VUNPCKLPD X9, X8, X8
	VADDPD    X8, X10, X10
	ADDQ      $8, R8
	ADDQ      $8, R9
	ADDQ      $8, R12
	ADDQ      $8, R11
	DECQ      CX
	JMP       u2x1

u2done:
	VMOVSD    X10, sa+40(FP)
	VPERMILPD $1, X10, X10
	VMOVSD    X10, sc+48(FP)
	VZEROUPPER
	RET

// The lane kernels (nuts_lanes.go) on AVX2: each block of eight lanes in
// two halves of four, one YMM register per coordinate of a half; every
// value is lane-wise, with the generic loops' operations in the same
// order. BX counts the half-blocks, DX is the current half's byte offset
// in the block arrays: (BX/2)·64d + (BX%2)·32, advancing 64 per coordinate.
#define halfOffset(BLK) \
	MOVQ  BX, CX  \
	SHRQ  $1, CX  \
	IMULQ BLK, CX \
	MOVQ  BX, DX  \
	ANDQ  $1, DX  \
	SHLQ  $5, DX  \
	ADDQ  CX, DX

// storeHalfMask writes the 4-bit mask in CX to the low (BX even) or high
// (BX odd) nibble of the byte at (R14), moving R14 on after the high one.
#define storeHalfMask \
	TESTQ $1, BX    \
	JNZ   3(PC)     \
	MOVB  CX, (R14) \
	JMP   4(PC)     \
	SHLQ  $4, CX    \
	ORB   CX, (R14) \
	INCQ  R14

// func nutsLaneDriftAVX2(p, x, gr, m, nh, h *float64, nb, d int)
TEXT ·nutsLaneDriftAVX2(SB), NOSPLIT, $0-64
	MOVQ p+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ gr+16(FP), R8
	MOVQ m+24(FP), R9
	MOVQ nh+32(FP), R10
	MOVQ h+40(FP), R11
	MOVQ d+56(FP), AX
	SHLQ $6, AX // a block's bytes
	XORQ BX, BX

ld2half:
	MOVQ    nb+48(FP), CX
	SHLQ    $1, CX
	CMPQ    BX, CX
	JGE     ld2done
	MOVQ    BX, CX
	SHLQ    $5, CX
	VMOVUPD (R10)(CX*1), Y15 // nh of the half
	VMOVUPD (R11)(CX*1), Y14 // h
	halfOffset(AX)
	MOVQ    d+56(FP), CX

ld2coord:
	VMULPD  (R8)(DX*1), Y15, Y0 // nh·g
	VADDPD  (SI)(DX*1), Y0, Y0  // v = p + nh·g
	VMOVUPD Y0, (SI)(DX*1)
	VMULPD  (R9)(DX*1), Y0, Y1  // m·v
	VMULPD  Y14, Y1, Y1         // h·(m·v)
	VADDPD  (DI)(DX*1), Y1, Y1  // x + h·(m·v)
	VMOVUPD Y1, (DI)(DX*1)
	ADDQ    $64, DX
	DECQ    CX
	JNZ     ld2coord
	INCQ    BX
	JMP     ld2half

ld2done:
	VZEROUPPER
	RET

// func nutsLaneKickAVX2(pc, xc, gc, p, x, gr, m, nh, twoK *float64, fin *uint8, nb, d int)
TEXT ·nutsLaneKickAVX2(SB), NOSPLIT, $0-96
	MOVQ pc+0(FP), R8
	MOVQ xc+8(FP), R9
	MOVQ gc+16(FP), R10
	MOVQ p+24(FP), SI
	MOVQ x+32(FP), DI
	MOVQ gr+40(FP), R11
	MOVQ m+48(FP), R12
	MOVQ fin+72(FP), R14
	MOVQ d+88(FP), AX
	SHLQ $6, AX
	XORQ BX, BX
	VXORPD Y12, Y12, Y12 // zero

lk2half:
	MOVQ    nb+80(FP), CX
	SHLQ    $1, CX
	CMPQ    BX, CX
	JGE     lk2done
	MOVQ    BX, CX
	SHLQ    $5, CX
	MOVQ    nh+56(FP), R13
	VMOVUPD (R13)(CX*1), Y15 // nh of the half
	MOVQ    CX, R13          // the half's offset in twoK
	VXORPD  Y10, Y10, Y10    // 2K, from +0
	VXORPD  Y11, Y11, Y11    // Σ x·0 + g·0
	halfOffset(AX)
	MOVQ    d+88(FP), CX

lk2coord:
	VMOVUPD (R11)(DX*1), Y2
	VMOVUPD (DI)(DX*1), Y3
	VMULPD  Y2, Y15, Y0        // nh·g
	VADDPD  (SI)(DX*1), Y0, Y0 // v
	VMOVUPD Y0, (SI)(DX*1)
	VMOVUPD Y0, (R8)(DX*1)
	VMOVUPD Y3, (R9)(DX*1)
	VMOVUPD Y2, (R10)(DX*1)
	VMULPD  (R12)(DX*1), Y0, Y1 // m·v
	VMULPD  Y0, Y1, Y1          // (m·v)·v
	VADDPD  Y1, Y10, Y10
	VMULPD  Y12, Y3, Y4
	VMULPD  Y12, Y2, Y5
	VADDPD  Y4, Y11, Y11
	VADDPD  Y5, Y11, Y11
	ADDQ    $64, DX
	DECQ    CX
	JNZ     lk2coord
	MOVQ    twoK+64(FP), DX
	VMOVUPD Y10, (DX)(R13*1)
	VCMPPD  $0, Y12, Y11, Y6 // finite lanes
	VMOVMSKPD Y6, CX
	storeHalfMask
	INCQ    BX
	JMP     lk2half

lk2done:
	VZEROUPPER
	RET

// func nutsLaneUTurn3AVX2(rho, a, b, ra, c, d, rc, m *float64, free *uint8, nb, dim int)
TEXT ·nutsLaneUTurn3AVX2(SB), NOSPLIT, $0-88
	MOVQ rho+0(FP), R8
	MOVQ a+8(FP), R9
	MOVQ b+16(FP), R10
	MOVQ ra+24(FP), R11
	MOVQ c+32(FP), R12
	MOVQ d+40(FP), R13
	MOVQ rc+48(FP), SI
	MOVQ m+56(FP), DI
	MOVQ free+64(FP), R14
	MOVQ dim+80(FP), AX
	SHLQ $6, AX
	XORQ BX, BX

lu32half:
	MOVQ   nb+72(FP), CX
	SHLQ   $1, CX
	CMPQ   BX, CX
	JGE    lu32done
	VXORPD Y0, Y0, Y0 // s1a
	VXORPD Y1, Y1, Y1 // s1d
	VXORPD Y2, Y2, Y2 // s2a
	VXORPD Y3, Y3, Y3 // s2c
	VXORPD Y4, Y4, Y4 // s3b
	VXORPD Y5, Y5, Y5 // s3d
	halfOffset(AX)
	MOVQ   dim+80(FP), CX

lu32coord:
	VMOVUPD (R11)(DX*1), Y6   // ra
	VMOVUPD (SI)(DX*1), Y7    // rc
	VADDPD  Y7, Y6, Y8        // r1 = ra + rc
	VADDPD  (R12)(DX*1), Y6, Y10 // r2 = ra + c
	VADDPD  (R10)(DX*1), Y7, Y11 // r3 = rc + b
	VMOVUPD (DI)(DX*1), Y13   // m
	VMULPD  (R9)(DX*1), Y13, Y14 // m·a
	VMULPD  Y8, Y14, Y15
	VADDPD  Y15, Y0, Y0       // s1a += (m·a)·r1
	VMULPD  Y10, Y14, Y15
	VADDPD  Y15, Y2, Y2       // s2a += (m·a)·r2
	VMULPD  (R13)(DX*1), Y13, Y14 // m·d
	VMULPD  Y8, Y14, Y15
	VADDPD  Y15, Y1, Y1       // s1d += (m·d)·r1
	VMULPD  Y11, Y14, Y15
	VADDPD  Y15, Y5, Y5       // s3d += (m·d)·r3
	VMULPD  (R12)(DX*1), Y13, Y14 // m·c
	VMULPD  Y10, Y14, Y15
	VADDPD  Y15, Y3, Y3       // s2c += (m·c)·r2
	VMULPD  (R10)(DX*1), Y13, Y14 // m·b
	VMULPD  Y11, Y14, Y15
	VADDPD  Y15, Y4, Y4       // s3b += (m·b)·r3
	VMOVUPD Y8, (R8)(DX*1)    // rho (may be ra: read above)
	ADDQ    $64, DX
	DECQ    CX
	JNZ     lu32coord
	VXORPD  Y12, Y12, Y12
	VCMPPD  $0x1e, Y12, Y0, Y0 // s > 0 (false for NaN)
	VCMPPD  $0x1e, Y12, Y1, Y1
	VANDPD  Y1, Y0, Y0
	VCMPPD  $0x1e, Y12, Y2, Y2
	VANDPD  Y2, Y0, Y0
	VCMPPD  $0x1e, Y12, Y3, Y3
	VANDPD  Y3, Y0, Y0
	VCMPPD  $0x1e, Y12, Y4, Y4
	VANDPD  Y4, Y0, Y0
	VCMPPD  $0x1e, Y12, Y5, Y5
	VANDPD  Y5, Y0, Y0
	VMOVMSKPD Y0, CX
	storeHalfMask
	INCQ    BX
	JMP     lu32half

lu32done:
	VZEROUPPER
	RET

// func nutsLaneUTurn2AVX2(rho, a, c, m *float64, free *uint8, nb, dim int)
TEXT ·nutsLaneUTurn2AVX2(SB), NOSPLIT, $0-56
	MOVQ rho+0(FP), R8
	MOVQ a+8(FP), R9
	MOVQ c+16(FP), R12
	MOVQ m+24(FP), DI
	MOVQ free+32(FP), R14
	MOVQ dim+48(FP), AX
	SHLQ $6, AX
	XORQ BX, BX

lu22half:
	MOVQ   nb+40(FP), CX
	SHLQ   $1, CX
	CMPQ   BX, CX
	JGE    lu22done
	VXORPD Y0, Y0, Y0 // Σ m·a·r
	VXORPD Y1, Y1, Y1 // Σ m·c·r
	halfOffset(AX)
	MOVQ   dim+48(FP), CX

lu22coord:
	VMOVUPD (R9)(DX*1), Y6  // a
	VMOVUPD (R12)(DX*1), Y7 // c
	VADDPD  Y7, Y6, Y8      // r = a + c
	VMOVUPD (DI)(DX*1), Y13 // m
	VMULPD  Y6, Y13, Y14    // m·a
	VMULPD  Y8, Y14, Y15
	VADDPD  Y15, Y0, Y0
	VMULPD  Y7, Y13, Y14    // m·c
	VMULPD  Y8, Y14, Y15
	VADDPD  Y15, Y1, Y1
	VMOVUPD Y8, (R8)(DX*1)  // rho (may be a: read above)
	ADDQ    $64, DX
	DECQ    CX
	JNZ     lu22coord
	VXORPD  Y12, Y12, Y12
	VCMPPD  $0x1e, Y12, Y0, Y0
	VCMPPD  $0x1e, Y12, Y1, Y1
	VANDPD  Y1, Y0, Y0
	VMOVMSKPD Y0, CX
	storeHalfMask
	INCQ    BX
	JMP     lu22half

lu22done:
	VZEROUPPER
	RET

// laneBits: the bit of each lane of a block's two halves, one per qword.
DATA laneBits<>+0(SB)/8, $1
DATA laneBits<>+8(SB)/8, $2
DATA laneBits<>+16(SB)/8, $4
DATA laneBits<>+24(SB)/8, $8
DATA laneBits<>+32(SB)/8, $16
DATA laneBits<>+40(SB)/8, $32
DATA laneBits<>+48(SB)/8, $64
DATA laneBits<>+56(SB)/8, $128
GLOBL laneBits<>(SB), RODATA|NOPTR, $64

// laneMasks expands the mask byte in R9 into all-ones qwords for the set
// lanes: the low half's in Y14, the high half's in Y15 (Y13 scratch).
#define laneMasks \
	MOVQ         R9, X13                   \
	VPBROADCASTQ X13, Y13                  \
	VPAND        laneBits<>+0(SB), Y13, Y14  \
	VPCMPEQQ     laneBits<>+0(SB), Y14, Y14  \
	VPAND        laneBits<>+32(SB), Y13, Y15 \
	VPCMPEQQ     laneBits<>+32(SB), Y15, Y15

// func nutsLaneCopyAVX2(dst, src *float64, mask *uint8, nb, d int)
TEXT ·nutsLaneCopyAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ mask+16(FP), R8
	MOVQ nb+24(FP), BX
	MOVQ d+32(FP), AX
	MOVQ AX, DX
	SHLQ $6, DX

lc2block:
	TESTQ   BX, BX
	JZ      lc2done
	MOVBQZX (R8), R9
	TESTQ   R9, R9
	JZ      lc2next
	laneMasks
	MOVQ    DI, R10
	MOVQ    SI, R11
	MOVQ    AX, CX

lc2coord:
	VMOVUPD   (R10), Y0
	VMOVUPD   32(R10), Y1
	VBLENDVPD Y14, (R11), Y0, Y0
	VBLENDVPD Y15, 32(R11), Y1, Y1
	VMOVUPD   Y0, (R10)
	VMOVUPD   Y1, 32(R10)
	ADDQ      $64, R10
	ADDQ      $64, R11
	DECQ      CX
	JNZ       lc2coord

lc2next:
	ADDQ DX, DI
	ADDQ DX, SI
	INCQ R8
	DECQ BX
	JMP  lc2block

lc2done:
	VZEROUPPER
	RET

// func nutsLaneSwapAVX2(a, b *float64, mask *uint8, nb, d int)
TEXT ·nutsLaneSwapAVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ mask+16(FP), R8
	MOVQ nb+24(FP), BX
	MOVQ d+32(FP), AX
	MOVQ AX, DX
	SHLQ $6, DX

ls2block:
	TESTQ   BX, BX
	JZ      ls2done
	MOVBQZX (R8), R9
	TESTQ   R9, R9
	JZ      ls2next
	laneMasks
	MOVQ    DI, R10
	MOVQ    SI, R11
	MOVQ    AX, CX

ls2coord:
	VMOVUPD   (R10), Y0
	VMOVUPD   32(R10), Y1
	VMOVUPD   (R11), Y2
	VMOVUPD   32(R11), Y3
	VBLENDVPD Y14, Y2, Y0, Y4
	VBLENDVPD Y15, Y3, Y1, Y5
	VBLENDVPD Y14, Y0, Y2, Y6
	VBLENDVPD Y15, Y1, Y3, Y7
	VMOVUPD   Y4, (R10)
	VMOVUPD   Y5, 32(R10)
	VMOVUPD   Y6, (R11)
	VMOVUPD   Y7, 32(R11)
	ADDQ      $64, R10
	ADDQ      $64, R11
	DECQ      CX
	JNZ       ls2coord

ls2next:
	ADDQ DX, DI
	ADDQ DX, SI
	INCQ R8
	DECQ BX
	JMP  ls2block

ls2done:
	VZEROUPPER
	RET
