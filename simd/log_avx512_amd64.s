//go:build !purego

#include "textflag.h"

// func logAVX512(dst, x *float64, n int)
// n is a positive multiple of 8. log_amd64.s's logAVX2 on ZMM registers,
// eight values at a time, each through the same operations in the same
// order (the blends become masked operations on the lanes they select), so
// the results equal avx2's bit for bit. Constants in Z11…Z31: mantissa
// mask, 1, the exponent bits and bias, √2, ½, 2, L1…L7, ln2lo, ln2hi, +Inf,
// NaN, −Inf, 2⁻¹⁰²², 2⁵².
TEXT ·logAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD log5Mant<>(SB), Z11
	VBROADCASTSD log5One<>(SB), Z12
	VBROADCASTSD log5ExpBits<>(SB), Z13
	VBROADCASTSD log5ExpBias<>(SB), Z14
	VBROADCASTSD log5Sqrt2<>(SB), Z15
	VBROADCASTSD log5Half<>(SB), Z16
	VBROADCASTSD log5Two<>(SB), Z17
	VBROADCASTSD log5L1<>(SB), Z18
	VBROADCASTSD log5L2<>(SB), Z19
	VBROADCASTSD log5L3<>(SB), Z20
	VBROADCASTSD log5L4<>(SB), Z21
	VBROADCASTSD log5L5<>(SB), Z22
	VBROADCASTSD log5L6<>(SB), Z23
	VBROADCASTSD log5L7<>(SB), Z24
	VBROADCASTSD log5Ln2Lo<>(SB), Z25
	VBROADCASTSD log5Ln2Hi<>(SB), Z26
	VBROADCASTSD log5Inf<>(SB), Z27
	VBROADCASTSD log5NaN<>(SB), Z28
	VBROADCASTSD log5NegInf<>(SB), Z29
	VBROADCASTSD log5Small<>(SB), Z30
	VBROADCASTSD log5Scale<>(SB), Z31

loop:
	VMOVUPD      (SI), Z0             // x
	VCMPPD       $1, Z30, Z0, K1      // x < 2⁻¹⁰²² (subnormal, zero or negative)
	VMOVAPD      Z0, Z2
	VMULPD       Z31, Z0, K1, Z2      // xs = x·2⁵² there
	VPXORQ       Z1, Z1, Z1
	VBROADCASTSD log5C52<>(SB), K1, Z1 // 52 there, else 0
	VPSRLQ       $52, Z2, Z3          // biased exponent
	VPORQ        Z13, Z3, Z3          // 2⁵² + exponent, as a double
	VSUBPD       Z14, Z3, Z3          // k = exponent − 1023
	VSUBPD       Z1, Z3, Z3           // k −= 52 where scaled
	VANDPD       Z11, Z2, Z4
	VORPD        Z12, Z4, Z4          // m in [1, 2)
	VCMPPD       $13, Z15, Z4, K2     // m ≥ √2
	VMULPD       Z16, Z4, K2, Z4      // m /= 2 there
	VADDPD       Z12, Z3, K2, Z3      // and k++
	VSUBPD       Z12, Z4, Z4          // f = m − 1
	VADDPD       Z17, Z4, Z5          // 2 + f
	VDIVPD       Z5, Z4, Z5           // s = f/(2+f)
	VMULPD       Z5, Z5, Z6           // s2
	VMULPD       Z6, Z6, Z7           // s4
	VMULPD       Z24, Z7, Z8          // t1 = s2·(L1 + s4·(L3 + s4·(L5 + s4·L7)))
	VADDPD       Z22, Z8, Z8
	VMULPD       Z7, Z8, Z8
	VADDPD       Z20, Z8, Z8
	VMULPD       Z7, Z8, Z8
	VADDPD       Z18, Z8, Z8
	VMULPD       Z6, Z8, Z8
	VMULPD       Z23, Z7, Z9          // t2 = s4·(L2 + s4·(L4 + s4·L6))
	VADDPD       Z21, Z9, Z9
	VMULPD       Z7, Z9, Z9
	VADDPD       Z19, Z9, Z9
	VMULPD       Z7, Z9, Z9
	VADDPD       Z9, Z8, Z8           // R = t1 + t2
	VMULPD       Z16, Z4, Z9
	VMULPD       Z4, Z9, Z9           // hfsq = 0.5·f·f
	VADDPD       Z8, Z9, Z8           // hfsq + R
	VMULPD       Z8, Z5, Z8           // s·(hfsq + R)
	VMULPD       Z25, Z3, Z10         // k·ln2lo
	VADDPD       Z10, Z8, Z8          // s·(hfsq + R) + k·ln2lo
	VSUBPD       Z8, Z9, Z8           // hfsq − (…)
	VSUBPD       Z4, Z8, Z8           // (…) − f
	VMULPD       Z26, Z3, Z10         // k·ln2hi
	VSUBPD       Z8, Z10, Z8          // log x
	VCMPPD       $0, Z27, Z0, K1      // x = +Inf
	VCMPPD       $3, Z0, Z0, K2       // x is NaN
	KORB         K1, K2, K1
	VMOVAPD      Z0, K1, Z8           // then x
	VPXORQ       Z2, Z2, Z2
	VCMPPD       $1, Z2, Z0, K1       // x < 0
	VMOVAPD      Z28, K1, Z8          // then NaN
	VCMPPD       $0, Z2, Z0, K1       // x = ±0
	VMOVAPD      Z29, K1, Z8          // then −Inf
	VMOVUPD      Z8, (DI)
	ADDQ         $64, SI
	ADDQ         $64, DI
	SUBQ         $8, CX
	JNZ          loop
	VZEROUPPER
	RET

DATA log5Mant<>+0(SB)/8, $0x000fffffffffffff
GLOBL log5Mant<>(SB), RODATA|NOPTR, $8

DATA log5One<>+0(SB)/8, $0x3ff0000000000000
GLOBL log5One<>(SB), RODATA|NOPTR, $8

DATA log5ExpBits<>+0(SB)/8, $0x4330000000000000
GLOBL log5ExpBits<>(SB), RODATA|NOPTR, $8

DATA log5ExpBias<>+0(SB)/8, $0x43300000000003ff
GLOBL log5ExpBias<>(SB), RODATA|NOPTR, $8

DATA log5Sqrt2<>+0(SB)/8, $0x3ff6a09e667f3bcd
GLOBL log5Sqrt2<>(SB), RODATA|NOPTR, $8

DATA log5Half<>+0(SB)/8, $0x3fe0000000000000
GLOBL log5Half<>(SB), RODATA|NOPTR, $8

DATA log5Two<>+0(SB)/8, $0x4000000000000000
GLOBL log5Two<>(SB), RODATA|NOPTR, $8

DATA log5L1<>+0(SB)/8, $0x3fe5555555555593
GLOBL log5L1<>(SB), RODATA|NOPTR, $8

DATA log5L2<>+0(SB)/8, $0x3fd999999997fa04
GLOBL log5L2<>(SB), RODATA|NOPTR, $8

DATA log5L3<>+0(SB)/8, $0x3fd2492494229359
GLOBL log5L3<>(SB), RODATA|NOPTR, $8

DATA log5L4<>+0(SB)/8, $0x3fcc71c51d8e78af
GLOBL log5L4<>(SB), RODATA|NOPTR, $8

DATA log5L5<>+0(SB)/8, $0x3fc7466496cb03de
GLOBL log5L5<>(SB), RODATA|NOPTR, $8

DATA log5L6<>+0(SB)/8, $0x3fc39a09d078c69f
GLOBL log5L6<>(SB), RODATA|NOPTR, $8

DATA log5L7<>+0(SB)/8, $0x3fc2f112df3e5244
GLOBL log5L7<>(SB), RODATA|NOPTR, $8

DATA log5Ln2Lo<>+0(SB)/8, $0x3dea39ef35793c76
GLOBL log5Ln2Lo<>(SB), RODATA|NOPTR, $8

DATA log5Ln2Hi<>+0(SB)/8, $0x3fe62e42fee00000
GLOBL log5Ln2Hi<>(SB), RODATA|NOPTR, $8

DATA log5Inf<>+0(SB)/8, $0x7ff0000000000000
GLOBL log5Inf<>(SB), RODATA|NOPTR, $8

DATA log5NaN<>+0(SB)/8, $0x7ff8000000000001
GLOBL log5NaN<>(SB), RODATA|NOPTR, $8

DATA log5NegInf<>+0(SB)/8, $0xfff0000000000000
GLOBL log5NegInf<>(SB), RODATA|NOPTR, $8

DATA log5Small<>+0(SB)/8, $0x0010000000000000
GLOBL log5Small<>(SB), RODATA|NOPTR, $8

DATA log5Scale<>+0(SB)/8, $0x4330000000000000
GLOBL log5Scale<>(SB), RODATA|NOPTR, $8

DATA log5C52<>+0(SB)/8, $0x404a000000000000
GLOBL log5C52<>(SB), RODATA|NOPTR, $8

