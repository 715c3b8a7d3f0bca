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

// func siluRows64AVX2(z, d, bias, scale, k *float64, rows, w, ld, mode int) (done int)
//
// siluRows64AVX512 with four values per YMM register, for simd's avx2; k
// points at siluConsts4 (each constant four times, then the table), read
// as memory operands: sixteen registers hold the rest.
TEXT ·siluRows64AVX2(SB), NOSPLIT, $0-80
	MOVQ k+32(FP), R10
	LEAQ 384(R10), R8 // the table, after twelve constants of 32 bytes
	MOVQ z+0(FP), R12
	MOVQ d+8(FP), R13
	MOVQ ld+56(FP), R11
	SHLQ $3, R11
	MOVQ mode+64(FP), AX
	XORQ BX, BX

row2:
	CMPQ BX, rows+40(FP)
	JGE  finish2
	MOVQ R12, DI
	MOVQ bias+16(FP), DX
	MOVQ w+48(FP), CX
	SHRQ $2, CX

check2:
	VMOVUPD   (DI), Y0
	VADDPD    (DX), Y0, Y0
	VPAND     320(R10), Y0, Y1   // |v| as bits
	VPCMPGTQ  352(R10), Y1, Y2   // > bits of 708, less one: |v| ≥ 708 or NaN
	VMOVMSKPD Y2, R14
	TESTQ     R14, R14
	JNZ       finish2
	ADDQ      $32, DI
	ADDQ      $32, DX
	DECQ      CX
	JNZ       check2

	MOVQ R12, DI
	MOVQ R13, SI
	MOVQ bias+16(FP), DX
	MOVQ scale+24(FP), R9
	MOVQ w+48(FP), CX
	SHRQ $2, CX

loop2:
	VMOVUPD    (DI), Y0
	VADDPD     (DX), Y0, Y0
	VMULPD     0(R10), Y0, Y1
	VADDPD     32(R10), Y1, Y1
	VSUBPD     32(R10), Y1, Y2
	VMULPD     64(R10), Y2, Y3
	VADDPD     Y3, Y0, Y3
	VXORPD     288(R10), Y3, Y3
	VMULPD     96(R10), Y2, Y4
	VSUBPD     Y4, Y3, Y3
	VMULPD     Y3, Y3, Y4
	VMULPD     128(R10), Y3, Y5
	VADDPD     160(R10), Y5, Y5
	VMULPD     192(R10), Y4, Y6
	VADDPD     Y6, Y5, Y5
	VMULPD     Y5, Y4, Y5
	VADDPD     Y5, Y3, Y5
	VPAND      224(R10), Y1, Y6
	VPCMPEQQ   Y13, Y13, Y13
	VGATHERQPD Y13, (R8)(Y6*8), Y7
	VMULPD     Y5, Y7, Y8
	VADDPD     Y8, Y7, Y8
	VPSUBQ     Y6, Y1, Y9
	VPSLLQ     $44, Y9, Y9
	VPADDQ     Y9, Y8, Y8
	VMOVUPD    256(R10), Y14 // 1
	VADDPD     Y8, Y14, Y10
	VDIVPD     Y10, Y14, Y10
	VMULPD     Y10, Y0, Y11
	VMOVUPD    Y11, (DI)
	CMPQ       AX, $0
	JEQ        next2
	VSUBPD     Y10, Y14, Y12
	VMULPD     Y12, Y0, Y12
	VADDPD     Y12, Y14, Y12
	VMULPD     Y12, Y10, Y12
	CMPQ       AX, $1
	JEQ        store2
	VMULPD     (R9), Y12, Y12
	ADDQ       $32, R9

store2:
	VMOVUPD Y12, (SI)

next2:
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNZ  loop2
	ADDQ R11, R12
	ADDQ R11, R13
	INCQ BX
	JMP  row2

finish2:
	MOVQ BX, done+72(FP)
	VZEROUPPER
	RET
