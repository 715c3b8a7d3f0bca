//go:build !purego

#include "textflag.h"

// NUTS's per-chain passes (nuts.go) on eight values per ZMM register, the
// last n mod 8 under a mask (masked-out lanes are read as 0 and not
// written). Element-wise values get the generic loops' operations in the
// same order. A sum's terms are computed eight at a time and added to it
// one lane after the other, in order j, so every sum is the generic
// loop's, bit for bit; the last block adds its first n mod 8 lanes. Two sums advance together in the two lanes of an XMM register: the
// terms of both are interleaved (VUNPCKLPD/VUNPCKHPD) and added a pair at
// a time.

// tailMask sets K1 to the low CX bits (1 ≤ CX ≤ 7), using AX.
#define tailMask \
	MOVQ  $1, AX \
	SHLQ  CX, AX \
	DECQ  AX     \
	KMOVB AX, K1

// sum8 adds the eight lanes of Z (whose low lanes are X) to the scalar in
// ACC, lane 0 first, using T.
#define sum8(Z, X, ACC, T) \
	VADDSD        X, ACC, ACC \
	VPERMILPD     $1, X, T    \
	VADDSD        T, ACC, ACC \
	VEXTRACTF64X2 $1, Z, T    \
	VADDSD        T, ACC, ACC \
	VPERMILPD     $1, T, T    \
	VADDSD        T, ACC, ACC \
	VEXTRACTF64X2 $2, Z, T    \
	VADDSD        T, ACC, ACC \
	VPERMILPD     $1, T, T    \
	VADDSD        T, ACC, ACC \
	VEXTRACTF64X2 $3, Z, T    \
	VADDSD        T, ACC, ACC \
	VPERMILPD     $1, T, T    \
	VADDSD        T, ACC, ACC

// sum2x8 adds the eight lanes of ZA to lane 0 of ACC and those of ZB to
// lane 1, lane 0 first, using ZL, ZH (whose low lanes are XL, XH) and T.
#define sum2x8(ZA, ZB, ACC, ZL, XL, ZH, XH, T) \
	VUNPCKLPD     ZB, ZA, ZL  \
	VUNPCKHPD     ZB, ZA, ZH  \
	VADDPD        XL, ACC, ACC \
	VADDPD        XH, ACC, ACC \
	VEXTRACTF64X2 $1, ZL, T   \
	VADDPD        T, ACC, ACC \
	VEXTRACTF64X2 $1, ZH, T   \
	VADDPD        T, ACC, ACC \
	VEXTRACTF64X2 $2, ZL, T   \
	VADDPD        T, ACC, ACC \
	VEXTRACTF64X2 $2, ZH, T   \
	VADDPD        T, ACC, ACC \
	VEXTRACTF64X2 $3, ZL, T   \
	VADDPD        T, ACC, ACC \
	VEXTRACTF64X2 $3, ZH, T   \
	VADDPD        T, ACC, ACC

// u3block is one block of uTurnFree3 from ra, rc, c, b, a, d, m in
// Z16…Z22: the summed momentum r1 = ra + rc in Z23 (for rho), and the six
// sums advanced: (s1a, s1d) in X8, (s2a, s2c) in X9, (s3b, s3d) in X10,
// with the terms (m·a)·r1, (m·d)·r1, (m·a)·r2, (m·c)·r2, (m·b)·r3,
// (m·d)·r3 (r2 = ra + c, r3 = rc + b).
#define u3terms \
	VADDPD  Z17, Z16, Z23 \
	VADDPD  Z18, Z16, Z24 \
	VADDPD  Z19, Z17, Z25 \
	VMULPD  Z20, Z22, Z26 \
	VMULPD  Z21, Z22, Z27 \
	VMULPD  Z18, Z22, Z28 \
	VMULPD  Z19, Z22, Z29 \
	VMULPD  Z23, Z26, Z0  \
	VMULPD  Z23, Z27, Z1  \
	VMULPD  Z24, Z26, Z2  \
	VMULPD  Z24, Z28, Z3  \
	VMULPD  Z25, Z29, Z4  \
	VMULPD  Z25, Z27, Z5

#define u3block \
	u3terms \
	sum2x8(Z0, Z1, X8, Z6, X6, Z7, X7, X11) \
	sum2x8(Z2, Z3, X9, Z6, X6, Z7, X7, X11) \
	sum2x8(Z4, Z5, X10, Z6, X6, Z7, X7, X11)

// u2block: uTurnFree2's block from a, c, m in Z16, Z17, Z22: r = a + c in
// Z23, the sums (m·a·r, m·c·r) advanced in X8.
#define u2terms \
	VADDPD  Z17, Z16, Z23 \
	VMULPD  Z16, Z22, Z26 \
	VMULPD  Z17, Z22, Z28 \
	VMULPD  Z23, Z26, Z0  \
	VMULPD  Z23, Z28, Z1

#define u2block \
	u2terms \
	sum2x8(Z0, Z1, X8, Z6, X6, Z7, X7, X11)

// func nutsDriftAVX512(xd, x, p, gr, m *float64, n int, h, nh float64)
TEXT ·nutsDriftAVX512(SB), NOSPLIT, $0-64
	MOVQ xd+0(FP), R8
	MOVQ x+8(FP), DI
	MOVQ p+16(FP), SI
	MOVQ gr+24(FP), DX
	MOVQ m+32(FP), R9
	MOVQ n+40(FP), CX
	VBROADCASTSD h+48(FP), Z14
	VBROADCASTSD nh+56(FP), Z15

drift8:
	CMPQ    CX, $8
	JLT     drifttail
	VMULPD  (DX), Z15, Z0 // nh·g
	VADDPD  (SI), Z0, Z0  // v = p + nh·g
	VMOVUPD Z0, (SI)
	VMULPD  (R9), Z0, Z1  // m·v
	VMULPD  Z14, Z1, Z1   // h·(m·v)
	VADDPD  (DI), Z1, Z1  // x + h·(m·v)
	VMOVUPD Z1, (R8)
	ADDQ    $64, R8
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R9
	SUBQ    $8, CX
	JMP     drift8

drifttail:
	TESTQ     CX, CX
	JZ        driftdone
	tailMask
	VMOVUPD.Z (DX), K1, Z2
	VMOVUPD.Z (SI), K1, Z3
	VMOVUPD.Z (R9), K1, Z4
	VMOVUPD.Z (DI), K1, Z5
	VMULPD    Z2, Z15, Z0
	VADDPD    Z3, Z0, Z0
	VMOVUPD   Z0, K1, (SI)
	VMULPD    Z4, Z0, Z1
	VMULPD    Z14, Z1, Z1
	VADDPD    Z5, Z1, Z1
	VMOVUPD   Z1, K1, (R8)

driftdone:
	VZEROUPPER
	RET

// func nutsKickAVX512(pc, xc, gc, p, x, gr, m *float64, n int, nh float64) (twoK float64, finite bool)
TEXT ·nutsKickAVX512(SB), NOSPLIT, $0-81
	MOVQ pc+0(FP), R8
	MOVQ xc+8(FP), R9
	MOVQ gc+16(FP), R10
	MOVQ p+24(FP), SI
	MOVQ x+32(FP), DI
	MOVQ gr+40(FP), DX
	MOVQ m+48(FP), R11
	MOVQ n+56(FP), CX
	VBROADCASTSD nh+64(FP), Z15
	VXORPD X10, X10, X10 // the sum
	VPXORQ Z11, Z11, Z11 // Σ x·0 + g·0, lane-wise: NaN once a value is not finite
	VPXORQ Z12, Z12, Z12 // zero

kick8:
	CMPQ    CX, $8
	JLT     kicktail
	VMOVUPD (DX), Z2
	VMOVUPD (DI), Z3
	VMULPD  Z2, Z15, Z0  // nh·g
	VADDPD  (SI), Z0, Z0 // v
	VMOVUPD Z0, (SI)
	VMOVUPD Z0, (R8)
	VMOVUPD Z3, (R9)
	VMOVUPD Z2, (R10)
	VMULPD  (R11), Z0, Z1 // m·v
	VMULPD  Z0, Z1, Z1    // (m·v)·v
	VMULPD  Z12, Z3, Z4
	VMULPD  Z12, Z2, Z5
	VADDPD  Z4, Z11, Z11
	VADDPD  Z5, Z11, Z11
	sum8(Z1, X1, X10, X13)
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $64, R10
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	ADDQ    $64, R11
	SUBQ    $8, CX
	JMP     kick8

kicktail:
	TESTQ     CX, CX
	JZ        kickdone
	tailMask
	VMOVUPD.Z (DX), K1, Z2
	VMOVUPD.Z (DI), K1, Z3
	VMOVUPD.Z (SI), K1, Z6
	VMOVUPD.Z (R11), K1, Z7
	VMULPD    Z2, Z15, Z0
	VADDPD    Z6, Z0, Z0
	VMOVUPD   Z0, K1, (SI)
	VMOVUPD   Z0, K1, (R8)
	VMOVUPD   Z3, K1, (R9)
	VMOVUPD   Z2, K1, (R10)
	VMULPD    Z7, Z0, Z1
	VMULPD    Z0, Z1, Z1
	VMULPD    Z12, Z3, Z4
	VMULPD    Z12, Z2, Z5
	VADDPD    Z4, Z11, Z11
	VADDPD    Z5, Z11, Z11
	VADDSD        X1, X10, X10
	CMPQ          CX, $1
	JEQ           kickdone
	VPERMILPD     $1, X1, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $2
	JEQ           kickdone
	VEXTRACTF64X2 $1, Z1, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $3
	JEQ           kickdone
	VPERMILPD     $1, X13, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $4
	JEQ           kickdone
	VEXTRACTF64X2 $2, Z1, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $5
	JEQ           kickdone
	VPERMILPD     $1, X13, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $6
	JEQ           kickdone
	VEXTRACTF64X2 $3, Z1, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $7
	JEQ           kickdone
	VPERMILPD     $1, X13, X13
	VADDSD        X13, X10, X10

kickdone:
	VMOVSD X10, twoK+72(FP)
	VCMPPD $4, Z12, Z11, K2 // lanes ≠ 0 or NaN
	KMOVB  K2, AX
	TESTB  AL, AL
	SETEQ  finite+80(FP)
	VZEROUPPER
	RET

// func nutsMomentumAVX512(p, op, rho, m *float64, n int) (twoK float64)
TEXT ·nutsMomentumAVX512(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), SI
	MOVQ op+8(FP), R8
	MOVQ rho+16(FP), R9
	MOVQ m+24(FP), R11
	MOVQ n+32(FP), CX
	VXORPD X10, X10, X10

mom8:
	CMPQ    CX, $8
	JLT     momtail
	VMOVUPD (R11), Z2
	VSQRTPD Z2, Z1
	VMOVUPD (SI), Z0
	VDIVPD  Z1, Z0, Z0 // v = p / √m
	VMOVUPD Z0, (SI)
	VMOVUPD Z0, (R8)
	VMOVUPD Z0, (R9)
	VMULPD  Z0, Z2, Z3 // m·v
	VMULPD  Z0, Z3, Z3 // (m·v)·v
	sum8(Z3, X3, X10, X13)
	ADDQ    $64, SI
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $64, R11
	SUBQ    $8, CX
	JMP     mom8

momtail:
	TESTQ     CX, CX
	JZ        momdone
	tailMask
	VMOVUPD.Z (R11), K1, Z2
	VMOVUPD.Z (SI), K1, Z0
	VSQRTPD   Z2, Z1
	VDIVPD    Z1, Z0, Z0 // masked-out lanes 0/0 = NaN: neither stored nor added
	VMOVUPD   Z0, K1, (SI)
	VMOVUPD   Z0, K1, (R8)
	VMOVUPD   Z0, K1, (R9)
	VMULPD    Z0, Z2, Z3
	VMULPD    Z0, Z3, Z3
	VADDSD        X3, X10, X10
	CMPQ          CX, $1
	JEQ           momdone
	VPERMILPD     $1, X3, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $2
	JEQ           momdone
	VEXTRACTF64X2 $1, Z3, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $3
	JEQ           momdone
	VPERMILPD     $1, X13, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $4
	JEQ           momdone
	VEXTRACTF64X2 $2, Z3, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $5
	JEQ           momdone
	VPERMILPD     $1, X13, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $6
	JEQ           momdone
	VEXTRACTF64X2 $3, Z3, X13
	VADDSD        X13, X10, X10
	CMPQ          CX, $7
	JEQ           momdone
	VPERMILPD     $1, X13, X13
	VADDSD        X13, X10, X10

momdone:
	VMOVSD X10, twoK+40(FP)
	VZEROUPPER
	RET

// func uTurnFree3AVX512(rho, a, b, ra, c, d, rc, m *float64, n int) bool
TEXT ·uTurnFree3AVX512(SB), NOSPLIT, $0-73
	MOVQ rho+0(FP), R8
	MOVQ a+8(FP), R9
	MOVQ b+16(FP), R10
	MOVQ ra+24(FP), R11
	MOVQ c+32(FP), R12
	MOVQ d+40(FP), R13
	MOVQ rc+48(FP), SI
	MOVQ m+56(FP), DI
	MOVQ n+64(FP), CX
	VXORPD X8, X8, X8
	VXORPD X9, X9, X9
	VXORPD X10, X10, X10

u3x8:
	CMPQ    CX, $8
	JLT     u3tail
	VMOVUPD (R11), Z16 // ra
	VMOVUPD (SI), Z17  // rc
	VMOVUPD (R12), Z18 // c
	VMOVUPD (R10), Z19 // b
	VMOVUPD (R9), Z20  // a
	VMOVUPD (R13), Z21 // d
	VMOVUPD (DI), Z22  // m
	u3block
	VMOVUPD Z23, (R8)
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $64, R10
	ADDQ    $64, R11
	ADDQ    $64, R12
	ADDQ    $64, R13
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $8, CX
	JMP     u3x8

u3tail:
	TESTQ     CX, CX
	JZ        u3done
	tailMask
	VMOVUPD.Z (R11), K1, Z16
	VMOVUPD.Z (SI), K1, Z17
	VMOVUPD.Z (R12), K1, Z18
	VMOVUPD.Z (R10), K1, Z19
	VMOVUPD.Z (R9), K1, Z20
	VMOVUPD.Z (R13), K1, Z21
	VMOVUPD.Z (DI), K1, Z22
	u3terms
	VMOVUPD   Z23, K1, (R8)
	VUNPCKLPD     Z1, Z0, Z6
	VUNPCKHPD     Z1, Z0, Z7
	VADDPD        X6, X8, X8
	CMPQ          CX, $1
	JEQ           u3s2
	VADDPD        X7, X8, X8
	CMPQ          CX, $2
	JEQ           u3s2
	VEXTRACTF64X2 $1, Z6, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $3
	JEQ           u3s2
	VEXTRACTF64X2 $1, Z7, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $4
	JEQ           u3s2
	VEXTRACTF64X2 $2, Z6, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $5
	JEQ           u3s2
	VEXTRACTF64X2 $2, Z7, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $6
	JEQ           u3s2
	VEXTRACTF64X2 $3, Z6, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $7
	JEQ           u3s2
	VEXTRACTF64X2 $3, Z7, X11
	VADDPD        X11, X8, X8

u3s2:
	VUNPCKLPD     Z3, Z2, Z6
	VUNPCKHPD     Z3, Z2, Z7
	VADDPD        X6, X9, X9
	CMPQ          CX, $1
	JEQ           u3s3
	VADDPD        X7, X9, X9
	CMPQ          CX, $2
	JEQ           u3s3
	VEXTRACTF64X2 $1, Z6, X11
	VADDPD        X11, X9, X9
	CMPQ          CX, $3
	JEQ           u3s3
	VEXTRACTF64X2 $1, Z7, X11
	VADDPD        X11, X9, X9
	CMPQ          CX, $4
	JEQ           u3s3
	VEXTRACTF64X2 $2, Z6, X11
	VADDPD        X11, X9, X9
	CMPQ          CX, $5
	JEQ           u3s3
	VEXTRACTF64X2 $2, Z7, X11
	VADDPD        X11, X9, X9
	CMPQ          CX, $6
	JEQ           u3s3
	VEXTRACTF64X2 $3, Z6, X11
	VADDPD        X11, X9, X9
	CMPQ          CX, $7
	JEQ           u3s3
	VEXTRACTF64X2 $3, Z7, X11
	VADDPD        X11, X9, X9

u3s3:
	VUNPCKLPD     Z5, Z4, Z6
	VUNPCKHPD     Z5, Z4, Z7
	VADDPD        X6, X10, X10
	CMPQ          CX, $1
	JEQ           u3done
	VADDPD        X7, X10, X10
	CMPQ          CX, $2
	JEQ           u3done
	VEXTRACTF64X2 $1, Z6, X11
	VADDPD        X11, X10, X10
	CMPQ          CX, $3
	JEQ           u3done
	VEXTRACTF64X2 $1, Z7, X11
	VADDPD        X11, X10, X10
	CMPQ          CX, $4
	JEQ           u3done
	VEXTRACTF64X2 $2, Z6, X11
	VADDPD        X11, X10, X10
	CMPQ          CX, $5
	JEQ           u3done
	VEXTRACTF64X2 $2, Z7, X11
	VADDPD        X11, X10, X10
	CMPQ          CX, $6
	JEQ           u3done
	VEXTRACTF64X2 $3, Z6, X11
	VADDPD        X11, X10, X10
	CMPQ          CX, $7
	JEQ           u3done
	VEXTRACTF64X2 $3, Z7, X11
	VADDPD        X11, X10, X10

u3done:
	// All six sums > 0 (the ordered comparison is false for NaN).
	VXORPD X0, X0, X0
	VCMPPD $0x1e, X0, X8, K2
	VCMPPD $0x1e, X0, X9, K3
	VCMPPD $0x1e, X0, X10, K4
	KANDB  K2, K3, K3
	KANDB  K3, K4, K4
	KMOVB  K4, AX
	CMPB   AL, $3
	SETEQ  ret+72(FP)
	VZEROUPPER
	RET

// func uTurnFree2AVX512(rho, a, c, m *float64, n int) bool
TEXT ·uTurnFree2AVX512(SB), NOSPLIT, $0-41
	MOVQ rho+0(FP), R8
	MOVQ a+8(FP), R9
	MOVQ c+16(FP), R12
	MOVQ m+24(FP), R11
	MOVQ n+32(FP), CX
	VXORPD X8, X8, X8

u2x8:
	CMPQ    CX, $8
	JLT     u2tail
	VMOVUPD (R9), Z16
	VMOVUPD (R12), Z17
	VMOVUPD (R11), Z22
	u2block
	VMOVUPD Z23, (R8)
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $64, R12
	ADDQ    $64, R11
	SUBQ    $8, CX
	JMP     u2x8

u2tail:
	TESTQ     CX, CX
	JZ        u2done
	tailMask
	VMOVUPD.Z (R9), K1, Z16
	VMOVUPD.Z (R12), K1, Z17
	VMOVUPD.Z (R11), K1, Z22
	u2terms
	VMOVUPD   Z23, K1, (R8)
	VUNPCKLPD     Z1, Z0, Z6
	VUNPCKHPD     Z1, Z0, Z7
	VADDPD        X6, X8, X8
	CMPQ          CX, $1
	JEQ           u2done
	VADDPD        X7, X8, X8
	CMPQ          CX, $2
	JEQ           u2done
	VEXTRACTF64X2 $1, Z6, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $3
	JEQ           u2done
	VEXTRACTF64X2 $1, Z7, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $4
	JEQ           u2done
	VEXTRACTF64X2 $2, Z6, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $5
	JEQ           u2done
	VEXTRACTF64X2 $2, Z7, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $6
	JEQ           u2done
	VEXTRACTF64X2 $3, Z6, X11
	VADDPD        X11, X8, X8
	CMPQ          CX, $7
	JEQ           u2done
	VEXTRACTF64X2 $3, Z7, X11
	VADDPD        X11, X8, X8

u2done:
	VXORPD X0, X0, X0
	VCMPPD $0x1e, X0, X8, K2
	KMOVB  K2, AX
	CMPB   AL, $3
	SETEQ  ret+40(FP)
	VZEROUPPER
	RET

// The lane kernels (nuts_lanes.go): blocks of eight lanes, one ZMM
// register per coordinate of a block; every value is lane-wise, with the
// generic loops' operations in the same order, so the bits are theirs.

// func nutsLaneDriftAVX512(p, x, gr, m, nh, h *float64, nb, d int)
TEXT ·nutsLaneDriftAVX512(SB), NOSPLIT, $0-64
	MOVQ p+0(FP), SI
	MOVQ x+8(FP), DI
	MOVQ gr+16(FP), DX
	MOVQ m+24(FP), R9
	MOVQ nh+32(FP), R10
	MOVQ h+40(FP), R11
	MOVQ nb+48(FP), BX
	MOVQ d+56(FP), AX

ldblock:
	TESTQ   BX, BX
	JZ      lddone
	VMOVUPD (R10), Z15 // nh
	VMOVUPD (R11), Z14 // h
	MOVQ    AX, CX

ldcoord:
	VMULPD  (DX), Z15, Z0 // nh·g
	VADDPD  (SI), Z0, Z0  // v = p + nh·g
	VMOVUPD Z0, (SI)
	VMULPD  (R9), Z0, Z1  // m·v
	VMULPD  Z14, Z1, Z1   // h·(m·v)
	VADDPD  (DI), Z1, Z1  // x + h·(m·v)
	VMOVUPD Z1, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	ADDQ    $64, R9
	DECQ    CX
	JNZ     ldcoord
	ADDQ    $64, R10
	ADDQ    $64, R11
	DECQ    BX
	JMP     ldblock

lddone:
	VZEROUPPER
	RET

// func nutsLaneKickAVX512(pc, xc, gc, p, x, gr, m, nh, twoK *float64, fin *uint8, nb, d int)
TEXT ·nutsLaneKickAVX512(SB), NOSPLIT, $0-96
	MOVQ pc+0(FP), R8
	MOVQ xc+8(FP), R9
	MOVQ gc+16(FP), R10
	MOVQ p+24(FP), SI
	MOVQ x+32(FP), DI
	MOVQ gr+40(FP), DX
	MOVQ m+48(FP), R11
	MOVQ nh+56(FP), R12
	MOVQ twoK+64(FP), R13
	MOVQ fin+72(FP), R14
	MOVQ nb+80(FP), BX
	MOVQ d+88(FP), AX
	VPXORQ Z12, Z12, Z12 // zero

lkblock:
	TESTQ   BX, BX
	JZ      lkdone
	VMOVUPD (R12), Z15   // nh
	VPXORQ  Z10, Z10, Z10 // 2K, from +0
	VPXORQ  Z11, Z11, Z11 // Σ x·0 + g·0: NaN once a value is not finite
	MOVQ    AX, CX

lkcoord:
	VMOVUPD (DX), Z2
	VMOVUPD (DI), Z3
	VMULPD  Z2, Z15, Z0  // nh·g
	VADDPD  (SI), Z0, Z0 // v
	VMOVUPD Z0, (SI)
	VMOVUPD Z0, (R8)
	VMOVUPD Z3, (R9)
	VMOVUPD Z2, (R10)
	VMULPD  (R11), Z0, Z1 // m·v
	VMULPD  Z0, Z1, Z1    // (m·v)·v
	VADDPD  Z1, Z10, Z10
	VMULPD  Z12, Z3, Z4
	VMULPD  Z12, Z2, Z5
	VADDPD  Z4, Z11, Z11
	VADDPD  Z5, Z11, Z11
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $64, R10
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	ADDQ    $64, R11
	DECQ    CX
	JNZ     lkcoord
	VMOVUPD Z10, (R13)
	VCMPPD  $0, Z12, Z11, K1 // finite lanes
	KMOVB   K1, (R14)
	ADDQ    $64, R12
	ADDQ    $64, R13
	INCQ    R14
	DECQ    BX
	JMP     lkblock

lkdone:
	VZEROUPPER
	RET

// func nutsLaneUTurn3AVX512(rho, a, b, ra, c, d, rc, m *float64, free *uint8, nb, dim int)
TEXT ·nutsLaneUTurn3AVX512(SB), NOSPLIT, $0-88
	MOVQ rho+0(FP), R8
	MOVQ a+8(FP), R9
	MOVQ b+16(FP), R10
	MOVQ ra+24(FP), R11
	MOVQ c+32(FP), R12
	MOVQ d+40(FP), R13
	MOVQ rc+48(FP), SI
	MOVQ m+56(FP), DI
	MOVQ free+64(FP), R14
	MOVQ nb+72(FP), BX
	MOVQ dim+80(FP), AX
	VPXORQ Z12, Z12, Z12 // zero

lu3block:
	TESTQ  BX, BX
	JZ     lu3done
	VPXORQ Z6, Z6, Z6   // s1a
	VPXORQ Z7, Z7, Z7   // s1d
	VPXORQ Z8, Z8, Z8   // s2a
	VPXORQ Z9, Z9, Z9   // s2c
	VPXORQ Z10, Z10, Z10 // s3b
	VPXORQ Z11, Z11, Z11 // s3d
	MOVQ   AX, CX

lu3coord:
	VMOVUPD (R11), Z16 // ra
	VMOVUPD (SI), Z17  // rc
	VMOVUPD (R12), Z18 // c
	VMOVUPD (R10), Z19 // b
	VMOVUPD (R9), Z20  // a
	VMOVUPD (R13), Z21 // d
	VMOVUPD (DI), Z22  // m
	u3terms
	VMOVUPD Z23, (R8)
	VADDPD  Z0, Z6, Z6
	VADDPD  Z1, Z7, Z7
	VADDPD  Z2, Z8, Z8
	VADDPD  Z3, Z9, Z9
	VADDPD  Z4, Z10, Z10
	VADDPD  Z5, Z11, Z11
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $64, R10
	ADDQ    $64, R11
	ADDQ    $64, R12
	ADDQ    $64, R13
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     lu3coord
	VCMPPD  $0x1e, Z12, Z6, K1 // s > 0 (false for NaN)
	VCMPPD  $0x1e, Z12, Z7, K2
	KANDB   K2, K1, K1
	VCMPPD  $0x1e, Z12, Z8, K2
	KANDB   K2, K1, K1
	VCMPPD  $0x1e, Z12, Z9, K2
	KANDB   K2, K1, K1
	VCMPPD  $0x1e, Z12, Z10, K2
	KANDB   K2, K1, K1
	VCMPPD  $0x1e, Z12, Z11, K2
	KANDB   K2, K1, K1
	KMOVB   K1, (R14)
	INCQ    R14
	DECQ    BX
	JMP     lu3block

lu3done:
	VZEROUPPER
	RET

// func nutsLaneUTurn2AVX512(rho, a, c, m *float64, free *uint8, nb, dim int)
TEXT ·nutsLaneUTurn2AVX512(SB), NOSPLIT, $0-56
	MOVQ rho+0(FP), R8
	MOVQ a+8(FP), R9
	MOVQ c+16(FP), R12
	MOVQ m+24(FP), DI
	MOVQ free+32(FP), R14
	MOVQ nb+40(FP), BX
	MOVQ dim+48(FP), AX
	VPXORQ Z12, Z12, Z12 // zero

lu2block:
	TESTQ  BX, BX
	JZ     lu2done
	VPXORQ Z6, Z6, Z6 // Σ m·a·r
	VPXORQ Z7, Z7, Z7 // Σ m·c·r
	MOVQ   AX, CX

lu2coord:
	VMOVUPD (R9), Z16  // a
	VMOVUPD (R12), Z17 // c
	VMOVUPD (DI), Z22  // m
	u2terms
	VMOVUPD Z23, (R8)
	VADDPD  Z0, Z6, Z6
	VADDPD  Z1, Z7, Z7
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $64, R12
	ADDQ    $64, DI
	DECQ    CX
	JNZ     lu2coord
	VCMPPD  $0x1e, Z12, Z6, K1
	VCMPPD  $0x1e, Z12, Z7, K2
	KANDB   K2, K1, K1
	KMOVB   K1, (R14)
	INCQ    R14
	DECQ    BX
	JMP     lu2block

lu2done:
	VZEROUPPER
	RET

// func nutsLaneCopyAVX512(dst, src *float64, mask *uint8, nb, d int)
TEXT ·nutsLaneCopyAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ mask+16(FP), R8
	MOVQ nb+24(FP), BX
	MOVQ d+32(FP), AX
	MOVQ AX, DX
	SHLQ $6, DX // a block's bytes

lcblock:
	TESTQ    BX, BX
	JZ       lcdone
	MOVBQZX  (R8), R9
	TESTQ    R9, R9
	JZ       lcnext
	KMOVB    R9, K1
	MOVQ     DI, R10
	MOVQ     SI, R11
	MOVQ     AX, CX

lccoord:
	VMOVUPD.Z (R11), K1, Z0
	VMOVUPD   Z0, K1, (R10)
	ADDQ      $64, R10
	ADDQ      $64, R11
	DECQ      CX
	JNZ       lccoord

lcnext:
	ADDQ DX, DI
	ADDQ DX, SI
	INCQ R8
	DECQ BX
	JMP  lcblock

lcdone:
	VZEROUPPER
	RET

// func nutsLaneSwapAVX512(a, b *float64, mask *uint8, nb, d int)
TEXT ·nutsLaneSwapAVX512(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ mask+16(FP), R8
	MOVQ nb+24(FP), BX
	MOVQ d+32(FP), AX
	MOVQ AX, DX
	SHLQ $6, DX

lsblock:
	TESTQ    BX, BX
	JZ       lsdone
	MOVBQZX  (R8), R9
	TESTQ    R9, R9
	JZ       lsnext
	KMOVB    R9, K1
	MOVQ     DI, R10
	MOVQ     SI, R11
	MOVQ     AX, CX

lscoord:
	VMOVUPD.Z (R10), K1, Z0
	VMOVUPD.Z (R11), K1, Z1
	VMOVUPD   Z1, K1, (R10)
	VMOVUPD   Z0, K1, (R11)
	ADDQ      $64, R10
	ADDQ      $64, R11
	DECQ      CX
	JNZ       lscoord

lsnext:
	ADDQ DX, DI
	ADDQ DX, SI
	INCQ R8
	DECQ BX
	JMP  lsblock

lsdone:
	VZEROUPPER
	RET

// func tr8x8F64AVX512(dst *float64, dstStride, dstStep int, src *float64, srcStride, srcStep, chunks int)
//
// Transposes chunks 8×8 blocks of float64: block c's row i is 8 values at
// src + c·srcStep + i·srcStride (bytes), its column q goes to dst +
// c·dstStep + q·dstStride. Unpacks, then two rounds of 128-bit shuffles.
TEXT ·tr8x8F64AVX512(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R8
	MOVQ dstStep+16(FP), R9
	MOVQ src+24(FP), SI
	MOVQ srcStride+32(FP), R10
	MOVQ srcStep+40(FP), R11
	MOVQ chunks+48(FP), CX

trchunk:
	TESTQ   CX, CX
	JZ      trdone
	MOVQ    SI, AX
	VMOVUPD (AX), Z0
	ADDQ    R10, AX
	VMOVUPD (AX), Z1
	ADDQ    R10, AX
	VMOVUPD (AX), Z2
	ADDQ    R10, AX
	VMOVUPD (AX), Z3
	ADDQ    R10, AX
	VMOVUPD (AX), Z4
	ADDQ    R10, AX
	VMOVUPD (AX), Z5
	ADDQ    R10, AX
	VMOVUPD (AX), Z6
	ADDQ    R10, AX
	VMOVUPD (AX), Z7
	VUNPCKLPD  Z1, Z0, Z8  // t0
	VUNPCKHPD  Z1, Z0, Z9  // t1
	VUNPCKLPD  Z3, Z2, Z10 // t2
	VUNPCKHPD  Z3, Z2, Z11 // t3
	VUNPCKLPD  Z5, Z4, Z12 // t4
	VUNPCKHPD  Z5, Z4, Z13 // t5
	VUNPCKLPD  Z7, Z6, Z14 // t6
	VUNPCKHPD  Z7, Z6, Z15 // t7
	VSHUFF64X2 $0x88, Z10, Z8, Z0  // u0
	VSHUFF64X2 $0x88, Z11, Z9, Z1  // u1
	VSHUFF64X2 $0xdd, Z10, Z8, Z2  // u2
	VSHUFF64X2 $0xdd, Z11, Z9, Z3  // u3
	VSHUFF64X2 $0x88, Z14, Z12, Z4 // u4
	VSHUFF64X2 $0x88, Z15, Z13, Z5 // u5
	VSHUFF64X2 $0xdd, Z14, Z12, Z6 // u6
	VSHUFF64X2 $0xdd, Z15, Z13, Z7 // u7
	VSHUFF64X2 $0x88, Z4, Z0, Z8   // column 0
	VSHUFF64X2 $0x88, Z5, Z1, Z9   // 1
	VSHUFF64X2 $0x88, Z6, Z2, Z10  // 2
	VSHUFF64X2 $0x88, Z7, Z3, Z11  // 3
	VSHUFF64X2 $0xdd, Z4, Z0, Z12  // 4
	VSHUFF64X2 $0xdd, Z5, Z1, Z13  // 5
	VSHUFF64X2 $0xdd, Z6, Z2, Z14  // 6
	VSHUFF64X2 $0xdd, Z7, Z3, Z15  // 7
	MOVQ    DI, AX
	VMOVUPD Z8, (AX)
	ADDQ    R8, AX
	VMOVUPD Z9, (AX)
	ADDQ    R8, AX
	VMOVUPD Z10, (AX)
	ADDQ    R8, AX
	VMOVUPD Z11, (AX)
	ADDQ    R8, AX
	VMOVUPD Z12, (AX)
	ADDQ    R8, AX
	VMOVUPD Z13, (AX)
	ADDQ    R8, AX
	VMOVUPD Z14, (AX)
	ADDQ    R8, AX
	VMOVUPD Z15, (AX)
	ADDQ    R9, DI
	ADDQ    R11, SI
	DECQ    CX
	JMP     trchunk

trdone:
	VZEROUPPER
	RET
