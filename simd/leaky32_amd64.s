//go:build !purego

#include "textflag.h"

DATA leakyOne<>+0(SB)/4, $0x3f800000
GLOBL leakyOne<>(SB), RODATA|NOPTR, $4

// func leaky32AVX2(dst, x *float32, n int, slope float32, k int)
// n is a positive multiple of 8. k = 0: the leaky ReLU, x where x > 0 or
// x is NaN (compare "not less or equal, unordered"), else slope·x. k = 1:
// 1 where x > 0 (ordered), else slope, then x where x is NaN.
TEXT ·leaky32AVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS slope+24(FP), Y1
	VXORPS       Y2, Y2, Y2
	MOVQ         k+32(FP), AX
	TESTQ        AX, AX
	JNZ          deriv

value:
	VMOVUPS   (SI), Y0
	VMULPS    Y1, Y0, Y3          // slope·x
	VCMPPS    $0x16, Y2, Y0, Y4   // x > 0 or NaN
	VBLENDVPS Y4, Y0, Y3, Y5      // x there, slope·x elsewhere
	VMOVUPS   Y5, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $8, CX
	JNZ       value
	VZEROUPPER
	RET

deriv:
	VBROADCASTSS leakyOne<>(SB), Y6

dloop:
	VMOVUPS   (SI), Y0
	VCMPPS    $0x1e, Y2, Y0, Y4   // x > 0 (ordered)
	VBLENDVPS Y4, Y6, Y1, Y5      // 1 there, slope elsewhere
	VCMPPS    $0x03, Y0, Y0, Y4   // x is NaN
	VBLENDVPS Y4, Y0, Y5, Y5      // x there
	VMOVUPS   Y5, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	SUBQ      $8, CX
	JNZ       dloop
	VZEROUPPER
	RET
