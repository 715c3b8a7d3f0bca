//go:build !purego

#include "textflag.h"

// func gaussLogitsAVX2(a, m, x, c *float64, n, d, ld int, lc, h float64)
// n is a positive multiple of 4, d ≥ 1. Four points per iteration; the
// inner loop walks the d columns.
TEXT ·gaussLogitsAVX2(SB), NOSPLIT, $0-72
	MOVQ a+0(FP), DI
	MOVQ m+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ c+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ d+40(FP), R10
	MOVQ ld+48(FP), R9
	SHLQ $3, R9
	VBROADCASTSD lc+56(FP), Y14
	VBROADCASTSD h+64(FP), Y15

rows:
	MOVQ         SI, R11
	MOVQ         R8, R12
	MOVQ         R10, R13
	VBROADCASTSD (R12), Y1
	VMOVUPD      (R11), Y0
	VSUBPD       Y1, Y0, Y0 // t = x − c
	VMULPD       Y0, Y0, Y2 // q = t·t
	DECQ         R13
	JZ           last

cols:
	ADDQ         R9, R11
	ADDQ         $8, R12
	VBROADCASTSD (R12), Y1
	VMOVUPD      (R11), Y0
	VSUBPD       Y1, Y0, Y0
	VMULPD       Y0, Y0, Y0
	VADDPD       Y0, Y2, Y2 // q += t·t
	DECQ         R13
	JNZ          cols

last:
	VMULPD    Y15, Y2, Y2    // h·q
	VSUBPD    Y2, Y14, Y2    // v = lc − h·q
	VMOVUPD   Y2, (DI)
	VMOVUPD   (DX), Y3
	VMAXPD    Y3, Y2, Y4     // v > m ? v : m (m when either is NaN)
	VCMPPD    $3, Y2, Y2, Y5 // v is NaN
	VBLENDVPD Y5, Y2, Y4, Y4 // then v
	VMOVUPD   Y4, (DX)
	ADDQ      $32, DI
	ADDQ      $32, DX
	ADDQ      $32, SI
	SUBQ      $4, CX
	JNZ       rows
	VZEROUPPER
	RET

// func addWeightedDiffsAVX2(gr, x, c, w *float64, n, d, ld int, h float64)
// n is a positive multiple of 4, d ≥ 1.
TEXT ·addWeightedDiffsAVX2(SB), NOSPLIT, $0-64
	MOVQ gr+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ c+16(FP), R8
	MOVQ w+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ d+40(FP), R10
	MOVQ ld+48(FP), R9
	SHLQ $3, R9
	VBROADCASTSD h+56(FP), Y15

wrows:
	VMOVUPD (DX), Y3
	VMULPD  Y15, Y3, Y3 // t = w·h
	MOVQ    SI, R11
	MOVQ    DI, BX
	MOVQ    R8, R12
	MOVQ    R10, R13

wcols:
	VBROADCASTSD (R12), Y1
	VMOVUPD      (R11), Y0
	VSUBPD       Y1, Y0, Y0 // x − c
	VMULPD       Y3, Y0, Y0 // t·(x − c)
	VADDPD       (BX), Y0, Y0
	VMOVUPD      Y0, (BX)
	ADDQ         R9, R11
	ADDQ         R9, BX
	ADDQ         $8, R12
	DECQ         R13
	JNZ          wcols
	ADDQ         $32, DI
	ADDQ         $32, SI
	ADDQ         $32, DX
	SUBQ         $4, CX
	JNZ          wrows
	VZEROUPPER
	RET
