//go:build !purego

#include "textflag.h"

// BINARY32 is the body of the element-wise kernels of two float32 inputs:
// dst[i] = X[i] OP Y[i] for n (a multiple of 8) values, 32 per iteration
// while there are 32, then 8, one rounding per element. X is loaded into
// the register (VOP's first source, whose NaN is the one that propagates)
// and Y read from memory; X and Y name the pointer registers SI (a) and DX
// (b). dst may be a or b.
#define BINARY32(VOP, X, Y) \
	MOVQ dst+0(FP), DI; \
	MOVQ a+8(FP), SI; \
	MOVQ b+16(FP), DX; \
	MOVQ n+24(FP), CX; \
	CMPQ CX, $32; \
	JLT  eight; \
thirtytwo: \
	VMOVUPS (X), Y0; \
	VMOVUPS 32(X), Y1; \
	VMOVUPS 64(X), Y2; \
	VMOVUPS 96(X), Y3; \
	VOP     (Y), Y0, Y0; \
	VOP     32(Y), Y1, Y1; \
	VOP     64(Y), Y2, Y2; \
	VOP     96(Y), Y3, Y3; \
	VMOVUPS Y0, (DI); \
	VMOVUPS Y1, 32(DI); \
	VMOVUPS Y2, 64(DI); \
	VMOVUPS Y3, 96(DI); \
	ADDQ    $128, DI; \
	ADDQ    $128, SI; \
	ADDQ    $128, DX; \
	SUBQ    $32, CX; \
	CMPQ    CX, $32; \
	JGE     thirtytwo; \
eight: \
	CMPQ    CX, $8; \
	JLT     done; \
	VMOVUPS (X), Y0; \
	VOP     (Y), Y0, Y0; \
	VMOVUPS Y0, (DI); \
	ADDQ    $32, DI; \
	ADDQ    $32, SI; \
	ADDQ    $32, DX; \
	SUBQ    $8, CX; \
	JMP     eight; \
done: \
	VZEROUPPER; \
	RET

// func dot32AVX2(x, y *float32, n int) float32
// Σ x[i]·y[i] for n (a positive multiple of 32) values: four YMM
// accumulators of fused multiply-adds, added pairwise at the end.
TEXT ·dot32AVX2(SB), NOSPLIT, $0-28
	MOVQ   x+0(FP), SI
	MOVQ   y+8(FP), DX
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

dloop:
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DX), Y4, Y0
	VFMADD231PS 32(DX), Y5, Y1
	VFMADD231PS 64(DX), Y6, Y2
	VFMADD231PS 96(DX), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DX
	SUBQ        $32, CX
	JNZ         dloop

	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0
	VMOVSS       X0, ret+24(FP)
	VZEROUPPER
	RET

// func axpy32AVX2(y, x *float32, n int, a float32)
// y += a·x for n (a multiple of 8) values, 32 per iteration while there
// are 32, then 8; every product rounded (VMULPS, VADDPS), as the reference.
TEXT ·axpy32AVX2(SB), NOSPLIT, $0-28
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS a+24(FP), Y14
	CMPQ         CX, $32
	JLT          aeight

athirtytwo:
	VMULPS  (SI), Y14, Y0
	VMULPS  32(SI), Y14, Y1
	VMULPS  64(SI), Y14, Y2
	VMULPS  96(SI), Y14, Y3
	VADDPS  (DI), Y0, Y0
	VADDPS  32(DI), Y1, Y1
	VADDPS  64(DI), Y2, Y2
	VADDPS  96(DI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     athirtytwo

aeight:
	CMPQ    CX, $8
	JLT     adone
	VMULPS  (SI), Y14, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     aeight

adone:
	VZEROUPPER
	RET

// func mul32AVX2(dst, a, b *float32, n int)
// dst = a·b (Mul32 passes dst as a).
TEXT ·mul32AVX2(SB), NOSPLIT, $0-32
	BINARY32(VMULPS, SI, DX)

// func add32AVX2(dst, a, b *float32, n int)
// dst = a + b, b the first operand as in axpy32AVX2 (its NaN propagates),
// so the bits are Axpy32's.
TEXT ·add32AVX2(SB), NOSPLIT, $0-32
	BINARY32(VADDPS, DX, SI)
