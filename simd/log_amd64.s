//go:build !purego

#include "textflag.h"

// func logAVX2(dst, x *float64, n int)
// n is a positive multiple of 4. Per vector of four x (Go's math.Log,
// fdlibm's algorithm, lane by lane):
//   - subnormal x > 0 are scaled by 2⁵² (k then lowered by 52);
//   - k = exponent of x, m = mantissa in [1, 2); if m ≥ √2, m /= 2 and k++;
//   - f = m − 1, s = f/(2+f), R = s²(L1 + s⁴(L3 + s⁴(L5 + s⁴L7)))
//     + s⁴(L2 + s⁴(L4 + s⁴L6)), hfsq = ½f·f,
//     log x = k·ln2hi − ((hfsq − (s(hfsq + R) + k·ln2lo)) − f);
//   - then x = +Inf or NaN gives x, x < 0 gives NaN, x = ±0 gives −Inf.
TEXT ·logAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX

loop:
	VMOVUPD (SI), Y0                    // x
	VCMPPD  $1, logSmall<>(SB), Y0, Y1  // x < 2⁻¹⁰²² (subnormal, zero or negative)
	VMULPD  logScale<>(SB), Y0, Y2
	VBLENDVPD Y1, Y2, Y0, Y2            // xs = x·2⁵² where small
	VANDPD  log52<>(SB), Y1, Y1         // 52 where small, else 0
	VPSRLQ  $52, Y2, Y3                 // biased exponent (sign bit is 0 for x ≥ 0)
	VPOR    logExpBits<>(SB), Y3, Y3    // 2⁵² + exponent, as a double
	VSUBPD  logExpBias<>(SB), Y3, Y3    // k = exponent − 1023
	VSUBPD  Y1, Y3, Y3                  // k −= 52 where scaled
	VANDPD  logMant<>(SB), Y2, Y4
	VORPD   logOneBits<>(SB), Y4, Y4    // m in [1, 2)
	VCMPPD  $13, logSqrt2<>(SB), Y4, Y5 // m ≥ √2
	VMULPD  logHalf<>(SB), Y4, Y6
	VBLENDVPD Y5, Y6, Y4, Y4            // m /= 2 there
	VANDPD  logOne<>(SB), Y5, Y5
	VADDPD  Y5, Y3, Y3                  // and k++
	VSUBPD  logOne<>(SB), Y4, Y4        // f = m − 1
	VADDPD  logTwo<>(SB), Y4, Y5        // 2 + f
	VDIVPD  Y5, Y4, Y5                  // s = f/(2+f)
	VMULPD  Y5, Y5, Y6                  // s2
	VMULPD  Y6, Y6, Y7                  // s4
	VMULPD  logL7<>(SB), Y7, Y8         // t1 = s2·(L1 + s4·(L3 + s4·(L5 + s4·L7)))
	VADDPD  logL5<>(SB), Y8, Y8
	VMULPD  Y7, Y8, Y8
	VADDPD  logL3<>(SB), Y8, Y8
	VMULPD  Y7, Y8, Y8
	VADDPD  logL1<>(SB), Y8, Y8
	VMULPD  Y6, Y8, Y8
	VMULPD  logL6<>(SB), Y7, Y9         // t2 = s4·(L2 + s4·(L4 + s4·L6))
	VADDPD  logL4<>(SB), Y9, Y9
	VMULPD  Y7, Y9, Y9
	VADDPD  logL2<>(SB), Y9, Y9
	VMULPD  Y7, Y9, Y9
	VADDPD  Y9, Y8, Y8                  // R = t1 + t2
	VMULPD  logHalf<>(SB), Y4, Y9
	VMULPD  Y4, Y9, Y9                  // hfsq = 0.5·f·f
	VADDPD  Y8, Y9, Y8                  // hfsq + R
	VMULPD  Y8, Y5, Y8                  // s·(hfsq + R)
	VMULPD  logLn2Lo<>(SB), Y3, Y10     // k·ln2lo
	VADDPD  Y10, Y8, Y8                 // s·(hfsq + R) + k·ln2lo
	VSUBPD  Y8, Y9, Y8                  // hfsq − (…)
	VSUBPD  Y4, Y8, Y8                  // (…) − f
	VMULPD  logLn2Hi<>(SB), Y3, Y10     // k·ln2hi
	VSUBPD  Y8, Y10, Y8                 // log x
	VCMPPD  $0, logInf<>(SB), Y0, Y1    // x = +Inf
	VCMPPD  $3, Y0, Y0, Y2              // x is NaN
	VORPD   Y2, Y1, Y1
	VBLENDVPD Y1, Y0, Y8, Y8            // then x
	VXORPD  Y2, Y2, Y2
	VCMPPD  $1, Y2, Y0, Y1              // x < 0
	VBLENDVPD Y1, logNaN<>(SB), Y8, Y8  // then NaN
	VCMPPD  $0, Y2, Y0, Y1              // x = ±0
	VBLENDVPD Y1, logNegInf<>(SB), Y8, Y8 // then −Inf
	VMOVUPD Y8, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	JNZ     loop
	VZEROUPPER
	RET

DATA logMant<>+0(SB)/8, $0x000fffffffffffff
DATA logMant<>+8(SB)/8, $0x000fffffffffffff
DATA logMant<>+16(SB)/8, $0x000fffffffffffff
DATA logMant<>+24(SB)/8, $0x000fffffffffffff
GLOBL logMant<>(SB), RODATA|NOPTR, $32

DATA logOneBits<>+0(SB)/8, $0x3ff0000000000000
DATA logOneBits<>+8(SB)/8, $0x3ff0000000000000
DATA logOneBits<>+16(SB)/8, $0x3ff0000000000000
DATA logOneBits<>+24(SB)/8, $0x3ff0000000000000
GLOBL logOneBits<>(SB), RODATA|NOPTR, $32

DATA logExpBits<>+0(SB)/8, $0x4330000000000000
DATA logExpBits<>+8(SB)/8, $0x4330000000000000
DATA logExpBits<>+16(SB)/8, $0x4330000000000000
DATA logExpBits<>+24(SB)/8, $0x4330000000000000
GLOBL logExpBits<>(SB), RODATA|NOPTR, $32

DATA logExpBias<>+0(SB)/8, $0x43300000000003ff
DATA logExpBias<>+8(SB)/8, $0x43300000000003ff
DATA logExpBias<>+16(SB)/8, $0x43300000000003ff
DATA logExpBias<>+24(SB)/8, $0x43300000000003ff
GLOBL logExpBias<>(SB), RODATA|NOPTR, $32

DATA logSqrt2<>+0(SB)/8, $0x3ff6a09e667f3bcd
DATA logSqrt2<>+8(SB)/8, $0x3ff6a09e667f3bcd
DATA logSqrt2<>+16(SB)/8, $0x3ff6a09e667f3bcd
DATA logSqrt2<>+24(SB)/8, $0x3ff6a09e667f3bcd
GLOBL logSqrt2<>(SB), RODATA|NOPTR, $32

DATA logHalf<>+0(SB)/8, $0x3fe0000000000000
DATA logHalf<>+8(SB)/8, $0x3fe0000000000000
DATA logHalf<>+16(SB)/8, $0x3fe0000000000000
DATA logHalf<>+24(SB)/8, $0x3fe0000000000000
GLOBL logHalf<>(SB), RODATA|NOPTR, $32

DATA logOne<>+0(SB)/8, $0x3ff0000000000000
DATA logOne<>+8(SB)/8, $0x3ff0000000000000
DATA logOne<>+16(SB)/8, $0x3ff0000000000000
DATA logOne<>+24(SB)/8, $0x3ff0000000000000
GLOBL logOne<>(SB), RODATA|NOPTR, $32

DATA logTwo<>+0(SB)/8, $0x4000000000000000
DATA logTwo<>+8(SB)/8, $0x4000000000000000
DATA logTwo<>+16(SB)/8, $0x4000000000000000
DATA logTwo<>+24(SB)/8, $0x4000000000000000
GLOBL logTwo<>(SB), RODATA|NOPTR, $32

DATA logSmall<>+0(SB)/8, $0x0010000000000000
DATA logSmall<>+8(SB)/8, $0x0010000000000000
DATA logSmall<>+16(SB)/8, $0x0010000000000000
DATA logSmall<>+24(SB)/8, $0x0010000000000000
GLOBL logSmall<>(SB), RODATA|NOPTR, $32

DATA logScale<>+0(SB)/8, $0x4330000000000000
DATA logScale<>+8(SB)/8, $0x4330000000000000
DATA logScale<>+16(SB)/8, $0x4330000000000000
DATA logScale<>+24(SB)/8, $0x4330000000000000
GLOBL logScale<>(SB), RODATA|NOPTR, $32

DATA log52<>+0(SB)/8, $0x404a000000000000
DATA log52<>+8(SB)/8, $0x404a000000000000
DATA log52<>+16(SB)/8, $0x404a000000000000
DATA log52<>+24(SB)/8, $0x404a000000000000
GLOBL log52<>(SB), RODATA|NOPTR, $32

DATA logInf<>+0(SB)/8, $0x7ff0000000000000
DATA logInf<>+8(SB)/8, $0x7ff0000000000000
DATA logInf<>+16(SB)/8, $0x7ff0000000000000
DATA logInf<>+24(SB)/8, $0x7ff0000000000000
GLOBL logInf<>(SB), RODATA|NOPTR, $32

DATA logNegInf<>+0(SB)/8, $0xfff0000000000000
DATA logNegInf<>+8(SB)/8, $0xfff0000000000000
DATA logNegInf<>+16(SB)/8, $0xfff0000000000000
DATA logNegInf<>+24(SB)/8, $0xfff0000000000000
GLOBL logNegInf<>(SB), RODATA|NOPTR, $32

DATA logNaN<>+0(SB)/8, $0x7ff8000000000001
DATA logNaN<>+8(SB)/8, $0x7ff8000000000001
DATA logNaN<>+16(SB)/8, $0x7ff8000000000001
DATA logNaN<>+24(SB)/8, $0x7ff8000000000001
GLOBL logNaN<>(SB), RODATA|NOPTR, $32

DATA logLn2Hi<>+0(SB)/8, $0x3fe62e42fee00000
DATA logLn2Hi<>+8(SB)/8, $0x3fe62e42fee00000
DATA logLn2Hi<>+16(SB)/8, $0x3fe62e42fee00000
DATA logLn2Hi<>+24(SB)/8, $0x3fe62e42fee00000
GLOBL logLn2Hi<>(SB), RODATA|NOPTR, $32

DATA logLn2Lo<>+0(SB)/8, $0x3dea39ef35793c76
DATA logLn2Lo<>+8(SB)/8, $0x3dea39ef35793c76
DATA logLn2Lo<>+16(SB)/8, $0x3dea39ef35793c76
DATA logLn2Lo<>+24(SB)/8, $0x3dea39ef35793c76
GLOBL logLn2Lo<>(SB), RODATA|NOPTR, $32

DATA logL1<>+0(SB)/8, $0x3fe5555555555593
DATA logL1<>+8(SB)/8, $0x3fe5555555555593
DATA logL1<>+16(SB)/8, $0x3fe5555555555593
DATA logL1<>+24(SB)/8, $0x3fe5555555555593
GLOBL logL1<>(SB), RODATA|NOPTR, $32

DATA logL2<>+0(SB)/8, $0x3fd999999997fa04
DATA logL2<>+8(SB)/8, $0x3fd999999997fa04
DATA logL2<>+16(SB)/8, $0x3fd999999997fa04
DATA logL2<>+24(SB)/8, $0x3fd999999997fa04
GLOBL logL2<>(SB), RODATA|NOPTR, $32

DATA logL3<>+0(SB)/8, $0x3fd2492494229359
DATA logL3<>+8(SB)/8, $0x3fd2492494229359
DATA logL3<>+16(SB)/8, $0x3fd2492494229359
DATA logL3<>+24(SB)/8, $0x3fd2492494229359
GLOBL logL3<>(SB), RODATA|NOPTR, $32

DATA logL4<>+0(SB)/8, $0x3fcc71c51d8e78af
DATA logL4<>+8(SB)/8, $0x3fcc71c51d8e78af
DATA logL4<>+16(SB)/8, $0x3fcc71c51d8e78af
DATA logL4<>+24(SB)/8, $0x3fcc71c51d8e78af
GLOBL logL4<>(SB), RODATA|NOPTR, $32

DATA logL5<>+0(SB)/8, $0x3fc7466496cb03de
DATA logL5<>+8(SB)/8, $0x3fc7466496cb03de
DATA logL5<>+16(SB)/8, $0x3fc7466496cb03de
DATA logL5<>+24(SB)/8, $0x3fc7466496cb03de
GLOBL logL5<>(SB), RODATA|NOPTR, $32

DATA logL6<>+0(SB)/8, $0x3fc39a09d078c69f
DATA logL6<>+8(SB)/8, $0x3fc39a09d078c69f
DATA logL6<>+16(SB)/8, $0x3fc39a09d078c69f
DATA logL6<>+24(SB)/8, $0x3fc39a09d078c69f
GLOBL logL6<>(SB), RODATA|NOPTR, $32

DATA logL7<>+0(SB)/8, $0x3fc2f112df3e5244
DATA logL7<>+8(SB)/8, $0x3fc2f112df3e5244
DATA logL7<>+16(SB)/8, $0x3fc2f112df3e5244
DATA logL7<>+24(SB)/8, $0x3fc2f112df3e5244
GLOBL logL7<>(SB), RODATA|NOPTR, $32

