//go:build amd64 && !purego

#include "textflag.h"

DATA silu32one<>+0(SB)/4, $0x3f800000
GLOBL silu32one<>(SB), RODATA|NOPTR, $4
DATA silu32sign<>+0(SB)/4, $0x80000000
GLOBL silu32sign<>(SB), RODATA|NOPTR, $4

// func siluPre32AVX512(z, d, bias *float32, n int); n is a multiple of 16.
TEXT ·siluPre32AVX512(SB), NOSPLIT, $0-32
	MOVQ z+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ bias+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS silu32sign<>(SB), Z15
	SHRQ $4, CX
	JZ   pre512done

pre512:
	VMOVUPS (DI), Z0
	VADDPS  (DX), Z0, Z0 // v = z + bias
	VMOVUPS Z0, (DI)
	VXORPS  Z15, Z0, Z1  // −v
	VMOVUPS Z1, (SI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     pre512

pre512done:
	VZEROUPPER
	RET

// func siluPost32AVX512(z, d, scale *float32, n, mode int); n is a
// multiple of 16; mode 0: value only, 1: value and derivative, 2: and
// times scale.
TEXT ·siluPost32AVX512(SB), NOSPLIT, $0-40
	MOVQ z+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ scale+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ mode+32(FP), AX
	VBROADCASTSS silu32one<>(SB), Z15
	SHRQ $4, CX
	JZ   post512done
	CMPQ AX, $0
	JEQ  post512val
	CMPQ AX, $1
	JEQ  post512der

post512scale:
	VMOVUPS (DI), Z0     // v
	VADDPS  (SI), Z15, Z1 // 1 + t
	VDIVPS  Z1, Z15, Z1  // s = 1/(1 + t)
	VMULPS  Z1, Z0, Z2   // v·s
	VMOVUPS Z2, (DI)
	VSUBPS  Z1, Z15, Z3  // 1 − s
	VMULPS  Z3, Z0, Z3   // v·(1 − s)
	VADDPS  Z15, Z3, Z3  // 1 + v·(1 − s)
	VMULPS  Z3, Z1, Z3   // s·(…)
	VMULPS  (DX), Z3, Z3 // ·scale
	VMOVUPS Z3, (SI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     post512scale
	JMP     post512done

post512der:
	VMOVUPS (DI), Z0
	VADDPS  (SI), Z15, Z1
	VDIVPS  Z1, Z15, Z1
	VMULPS  Z1, Z0, Z2
	VMOVUPS Z2, (DI)
	VSUBPS  Z1, Z15, Z3
	VMULPS  Z3, Z0, Z3
	VADDPS  Z15, Z3, Z3
	VMULPS  Z3, Z1, Z3
	VMOVUPS Z3, (SI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	DECQ    CX
	JNZ     post512der
	JMP     post512done

post512val:
	VMOVUPS (DI), Z0
	VADDPS  (SI), Z15, Z1
	VDIVPS  Z1, Z15, Z1
	VMULPS  Z1, Z0, Z2
	VMOVUPS Z2, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	DECQ    CX
	JNZ     post512val

post512done:
	VZEROUPPER
	RET

// func siluPre32AVX2(z, d, bias *float32, n int); n is a multiple of 8.
TEXT ·siluPre32AVX2(SB), NOSPLIT, $0-32
	MOVQ z+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ bias+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS silu32sign<>(SB), Y15
	SHRQ $3, CX
	JZ   pre2done

pre2:
	VMOVUPS (DI), Y0
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	VXORPS  Y15, Y0, Y1
	VMOVUPS Y1, (SI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	DECQ    CX
	JNZ     pre2

pre2done:
	VZEROUPPER
	RET

// func siluPost32AVX2(z, d, scale *float32, n, mode int); n is a multiple
// of 8.
TEXT ·siluPost32AVX2(SB), NOSPLIT, $0-40
	MOVQ z+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ scale+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ mode+32(FP), AX
	VBROADCASTSS silu32one<>(SB), Y15
	SHRQ $3, CX
	JZ   post2done
	CMPQ AX, $0
	JEQ  post2val
	CMPQ AX, $1
	JEQ  post2der

post2scale:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y15, Y1
	VDIVPS  Y1, Y15, Y1
	VMULPS  Y1, Y0, Y2
	VMOVUPS Y2, (DI)
	VSUBPS  Y1, Y15, Y3
	VMULPS  Y3, Y0, Y3
	VADDPS  Y15, Y3, Y3
	VMULPS  Y3, Y1, Y3
	VMULPS  (DX), Y3, Y3
	VMOVUPS Y3, (SI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	DECQ    CX
	JNZ     post2scale
	JMP     post2done

post2der:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y15, Y1
	VDIVPS  Y1, Y15, Y1
	VMULPS  Y1, Y0, Y2
	VMOVUPS Y2, (DI)
	VSUBPS  Y1, Y15, Y3
	VMULPS  Y3, Y0, Y3
	VADDPS  Y15, Y3, Y3
	VMULPS  Y3, Y1, Y3
	VMOVUPS Y3, (SI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     post2der
	JMP     post2done

post2val:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y15, Y1
	VDIVPS  Y1, Y15, Y1
	VMULPS  Y1, Y0, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     post2val

post2done:
	VZEROUPPER
	RET
