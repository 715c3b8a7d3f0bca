//go:build amd64 && !purego

#include "textflag.h"

// func adamAVX512(p, m, v, grad *float64, n int, c *AdamConsts)
// n is a multiple of 8. Each operation rounds on its own, in the order of
// adamGeneric.
TEXT ·adamAVX512(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ m+8(FP), SI
	MOVQ v+16(FP), DX
	MOVQ grad+24(FP), BX
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSD 0(AX), Z16  // b1
	VBROADCASTSD 8(AX), Z17  // a1
	VBROADCASTSD 16(AX), Z18 // b2
	VBROADCASTSD 24(AX), Z19 // a2
	VBROADCASTSD 32(AX), Z20 // step
	VBROADCASTSD 40(AX), Z21 // isc2
	VBROADCASTSD 48(AX), Z22 // decay
	VBROADCASTSD 56(AX), Z23 // eps
	SHRQ $3, CX
	JZ   done512

loop512:
	VMOVUPD (BX), Z0      // g
	VMULPD  (SI), Z16, Z1 // b1·m
	VMULPD  Z0, Z17, Z2   // a1·g
	VADDPD  Z2, Z1, Z1    // m' = b1·m + a1·g
	VMOVUPD Z1, (SI)
	VMULPD  Z0, Z19, Z3   // a2·g
	VMULPD  Z0, Z3, Z3    // (a2·g)·g
	VMULPD  (DX), Z18, Z4 // b2·v
	VADDPD  Z3, Z4, Z4    // v' = b2·v + (a2·g)·g
	VMOVUPD Z4, (DX)
	VSQRTPD Z4, Z5        // √v'
	VMULPD  Z21, Z5, Z5   // √v'·isc2
	VADDPD  Z23, Z5, Z5   // + eps
	VMULPD  Z20, Z1, Z6   // step·m'
	VDIVPD  Z5, Z6, Z6    // step·m' / (√v'·isc2 + eps)
	VMULPD  (DI), Z22, Z7 // p·decay
	VSUBPD  Z6, Z7, Z7    // p·decay − …
	VMOVUPD Z7, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, BX
	DECQ    CX
	JNZ     loop512

done512:
	VZEROUPPER
	RET

// func adamAVX2(p, m, v, grad *float64, n int, c *AdamConsts)
// n is a multiple of 4.
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ m+8(FP), SI
	MOVQ v+16(FP), DX
	MOVQ grad+24(FP), BX
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSD 0(AX), Y8   // b1
	VBROADCASTSD 8(AX), Y9   // a1
	VBROADCASTSD 16(AX), Y10 // b2
	VBROADCASTSD 24(AX), Y11 // a2
	VBROADCASTSD 32(AX), Y12 // step
	VBROADCASTSD 40(AX), Y13 // isc2
	VBROADCASTSD 48(AX), Y14 // decay
	VBROADCASTSD 56(AX), Y15 // eps
	SHRQ $2, CX
	JZ   done2

loop2:
	VMOVUPD (BX), Y0
	VMULPD  (SI), Y8, Y1
	VMULPD  Y0, Y9, Y2
	VADDPD  Y2, Y1, Y1
	VMOVUPD Y1, (SI)
	VMULPD  Y0, Y11, Y3
	VMULPD  Y0, Y3, Y3
	VMULPD  (DX), Y10, Y4
	VADDPD  Y3, Y4, Y4
	VMOVUPD Y4, (DX)
	VSQRTPD Y4, Y5
	VMULPD  Y13, Y5, Y5
	VADDPD  Y15, Y5, Y5
	VMULPD  Y12, Y1, Y6
	VDIVPD  Y5, Y6, Y6
	VMULPD  (DI), Y14, Y7
	VSUBPD  Y6, Y7, Y7
	VMOVUPD Y7, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, BX
	DECQ    CX
	JNZ     loop2

done2:
	VZEROUPPER
	RET
