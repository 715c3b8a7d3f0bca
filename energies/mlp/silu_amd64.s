//go:build !purego

#include "textflag.h"

// func siluRows64AVX512(z, d, bias, scale, k *float64, rows, w, ld, mode int) (done int)
//
// siluLayer's fast path, eight values per ZMM register: for each of rows
// rows (ld apart) and its first w columns (a multiple of 8), v = z + bias,
// t = e^−v as expNeg computes it (k points at siluConsts: −256/ln2, the
// shifter, ln2/256 high and low, 1/6, 1/2, 1/24, then the 256-entry table
// 2^(j/256)), s = 1/(1 + t), z = v·s, and for mode 1 and 2
// d = s·(1 + v·(1 − s)) (mode 2: times scale). Every operation is rounded
// on its own, in expNeg's and siluLayer's order, so the values are theirs
// bit for bit. A row with some |v| ≥ 708 or NaN (expNeg's math.Exp cases)
// stops the kernel before any of the row is written: done is the number of
// rows finished.
TEXT ·siluRows64AVX512(SB), NOSPLIT, $0-80
	MOVQ k+32(FP), R10
	VBROADCASTSD 0(R10), Z20  // −256/ln2
	VBROADCASTSD 8(R10), Z21  // shifter
	VBROADCASTSD 16(R10), Z22 // ln2/256 high
	VBROADCASTSD 24(R10), Z23 // ln2/256 low
	VBROADCASTSD 32(R10), Z24 // 1/6
	VBROADCASTSD 40(R10), Z25 // 1/2
	VBROADCASTSD 48(R10), Z26 // 1/24
	LEAQ         56(R10), R8  // the table
	MOVQ         $255, AX
	VPBROADCASTQ AX, Z27
	MOVQ         $0x3ff0000000000000, AX
	VPBROADCASTQ AX, Z28      // 1
	MOVQ         $0x8000000000000000, AX
	VPBROADCASTQ AX, Z29      // the sign bit
	MOVQ         $0x7fffffffffffffff, AX
	VPBROADCASTQ AX, Z30      // all but the sign bit
	MOVQ         $0x4086200000000000, AX
	VPBROADCASTQ AX, Z31      // bits of 708
	MOVQ         z+0(FP), R12
	MOVQ         d+8(FP), R13
	MOVQ         ld+56(FP), R11
	SHLQ         $3, R11
	MOVQ         mode+64(FP), AX
	XORQ         BX, BX       // rows done

row:
	CMPQ BX, rows+40(FP)
	JGE  finish
	// First pass: does the row need math.Exp anywhere?
	MOVQ R12, DI
	MOVQ bias+16(FP), DX
	MOVQ w+48(FP), CX
	SHRQ $3, CX

check:
	VMOVUPD  (DI), Z0
	VADDPD   (DX), Z0, Z0
	VPANDQ   Z30, Z0, Z1
	VPCMPUQ  $5, Z31, Z1, K2 // |v| ≥ 708 or NaN
	KORTESTB K2, K2
	JNZ      finish
	ADDQ     $64, DI
	ADDQ     $64, DX
	DECQ     CX
	JNZ      check

	// Second pass: the values.
	MOVQ R12, DI
	MOVQ R13, SI
	MOVQ bias+16(FP), DX
	MOVQ scale+24(FP), R9
	MOVQ w+48(FP), CX
	SHRQ $3, CX

loop:
	VMOVUPD      (DI), Z0
	VADDPD       (DX), Z0, Z0 // v = z + bias
	VMULPD       Z20, Z0, Z1
	VADDPD       Z21, Z1, Z1  // u = v·(−256/ln2) + shifter; k in its low bits
	VSUBPD       Z21, Z1, Z2  // k = u − shifter
	VMULPD       Z22, Z2, Z3
	VADDPD       Z3, Z0, Z3
	VPXORQ       Z29, Z3, Z3  // −(v + k·hi)
	VMULPD       Z23, Z2, Z4
	VSUBPD       Z4, Z3, Z3   // r = −(v + k·hi) − k·lo
	VMULPD       Z3, Z3, Z4   // r²
	VMULPD       Z24, Z3, Z5
	VADDPD       Z5, Z25, Z5  // 1/2 + r/6
	VMULPD       Z26, Z4, Z6
	VADDPD       Z6, Z5, Z5   // … + r²/24
	VMULPD       Z5, Z4, Z5
	VADDPD       Z5, Z3, Z5   // q = r + r²·(…)
	VPANDQ       Z27, Z1, Z6  // j = k & 255
	KXNORB       K1, K1, K1
	VGATHERQPD   (R8)(Z6*8), K1, Z7 // 2^(j/256)
	VMULPD       Z5, Z7, Z8
	VADDPD       Z8, Z7, Z8   // s + s·q
	VPSUBQ       Z6, Z1, Z9
	VPSLLQ       $44, Z9, Z9
	VPADDQ       Z9, Z8, Z8   // t = e^−v: m = (k − j)/256 added to the exponent
	VADDPD       Z8, Z28, Z10
	VDIVPD       Z10, Z28, Z10 // σ = 1/(1 + t)
	VMULPD       Z10, Z0, Z11
	VMOVUPD      Z11, (DI)     // v·σ
	CMPQ         AX, $0
	JEQ          next
	VSUBPD       Z10, Z28, Z12
	VMULPD       Z12, Z0, Z12
	VADDPD       Z12, Z28, Z12
	VMULPD       Z12, Z10, Z12 // σ·(1 + v·(1 − σ))
	CMPQ         AX, $1
	JEQ          store
	VMULPD       (R9), Z12, Z12 // ·scale
	ADDQ         $64, R9

store:
	VMOVUPD Z12, (SI)

next:
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	DECQ CX
	JNZ  loop
	ADDQ R11, R12
	ADDQ R11, R13
	INCQ BX
	JMP  row

finish:
	MOVQ BX, done+72(FP)
	VZEROUPPER
	RET
