//go:build !purego

#include "textflag.h"

// ExpExact on eight values per ZMM register: the operations of Go's
// math.Exp on amd64 with FMA (math/exp_amd64.s, its avxfma path: the
// reduction by k·ln 2 in two parts, a degree-8 Taylor polynomial of r/16,
// four squarings of the form y·(y + 2), and the scaling by 2^k), lane by
// lane in the same order, so each lane gets math.Exp's bits. Its special
// cases (NaN, ±Inf, overflow, the subnormal results' two-step scaling and
// underflow) are computed for every lane and blended by masks.

DATA eeAbs<>+0(SB)/8, $0x7fffffffffffffff
GLOBL eeAbs<>(SB), RODATA|NOPTR, $8
DATA eePosInf<>+0(SB)/8, $0x7ff0000000000000
GLOBL eePosInf<>(SB), RODATA|NOPTR, $8
DATA eeNegInf<>+0(SB)/8, $0xfff0000000000000
GLOBL eeNegInf<>(SB), RODATA|NOPTR, $8
DATA eeOverflow<>+0(SB)/8, $0x40862e42fefa39ef
GLOBL eeOverflow<>(SB), RODATA|NOPTR, $8
DATA eeLog2e<>+0(SB)/8, $0x3ff71547652b82fe
GLOBL eeLog2e<>(SB), RODATA|NOPTR, $8
DATA eeLn2U<>+0(SB)/8, $0x3fe62e42fefa3000
GLOBL eeLn2U<>(SB), RODATA|NOPTR, $8
DATA eeLn2L<>+0(SB)/8, $0x3d53de6af278ece6
GLOBL eeLn2L<>(SB), RODATA|NOPTR, $8
DATA eeSixteenth<>+0(SB)/8, $0x3fb0000000000000
GLOBL eeSixteenth<>(SB), RODATA|NOPTR, $8
DATA eeC8<>+0(SB)/8, $0x3efa01a01a01a01a
GLOBL eeC8<>(SB), RODATA|NOPTR, $8
DATA eeC7<>+0(SB)/8, $0x3f2a01a01a01a01a
GLOBL eeC7<>(SB), RODATA|NOPTR, $8
DATA eeC6<>+0(SB)/8, $0x3f56c16c16c16c17
GLOBL eeC6<>(SB), RODATA|NOPTR, $8
DATA eeC5<>+0(SB)/8, $0x3f81111111111111
GLOBL eeC5<>(SB), RODATA|NOPTR, $8
DATA eeC4<>+0(SB)/8, $0x3fa5555555555555
GLOBL eeC4<>(SB), RODATA|NOPTR, $8
DATA eeC3<>+0(SB)/8, $0x3fc5555555555555
GLOBL eeC3<>(SB), RODATA|NOPTR, $8
DATA eeHalf<>+0(SB)/8, $0x3fe0000000000000
GLOBL eeHalf<>(SB), RODATA|NOPTR, $8
DATA eeOne<>+0(SB)/8, $0x3ff0000000000000
GLOBL eeOne<>(SB), RODATA|NOPTR, $8
DATA eeTwo<>+0(SB)/8, $0x4000000000000000
GLOBL eeTwo<>(SB), RODATA|NOPTR, $8
DATA eeTiny<>+0(SB)/8, $0x0010000000000000 // 2^-1022
GLOBL eeTiny<>(SB), RODATA|NOPTR, $8
DATA eeBias<>+0(SB)/4, $0x3ff
GLOBL eeBias<>(SB), RODATA|NOPTR, $4
DATA eeBiasM1<>+0(SB)/8, $0x3fe
GLOBL eeBiasM1<>(SB), RODATA|NOPTR, $8
DATA eeMaxE<>+0(SB)/4, $0x7ff
GLOBL eeMaxE<>(SB), RODATA|NOPTR, $4
DATA eeMinE<>+0(SB)/4, $-52
GLOBL eeMinE<>(SB), RODATA|NOPTR, $4

// EEBODY computes exp of Z0 into Z1. Z10 is zero; Z2–Z9 and K1–K6 are
// scratch.
#define EEBODY \
	VPANDQ.BCST    eeAbs<>(SB), Z0, Z1 \
	VPCMPUQ.BCST   $5, eePosInf<>(SB), Z1, K1 \
	VPCMPEQQ.BCST  eeNegInf<>(SB), Z0, K2 \
	VCMPPD.BCST    $0x1e, eeOverflow<>(SB), Z0, K3 \
	VMULPD.BCST    eeLog2e<>(SB), Z0, Z1 \
	VCVTPD2DQ      Z1, Y2 \
	VCVTDQ2PD      Y2, Z1                        \
	VMOVAPD        Z0, Z3                        \
	VFNMADD231PD.BCST eeLn2U<>(SB), Z1, Z3 \
	VFNMADD231PD.BCST eeLn2L<>(SB), Z1, Z3 \
	VMULPD.BCST    eeSixteenth<>(SB), Z3, Z3 \
	VBROADCASTSD   eeC8<>(SB), Z4                \
	VFMADD213PD.BCST eeC7<>(SB), Z3, Z4          \
	VFMADD213PD.BCST eeC6<>(SB), Z3, Z4          \
	VFMADD213PD.BCST eeC5<>(SB), Z3, Z4          \
	VFMADD213PD.BCST eeC4<>(SB), Z3, Z4          \
	VFMADD213PD.BCST eeC3<>(SB), Z3, Z4          \
	VFMADD213PD.BCST eeHalf<>(SB), Z3, Z4        \
	VFMADD213PD.BCST eeOne<>(SB), Z3, Z4         \
	VMULPD         Z4, Z3, Z3                    \
	VADDPD.BCST    eeTwo<>(SB), Z3, Z4           \
	VMULPD         Z4, Z3, Z3                    \
	VADDPD.BCST    eeTwo<>(SB), Z3, Z4           \
	VMULPD         Z4, Z3, Z3                    \
	VADDPD.BCST    eeTwo<>(SB), Z3, Z4           \
	VMULPD         Z4, Z3, Z3                    \
	VADDPD.BCST    eeTwo<>(SB), Z3, Z4           \
	VFMADD213PD.BCST eeOne<>(SB), Z4, Z3 \
	VPADDD.BCST    eeBias<>(SB), Y2, Y5 \
	VPCMPD         $6, Y10, Y5, K4 \
	VPCMPD.BCST    $1, eeMaxE<>(SB), Y5, K5 \
	VPCMPD.BCST    $5, eeMinE<>(SB), Y5, K6 \
	VPMOVSXDQ      Y5, Z6                        \
	VPSLLQ         $52, Z6, Z7                   \
	VMULPD         Z7, Z3, Z8 \
	VPADDQ.BCST    eeBiasM1<>(SB), Z6, Z7        \
	VPSLLQ         $52, Z7, Z7                   \
	VMULPD         Z7, Z3, Z9                    \
	VMULPD.BCST    eeTiny<>(SB), Z9, Z9 \
	VMOVAPD        Z10, Z1 \
	KANDNB         K6, K4, K6 \
	VMOVAPD        Z9, K6, Z1                    \
	KANDB          K5, K4, K6 \
	VMOVAPD        Z8, K6, Z1                    \
	KANDNB         K4, K5, K6 \
	KORB           K3, K6, K6 \
	VBROADCASTSD   eePosInf<>(SB), K6, Z1        \
	KANDNB         K1, K2, K2 \
	VMOVAPD        Z0, K2, Z1                    \
	VPCMPEQQ.BCST  eeNegInf<>(SB), Z0, K2        \
	VMOVAPD        Z10, K2, Z1

// func expExactAVX512(dst, x *float64, n int)
TEXT ·expExactAVX512(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	VPXORQ Z10, Z10, Z10

eeloop:
	CMPQ    CX, $8
	JLT     eetail
	VMOVUPD (SI), Z0
	EEBODY
	VMOVUPD Z1, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $8, CX
	JMP     eeloop

eetail:
	TESTQ     CX, CX
	JZ        eedone
	MOVQ      $1, AX
	SHLQ      CX, AX
	DECQ      AX
	KMOVB     AX, K7
	VMOVUPD.Z (SI), K7, Z0
	EEBODY
	VMOVUPD   Z1, K7, (DI)

eedone:
	VZEROUPPER
	RET
