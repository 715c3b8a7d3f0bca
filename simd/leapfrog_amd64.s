//go:build !purego

#include "textflag.h"

// func positionAVX2(x, p, minv *float64, n int, h float64)
// x += h·(minv⊙p) for n (a multiple of 4) values; every product rounded.
TEXT ·positionAVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ minv+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD h+32(FP), Y14
	CMPQ CX, $16
	JLT  pfour

psixteen:
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	VMOVUPD 64(DX), Y2
	VMOVUPD 96(DX), Y3
	VMULPD  (SI), Y0, Y0
	VMULPD  32(SI), Y1, Y1
	VMULPD  64(SI), Y2, Y2
	VMULPD  96(SI), Y3, Y3
	VMULPD  Y14, Y0, Y0
	VMULPD  Y14, Y1, Y1
	VMULPD  Y14, Y2, Y2
	VMULPD  Y14, Y3, Y3
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
	ADDQ    $128, DX
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     psixteen

pfour:
	CMPQ    CX, $4
	JLT     pdone
	VMOVUPD (DX), Y0
	VMULPD  (SI), Y0, Y0
	VMULPD  Y14, Y0, Y0
	VADDPD  (DI), Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $4, CX
	JMP     pfour

pdone:
	VZEROUPPER
	RET
