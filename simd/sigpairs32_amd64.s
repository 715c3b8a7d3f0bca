//go:build amd64 && !purego

#include "textflag.h"

DATA sig32one<>+0(SB)/4, $0x3f800000
GLOBL sig32one<>(SB), RODATA|NOPTR, $4
DATA sig32sign<>+0(SB)/4, $0x80000000
GLOBL sig32sign<>(SB), RODATA|NOPTR, $4

// func sigPre32AVX512(u, x *float32, n int, a float32); n multiple of 16.
TEXT ·sigPre32AVX512(SB), NOSPLIT, $0-28
	MOVQ u+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS a+24(FP), Z14
	VBROADCASTSS sig32sign<>(SB), Z15
	SHRQ $4, CX
	JZ   pre512done

pre512:
	VMULPS  (SI), Z14, Z0 // a·x
	VORPS   Z15, Z0, Z0   // −|a·x|
	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	DECQ    CX
	JNZ     pre512

pre512done:
	VZEROUPPER
	RET

// func sigPost32AVX512(s, u, x *float32, n int); n multiple of 16.
TEXT ·sigPost32AVX512(SB), NOSPLIT, $0-32
	MOVQ s+0(FP), DI
	MOVQ u+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS sig32one<>(SB), Z15
	SHRQ $4, CX
	JZ   post512done

post512:
	VMOVUPS   (SI), Z0        // e
	VADDPS    Z15, Z0, Z1     // 1 + e
	VDIVPS    Z1, Z15, Z1     // r = 1/(1 + e)
	VMULPS    Z1, Z0, Z2      // e·r
	VMOVUPS   (DX), Z3        // x
	VPMOVD2M  Z3, K1          // sign bits of x
	VBLENDMPS Z2, Z1, K1, Z4  // s = neg ? e·r : r
	VBLENDMPS Z1, Z2, K1, Z5  // u = neg ? r : e·r
	VMOVUPS   Z4, (DI)
	VMOVUPS   Z5, (SI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	ADDQ      $64, DX
	DECQ      CX
	JNZ       post512

post512done:
	VZEROUPPER
	RET

// func sigPre32AVX2(u, x *float32, n int, a float32); n multiple of 8.
TEXT ·sigPre32AVX2(SB), NOSPLIT, $0-28
	MOVQ u+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS a+24(FP), Y14
	VBROADCASTSS sig32sign<>(SB), Y15
	SHRQ $3, CX
	JZ   pre2done

pre2:
	VMULPS  (SI), Y14, Y0
	VORPS   Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     pre2

pre2done:
	VZEROUPPER
	RET

// func sigPost32AVX2(s, u, x *float32, n int); n multiple of 8.
TEXT ·sigPost32AVX2(SB), NOSPLIT, $0-32
	MOVQ s+0(FP), DI
	MOVQ u+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS sig32one<>(SB), Y15
	SHRQ $3, CX
	JZ   post2done

post2:
	VMOVUPS   (SI), Y0
	VADDPS    Y15, Y0, Y1
	VDIVPS    Y1, Y15, Y1
	VMULPS    Y1, Y0, Y2
	VMOVUPS   (DX), Y3
	VBLENDVPS Y3, Y2, Y1, Y4 // s = sign(x) ? e·r : r
	VBLENDVPS Y3, Y1, Y2, Y5 // u = sign(x) ? r : e·r
	VMOVUPS   Y4, (DI)
	VMOVUPS   Y5, (SI)
	ADDQ      $32, DI
	ADDQ      $32, SI
	ADDQ      $32, DX
	DECQ      CX
	JNZ       post2

post2done:
	VZEROUPPER
	RET
