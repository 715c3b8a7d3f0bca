//go:build !purego

#include "textflag.h"

// EXP4 sets P = e^X for the four values of X, using K and S as scratch
// and Y14, Y15 holding the clamp bounds 710 and −746 (X is overwritten):
// clamp (NaN passes), k = round(x·log₂e), r = x − k·ln2hi − k·ln2lo,
// Horner's scheme for a degree-11 polynomial of e^r (the Chebyshev
// interpolant on [−ln2/2, ln2/2]: relative error 4.3·10⁻¹⁸, coefficients
// 1, 1, then 1/n! to within a few ulp), and the
// scaling by 2^⌊k/2⌋ then 2^(k−⌊k/2⌋).
#define EXP4(X, K, P, S) \
	VMINPD X, Y14, X \
	VMAXPD X, Y15, X \
	VMULPD expLog2e<>(SB), X, K \
	VROUNDPD $0, K, K \
	VFNMADD231PD expLn2Hi<>(SB), K, X \
	VFNMADD231PD expLn2Lo<>(SB), K, X \
	VMOVUPD expC11<>(SB), P \
	VFMADD213PD expC10<>(SB), X, P \
	VFMADD213PD expC9<>(SB), X, P \
	VFMADD213PD expC8<>(SB), X, P \
	VFMADD213PD expC7<>(SB), X, P \
	VFMADD213PD expC6<>(SB), X, P \
	VFMADD213PD expC5<>(SB), X, P \
	VFMADD213PD expC4<>(SB), X, P \
	VFMADD213PD expC3<>(SB), X, P \
	VFMADD213PD expC2<>(SB), X, P \
	VFMADD213PD expC1<>(SB), X, P \
	VFMADD213PD expOne<>(SB), X, P \
	VMULPD expHalf<>(SB), K, S \
	VROUNDPD $1, S, S \
	VSUBPD S, K, K \
	VADDPD expMagic<>(SB), S, S \
	VADDPD expMagic<>(SB), K, K \
	VPSLLQ $52, S, S \
	VPSLLQ $52, K, K \
	VMULPD S, P, P \
	VMULPD K, P, P

// EXP4FAST is EXP4 for four values all within [−708, 708], where no clamp
// is needed and 2^k is a normal number: one scaling, exact like EXP4's two,
// so both give the same bits. X is overwritten; K is scratch.
#define EXP4FAST(X, K, P) \
	VMULPD expLog2e<>(SB), X, K \
	VROUNDPD $0, K, K \
	VFNMADD231PD expLn2Hi<>(SB), K, X \
	VFNMADD231PD expLn2Lo<>(SB), K, X \
	VMOVUPD expC11<>(SB), P \
	VFMADD213PD expC10<>(SB), X, P \
	VFMADD213PD expC9<>(SB), X, P \
	VFMADD213PD expC8<>(SB), X, P \
	VFMADD213PD expC7<>(SB), X, P \
	VFMADD213PD expC6<>(SB), X, P \
	VFMADD213PD expC5<>(SB), X, P \
	VFMADD213PD expC4<>(SB), X, P \
	VFMADD213PD expC3<>(SB), X, P \
	VFMADD213PD expC2<>(SB), X, P \
	VFMADD213PD expC1<>(SB), X, P \
	VFMADD213PD expOne<>(SB), X, P \
	VADDPD expMagic<>(SB), K, K \
	VPSLLQ $52, K, K \
	VMULPD K, P, P

// INRANGE sets AX to 15 when the four values of X are all within
// [−708, 708] (not NaN), using T as scratch.
#define INRANGE(X, T) \
	VANDPD expAbs<>(SB), X, T \
	VCMPPD $2, expFast<>(SB), T, T \
	VMOVMSKPD T, AX


// func expAVX2(dst, x *float64, n int)
// n is a positive multiple of 4. Four values at a time, on the fast path
// when all four are within [−708, 708].
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPD expHi<>(SB), Y14
	VMOVUPD expLo<>(SB), Y15


loop:
	VMOVUPD (SI), Y0
	INRANGE(Y0, Y4)
	CMPQ    AX, $15
	JNE     slow
	EXP4FAST(Y0, Y1, Y2)
	JMP     store

slow:
	EXP4(Y0, Y1, Y2, Y3)

store:
	VMOVUPD Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	JNZ     loop

done:
	VZEROUPPER
	RET

// func expSubAccAVX2(w, s, a, m *float64, n int)
// w = e^(a − m); s += w; n a positive multiple of 4.
TEXT ·expSubAccAVX2(SB), NOSPLIT, $0-40
	MOVQ    w+0(FP), DI
	MOVQ    s+8(FP), DX
	MOVQ    a+16(FP), SI
	MOVQ    m+24(FP), R8
	MOVQ    n+32(FP), CX
	VMOVUPD expHi<>(SB), Y14
	VMOVUPD expLo<>(SB), Y15

subacc:
	VMOVUPD (SI), Y0
	VSUBPD  (R8), Y0, Y0
	INRANGE(Y0, Y4)
	CMPQ    AX, $15
	JNE     subslow
	EXP4FAST(Y0, Y1, Y2)
	JMP     substore

subslow:
	EXP4(Y0, Y1, Y2, Y3)

substore:
	VMOVUPD Y2, (DI)
	VADDPD  (DX), Y2, Y2
	VMOVUPD Y2, (DX)
	ADDQ    $32, DI
	ADDQ    $32, DX
	ADDQ    $32, SI
	ADDQ    $32, R8
	SUBQ    $4, CX
	JNZ     subacc
	VZEROUPPER
	RET

DATA expLog2e<>+0(SB)/8, $0x3ff71547652b82fe
DATA expLog2e<>+8(SB)/8, $0x3ff71547652b82fe
DATA expLog2e<>+16(SB)/8, $0x3ff71547652b82fe
DATA expLog2e<>+24(SB)/8, $0x3ff71547652b82fe
GLOBL expLog2e<>(SB), RODATA|NOPTR, $32

// ln2 = ln2hi + ln2lo: 0.6931471805599453 2.3190468138462996e-17
DATA expLn2Hi<>+0(SB)/8, $0x3fe62e42fefa39ef
DATA expLn2Hi<>+8(SB)/8, $0x3fe62e42fefa39ef
DATA expLn2Hi<>+16(SB)/8, $0x3fe62e42fefa39ef
DATA expLn2Hi<>+24(SB)/8, $0x3fe62e42fefa39ef
GLOBL expLn2Hi<>(SB), RODATA|NOPTR, $32

DATA expLn2Lo<>+0(SB)/8, $0x3c7abc9e3b39803f
DATA expLn2Lo<>+8(SB)/8, $0x3c7abc9e3b39803f
DATA expLn2Lo<>+16(SB)/8, $0x3c7abc9e3b39803f
DATA expLn2Lo<>+24(SB)/8, $0x3c7abc9e3b39803f
GLOBL expLn2Lo<>(SB), RODATA|NOPTR, $32

DATA expHalf<>+0(SB)/8, $0x3fe0000000000000
DATA expHalf<>+8(SB)/8, $0x3fe0000000000000
DATA expHalf<>+16(SB)/8, $0x3fe0000000000000
DATA expHalf<>+24(SB)/8, $0x3fe0000000000000
GLOBL expHalf<>(SB), RODATA|NOPTR, $32

DATA expMagic<>+0(SB)/8, $0x43380000000003ff
DATA expMagic<>+8(SB)/8, $0x43380000000003ff
DATA expMagic<>+16(SB)/8, $0x43380000000003ff
DATA expMagic<>+24(SB)/8, $0x43380000000003ff
GLOBL expMagic<>(SB), RODATA|NOPTR, $32

DATA expC1<>+0(SB)/8, $0x3ff0000000000000
DATA expC1<>+8(SB)/8, $0x3ff0000000000000
DATA expC1<>+16(SB)/8, $0x3ff0000000000000
DATA expC1<>+24(SB)/8, $0x3ff0000000000000
GLOBL expC1<>(SB), RODATA|NOPTR, $32

DATA expC2<>+0(SB)/8, $0x3fe0000000000011
DATA expC2<>+8(SB)/8, $0x3fe0000000000011
DATA expC2<>+16(SB)/8, $0x3fe0000000000011
DATA expC2<>+24(SB)/8, $0x3fe0000000000011
GLOBL expC2<>(SB), RODATA|NOPTR, $32

DATA expC3<>+0(SB)/8, $0x3fc555555555555a
DATA expC3<>+8(SB)/8, $0x3fc555555555555a
DATA expC3<>+16(SB)/8, $0x3fc555555555555a
DATA expC3<>+24(SB)/8, $0x3fc555555555555a
GLOBL expC3<>(SB), RODATA|NOPTR, $32

DATA expC4<>+0(SB)/8, $0x3fa555555554f0cf
DATA expC4<>+8(SB)/8, $0x3fa555555554f0cf
DATA expC4<>+16(SB)/8, $0x3fa555555554f0cf
DATA expC4<>+24(SB)/8, $0x3fa555555554f0cf
GLOBL expC4<>(SB), RODATA|NOPTR, $32

DATA expC5<>+0(SB)/8, $0x3f8111111110f225
DATA expC5<>+8(SB)/8, $0x3f8111111110f225
DATA expC5<>+16(SB)/8, $0x3f8111111110f225
DATA expC5<>+24(SB)/8, $0x3f8111111110f225
GLOBL expC5<>(SB), RODATA|NOPTR, $32

DATA expC6<>+0(SB)/8, $0x3f56c16c187fbe02
DATA expC6<>+8(SB)/8, $0x3f56c16c187fbe02
DATA expC6<>+16(SB)/8, $0x3f56c16c187fbe02
DATA expC6<>+24(SB)/8, $0x3f56c16c187fbe02
GLOBL expC6<>(SB), RODATA|NOPTR, $32

DATA expC7<>+0(SB)/8, $0x3f2a01a01b14378f
DATA expC7<>+8(SB)/8, $0x3f2a01a01b14378f
DATA expC7<>+16(SB)/8, $0x3f2a01a01b14378f
DATA expC7<>+24(SB)/8, $0x3f2a01a01b14378f
GLOBL expC7<>(SB), RODATA|NOPTR, $32

DATA expC8<>+0(SB)/8, $0x3efa01991ac8730a
DATA expC8<>+8(SB)/8, $0x3efa01991ac8730a
DATA expC8<>+16(SB)/8, $0x3efa01991ac8730a
DATA expC8<>+24(SB)/8, $0x3efa01991ac8730a
GLOBL expC8<>(SB), RODATA|NOPTR, $32

DATA expC9<>+0(SB)/8, $0x3ec71ddf5749d126
DATA expC9<>+8(SB)/8, $0x3ec71ddf5749d126
DATA expC9<>+16(SB)/8, $0x3ec71ddf5749d126
DATA expC9<>+24(SB)/8, $0x3ec71ddf5749d126
GLOBL expC9<>(SB), RODATA|NOPTR, $32

DATA expC10<>+0(SB)/8, $0x3e928b4057f44145
DATA expC10<>+8(SB)/8, $0x3e928b4057f44145
DATA expC10<>+16(SB)/8, $0x3e928b4057f44145
DATA expC10<>+24(SB)/8, $0x3e928b4057f44145
GLOBL expC10<>(SB), RODATA|NOPTR, $32

DATA expC11<>+0(SB)/8, $0x3e5af631d0059bec
DATA expC11<>+8(SB)/8, $0x3e5af631d0059bec
DATA expC11<>+16(SB)/8, $0x3e5af631d0059bec
DATA expC11<>+24(SB)/8, $0x3e5af631d0059bec
GLOBL expC11<>(SB), RODATA|NOPTR, $32

DATA expOne<>+0(SB)/8, $0x3ff0000000000000
DATA expOne<>+8(SB)/8, $0x3ff0000000000000
DATA expOne<>+16(SB)/8, $0x3ff0000000000000
DATA expOne<>+24(SB)/8, $0x3ff0000000000000
GLOBL expOne<>(SB), RODATA|NOPTR, $32
DATA expHi<>+0(SB)/8, $0x4086300000000000
DATA expHi<>+8(SB)/8, $0x4086300000000000
DATA expHi<>+16(SB)/8, $0x4086300000000000
DATA expHi<>+24(SB)/8, $0x4086300000000000
GLOBL expHi<>(SB), RODATA|NOPTR, $32

DATA expLo<>+0(SB)/8, $0xc087500000000000
DATA expLo<>+8(SB)/8, $0xc087500000000000
DATA expLo<>+16(SB)/8, $0xc087500000000000
DATA expLo<>+24(SB)/8, $0xc087500000000000
GLOBL expLo<>(SB), RODATA|NOPTR, $32


DATA expAbs<>+0(SB)/8, $0x7fffffffffffffff
DATA expAbs<>+8(SB)/8, $0x7fffffffffffffff
DATA expAbs<>+16(SB)/8, $0x7fffffffffffffff
DATA expAbs<>+24(SB)/8, $0x7fffffffffffffff
GLOBL expAbs<>(SB), RODATA|NOPTR, $32

DATA expFast<>+0(SB)/8, $0x4086200000000000
DATA expFast<>+8(SB)/8, $0x4086200000000000
DATA expFast<>+16(SB)/8, $0x4086200000000000
DATA expFast<>+24(SB)/8, $0x4086200000000000
GLOBL expFast<>(SB), RODATA|NOPTR, $32

