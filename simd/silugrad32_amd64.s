//go:build amd64 && !purego

#include "textflag.h"

DATA silug32two<>+0(SB)/4, $0x40000000
GLOBL silug32two<>(SB), RODATA|NOPTR, $4

// func siluGrad32AVX512(dst, x, s, u, b, c *float32, n int); n multiple of 16.
TEXT ·siluGrad32AVX512(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ s+16(FP), DX
	MOVQ u+24(FP), BX
	MOVQ b+32(FP), R8
	MOVQ c+40(FP), R9
	MOVQ n+48(FP), CX
	VBROADCASTSS silug32two<>(SB), Z15
	SHRQ $4, CX
	JZ   done512
	TESTQ R9, R9
	JNZ  second512

first512:
	VMOVUPS (DX), Z1      // s
	VMULPS  (BX), Z1, Z2  // s·u
	VMULPS  (SI), Z2, Z2  // x·(s·u)
	VADDPS  Z2, Z1, Z2    // s + x·(s·u)
	VMULPS  (R8), Z2, Z2  // b·(…)
	VMOVUPS Z2, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, BX
	ADDQ    $64, R8
	DECQ    CX
	JNZ     first512
	JMP     done512

second512:
	VMOVUPS (DX), Z1      // s
	VMOVUPS (BX), Z3      // u
	VMULPS  Z3, Z1, Z2    // s·u
	VSUBPS  Z1, Z3, Z4    // u − s
	VMULPS  (SI), Z4, Z4  // x·(u − s)
	VADDPS  Z15, Z4, Z4   // 2 + x·(u − s)
	VMULPS  Z4, Z2, Z2    // (s·u)·(…)
	VMULPS  (R8), Z2, Z2  // ·b
	VMULPS  (R9), Z2, Z2  // ·c
	VMOVUPS Z2, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, BX
	ADDQ    $64, R8
	ADDQ    $64, R9
	DECQ    CX
	JNZ     second512

done512:
	VZEROUPPER
	RET

// func siluGrad32AVX2(dst, x, s, u, b, c *float32, n int); n multiple of 8.
TEXT ·siluGrad32AVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ s+16(FP), DX
	MOVQ u+24(FP), BX
	MOVQ b+32(FP), R8
	MOVQ c+40(FP), R9
	MOVQ n+48(FP), CX
	VBROADCASTSS silug32two<>(SB), Y15
	SHRQ $3, CX
	JZ   done2
	TESTQ R9, R9
	JNZ  second2

first2:
	VMOVUPS (DX), Y1
	VMULPS  (BX), Y1, Y2
	VMULPS  (SI), Y2, Y2
	VADDPS  Y2, Y1, Y2
	VMULPS  (R8), Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, BX
	ADDQ    $32, R8
	DECQ    CX
	JNZ     first2
	JMP     done2

second2:
	VMOVUPS (DX), Y1
	VMOVUPS (BX), Y3
	VMULPS  Y3, Y1, Y2
	VSUBPS  Y1, Y3, Y4
	VMULPS  (SI), Y4, Y4
	VADDPS  Y15, Y4, Y4
	VMULPS  Y4, Y2, Y2
	VMULPS  (R8), Y2, Y2
	VMULPS  (R9), Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, BX
	ADDQ    $32, R8
	ADDQ    $32, R9
	DECQ    CX
	JNZ     second2

done2:
	VZEROUPPER
	RET
