//go:build !purego

#include "textflag.h"

// The AVX-512 exponentials: exp_amd64.s's algorithm, eight values per ZMM
// register instead of four per YMM, with the same operations in the same
// order on each element, so the results equal the avx2 kernels' bit for
// bit (TestAVX512SameAsAVX2). The constants live in registers (EXPCONSTS):
// Z16 log₂e, Z17 ln2hi, Z18 ln2lo, Z19…Z29 the coefficients c11…c1, Z30 1,
// Z31 ½, Z14 710, Z15 −746, Z13 the exponent magic, Z12 the abs mask, Z11
// the fast-path bound 708.

#define EXPCONSTS \
	VBROADCASTSD exp5Log2e<>(SB), Z16 \
	VBROADCASTSD exp5Ln2Hi<>(SB), Z17 \
	VBROADCASTSD exp5Ln2Lo<>(SB), Z18 \
	VBROADCASTSD exp5C11<>(SB), Z19 \
	VBROADCASTSD exp5C10<>(SB), Z20 \
	VBROADCASTSD exp5C9<>(SB), Z21 \
	VBROADCASTSD exp5C8<>(SB), Z22 \
	VBROADCASTSD exp5C7<>(SB), Z23 \
	VBROADCASTSD exp5C6<>(SB), Z24 \
	VBROADCASTSD exp5C5<>(SB), Z25 \
	VBROADCASTSD exp5C4<>(SB), Z26 \
	VBROADCASTSD exp5C3<>(SB), Z27 \
	VBROADCASTSD exp5C2<>(SB), Z28 \
	VBROADCASTSD exp5C1<>(SB), Z29 \
	VBROADCASTSD exp5One<>(SB), Z30 \
	VBROADCASTSD exp5Half<>(SB), Z31 \
	VBROADCASTSD exp5Hi<>(SB), Z14 \
	VBROADCASTSD exp5Lo<>(SB), Z15 \
	VBROADCASTSD exp5Magic<>(SB), Z13 \
	VBROADCASTSD exp5Abs<>(SB), Z12 \
	VBROADCASTSD exp5Fast<>(SB), Z11

// EXP8 sets P = e^X for the eight values of X (X is overwritten; K and S
// are scratch): EXP4 of exp_amd64.s on ZMM registers.
#define EXP8(X, K, P, S) \
	VMINPD X, Z14, X \
	VMAXPD X, Z15, X \
	VMULPD Z16, X, K \
	VRNDSCALEPD $0, K, K \
	VFNMADD231PD Z17, K, X \
	VFNMADD231PD Z18, K, X \
	VMOVAPD Z19, P \
	VFMADD213PD Z20, X, P \
	VFMADD213PD Z21, X, P \
	VFMADD213PD Z22, X, P \
	VFMADD213PD Z23, X, P \
	VFMADD213PD Z24, X, P \
	VFMADD213PD Z25, X, P \
	VFMADD213PD Z26, X, P \
	VFMADD213PD Z27, X, P \
	VFMADD213PD Z28, X, P \
	VFMADD213PD Z29, X, P \
	VFMADD213PD Z30, X, P \
	VMULPD Z31, K, S \
	VRNDSCALEPD $1, S, S \
	VSUBPD S, K, K \
	VADDPD Z13, S, S \
	VADDPD Z13, K, K \
	VPSLLQ $52, S, S \
	VPSLLQ $52, K, K \
	VMULPD S, P, P \
	VMULPD K, P, P

// EXP8FAST is EXP4FAST on ZMM registers: all eight values within
// [−708, 708]. X is overwritten; K is scratch.
#define EXP8FAST(X, K, P) \
	VMULPD Z16, X, K \
	VRNDSCALEPD $0, K, K \
	VFNMADD231PD Z17, K, X \
	VFNMADD231PD Z18, K, X \
	VMOVAPD Z19, P \
	VFMADD213PD Z20, X, P \
	VFMADD213PD Z21, X, P \
	VFMADD213PD Z22, X, P \
	VFMADD213PD Z23, X, P \
	VFMADD213PD Z24, X, P \
	VFMADD213PD Z25, X, P \
	VFMADD213PD Z26, X, P \
	VFMADD213PD Z27, X, P \
	VFMADD213PD Z28, X, P \
	VFMADD213PD Z29, X, P \
	VFMADD213PD Z30, X, P \
	VADDPD Z13, K, K \
	VPSLLQ $52, K, K \
	VMULPD K, P, P

// INRANGE8 sets AX to 0xff when the eight values of X are all within
// [−708, 708] (not NaN), using T as scratch.
#define INRANGE8(X, T) \
	VANDPD Z12, X, T \
	VCMPPD $2, Z11, T, K1 \
	KMOVB K1, AX

// func expAVX512(dst, x *float64, n int)
// n is a positive multiple of 8.
TEXT ·expAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	EXPCONSTS

loop:
	VMOVUPD (SI), Z0
	INRANGE8(Z0, Z4)
	CMPQ    AX, $0xff
	JNE     slow
	EXP8FAST(Z0, Z1, Z2)
	JMP     store

slow:
	EXP8(Z0, Z1, Z2, Z3)

store:
	VMOVUPD Z2, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $8, CX
	JNZ     loop
	VZEROUPPER
	RET

// func expSubAccAVX512(w, s, a, m *float64, n int)
// w = e^(a − m); s += w; n a positive multiple of 8.
TEXT ·expSubAccAVX512(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), DI
	MOVQ s+8(FP), DX
	MOVQ a+16(FP), SI
	MOVQ m+24(FP), R8
	MOVQ n+32(FP), CX
	EXPCONSTS

subacc:
	VMOVUPD (SI), Z0
	VSUBPD  (R8), Z0, Z0
	INRANGE8(Z0, Z4)
	CMPQ    AX, $0xff
	JNE     subslow
	EXP8FAST(Z0, Z1, Z2)
	JMP     substore

subslow:
	EXP8(Z0, Z1, Z2, Z3)

substore:
	VMOVUPD Z2, (DI)
	VADDPD  (DX), Z2, Z2
	VMOVUPD Z2, (DX)
	ADDQ    $64, DI
	ADDQ    $64, DX
	ADDQ    $64, SI
	ADDQ    $64, R8
	SUBQ    $8, CX
	JNZ     subacc
	VZEROUPPER
	RET

DATA exp5Log2e<>+0(SB)/8, $0x3ff71547652b82fe
GLOBL exp5Log2e<>(SB), RODATA|NOPTR, $8

DATA exp5Ln2Hi<>+0(SB)/8, $0x3fe62e42fefa39ef
GLOBL exp5Ln2Hi<>(SB), RODATA|NOPTR, $8

DATA exp5Ln2Lo<>+0(SB)/8, $0x3c7abc9e3b39803f
GLOBL exp5Ln2Lo<>(SB), RODATA|NOPTR, $8

DATA exp5Half<>+0(SB)/8, $0x3fe0000000000000
GLOBL exp5Half<>(SB), RODATA|NOPTR, $8

DATA exp5Magic<>+0(SB)/8, $0x43380000000003ff
GLOBL exp5Magic<>(SB), RODATA|NOPTR, $8

DATA exp5C1<>+0(SB)/8, $0x3ff0000000000000
GLOBL exp5C1<>(SB), RODATA|NOPTR, $8

DATA exp5C2<>+0(SB)/8, $0x3fe0000000000011
GLOBL exp5C2<>(SB), RODATA|NOPTR, $8

DATA exp5C3<>+0(SB)/8, $0x3fc555555555555a
GLOBL exp5C3<>(SB), RODATA|NOPTR, $8

DATA exp5C4<>+0(SB)/8, $0x3fa555555554f0cf
GLOBL exp5C4<>(SB), RODATA|NOPTR, $8

DATA exp5C5<>+0(SB)/8, $0x3f8111111110f225
GLOBL exp5C5<>(SB), RODATA|NOPTR, $8

DATA exp5C6<>+0(SB)/8, $0x3f56c16c187fbe02
GLOBL exp5C6<>(SB), RODATA|NOPTR, $8

DATA exp5C7<>+0(SB)/8, $0x3f2a01a01b14378f
GLOBL exp5C7<>(SB), RODATA|NOPTR, $8

DATA exp5C8<>+0(SB)/8, $0x3efa01991ac8730a
GLOBL exp5C8<>(SB), RODATA|NOPTR, $8

DATA exp5C9<>+0(SB)/8, $0x3ec71ddf5749d126
GLOBL exp5C9<>(SB), RODATA|NOPTR, $8

DATA exp5C10<>+0(SB)/8, $0x3e928b4057f44145
GLOBL exp5C10<>(SB), RODATA|NOPTR, $8

DATA exp5C11<>+0(SB)/8, $0x3e5af631d0059bec
GLOBL exp5C11<>(SB), RODATA|NOPTR, $8

DATA exp5One<>+0(SB)/8, $0x3ff0000000000000
GLOBL exp5One<>(SB), RODATA|NOPTR, $8

DATA exp5Hi<>+0(SB)/8, $0x4086300000000000
GLOBL exp5Hi<>(SB), RODATA|NOPTR, $8

DATA exp5Lo<>+0(SB)/8, $0xc087500000000000
GLOBL exp5Lo<>(SB), RODATA|NOPTR, $8

DATA exp5Abs<>+0(SB)/8, $0x7fffffffffffffff
GLOBL exp5Abs<>(SB), RODATA|NOPTR, $8

DATA exp5Fast<>+0(SB)/8, $0x4086200000000000
GLOBL exp5Fast<>(SB), RODATA|NOPTR, $8

