//go:build !purego

#include "textflag.h"

// The strided gather and scatter-add and the run gather and scatter-add
// of strided32.go, AVX2: 8 values at a time, the last step's loads and
// stores under a lane mask (VMASKMOVPS). With stride 2 a step reads the
// 15 values its 8 lie among and keeps the even ones (VSHUFPS, VPERMPD),
// or spreads 8 values to the even lanes of two registers (VUNPCKLPS/HPS,
// VPERM2F128) and stores only those lanes: no value outside the strided
// ones is written.

DATA strMask8<>+0(SB)/4, $0xffffffff
DATA strMask8<>+4(SB)/4, $0xffffffff
DATA strMask8<>+8(SB)/4, $0xffffffff
DATA strMask8<>+12(SB)/4, $0xffffffff
DATA strMask8<>+16(SB)/4, $0xffffffff
DATA strMask8<>+20(SB)/4, $0xffffffff
DATA strMask8<>+24(SB)/4, $0xffffffff
DATA strMask8<>+28(SB)/4, $0xffffffff
DATA strMask8<>+32(SB)/4, $0
DATA strMask8<>+36(SB)/4, $0
DATA strMask8<>+40(SB)/4, $0
DATA strMask8<>+44(SB)/4, $0
DATA strMask8<>+48(SB)/4, $0
DATA strMask8<>+52(SB)/4, $0
DATA strMask8<>+56(SB)/4, $0
DATA strMask8<>+60(SB)/4, $0
GLOBL strMask8<>(SB), RODATA|NOPTR, $64

DATA strEven8<>+0(SB)/4, $0xffffffff
DATA strEven8<>+4(SB)/4, $0
DATA strEven8<>+8(SB)/4, $0xffffffff
DATA strEven8<>+12(SB)/4, $0
DATA strEven8<>+16(SB)/4, $0xffffffff
DATA strEven8<>+20(SB)/4, $0
DATA strEven8<>+24(SB)/4, $0xffffffff
DATA strEven8<>+28(SB)/4, $0
GLOBL strEven8<>(SB), RODATA|NOPTR, $32

// mask8(r, y) loads into y the lane mask of the first r lanes (0 ≤ r ≤ 8,
// r a register), using DX.
#define mask8(r, y) \
	MOVQ    $8, DX           \
	SUBQ    r, DX            \
	LEAQ    strMask8<>(SB), R13 \
	VMOVDQU (R13)(DX*4), y

// stride2Masks8 sets, for a step of BX ≥ 1 values, R8 = n = min(BX, 8),
// Y13 to its lane mask and Y14, Y15 to the masks of the first 8 and the
// next 7 of the 2n − 1 values they lie among, using CX, DX and R13.
#define stride2Masks8 \
	MOVQ    BX, R8             \
	MOVQ    $8, DX             \
	CMPQ    R8, DX             \
	CMOVQGT DX, R8             \
	mask8(R8, Y13)             \
	LEAQ    -1(R8)(R8*1), CX   \
	MOVQ    $8, DX             \
	CMPQ    CX, DX             \
	CMOVQGT DX, CX             \
	mask8(CX, Y14)             \
	LEAQ    -1(R8)(R8*1), CX   \
	SUBQ    $8, CX             \
	MOVQ    $0, DX             \
	CMPQ    CX, DX             \
	CMOVQLT DX, CX             \
	mask8(CX, Y15)

// stridedArgs2 loads the arguments of the strided kernels: dst into
// register rd, src into rs, ho into R9, wo into R10, the stride into R11
// and the bytes from one strided row to the next (stride·ld·4) into R12.
#define stridedArgs2(rd, rs) \
	MOVQ  dst+0(FP), rd \
	MOVQ  src+8(FP), rs \
	MOVQ  ld+16(FP), R12 \
	MOVQ  ho+24(FP), R9 \
	MOVQ  wo+32(FP), R10 \
	MOVQ  s+40(FP), R11 \
	IMULQ R11, R12      \
	SHLQ  $2, R12

// runsArgs2 loads the arguments of the run kernels: dst into DI, src into
// SI, off into R8, runs into R9, the whole vectors of a run into R10, its
// masked tail into R12 and that tail's lane mask into Y13.
#define runsArgs2 \
	MOVQ dst+0(FP), DI \
	MOVQ src+8(FP), SI \
	MOVQ off+16(FP), R8 \
	MOVQ runs+24(FP), R9 \
	MOVQ n+32(FP), R10 \
	MOVQ R10, R12      \
	ANDQ $7, R12       \
	mask8(R12, Y13)    \
	SHRQ $3, R10

// func gatherStridedF32AVX2(dst, src *float32, ld, ho, wo, s int)
// dst[oh·wo + ow] = src[oh·s·ld + ow·s] for ho, wo ≥ 1, s ∈ {1, 2}.
TEXT ·gatherStridedF32AVX2(SB), NOSPLIT, $0-48
	stridedArgs2(DI, SI)
	CMPQ R11, $1
	JNE  g2row

g1row:
	MOVQ SI, AX
	MOVQ R10, BX

g1loop:
	CMPQ    BX, $8
	JLT     g1tail
	VMOVUPS (AX), Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, AX
	ADDQ    $32, DI
	SUBQ    $8, BX
	JMP     g1loop

g1tail:
	TESTQ      BX, BX
	JZ         g1next
	mask8(BX, Y13)
	VMASKMOVPS (AX), Y13, Y0
	VMASKMOVPS Y0, Y13, (DI)
	LEAQ       (DI)(BX*4), DI

g1next:
	ADDQ R12, SI
	DECQ R9
	JNZ  g1row
	VZEROUPPER
	RET

g2row:
	MOVQ SI, AX
	MOVQ R10, BX

g2loop:
	stride2Masks8
	VMASKMOVPS (AX), Y14, Y0
	VMASKMOVPS 32(AX), Y15, Y1
	VSHUFPS    $0x88, Y1, Y0, Y2 // lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6
	VPERMPD    $0xD8, Y2, Y2     // lo0 lo2 lo4 lo6 hi0 hi2 hi4 hi6
	VMASKMOVPS Y2, Y13, (DI)
	LEAQ       (DI)(R8*4), DI
	ADDQ       $64, AX
	SUBQ       R8, BX
	JNZ        g2loop
	ADDQ       R12, SI
	DECQ       R9
	JNZ        g2row
	VZEROUPPER
	RET

// func scatterAddStridedF32AVX2(dst, src *float32, ld, ho, wo, s int)
// dst[oh·s·ld + ow·s] += src[oh·wo + ow] for ho, wo ≥ 1, s ∈ {1, 2}.
TEXT ·scatterAddStridedF32AVX2(SB), NOSPLIT, $0-48
	stridedArgs2(SI, DI)
	CMPQ R11, $1
	JNE  s2start

s1row:
	MOVQ SI, AX
	MOVQ R10, BX

s1loop:
	CMPQ    BX, $8
	JLT     s1tail
	VMOVUPS (AX), Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (AX)
	ADDQ    $32, AX
	ADDQ    $32, DI
	SUBQ    $8, BX
	JMP     s1loop

s1tail:
	TESTQ      BX, BX
	JZ         s1next
	mask8(BX, Y13)
	VMASKMOVPS (AX), Y13, Y0
	VMASKMOVPS (DI), Y13, Y1
	VADDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, Y13, (AX)
	LEAQ       (DI)(BX*4), DI

s1next:
	ADDQ R12, SI
	DECQ R9
	JNZ  s1row
	VZEROUPPER
	RET

s2start:
	VMOVDQU strEven8<>(SB), Y12
	VXORPS  Y11, Y11, Y11

s2row:
	MOVQ SI, AX
	MOVQ R10, BX

s2loop:
	stride2Masks8
	VANDPS     Y12, Y14, Y14
	VANDPS     Y12, Y15, Y15
	VMASKMOVPS (DI), Y13, Y2
	VUNPCKLPS  Y11, Y2, Y4        // v0 0 v1 0 | v4 0 v5 0
	VUNPCKHPS  Y11, Y2, Y5        // v2 0 v3 0 | v6 0 v7 0
	VPERM2F128 $0x20, Y5, Y4, Y6 // v0 0 v1 0 v2 0 v3 0
	VPERM2F128 $0x31, Y5, Y4, Y7 // v4 0 v5 0 v6 0 v7 0
	VMASKMOVPS (AX), Y14, Y0
	VMASKMOVPS 32(AX), Y15, Y1
	VADDPS     Y6, Y0, Y0
	VADDPS     Y7, Y1, Y1
	VMASKMOVPS Y0, Y14, (AX)
	VMASKMOVPS Y1, Y15, 32(AX)
	LEAQ       (DI)(R8*4), DI
	ADDQ       $64, AX
	SUBQ       R8, BX
	JNZ        s2loop
	ADDQ       R12, SI
	DECQ       R9
	JNZ        s2row
	VZEROUPPER
	RET

// func gatherRunsF32AVX2(dst, src *float32, off *int32, runs, n int)
// dst[j·n + i] = src[off[j] + i] for j < runs, i < n; runs, n ≥ 1.
TEXT ·gatherRunsF32AVX2(SB), NOSPLIT, $0-40
	runsArgs2

grun:
	MOVLQSX (R8), AX
	LEAQ    (SI)(AX*4), AX
	MOVQ    R10, BX
	TESTQ   BX, BX
	JZ      gtail

gvec:
	VMOVUPS (AX), Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, AX
	ADDQ    $32, DI
	DECQ    BX
	JNZ     gvec

gtail:
	TESTQ      R12, R12
	JZ         gnext
	VMASKMOVPS (AX), Y13, Y0
	VMASKMOVPS Y0, Y13, (DI)
	LEAQ       (DI)(R12*4), DI

gnext:
	ADDQ $4, R8
	DECQ R9
	JNZ  grun
	VZEROUPPER
	RET

// func scatterAddRunsF32AVX2(dst, src *float32, off *int32, runs, n int)
// dst[off[j] + i] += src[j·n + i] for j < runs in order, i < n; runs,
// n ≥ 1. A run is stored before the next is loaded.
TEXT ·scatterAddRunsF32AVX2(SB), NOSPLIT, $0-40
	runsArgs2

srun:
	MOVLQSX (R8), AX
	LEAQ    (DI)(AX*4), AX
	MOVQ    R10, BX
	TESTQ   BX, BX
	JZ      stail

svec:
	VMOVUPS (AX), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (AX)
	ADDQ    $32, AX
	ADDQ    $32, SI
	DECQ    BX
	JNZ     svec

stail:
	TESTQ      R12, R12
	JZ         snext
	VMASKMOVPS (AX), Y13, Y0
	VMASKMOVPS (SI), Y13, Y1
	VADDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, Y13, (AX)
	LEAQ       (SI)(R12*4), SI

snext:
	ADDQ $4, R8
	DECQ R9
	JNZ  srun
	VZEROUPPER
	RET
