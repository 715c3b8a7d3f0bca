//go:build !purego

#include "textflag.h"

// The AVX-512 mixture column kernels: gauss_amd64.s's, eight points per
// ZMM register, each element through the same operations in the same
// order, so the results equal avx2's bit for bit.

// func gaussLogitsAVX512(a, m, x, c *float64, n, d, ld int, lc, h float64)
// n is a positive multiple of 8, d ≥ 1.
TEXT ·gaussLogitsAVX512(SB), NOSPLIT, $0-72
	MOVQ a+0(FP), DI
	MOVQ m+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ c+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ d+40(FP), R10
	MOVQ ld+48(FP), R9
	SHLQ $3, R9
	VBROADCASTSD lc+56(FP), Z14
	VBROADCASTSD h+64(FP), Z15

rows:
	MOVQ         SI, R11
	MOVQ         R8, R12
	MOVQ         R10, R13
	VBROADCASTSD (R12), Z1
	VMOVUPD      (R11), Z0
	VSUBPD       Z1, Z0, Z0 // t = x − c
	VMULPD       Z0, Z0, Z2 // q = t·t
	DECQ         R13
	JZ           last

cols:
	ADDQ         R9, R11
	ADDQ         $8, R12
	VBROADCASTSD (R12), Z1
	VMOVUPD      (R11), Z0
	VSUBPD       Z1, Z0, Z0
	VMULPD       Z0, Z0, Z0
	VADDPD       Z0, Z2, Z2 // q += t·t
	DECQ         R13
	JNZ          cols

last:
	VMULPD  Z15, Z2, Z2    // h·q
	VSUBPD  Z2, Z14, Z2    // v = lc − h·q
	VMOVUPD Z2, (DI)
	VMOVUPD (DX), Z3
	VMAXPD  Z3, Z2, Z4     // v > m ? v : m (m when either is NaN)
	VCMPPD  $3, Z2, Z2, K1 // v is NaN
	VMOVAPD Z2, K1, Z4     // then v
	VMOVUPD Z4, (DX)
	ADDQ    $64, DI
	ADDQ    $64, DX
	ADDQ    $64, SI
	SUBQ    $8, CX
	JNZ     rows
	VZEROUPPER
	RET

// func addWeightedDiffsAVX512(gr, x, c, w *float64, n, d, ld int, h float64)
// n is a positive multiple of 8, d ≥ 1.
TEXT ·addWeightedDiffsAVX512(SB), NOSPLIT, $0-64
	MOVQ gr+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ c+16(FP), R8
	MOVQ w+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ d+40(FP), R10
	MOVQ ld+48(FP), R9
	SHLQ $3, R9
	VBROADCASTSD h+56(FP), Z15

wrows:
	VMOVUPD (DX), Z3
	VMULPD  Z15, Z3, Z3 // t = w·h
	MOVQ    SI, R11
	MOVQ    DI, BX
	MOVQ    R8, R12
	MOVQ    R10, R13

wcols:
	VBROADCASTSD (R12), Z1
	VMOVUPD      (R11), Z0
	VSUBPD       Z1, Z0, Z0 // x − c
	VMULPD       Z3, Z0, Z0 // t·(x − c)
	VADDPD       (BX), Z0, Z0
	VMOVUPD      Z0, (BX)
	ADDQ         R9, R11
	ADDQ         R9, BX
	ADDQ         $8, R12
	DECQ         R13
	JNZ          wcols
	ADDQ         $64, DI
	ADDQ         $64, SI
	ADDQ         $64, DX
	SUBQ         $8, CX
	JNZ          wrows
	VZEROUPPER
	RET
