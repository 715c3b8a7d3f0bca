//go:build !purego

#include "textflag.h"

// The fused AVX-512 kernel of a 2-D isotropic Gaussian mixture
// (gmmfused.go): eight points per ZMM register, all components of a group
// of eight in registers and w, one call per block. Each point goes through
// exactly the
// operations, operand order included, of the multi-pass avx512 path
// (gaussLogitsAVX512, expSubAccAVX512, addWeightedDiffsAVX512, logAVX512,
// then the Go loops of GMM.batch), so the results are the same bits. The
// exponential's constants live in Z11…Z31 as in exp_avx512_amd64.s; the
// logarithm's are embedded-broadcast memory operands (the same values, so
// the same results), and its registers Z11…Z21, free once the
// exponentials are done.

#define EXPCONSTS \
	VBROADCASTSD gmfLog2e<>(SB), Z16 \
	VBROADCASTSD gmfLn2Hi<>(SB), Z17 \
	VBROADCASTSD gmfLn2Lo<>(SB), Z18 \
	VBROADCASTSD gmfC11<>(SB), Z19 \
	VBROADCASTSD gmfC10<>(SB), Z20 \
	VBROADCASTSD gmfC9<>(SB), Z21 \
	VBROADCASTSD gmfC8<>(SB), Z22 \
	VBROADCASTSD gmfC7<>(SB), Z23 \
	VBROADCASTSD gmfC6<>(SB), Z24 \
	VBROADCASTSD gmfC5<>(SB), Z25 \
	VBROADCASTSD gmfC4<>(SB), Z26 \
	VBROADCASTSD gmfC3<>(SB), Z27 \
	VBROADCASTSD gmfC2<>(SB), Z28 \
	VBROADCASTSD gmfC1<>(SB), Z29 \
	VBROADCASTSD gmfOne<>(SB), Z30 \
	VBROADCASTSD gmfHalf<>(SB), Z31 \
	VBROADCASTSD gmfHi<>(SB), Z14 \
	VBROADCASTSD gmfLo<>(SB), Z15 \
	VBROADCASTSD gmfMagic<>(SB), Z13 \
	VBROADCASTSD gmfAbs<>(SB), Z12 \
	VBROADCASTSD gmfFast<>(SB), Z11

// EXP8 and EXP8FAST as in exp_avx512_amd64.s.
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

// EXP8FAST2 is EXP8FAST on two registers, the instructions of the two
// interleaved.
#define EXP8FAST2(X1, K1, P1, X2, K2, P2) \
	VMULPD Z16, X1, K1 \
	VMULPD Z16, X2, K2 \
	VRNDSCALEPD $0, K1, K1 \
	VRNDSCALEPD $0, K2, K2 \
	VFNMADD231PD Z17, K1, X1 \
	VFNMADD231PD Z17, K2, X2 \
	VFNMADD231PD Z18, K1, X1 \
	VFNMADD231PD Z18, K2, X2 \
	VMOVAPD Z19, P1 \
	VMOVAPD Z19, P2 \
	VFMADD213PD Z20, X1, P1 \
	VFMADD213PD Z20, X2, P2 \
	VFMADD213PD Z21, X1, P1 \
	VFMADD213PD Z21, X2, P2 \
	VFMADD213PD Z22, X1, P1 \
	VFMADD213PD Z22, X2, P2 \
	VFMADD213PD Z23, X1, P1 \
	VFMADD213PD Z23, X2, P2 \
	VFMADD213PD Z24, X1, P1 \
	VFMADD213PD Z24, X2, P2 \
	VFMADD213PD Z25, X1, P1 \
	VFMADD213PD Z25, X2, P2 \
	VFMADD213PD Z26, X1, P1 \
	VFMADD213PD Z26, X2, P2 \
	VFMADD213PD Z27, X1, P1 \
	VFMADD213PD Z27, X2, P2 \
	VFMADD213PD Z28, X1, P1 \
	VFMADD213PD Z28, X2, P2 \
	VFMADD213PD Z29, X1, P1 \
	VFMADD213PD Z29, X2, P2 \
	VFMADD213PD Z30, X1, P1 \
	VFMADD213PD Z30, X2, P2 \
	VADDPD Z13, K1, K1 \
	VADDPD Z13, K2, K2 \
	VPSLLQ $52, K1, K1 \
	VPSLLQ $52, K2, K2 \
	VMULPD K1, P1, P1 \
	VMULPD K2, P2, P2

// LOGE: e = −(m + log s) for the eight points whose s is in Z11 and
// whose m and e are at MP and EP (logAVX512's operations); K3 collects
// the lanes where m is −Inf. It uses Z11…Z21, K1 and K2.
#define LOGE(MP, EP) \
	VCMPPD.BCST  $1, gmfLSmall<>(SB), Z11, K1 \
	VMOVAPD      Z11, Z13 \
	VMULPD.BCST  gmfLScale<>(SB), Z11, K1, Z13 \
	VPXORQ       Z12, Z12, Z12 \
	VBROADCASTSD gmfLC52<>(SB), K1, Z12 \
	VPSRLQ       $52, Z13, Z14 \
	VPORQ.BCST   gmfLExpBits<>(SB), Z14, Z14 \
	VSUBPD.BCST  gmfLExpBias<>(SB), Z14, Z14 \
	VSUBPD       Z12, Z14, Z14 \
	VANDPD.BCST  gmfLMant<>(SB), Z13, Z15 \
	VORPD.BCST   gmfOne<>(SB), Z15, Z15 \
	VCMPPD.BCST  $13, gmfLSqrt2<>(SB), Z15, K2 \
	VMULPD.BCST  gmfHalf<>(SB), Z15, K2, Z15 \
	VADDPD.BCST  gmfOne<>(SB), Z14, K2, Z14 \
	VSUBPD.BCST  gmfOne<>(SB), Z15, Z15 \
	VADDPD.BCST  gmfLTwo<>(SB), Z15, Z16 \
	VDIVPD       Z16, Z15, Z16 \
	VMULPD       Z16, Z16, Z17 \
	VMULPD       Z17, Z17, Z18 \
	VMULPD.BCST  gmfLL7<>(SB), Z18, Z19 \
	VADDPD.BCST  gmfLL5<>(SB), Z19, Z19 \
	VMULPD       Z18, Z19, Z19 \
	VADDPD.BCST  gmfLL3<>(SB), Z19, Z19 \
	VMULPD       Z18, Z19, Z19 \
	VADDPD.BCST  gmfLL1<>(SB), Z19, Z19 \
	VMULPD       Z17, Z19, Z19 \
	VMULPD.BCST  gmfLL6<>(SB), Z18, Z20 \
	VADDPD.BCST  gmfLL4<>(SB), Z20, Z20 \
	VMULPD       Z18, Z20, Z20 \
	VADDPD.BCST  gmfLL2<>(SB), Z20, Z20 \
	VMULPD       Z18, Z20, Z20 \
	VADDPD       Z20, Z19, Z19 \
	VMULPD.BCST  gmfHalf<>(SB), Z15, Z20 \
	VMULPD       Z15, Z20, Z20 \
	VADDPD       Z19, Z20, Z19 \
	VMULPD       Z19, Z16, Z19 \
	VMULPD.BCST  gmfLLn2Lo<>(SB), Z14, Z21 \
	VADDPD       Z21, Z19, Z19 \
	VSUBPD       Z19, Z20, Z19 \
	VSUBPD       Z15, Z19, Z19 \
	VMULPD.BCST  gmfLLn2Hi<>(SB), Z14, Z21 \
	VSUBPD       Z19, Z21, Z19 \
	VCMPPD.BCST  $0, gmfLInf<>(SB), Z11, K1 \
	VCMPPD       $3, Z11, Z11, K2 \
	KORB         K1, K2, K1 \
	VMOVAPD      Z11, K1, Z19 \
	VPXORQ       Z13, Z13, Z13 \
	VCMPPD       $1, Z13, Z11, K1 \
	VBROADCASTSD gmfLNaN<>(SB), K1, Z19 \
	VCMPPD       $0, Z13, Z11, K1 \
	VBROADCASTSD gmfLNegInf<>(SB), K1, Z19 \
	VMOVUPD     (MP), Z20 \
	VCMPPD.BCST $0, gmfLNegInf<>(SB), Z20, K1 \
	KORB        K1, K3, K3 \
	VADDPD      Z19, Z20, Z19 \
	VXORPD.BCST gmfSign<>(SB), Z19, Z19 \
	VMOVUPD     Z19, (EP)

// func gaussMix2AVX512(e, gr, m, s, x, w, p *float64, n, nk int) (far int)
// n is a positive multiple of 8, nk ≥ 1; gr may be nil (no gradient). p
// holds per component c0, c1, lc, h, ivar at stride 8; w has nk·n values
// of scratch. far is nonzero when some m is −Inf.
// Three loops over the groups: the first leaves every a_k (in w, at
// w[k·n + r]) and m; the second the weights w_k (in place) and s; the
// third log s and e, then the gradient (without a gradient, the third
// computes e alone). Each group's chain of dependent operations stays
// short, so that the processor overlaps consecutive groups; in the third,
// the logarithm's division overlaps the gradient's sums (3–4 % less time
// than a fourth loop for e).
TEXT ·gaussMix2AVX512(SB), NOSPLIT, $0-80
	MOVQ m+16(FP), R8
	MOVQ x+32(FP), SI
	MOVQ w+40(FP), R9
	MOVQ p+48(FP), R10
	MOVQ n+56(FP), CX
	MOVQ nk+64(FP), BX
	MOVQ CX, AX
	SHLQ $3, AX // the stride of w, n values
	KXORB K3, K3, K3 // far lanes so far
	EXPCONSTS

lgroup:
	// x0 and x1 of the eight points, from their interleaved rows.
	VMOVUPD   (SI), Z4
	VMOVUPD   64(SI), Z5
	VMOVUPD   gmfEven<>(SB), Z0
	VPERMI2PD Z5, Z4, Z0
	VMOVUPD   gmfOdd<>(SB), Z1
	VPERMI2PD Z5, Z4, Z1

	// a_k = lc − h·((x0 − c0)² + (x1 − c1)²) into w, m = max_k a_k
	// (gaussLogitsAVX512).
	VBROADCASTSD gmfLNegInf<>(SB), Z2
	MOVQ         R10, R12
	MOVQ         R9, R13
	MOVQ         BX, R11

logits:
	VSUBPD.BCST  0(R12), Z0, Z4 // t = x0 − c0
	VMULPD       Z4, Z4, Z4     // q = t·t
	VSUBPD.BCST  8(R12), Z1, Z5
	VMULPD       Z5, Z5, Z5
	VADDPD       Z5, Z4, Z4     // q += t·t
	VMULPD.BCST  24(R12), Z4, Z4 // h·q
	VBROADCASTSD 16(R12), Z5
	VSUBPD       Z4, Z5, Z4     // v = lc − h·q
	VMOVUPD      Z4, (R13)
	VMAXPD       Z2, Z4, Z2     // v > m ? v : m (m when either is NaN)
	ADDQ         $64, R12
	ADDQ         AX, R13
	DECQ         R11
	JNZ          logits

	// gaussLogitsAVX512 then sets m = v where v is NaN, so m ends as the
	// last NaN v_k. v_k is NaN exactly where x0 or x1 is (c, lc, h are
	// finite, h > 0), for every k at once and with the payload of x0 − c0
	// or x1 − c1, the same for every k: so m is the last v where it is NaN.
	VCMPPD  $3, Z4, Z4, K1
	VMOVAPD Z4, K1, Z2
	VMOVUPD Z2, (R8)
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $128, SI
	SUBQ    $8, CX
	JNZ     lgroup

	// w_k = e^(a_k − m), s = Σ_k w_k (expSubAccAVX512).
	MOVQ s+24(FP), DI
	MOVQ gr+8(FP), DX
	MOVQ m+16(FP), R8
	MOVQ w+40(FP), R9
	MOVQ n+56(FP), CX

group:
	VMOVUPD (R8), Z2
	VPXORQ Z3, Z3, Z3
	MOVQ   R9, R13
	MOVQ   BX, R11

exppair:
	// Two components at once while both are on the fast path; s adds
	// w_k, then w_k+1, as one at a time.
	CMPQ        R11, $2
	JLT         expk
	VMOVUPD     (R13), Z4
	VMOVUPD     (R13)(AX*1), Z7
	VSUBPD      Z2, Z4, Z4
	VSUBPD      Z2, Z7, Z7
	VCMPPD.BCST $29, gmfNegFast<>(SB), Z4, K1
	VCMPPD.BCST $29, gmfNegFast<>(SB), Z7, K2
	KANDB       K1, K2, K1
	KORTESTB    K1, K1
	JCC         expk // not all sixteen: the first of them alone
	EXP8FAST2(Z4, Z5, Z6, Z7, Z8, Z9)
	VMOVUPD     Z6, (R13)
	VMOVUPD     Z9, (R13)(AX*1)
	VADDPD      Z3, Z6, Z3
	VADDPD      Z3, Z9, Z3
	LEAQ        (R13)(AX*2), R13
	SUBQ        $2, R11
	JNZ         exppair
	JMP         expdone

expk:
	VMOVUPD     (R13), Z4
	VSUBPD      Z2, Z4, Z4                    // a − m, ≤ 0 or NaN
	VCMPPD.BCST $29, gmfNegFast<>(SB), Z4, K1 // a − m ≥ −708: |a − m| ≤ 708
	KORTESTB    K1, K1
	JCC         expslow                       // not all eight
	EXP8FAST(Z4, Z5, Z6)
	JMP         expstore

expslow:
	EXP8(Z4, Z5, Z6, Z7)

expstore:
	VMOVUPD Z6, (R13)
	VADDPD  Z3, Z6, Z3 // s = w + s
	ADDQ    AX, R13
	DECQ    R11
	JNZ     exppair

expdone:
	VMOVUPD Z3, (DI)
	ADDQ    $64, DI
	ADDQ    $64, R8
	ADDQ    $64, R9
	SUBQ    $8, CX
	JNZ     group

	// g = Σ_k (w_k·ivar_k)·(x − μ_k) (addWeightedDiffsAVX512), then g/s
	// interleaved back into rows.
	TESTQ DX, DX
	JZ    nograd
	MOVQ  s+24(FP), DI
	MOVQ  x+32(FP), SI
	MOVQ  w+40(FP), R9
	MOVQ  n+56(FP), CX
	MOVQ  e+0(FP), R14
	MOVQ  m+16(FP), R8

ggroup:
	// e of the group first: its division overlaps the gradient's work.
	VMOVUPD (DI), Z11
	LOGE(R8, R14)
	ADDQ    $64, R8
	ADDQ    $64, R14

	VMOVUPD   (SI), Z4
	VMOVUPD   64(SI), Z5
	VMOVUPD   gmfEven<>(SB), Z0
	VPERMI2PD Z5, Z4, Z0
	VMOVUPD   gmfOdd<>(SB), Z1
	VPERMI2PD Z5, Z4, Z1
	VPXORQ    Z4, Z4, Z4
	VPXORQ    Z5, Z5, Z5
	MOVQ      R10, R12
	MOVQ      R9, R13
	MOVQ      BX, R11

gradk:
	VMOVUPD     (R13), Z6
	VMULPD.BCST 32(R12), Z6, Z6 // t = w·ivar
	VSUBPD.BCST 0(R12), Z0, Z7  // x0 − c0
	VMULPD      Z6, Z7, Z7      // t·(x0 − c0)
	VADDPD      Z4, Z7, Z4      // + g0
	VSUBPD.BCST 8(R12), Z1, Z8
	VMULPD      Z6, Z8, Z8
	VADDPD      Z5, Z8, Z5
	ADDQ        $64, R12
	ADDQ        AX, R13
	DECQ        R11
	JNZ         gradk
	VMOVUPD     (DI), Z3
	VDIVPD      Z3, Z4, Z4 // g0/s
	VDIVPD      Z3, Z5, Z5 // g1/s
	VMOVUPD     gmfILo<>(SB), Z6
	VPERMI2PD   Z5, Z4, Z6
	VMOVUPD     gmfIHi<>(SB), Z7
	VPERMI2PD   Z5, Z4, Z7
	VMOVUPD     Z6, (DX)
	VMOVUPD     Z7, 64(DX)
	ADDQ        $128, DX
	ADDQ        $64, DI
	ADDQ        $64, R9
	ADDQ        $128, SI
	SUBQ        $8, CX
	JNZ         ggroup
	JMP         fin

nograd:
	// log s (logAVX512) and e = −(m + log s); far: some m is −Inf.
	MOVQ e+0(FP), DI
	MOVQ m+16(FP), R8
	MOVQ s+24(FP), SI
	MOVQ n+56(FP), CX

logs:
	VMOVUPD (SI), Z11
	LOGE(R8, DI)
	ADDQ  $64, DI
	ADDQ  $64, R8
	ADDQ  $64, SI
	SUBQ  $8, CX
	JNZ   logs

fin:
	KMOVB K3, AX
	MOVQ  AX, far+72(FP)
	VZEROUPPER
	RET

DATA gmfLog2e<>+0(SB)/8, $0x3ff71547652b82fe
GLOBL gmfLog2e<>(SB), RODATA|NOPTR, $8

DATA gmfLn2Hi<>+0(SB)/8, $0x3fe62e42fefa39ef
GLOBL gmfLn2Hi<>(SB), RODATA|NOPTR, $8

DATA gmfLn2Lo<>+0(SB)/8, $0x3c7abc9e3b39803f
GLOBL gmfLn2Lo<>(SB), RODATA|NOPTR, $8

DATA gmfHalf<>+0(SB)/8, $0x3fe0000000000000
GLOBL gmfHalf<>(SB), RODATA|NOPTR, $8

DATA gmfMagic<>+0(SB)/8, $0x43380000000003ff
GLOBL gmfMagic<>(SB), RODATA|NOPTR, $8

DATA gmfC1<>+0(SB)/8, $0x3ff0000000000000
GLOBL gmfC1<>(SB), RODATA|NOPTR, $8

DATA gmfC2<>+0(SB)/8, $0x3fe0000000000011
GLOBL gmfC2<>(SB), RODATA|NOPTR, $8

DATA gmfC3<>+0(SB)/8, $0x3fc555555555555a
GLOBL gmfC3<>(SB), RODATA|NOPTR, $8

DATA gmfC4<>+0(SB)/8, $0x3fa555555554f0cf
GLOBL gmfC4<>(SB), RODATA|NOPTR, $8

DATA gmfC5<>+0(SB)/8, $0x3f8111111110f225
GLOBL gmfC5<>(SB), RODATA|NOPTR, $8

DATA gmfC6<>+0(SB)/8, $0x3f56c16c187fbe02
GLOBL gmfC6<>(SB), RODATA|NOPTR, $8

DATA gmfC7<>+0(SB)/8, $0x3f2a01a01b14378f
GLOBL gmfC7<>(SB), RODATA|NOPTR, $8

DATA gmfC8<>+0(SB)/8, $0x3efa01991ac8730a
GLOBL gmfC8<>(SB), RODATA|NOPTR, $8

DATA gmfC9<>+0(SB)/8, $0x3ec71ddf5749d126
GLOBL gmfC9<>(SB), RODATA|NOPTR, $8

DATA gmfC10<>+0(SB)/8, $0x3e928b4057f44145
GLOBL gmfC10<>(SB), RODATA|NOPTR, $8

DATA gmfC11<>+0(SB)/8, $0x3e5af631d0059bec
GLOBL gmfC11<>(SB), RODATA|NOPTR, $8

DATA gmfOne<>+0(SB)/8, $0x3ff0000000000000
GLOBL gmfOne<>(SB), RODATA|NOPTR, $8

DATA gmfHi<>+0(SB)/8, $0x4086300000000000
GLOBL gmfHi<>(SB), RODATA|NOPTR, $8

DATA gmfLo<>+0(SB)/8, $0xc087500000000000
GLOBL gmfLo<>(SB), RODATA|NOPTR, $8

DATA gmfAbs<>+0(SB)/8, $0x7fffffffffffffff
GLOBL gmfAbs<>(SB), RODATA|NOPTR, $8

DATA gmfFast<>+0(SB)/8, $0x4086200000000000
GLOBL gmfFast<>(SB), RODATA|NOPTR, $8

DATA gmfLMant<>+0(SB)/8, $0x000fffffffffffff
GLOBL gmfLMant<>(SB), RODATA|NOPTR, $8

DATA gmfLExpBits<>+0(SB)/8, $0x4330000000000000
GLOBL gmfLExpBits<>(SB), RODATA|NOPTR, $8

DATA gmfLExpBias<>+0(SB)/8, $0x43300000000003ff
GLOBL gmfLExpBias<>(SB), RODATA|NOPTR, $8

DATA gmfLSqrt2<>+0(SB)/8, $0x3ff6a09e667f3bcd
GLOBL gmfLSqrt2<>(SB), RODATA|NOPTR, $8

DATA gmfLTwo<>+0(SB)/8, $0x4000000000000000
GLOBL gmfLTwo<>(SB), RODATA|NOPTR, $8

DATA gmfLL1<>+0(SB)/8, $0x3fe5555555555593
GLOBL gmfLL1<>(SB), RODATA|NOPTR, $8

DATA gmfLL2<>+0(SB)/8, $0x3fd999999997fa04
GLOBL gmfLL2<>(SB), RODATA|NOPTR, $8

DATA gmfLL3<>+0(SB)/8, $0x3fd2492494229359
GLOBL gmfLL3<>(SB), RODATA|NOPTR, $8

DATA gmfLL4<>+0(SB)/8, $0x3fcc71c51d8e78af
GLOBL gmfLL4<>(SB), RODATA|NOPTR, $8

DATA gmfLL5<>+0(SB)/8, $0x3fc7466496cb03de
GLOBL gmfLL5<>(SB), RODATA|NOPTR, $8

DATA gmfLL6<>+0(SB)/8, $0x3fc39a09d078c69f
GLOBL gmfLL6<>(SB), RODATA|NOPTR, $8

DATA gmfLL7<>+0(SB)/8, $0x3fc2f112df3e5244
GLOBL gmfLL7<>(SB), RODATA|NOPTR, $8

DATA gmfLLn2Lo<>+0(SB)/8, $0x3dea39ef35793c76
GLOBL gmfLLn2Lo<>(SB), RODATA|NOPTR, $8

DATA gmfLLn2Hi<>+0(SB)/8, $0x3fe62e42fee00000
GLOBL gmfLLn2Hi<>(SB), RODATA|NOPTR, $8

DATA gmfLInf<>+0(SB)/8, $0x7ff0000000000000
GLOBL gmfLInf<>(SB), RODATA|NOPTR, $8

DATA gmfLNaN<>+0(SB)/8, $0x7ff8000000000001
GLOBL gmfLNaN<>(SB), RODATA|NOPTR, $8

DATA gmfLNegInf<>+0(SB)/8, $0xfff0000000000000
GLOBL gmfLNegInf<>(SB), RODATA|NOPTR, $8

DATA gmfLSmall<>+0(SB)/8, $0x0010000000000000
GLOBL gmfLSmall<>(SB), RODATA|NOPTR, $8

DATA gmfLScale<>+0(SB)/8, $0x4330000000000000
GLOBL gmfLScale<>(SB), RODATA|NOPTR, $8

DATA gmfLC52<>+0(SB)/8, $0x404a000000000000
GLOBL gmfLC52<>(SB), RODATA|NOPTR, $8

DATA gmfNegFast<>+0(SB)/8, $0xc086200000000000
GLOBL gmfNegFast<>(SB), RODATA|NOPTR, $8

DATA gmfSign<>+0(SB)/8, $0x8000000000000000
GLOBL gmfSign<>(SB), RODATA|NOPTR, $8

DATA gmfEven<>+0(SB)/8, $0
DATA gmfEven<>+8(SB)/8, $2
DATA gmfEven<>+16(SB)/8, $4
DATA gmfEven<>+24(SB)/8, $6
DATA gmfEven<>+32(SB)/8, $8
DATA gmfEven<>+40(SB)/8, $10
DATA gmfEven<>+48(SB)/8, $12
DATA gmfEven<>+56(SB)/8, $14
GLOBL gmfEven<>(SB), RODATA|NOPTR, $64

DATA gmfOdd<>+0(SB)/8, $1
DATA gmfOdd<>+8(SB)/8, $3
DATA gmfOdd<>+16(SB)/8, $5
DATA gmfOdd<>+24(SB)/8, $7
DATA gmfOdd<>+32(SB)/8, $9
DATA gmfOdd<>+40(SB)/8, $11
DATA gmfOdd<>+48(SB)/8, $13
DATA gmfOdd<>+56(SB)/8, $15
GLOBL gmfOdd<>(SB), RODATA|NOPTR, $64

DATA gmfILo<>+0(SB)/8, $0
DATA gmfILo<>+8(SB)/8, $8
DATA gmfILo<>+16(SB)/8, $1
DATA gmfILo<>+24(SB)/8, $9
DATA gmfILo<>+32(SB)/8, $2
DATA gmfILo<>+40(SB)/8, $10
DATA gmfILo<>+48(SB)/8, $3
DATA gmfILo<>+56(SB)/8, $11
GLOBL gmfILo<>(SB), RODATA|NOPTR, $64

DATA gmfIHi<>+0(SB)/8, $4
DATA gmfIHi<>+8(SB)/8, $12
DATA gmfIHi<>+16(SB)/8, $5
DATA gmfIHi<>+24(SB)/8, $13
DATA gmfIHi<>+32(SB)/8, $6
DATA gmfIHi<>+40(SB)/8, $14
DATA gmfIHi<>+48(SB)/8, $7
DATA gmfIHi<>+56(SB)/8, $15
GLOBL gmfIHi<>(SB), RODATA|NOPTR, $64

