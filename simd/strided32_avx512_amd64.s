//go:build !purego

#include "textflag.h"

// The strided gather and scatter-add and the run gather and scatter-add
// of strided32.go, AVX-512: 16 values at a time, the last step of a row
// or run under a mask. With stride 2 a gather step reads the 31 values
// its 16 lie among (two masked loads) and keeps the even ones with
// VPERMT2PS; a scatter-add step spreads 16 values to the even lanes of
// two registers with VPERMPS and adds them there under a mask: no value
// outside the strided ones is read or written.

DATA strEvens<>+0(SB)/4, $0
DATA strEvens<>+4(SB)/4, $2
DATA strEvens<>+8(SB)/4, $4
DATA strEvens<>+12(SB)/4, $6
DATA strEvens<>+16(SB)/4, $8
DATA strEvens<>+20(SB)/4, $10
DATA strEvens<>+24(SB)/4, $12
DATA strEvens<>+28(SB)/4, $14
DATA strEvens<>+32(SB)/4, $16
DATA strEvens<>+36(SB)/4, $18
DATA strEvens<>+40(SB)/4, $20
DATA strEvens<>+44(SB)/4, $22
DATA strEvens<>+48(SB)/4, $24
DATA strEvens<>+52(SB)/4, $26
DATA strEvens<>+56(SB)/4, $28
DATA strEvens<>+60(SB)/4, $30
GLOBL strEvens<>(SB), RODATA|NOPTR, $64

DATA strDupLo<>+0(SB)/4, $0
DATA strDupLo<>+4(SB)/4, $0
DATA strDupLo<>+8(SB)/4, $1
DATA strDupLo<>+12(SB)/4, $1
DATA strDupLo<>+16(SB)/4, $2
DATA strDupLo<>+20(SB)/4, $2
DATA strDupLo<>+24(SB)/4, $3
DATA strDupLo<>+28(SB)/4, $3
DATA strDupLo<>+32(SB)/4, $4
DATA strDupLo<>+36(SB)/4, $4
DATA strDupLo<>+40(SB)/4, $5
DATA strDupLo<>+44(SB)/4, $5
DATA strDupLo<>+48(SB)/4, $6
DATA strDupLo<>+52(SB)/4, $6
DATA strDupLo<>+56(SB)/4, $7
DATA strDupLo<>+60(SB)/4, $7
GLOBL strDupLo<>(SB), RODATA|NOPTR, $64

DATA strDupHi<>+0(SB)/4, $8
DATA strDupHi<>+4(SB)/4, $8
DATA strDupHi<>+8(SB)/4, $9
DATA strDupHi<>+12(SB)/4, $9
DATA strDupHi<>+16(SB)/4, $10
DATA strDupHi<>+20(SB)/4, $10
DATA strDupHi<>+24(SB)/4, $11
DATA strDupHi<>+28(SB)/4, $11
DATA strDupHi<>+32(SB)/4, $12
DATA strDupHi<>+36(SB)/4, $12
DATA strDupHi<>+40(SB)/4, $13
DATA strDupHi<>+44(SB)/4, $13
DATA strDupHi<>+48(SB)/4, $14
DATA strDupHi<>+52(SB)/4, $14
DATA strDupHi<>+56(SB)/4, $15
DATA strDupHi<>+60(SB)/4, $15
GLOBL strDupHi<>(SB), RODATA|NOPTR, $64

// setMask sets mask register k to the low CX bits (0 ≤ CX ≤ 16), using DX.
#define setMask(k) \
	MOVL  $1, DX \
	SHLL  CX, DX \
	DECL  DX     \
	KMOVW DX, k

// stride2Masks sets, for a step of BX ≥ 1 values, R13 = n = min(BX, 16),
// K3 to its n values and K1, K2 to the first 16 and the next 15 of the
// 2n − 1 values they lie among, using CX, DX and R8.
#define stride2Masks \
	MOVQ    BX, CX         \
	MOVQ    $16, DX        \
	CMPQ    CX, DX         \
	CMOVQGT DX, CX         \
	MOVQ    CX, R13        \
	setMask(K3)            \
	LEAQ    -1(R13)(R13*1), CX \
	MOVQ    CX, R8         \
	MOVQ    $16, DX        \
	CMPQ    CX, DX         \
	CMOVQGT DX, CX         \
	SUBQ    CX, R8         \
	setMask(K1)            \
	MOVQ    R8, CX         \
	setMask(K2)

// stridedArgs loads the arguments of the strided kernels: dst into
// register rd, src into rs, ho into R9, wo into R10, the stride into R11
// and the bytes from one strided row to the next (stride·ld·4) into R12.
#define stridedArgs(rd, rs) \
	MOVQ  dst+0(FP), rd \
	MOVQ  src+8(FP), rs \
	MOVQ  ld+16(FP), R12 \
	MOVQ  ho+24(FP), R9 \
	MOVQ  wo+32(FP), R10 \
	MOVQ  s+40(FP), R11 \
	IMULQ R11, R12      \
	SHLQ  $2, R12

// runsArgs loads the arguments of the run kernels: dst into DI, src into
// SI, off into R8, runs into R9, the whole vectors of a run into R10 and
// its masked tail into R12 (its mask into K1).
#define runsArgs \
	MOVQ dst+0(FP), DI \
	MOVQ src+8(FP), SI \
	MOVQ off+16(FP), R8 \
	MOVQ runs+24(FP), R9 \
	MOVQ n+32(FP), R10 \
	MOVQ R10, CX       \
	ANDQ $15, CX       \
	MOVQ CX, R12       \
	setMask(K1)        \
	SHRQ $4, R10

// func gatherStridedF32AVX512(dst, src *float32, ld, ho, wo, s int)
// dst[oh·wo + ow] = src[oh·s·ld + ow·s] for ho, wo ≥ 1, s ∈ {1, 2}.
TEXT ·gatherStridedF32AVX512(SB), NOSPLIT, $0-48
	stridedArgs(DI, SI)
	CMPQ R11, $1
	JNE   g2row

g1row:
	MOVQ SI, AX
	MOVQ R10, BX

g1loop:
	CMPQ    BX, $16
	JLT     g1tail
	VMOVUPS (AX), Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, AX
	ADDQ    $64, DI
	SUBQ    $16, BX
	JMP     g1loop

g1tail:
	TESTQ     BX, BX
	JZ        g1next
	MOVQ      BX, CX
	setMask(K1)
	VMOVUPS.Z (AX), K1, Z0
	VMOVUPS   Z0, K1, (DI)
	LEAQ      (DI)(BX*4), DI

g1next:
	ADDQ R12, SI
	DECQ R9
	JNZ  g1row
	VZEROUPPER
	RET

g2row:
	VMOVDQU32 strEvens<>(SB), Z3
	MOVQ      SI, AX
	MOVQ      R10, BX

g2loop:
	stride2Masks
	VMOVUPS.Z (AX), K1, Z0
	VMOVUPS.Z 64(AX), K2, Z1
	VPERMT2PS Z1, Z3, Z0
	VMOVUPS   Z0, K3, (DI)
	LEAQ      (DI)(R13*4), DI
	ADDQ      $128, AX
	SUBQ      R13, BX
	JNZ       g2loop
	ADDQ      R12, SI
	DECQ      R9
	JNZ       g2row
	VZEROUPPER
	RET

// func scatterAddStridedF32AVX512(dst, src *float32, ld, ho, wo, s int)
// dst[oh·s·ld + ow·s] += src[oh·wo + ow] for ho, wo ≥ 1, s ∈ {1, 2}.
TEXT ·scatterAddStridedF32AVX512(SB), NOSPLIT, $0-48
	stridedArgs(SI, DI)
	CMPQ R11, $1
	JNE   s2row

s1row:
	MOVQ SI, AX
	MOVQ R10, BX

s1loop:
	CMPQ    BX, $16
	JLT     s1tail
	VMOVUPS (AX), Z0
	VADDPS  (DI), Z0, Z0
	VMOVUPS Z0, (AX)
	ADDQ    $64, AX
	ADDQ    $64, DI
	SUBQ    $16, BX
	JMP     s1loop

s1tail:
	TESTQ     BX, BX
	JZ        s1next
	MOVQ      BX, CX
	setMask(K1)
	VMOVUPS.Z (AX), K1, Z0
	VMOVUPS.Z (DI), K1, Z1
	VADDPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (AX)
	LEAQ      (DI)(BX*4), DI

s1next:
	ADDQ R12, SI
	DECQ R9
	JNZ  s1row
	VZEROUPPER
	RET

s2row:
	VMOVDQU32 strDupLo<>(SB), Z6
	VMOVDQU32 strDupHi<>(SB), Z7
	MOVL      $0x5555, DX
	KMOVW     DX, K6 // the even lanes

s2rows:
	MOVQ SI, AX
	MOVQ R10, BX

s2loop:
	stride2Masks
	KANDW     K1, K6, K4
	KANDW     K2, K6, K5
	VMOVUPS.Z (DI), K3, Z2
	VPERMPS   Z2, Z6, Z4 // src values 0…7 in lanes 2j, 2j+1
	VPERMPS   Z2, Z7, Z5 // 8…15
	VMOVUPS.Z (AX), K4, Z0
	VMOVUPS.Z 64(AX), K5, Z1
	VADDPS    Z4, Z0, Z0
	VADDPS    Z5, Z1, Z1
	VMOVUPS   Z0, K4, (AX)
	VMOVUPS   Z1, K5, 64(AX)
	LEAQ      (DI)(R13*4), DI
	ADDQ      $128, AX
	SUBQ      R13, BX
	JNZ       s2loop
	ADDQ      R12, SI
	DECQ      R9
	JNZ       s2rows
	VZEROUPPER
	RET

// func gatherRunsF32AVX512(dst, src *float32, off *int32, runs, n int)
// dst[j·n + i] = src[off[j] + i] for j < runs, i < n; runs, n ≥ 1.
TEXT ·gatherRunsF32AVX512(SB), NOSPLIT, $0-40
	runsArgs

grun:
	MOVLQSX (R8), AX
	LEAQ    (SI)(AX*4), AX
	MOVQ    R10, BX
	TESTQ   BX, BX
	JZ      gtail

gvec:
	VMOVUPS (AX), Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, AX
	ADDQ    $64, DI
	DECQ    BX
	JNZ     gvec

gtail:
	TESTQ     R12, R12
	JZ        gnext
	VMOVUPS.Z (AX), K1, Z0
	VMOVUPS   Z0, K1, (DI)
	LEAQ      (DI)(R12*4), DI

gnext:
	ADDQ $4, R8
	DECQ R9
	JNZ  grun
	VZEROUPPER
	RET

// func scatterAddRunsF32AVX512(dst, src *float32, off *int32, runs, n int)
// dst[off[j] + i] += src[j·n + i] for j < runs in order, i < n; runs,
// n ≥ 1. A run is stored before the next is loaded, so runs that overlap
// add in the order of j.
TEXT ·scatterAddRunsF32AVX512(SB), NOSPLIT, $0-40
	runsArgs

srun:
	MOVLQSX (R8), AX
	LEAQ    (DI)(AX*4), AX
	MOVQ    R10, BX
	TESTQ   BX, BX
	JZ      stail

svec:
	VMOVUPS (AX), Z0
	VADDPS  (SI), Z0, Z0
	VMOVUPS Z0, (AX)
	ADDQ    $64, AX
	ADDQ    $64, SI
	DECQ    BX
	JNZ     svec

stail:
	TESTQ     R12, R12
	JZ        snext
	VMOVUPS.Z (AX), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	VADDPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (AX)
	LEAQ      (SI)(R12*4), SI

snext:
	ADDQ $4, R8
	DECQ R9
	JNZ  srun
	VZEROUPPER
	RET
