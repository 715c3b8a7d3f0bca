//go:build !purego

#include "textflag.h"

// func axpyAVX2(y, x *float64, n int, a float64)
// y += a·x for n (a multiple of 4) values, sixteen per iteration while
// there are sixteen, then four; every product rounded (VMULPD, VADDPD).
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD a+24(FP), Y14
	CMPQ CX, $16
	JLT  afour

asixteen:
	VMULPD  (SI), Y14, Y0
	VMULPD  32(SI), Y14, Y1
	VMULPD  64(SI), Y14, Y2
	VMULPD  96(SI), Y14, Y3
	VADDPD  (DI), Y0, Y0
	VADDPD  32(DI), Y1, Y1
	VADDPD  64(DI), Y2, Y2
	VADDPD  96(DI), Y3, Y3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     asixteen

afour:
	CMPQ    CX, $4
	JLT     adone
	VMULPD  (SI), Y14, Y0
	VADDPD  (DI), Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $4, CX
	JMP     afour

adone:
	VZEROUPPER
	RET
