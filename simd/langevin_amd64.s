//go:build !purego

#include "textflag.h"

// func langevinAVX2(dst, x, grad, xi *float64, n int, a, b float64)
// dst = x + a·g + b·ξ for n (a multiple of 4) values (dst may be x):
// sixteen per iteration while there are sixteen, then four. Every product
// is rounded (VMULPD), then the two are added and the sum added to x, as
// in the reference.
TEXT ·langevinAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), R8
	MOVQ x+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ xi+24(FP), DX
	MOVQ n+32(FP), CX
	VBROADCASTSD a+40(FP), Y14
	VBROADCASTSD b+48(FP), Y15
	CMPQ CX, $16
	JLT  four

sixteen:
	VMULPD (SI), Y14, Y0
	VMULPD 32(SI), Y14, Y1
	VMULPD 64(SI), Y14, Y2
	VMULPD 96(SI), Y14, Y3
	VMULPD (DX), Y15, Y4
	VMULPD 32(DX), Y15, Y5
	VMULPD 64(DX), Y15, Y6
	VMULPD 96(DX), Y15, Y7
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VADDPD Y6, Y2, Y2
	VADDPD Y7, Y3, Y3
	VADDPD (DI), Y0, Y0
	VADDPD 32(DI), Y1, Y1
	VADDPD 64(DI), Y2, Y2
	VADDPD 96(DI), Y3, Y3
	VMOVUPD Y0, (R8)
	VMOVUPD Y1, 32(R8)
	VMOVUPD Y2, 64(R8)
	VMOVUPD Y3, 96(R8)
	ADDQ $128, R8
	ADDQ $128, DI
	ADDQ $128, SI
	ADDQ $128, DX
	SUBQ $16, CX
	CMPQ CX, $16
	JGE  sixteen

four:
	CMPQ CX, $4
	JLT  done
	VMULPD (SI), Y14, Y0
	VMULPD (DX), Y15, Y4
	VADDPD Y4, Y0, Y0
	VADDPD (DI), Y0, Y0
	VMOVUPD Y0, (R8)
	ADDQ $32, R8
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP  four

done:
	VZEROUPPER
	RET
