//go:build !purego

#include "textflag.h"

// DRAW advances t (Z29) by γ (Z3) and sets Z11 to the draw's value and
// K4 to the lanes where it is on the fast path. Z4–Z10 are scratch.
#define DRAW \
	VPADDQ  Z3, Z29, Z29 \
	VPSRLQ  $30, Z29, Z5 \
	VPXORQ  Z5, Z29, Z4 \
	VPMULLQ Z24, Z4, Z4 \
	VPSRLQ  $27, Z4, Z5 \
	VPXORQ  Z5, Z4, Z4 \
	VPMULLQ Z25, Z4, Z4 \
	VPSRLQ  $31, Z4, Z5 \
	VPXORQ  Z5, Z4, Z4 \
	VPANDQ  Z26, Z4, Z6 \
	VPSRAQ  $11, Z4, Z7 \
	VPABSQ  Z7, Z8 \
	KXNORB  K2, K2, K2 \
	VPGATHERQQ (R8)(Z6*8), K2, Z9 \
	KXNORB  K3, K3, K3 \
	VGATHERQPD (R9)(Z6*8), K3, Z10 \
	VPCMPUQ $1, Z9, Z8, K4 \
	VCVTQQ2PD Z7, Z11 \
	VMULPD  Z10, Z11, Z11

// func fillNormRows8(st *Stream, dst *float64, cnt, slow *uint8, d, groups int)
//
// Eight streams in the lanes of ZMM registers: per round, t = s + j·γ,
// u = mix(t) (splitmix64's finalizer), layer i = u & 255, signed
// k = u >> 11 (arithmetic), and the fast-path test |k| < zigK[i]; the value
// k·zigW[i] is Norm's, scattered to its stream's row. K1 holds the lanes
// still on the fast path, whose draws are counted; the rounds do not wait
// on the tests (t advances by γ in every lane), and each stream's state
// advances by its count at the end. A stream whose γ is 0 (the zero
// Stream) takes the default γ, which is stored back with its state. Bit
// k of slow[g] is set when stream 8g+k went off the fast path (cnt < d).
TEXT ·fillNormRows8(SB), NOSPLIT, $0-48
	MOVQ st+0(FP), DI
	MOVQ dst+8(FP), SI
	MOVQ cnt+16(FP), DX
	MOVQ slow+24(FP), R12
	MOVQ d+32(FP), BX
	MOVQ groups+40(FP), CX
	LEAQ ·zigK(SB), R8
	LEAQ ·zigW(SB), R9

	VMOVDQU64    nrmIdxS<>(SB), Z20
	VMOVDQU64    nrmIdxG<>(SB), Z21
	VMOVDQU64    nrmIdxLo<>(SB), Z18
	VMOVDQU64    nrmIdxHi<>(SB), Z19
	VPBROADCASTQ nrmM1<>(SB), Z24
	VPBROADCASTQ nrmM2<>(SB), Z25
	VPBROADCASTQ nrmLayer<>(SB), Z26
	VPBROADCASTQ nrmOne<>(SB), Z27
	VPBROADCASTQ nrmGamma<>(SB), Z17
	VPBROADCASTQ BX, Z22
	VPMULLQ      nrmLanes<>(SB), Z22, Z22 // row starts 0, d, …, 7d
	MOVQ         BX, R10
	SHLQ         $6, R10                  // 8·d values per group, in bytes
	CMPQ         BX, $2
	JEQ          two

group:
	// Streams are {s, γ} pairs: split the 16 words into S and G.
	VMOVDQU64 (DI), Z0
	VMOVDQU64 64(DI), Z1
	VMOVDQA64 Z20, Z2
	VPERMI2Q  Z1, Z0, Z2 // S
	VMOVDQA64 Z21, Z3
	VPERMI2Q  Z1, Z0, Z3 // G
	VPTESTNMQ Z3, Z3, K6 // γ = 0: the default γ
	VMOVDQA64 Z17, K6, Z3
	VPXORQ    Z28, Z28, Z28 // counts
	KXNORB    K1, K1, K1    // every lane on the fast path
	VMOVDQA64 Z2, Z29       // t = s
	VMOVDQA64 Z22, Z23      // where draw j goes: row start + j
	MOVQ      BX, R11

round:
	DRAW
	KXNORB  K5, K5, K5
	VSCATTERQPD Z11, K5, (SI)(Z23*8)
	VPADDQ  Z27, Z23, Z23
	KANDB   K4, K1, K1
	VPADDQ  Z27, Z28, K1, Z28 // count the lanes still on the fast path
	DECQ    R11
	JNZ     round

	// s += count·γ; store the streams back and the counts.
	VPMULLQ   Z28, Z3, Z5
	VPADDQ    Z5, Z2, Z2
	VMOVDQA64 Z18, Z12
	VPERMI2Q  Z3, Z2, Z12
	VMOVDQU64 Z12, (DI)
	VMOVDQA64 Z19, Z13
	VPERMI2Q  Z3, Z2, Z13
	VMOVDQU64 Z13, 64(DI)
	VPMOVQB   Z28, (DX)
	KNOTB     K1, K5
	KMOVB     K5, (R12)
	ADDQ      $128, DI
	ADDQ      R10, SI
	ADDQ      $8, DX
	INCQ      R12
	DECQ      CX
	JNZ       group
	VZEROUPPER
	RET


	// d = 2: the two rounds' values interleave into the eight rows with
	// two permutations and two stores, no scatter.
two:
	VMOVDQU64 (DI), Z0
	VMOVDQU64 64(DI), Z1
	VMOVDQA64 Z20, Z2
	VPERMI2Q  Z1, Z0, Z2 // S
	VMOVDQA64 Z21, Z3
	VPERMI2Q  Z1, Z0, Z3 // G
	VPTESTNMQ Z3, Z3, K6 // γ = 0: the default γ
	VMOVDQA64 Z17, K6, Z3
	VMOVDQA64 Z2, Z29    // t = s
	DRAW
	VMOVAPD   Z11, Z16
	KMOVB     K4, K1
	DRAW
	KANDB     K4, K1, K4
	// counts: 0, 1 or 2 = [first fast] + [both fast]
	VPXORQ    Z28, Z28, Z28
	VPADDQ    Z27, Z28, K1, Z28
	VPADDQ    Z27, Z28, K4, Z28
	VMOVAPD   Z18, Z12
	VPERMI2PD Z11, Z16, Z12
	VMOVUPD   Z12, (SI)
	VMOVAPD   Z19, Z13
	VPERMI2PD Z11, Z16, Z13
	VMOVUPD   Z13, 64(SI)
	VPMULLQ   Z28, Z3, Z5
	VPADDQ    Z5, Z2, Z2
	VMOVDQA64 Z18, Z12
	VPERMI2Q  Z3, Z2, Z12
	VMOVDQU64 Z12, (DI)
	VMOVDQA64 Z19, Z13
	VPERMI2Q  Z3, Z2, Z13
	VMOVDQU64 Z13, 64(DI)
	VPMOVQB   Z28, (DX)
	KNOTB     K4, K5
	KMOVB     K5, (R12)
	ADDQ      $128, DI
	ADDQ      $128, SI
	ADDQ      $8, DX
	INCQ      R12
	DECQ      CX
	JNZ       two
	VZEROUPPER
	RET

DATA nrmIdxS<>+0(SB)/8, $0
DATA nrmIdxS<>+8(SB)/8, $2
DATA nrmIdxS<>+16(SB)/8, $4
DATA nrmIdxS<>+24(SB)/8, $6
DATA nrmIdxS<>+32(SB)/8, $8
DATA nrmIdxS<>+40(SB)/8, $10
DATA nrmIdxS<>+48(SB)/8, $12
DATA nrmIdxS<>+56(SB)/8, $14
GLOBL nrmIdxS<>(SB), RODATA|NOPTR, $64

DATA nrmIdxG<>+0(SB)/8, $1
DATA nrmIdxG<>+8(SB)/8, $3
DATA nrmIdxG<>+16(SB)/8, $5
DATA nrmIdxG<>+24(SB)/8, $7
DATA nrmIdxG<>+32(SB)/8, $9
DATA nrmIdxG<>+40(SB)/8, $11
DATA nrmIdxG<>+48(SB)/8, $13
DATA nrmIdxG<>+56(SB)/8, $15
GLOBL nrmIdxG<>(SB), RODATA|NOPTR, $64

// S in table 1 (0…7), G in table 2 (8…15): {s0 γ0 s1 γ1 s2 γ2 s3 γ3} and
// {s4 γ4 … s7 γ7}.
DATA nrmIdxLo<>+0(SB)/8, $0
DATA nrmIdxLo<>+8(SB)/8, $8
DATA nrmIdxLo<>+16(SB)/8, $1
DATA nrmIdxLo<>+24(SB)/8, $9
DATA nrmIdxLo<>+32(SB)/8, $2
DATA nrmIdxLo<>+40(SB)/8, $10
DATA nrmIdxLo<>+48(SB)/8, $3
DATA nrmIdxLo<>+56(SB)/8, $11
GLOBL nrmIdxLo<>(SB), RODATA|NOPTR, $64

DATA nrmIdxHi<>+0(SB)/8, $4
DATA nrmIdxHi<>+8(SB)/8, $12
DATA nrmIdxHi<>+16(SB)/8, $5
DATA nrmIdxHi<>+24(SB)/8, $13
DATA nrmIdxHi<>+32(SB)/8, $6
DATA nrmIdxHi<>+40(SB)/8, $14
DATA nrmIdxHi<>+48(SB)/8, $7
DATA nrmIdxHi<>+56(SB)/8, $15
GLOBL nrmIdxHi<>(SB), RODATA|NOPTR, $64

DATA nrmM1<>+0(SB)/8, $0xbf58476d1ce4e5b9
GLOBL nrmM1<>(SB), RODATA|NOPTR, $8
DATA nrmM2<>+0(SB)/8, $0x94d049bb133111eb
GLOBL nrmM2<>(SB), RODATA|NOPTR, $8
DATA nrmLayer<>+0(SB)/8, $255
GLOBL nrmLayer<>(SB), RODATA|NOPTR, $8
DATA nrmGamma<>+0(SB)/8, $0x9e3779b97f4a7c15
GLOBL nrmGamma<>(SB), RODATA|NOPTR, $8
DATA nrmOne<>+0(SB)/8, $1
GLOBL nrmOne<>(SB), RODATA|NOPTR, $8
DATA nrmLanes<>+0(SB)/8, $0
DATA nrmLanes<>+8(SB)/8, $1
DATA nrmLanes<>+16(SB)/8, $2
DATA nrmLanes<>+24(SB)/8, $3
DATA nrmLanes<>+32(SB)/8, $4
DATA nrmLanes<>+40(SB)/8, $5
DATA nrmLanes<>+48(SB)/8, $6
DATA nrmLanes<>+56(SB)/8, $7
GLOBL nrmLanes<>(SB), RODATA|NOPTR, $64
