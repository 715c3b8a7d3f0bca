//go:build !purego

#include "textflag.h"

// func langevinAVX2(x, grad, xi *float64, n int, a, b float64)
// x += a·g + b·ξ for n (a multiple of 4) values: sixteen per iteration
// while there are sixteen, then four. Every product is rounded (VMULPD),
// then the two are added and the sum added to x, as in the reference.
TEXT ·langevinAVX2(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ xi+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD a+32(FP), Y14
	VBROADCASTSD b+40(FP), Y15
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
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
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
	VMOVUPD Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $4, CX
	JMP  four

done:
	VZEROUPPER
	RET
