//go:build !purego

#include "textflag.h"

// The float64 activation kernels of SigPairs64 and SiLUGrad64, four values
// per YMM register (avx2 and avx512 alike): the generic loops' operations,
// each rounded on its own, in their order.

// func sigPre64AVX2(u, x *float64, n int, a float64); n a multiple of 4.
// u = −|a·x|: the product with its sign bit set.
TEXT ·sigPre64AVX2(SB), NOSPLIT, $0-32
	MOVQ         u+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD a+24(FP), Y14
	MOVQ         $0x8000000000000000, AX
	MOVQ         AX, X15
	VBROADCASTSD X15, Y15
	SHRQ         $2, CX
	JZ           predone

pre:
	VMULPD  (SI), Y14, Y0
	VORPD   Y15, Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     pre

predone:
	VZEROUPPER
	RET

// func sigPost64AVX2(s, u, x *float64, n int); n a multiple of 4.
// From e = u: r = 1/(1 + e), then (s, u) = (r, e·r) where x's sign bit is
// clear and (e·r, r) where it is set.
TEXT ·sigPost64AVX2(SB), NOSPLIT, $0-32
	MOVQ         s+0(FP), DI
	MOVQ         u+8(FP), SI
	MOVQ         x+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVQ         $0x3ff0000000000000, AX
	MOVQ         AX, X15
	VBROADCASTSD X15, Y15
	SHRQ         $2, CX
	JZ           postdone

post:
	VMOVUPD   (SI), Y0       // e
	VADDPD    Y0, Y15, Y1
	VDIVPD    Y1, Y15, Y1    // r = 1/(1 + e)
	VMULPD    Y1, Y0, Y2     // e·r
	VMOVUPD   (DX), Y3       // x: its sign bits choose
	VBLENDVPD Y3, Y2, Y1, Y4 // s
	VBLENDVPD Y3, Y1, Y2, Y5 // u
	VMOVUPD   Y4, (DI)
	VMOVUPD   Y5, (SI)
	ADDQ      $32, DI
	ADDQ      $32, SI
	ADDQ      $32, DX
	DECQ      CX
	JNZ       post

postdone:
	VZEROUPPER
	RET

// func siluGrad64AVX2(dst, x, s, u, b, c *float64, n int); n a multiple of 4.
// Without c: dst = b·(s + x·(s·u)); with c: dst = ((s·u)·(2 + x·(u − s))·b)·c.
TEXT ·siluGrad64AVX2(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         s+16(FP), DX
	MOVQ         u+24(FP), BX
	MOVQ         b+32(FP), R8
	MOVQ         c+40(FP), R9
	MOVQ         n+48(FP), CX
	MOVQ         $0x4000000000000000, AX
	MOVQ         AX, X15
	VBROADCASTSD X15, Y15 // 2
	SHRQ         $2, CX
	JZ           gdone
	TESTQ        R9, R9
	JNZ          second

first:
	VMOVUPD (DX), Y1     // s
	VMULPD  (BX), Y1, Y2 // s·u
	VMULPD  (SI), Y2, Y2 // x·(s·u)
	VADDPD  Y2, Y1, Y2   // s + x·(s·u)
	VMULPD  (R8), Y2, Y2 // b·(…)
	VMOVUPD Y2, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, BX
	ADDQ    $32, R8
	DECQ    CX
	JNZ     first
	JMP     gdone

second:
	VMOVUPD (DX), Y1     // s
	VMOVUPD (BX), Y3     // u
	VMULPD  Y3, Y1, Y2   // s·u
	VSUBPD  Y1, Y3, Y4   // u − s
	VMULPD  (SI), Y4, Y4 // x·(u − s)
	VADDPD  Y15, Y4, Y4  // 2 + x·(u − s)
	VMULPD  Y4, Y2, Y2   // (s·u)·(…)
	VMULPD  (R8), Y2, Y2 // ·b
	VMULPD  (R9), Y2, Y2 // ·c
	VMOVUPD Y2, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, BX
	ADDQ    $32, R8
	ADDQ    $32, R9
	DECQ    CX
	JNZ     second

gdone:
	VZEROUPPER
	RET
