//go:build !purego

#include "textflag.h"

// The AVX-512 element-wise updates: the AVX2 kernels' operations, in the
// same order and with the same operands (every product rounded, then the
// sums), on eight values per ZMM register: thirty-two per iteration while
// there are thirty-two, then eight, then the last n mod 8 under a mask
// (masked-out lanes are neither read nor written), so the whole slice runs
// here and each element gets the bits the AVX2 kernel gives it.

// tailMask sets K1 to the low CX bits (1 ≤ CX ≤ 7), using AX.
#define tailMask \
	MOVQ  $1, AX \
	SHLQ  CX, AX \
	DECQ  AX     \
	KMOVB AX, K1

// func langevinAVX512(dst, x, grad, xi *float64, n int, a, b float64)
// dst = x + a·g + b·ξ for n ≥ 0 values (dst may be x).
TEXT ·langevinAVX512(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), R8
	MOVQ x+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ xi+24(FP), DX
	MOVQ n+32(FP), CX
	VBROADCASTSD a+40(FP), Z14
	VBROADCASTSD b+48(FP), Z15
	CMPQ CX, $32
	JLT  l8

l32:
	VMULPD  (SI), Z14, Z0
	VMULPD  64(SI), Z14, Z1
	VMULPD  128(SI), Z14, Z2
	VMULPD  192(SI), Z14, Z3
	VMULPD  (DX), Z15, Z4
	VMULPD  64(DX), Z15, Z5
	VMULPD  128(DX), Z15, Z6
	VMULPD  192(DX), Z15, Z7
	VADDPD  Z4, Z0, Z0
	VADDPD  Z5, Z1, Z1
	VADDPD  Z6, Z2, Z2
	VADDPD  Z7, Z3, Z3
	VADDPD  (DI), Z0, Z0
	VADDPD  64(DI), Z1, Z1
	VADDPD  128(DI), Z2, Z2
	VADDPD  192(DI), Z3, Z3
	VMOVUPD Z0, (R8)
	VMOVUPD Z1, 64(R8)
	VMOVUPD Z2, 128(R8)
	VMOVUPD Z3, 192(R8)
	ADDQ    $256, R8
	ADDQ    $256, DI
	ADDQ    $256, SI
	ADDQ    $256, DX
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     l32

l8:
	CMPQ    CX, $8
	JLT     ltail
	VMULPD  (SI), Z14, Z0
	VMULPD  (DX), Z15, Z4
	VADDPD  Z4, Z0, Z0
	VADDPD  (DI), Z0, Z0
	VMOVUPD Z0, (R8)
	ADDQ    $64, R8
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	SUBQ    $8, CX
	JMP     l8

ltail:
	TESTQ   CX, CX
	JZ      ldone
	tailMask
	VMOVUPD.Z (SI), K1, Z0
	VMOVUPD.Z (DX), K1, Z4
	VMOVUPD.Z (DI), K1, Z8
	VMULPD  Z0, Z14, Z0
	VMULPD  Z4, Z15, Z4
	VADDPD  Z4, Z0, Z0
	VADDPD  Z8, Z0, Z0
	VMOVUPD Z0, K1, (R8)

ldone:
	VZEROUPPER
	RET

// func positionAVX512(x, p, minv *float64, n int, h float64)
// x += h·(minv⊙p) for n ≥ 0 values.
TEXT ·positionAVX512(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ minv+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD h+32(FP), Z14
	CMPQ CX, $32
	JLT  p8

p32:
	VMOVUPD (DX), Z0
	VMOVUPD 64(DX), Z1
	VMOVUPD 128(DX), Z2
	VMOVUPD 192(DX), Z3
	VMULPD  (SI), Z0, Z0
	VMULPD  64(SI), Z1, Z1
	VMULPD  128(SI), Z2, Z2
	VMULPD  192(SI), Z3, Z3
	VMULPD  Z14, Z0, Z0
	VMULPD  Z14, Z1, Z1
	VMULPD  Z14, Z2, Z2
	VMULPD  Z14, Z3, Z3
	VADDPD  (DI), Z0, Z0
	VADDPD  64(DI), Z1, Z1
	VADDPD  128(DI), Z2, Z2
	VADDPD  192(DI), Z3, Z3
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	ADDQ    $256, DI
	ADDQ    $256, SI
	ADDQ    $256, DX
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     p32

p8:
	CMPQ    CX, $8
	JLT     ptail
	VMOVUPD (DX), Z0
	VMULPD  (SI), Z0, Z0
	VMULPD  Z14, Z0, Z0
	VADDPD  (DI), Z0, Z0
	VMOVUPD Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	SUBQ    $8, CX
	JMP     p8

ptail:
	TESTQ   CX, CX
	JZ      pdone
	tailMask
	VMOVUPD.Z (DX), K1, Z0
	VMOVUPD.Z (SI), K1, Z4
	VMOVUPD.Z (DI), K1, Z8
	VMULPD  Z4, Z0, Z0
	VMULPD  Z14, Z0, Z0
	VADDPD  Z8, Z0, Z0
	VMOVUPD Z0, K1, (DI)

pdone:
	VZEROUPPER
	RET

// func axpyAVX512(y, x *float64, n int, a float64)
// y += a·x for n ≥ 0 values.
TEXT ·axpyAVX512(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD a+24(FP), Z14
	CMPQ CX, $32
	JLT  a8

a32:
	VMULPD  (SI), Z14, Z0
	VMULPD  64(SI), Z14, Z1
	VMULPD  128(SI), Z14, Z2
	VMULPD  192(SI), Z14, Z3
	VADDPD  (DI), Z0, Z0
	VADDPD  64(DI), Z1, Z1
	VADDPD  128(DI), Z2, Z2
	VADDPD  192(DI), Z3, Z3
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	ADDQ    $256, DI
	ADDQ    $256, SI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     a32

a8:
	CMPQ    CX, $8
	JLT     atail
	VMULPD  (SI), Z14, Z0
	VADDPD  (DI), Z0, Z0
	VMOVUPD Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $8, CX
	JMP     a8

atail:
	TESTQ   CX, CX
	JZ      adone
	tailMask
	VMOVUPD.Z (SI), K1, Z0
	VMOVUPD.Z (DI), K1, Z8
	VMULPD  Z0, Z14, Z0
	VADDPD  Z8, Z0, Z0
	VMOVUPD Z0, K1, (DI)

adone:
	VZEROUPPER
	RET
