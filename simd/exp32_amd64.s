//go:build !purego

#include "textflag.h"

// exp32c<> holds the constants of the float32 exponentials, each repeated
// over 64 bytes (16 lanes) so that a YMM or ZMM operand can read it.
// hi at 0
DATA exp32c<>+0(SB)/4, $0x42b20000
DATA exp32c<>+4(SB)/4, $0x42b20000
DATA exp32c<>+8(SB)/4, $0x42b20000
DATA exp32c<>+12(SB)/4, $0x42b20000
DATA exp32c<>+16(SB)/4, $0x42b20000
DATA exp32c<>+20(SB)/4, $0x42b20000
DATA exp32c<>+24(SB)/4, $0x42b20000
DATA exp32c<>+28(SB)/4, $0x42b20000
DATA exp32c<>+32(SB)/4, $0x42b20000
DATA exp32c<>+36(SB)/4, $0x42b20000
DATA exp32c<>+40(SB)/4, $0x42b20000
DATA exp32c<>+44(SB)/4, $0x42b20000
DATA exp32c<>+48(SB)/4, $0x42b20000
DATA exp32c<>+52(SB)/4, $0x42b20000
DATA exp32c<>+56(SB)/4, $0x42b20000
DATA exp32c<>+60(SB)/4, $0x42b20000
// lo at 64
DATA exp32c<>+64(SB)/4, $0xc2d00000
DATA exp32c<>+68(SB)/4, $0xc2d00000
DATA exp32c<>+72(SB)/4, $0xc2d00000
DATA exp32c<>+76(SB)/4, $0xc2d00000
DATA exp32c<>+80(SB)/4, $0xc2d00000
DATA exp32c<>+84(SB)/4, $0xc2d00000
DATA exp32c<>+88(SB)/4, $0xc2d00000
DATA exp32c<>+92(SB)/4, $0xc2d00000
DATA exp32c<>+96(SB)/4, $0xc2d00000
DATA exp32c<>+100(SB)/4, $0xc2d00000
DATA exp32c<>+104(SB)/4, $0xc2d00000
DATA exp32c<>+108(SB)/4, $0xc2d00000
DATA exp32c<>+112(SB)/4, $0xc2d00000
DATA exp32c<>+116(SB)/4, $0xc2d00000
DATA exp32c<>+120(SB)/4, $0xc2d00000
DATA exp32c<>+124(SB)/4, $0xc2d00000
// log2e at 128
DATA exp32c<>+128(SB)/4, $0x3fb8aa3b
DATA exp32c<>+132(SB)/4, $0x3fb8aa3b
DATA exp32c<>+136(SB)/4, $0x3fb8aa3b
DATA exp32c<>+140(SB)/4, $0x3fb8aa3b
DATA exp32c<>+144(SB)/4, $0x3fb8aa3b
DATA exp32c<>+148(SB)/4, $0x3fb8aa3b
DATA exp32c<>+152(SB)/4, $0x3fb8aa3b
DATA exp32c<>+156(SB)/4, $0x3fb8aa3b
DATA exp32c<>+160(SB)/4, $0x3fb8aa3b
DATA exp32c<>+164(SB)/4, $0x3fb8aa3b
DATA exp32c<>+168(SB)/4, $0x3fb8aa3b
DATA exp32c<>+172(SB)/4, $0x3fb8aa3b
DATA exp32c<>+176(SB)/4, $0x3fb8aa3b
DATA exp32c<>+180(SB)/4, $0x3fb8aa3b
DATA exp32c<>+184(SB)/4, $0x3fb8aa3b
DATA exp32c<>+188(SB)/4, $0x3fb8aa3b
// ln2hi at 192
DATA exp32c<>+192(SB)/4, $0x3f317200
DATA exp32c<>+196(SB)/4, $0x3f317200
DATA exp32c<>+200(SB)/4, $0x3f317200
DATA exp32c<>+204(SB)/4, $0x3f317200
DATA exp32c<>+208(SB)/4, $0x3f317200
DATA exp32c<>+212(SB)/4, $0x3f317200
DATA exp32c<>+216(SB)/4, $0x3f317200
DATA exp32c<>+220(SB)/4, $0x3f317200
DATA exp32c<>+224(SB)/4, $0x3f317200
DATA exp32c<>+228(SB)/4, $0x3f317200
DATA exp32c<>+232(SB)/4, $0x3f317200
DATA exp32c<>+236(SB)/4, $0x3f317200
DATA exp32c<>+240(SB)/4, $0x3f317200
DATA exp32c<>+244(SB)/4, $0x3f317200
DATA exp32c<>+248(SB)/4, $0x3f317200
DATA exp32c<>+252(SB)/4, $0x3f317200
// ln2lo at 256
DATA exp32c<>+256(SB)/4, $0x35bfbe8e
DATA exp32c<>+260(SB)/4, $0x35bfbe8e
DATA exp32c<>+264(SB)/4, $0x35bfbe8e
DATA exp32c<>+268(SB)/4, $0x35bfbe8e
DATA exp32c<>+272(SB)/4, $0x35bfbe8e
DATA exp32c<>+276(SB)/4, $0x35bfbe8e
DATA exp32c<>+280(SB)/4, $0x35bfbe8e
DATA exp32c<>+284(SB)/4, $0x35bfbe8e
DATA exp32c<>+288(SB)/4, $0x35bfbe8e
DATA exp32c<>+292(SB)/4, $0x35bfbe8e
DATA exp32c<>+296(SB)/4, $0x35bfbe8e
DATA exp32c<>+300(SB)/4, $0x35bfbe8e
DATA exp32c<>+304(SB)/4, $0x35bfbe8e
DATA exp32c<>+308(SB)/4, $0x35bfbe8e
DATA exp32c<>+312(SB)/4, $0x35bfbe8e
DATA exp32c<>+316(SB)/4, $0x35bfbe8e
// c7 at 320
DATA exp32c<>+320(SB)/4, $0x39500d01
DATA exp32c<>+324(SB)/4, $0x39500d01
DATA exp32c<>+328(SB)/4, $0x39500d01
DATA exp32c<>+332(SB)/4, $0x39500d01
DATA exp32c<>+336(SB)/4, $0x39500d01
DATA exp32c<>+340(SB)/4, $0x39500d01
DATA exp32c<>+344(SB)/4, $0x39500d01
DATA exp32c<>+348(SB)/4, $0x39500d01
DATA exp32c<>+352(SB)/4, $0x39500d01
DATA exp32c<>+356(SB)/4, $0x39500d01
DATA exp32c<>+360(SB)/4, $0x39500d01
DATA exp32c<>+364(SB)/4, $0x39500d01
DATA exp32c<>+368(SB)/4, $0x39500d01
DATA exp32c<>+372(SB)/4, $0x39500d01
DATA exp32c<>+376(SB)/4, $0x39500d01
DATA exp32c<>+380(SB)/4, $0x39500d01
// c6 at 384
DATA exp32c<>+384(SB)/4, $0x3ab60b61
DATA exp32c<>+388(SB)/4, $0x3ab60b61
DATA exp32c<>+392(SB)/4, $0x3ab60b61
DATA exp32c<>+396(SB)/4, $0x3ab60b61
DATA exp32c<>+400(SB)/4, $0x3ab60b61
DATA exp32c<>+404(SB)/4, $0x3ab60b61
DATA exp32c<>+408(SB)/4, $0x3ab60b61
DATA exp32c<>+412(SB)/4, $0x3ab60b61
DATA exp32c<>+416(SB)/4, $0x3ab60b61
DATA exp32c<>+420(SB)/4, $0x3ab60b61
DATA exp32c<>+424(SB)/4, $0x3ab60b61
DATA exp32c<>+428(SB)/4, $0x3ab60b61
DATA exp32c<>+432(SB)/4, $0x3ab60b61
DATA exp32c<>+436(SB)/4, $0x3ab60b61
DATA exp32c<>+440(SB)/4, $0x3ab60b61
DATA exp32c<>+444(SB)/4, $0x3ab60b61
// c5 at 448
DATA exp32c<>+448(SB)/4, $0x3c088889
DATA exp32c<>+452(SB)/4, $0x3c088889
DATA exp32c<>+456(SB)/4, $0x3c088889
DATA exp32c<>+460(SB)/4, $0x3c088889
DATA exp32c<>+464(SB)/4, $0x3c088889
DATA exp32c<>+468(SB)/4, $0x3c088889
DATA exp32c<>+472(SB)/4, $0x3c088889
DATA exp32c<>+476(SB)/4, $0x3c088889
DATA exp32c<>+480(SB)/4, $0x3c088889
DATA exp32c<>+484(SB)/4, $0x3c088889
DATA exp32c<>+488(SB)/4, $0x3c088889
DATA exp32c<>+492(SB)/4, $0x3c088889
DATA exp32c<>+496(SB)/4, $0x3c088889
DATA exp32c<>+500(SB)/4, $0x3c088889
DATA exp32c<>+504(SB)/4, $0x3c088889
DATA exp32c<>+508(SB)/4, $0x3c088889
// c4 at 512
DATA exp32c<>+512(SB)/4, $0x3d2aaaab
DATA exp32c<>+516(SB)/4, $0x3d2aaaab
DATA exp32c<>+520(SB)/4, $0x3d2aaaab
DATA exp32c<>+524(SB)/4, $0x3d2aaaab
DATA exp32c<>+528(SB)/4, $0x3d2aaaab
DATA exp32c<>+532(SB)/4, $0x3d2aaaab
DATA exp32c<>+536(SB)/4, $0x3d2aaaab
DATA exp32c<>+540(SB)/4, $0x3d2aaaab
DATA exp32c<>+544(SB)/4, $0x3d2aaaab
DATA exp32c<>+548(SB)/4, $0x3d2aaaab
DATA exp32c<>+552(SB)/4, $0x3d2aaaab
DATA exp32c<>+556(SB)/4, $0x3d2aaaab
DATA exp32c<>+560(SB)/4, $0x3d2aaaab
DATA exp32c<>+564(SB)/4, $0x3d2aaaab
DATA exp32c<>+568(SB)/4, $0x3d2aaaab
DATA exp32c<>+572(SB)/4, $0x3d2aaaab
// c3 at 576
DATA exp32c<>+576(SB)/4, $0x3e2aaaab
DATA exp32c<>+580(SB)/4, $0x3e2aaaab
DATA exp32c<>+584(SB)/4, $0x3e2aaaab
DATA exp32c<>+588(SB)/4, $0x3e2aaaab
DATA exp32c<>+592(SB)/4, $0x3e2aaaab
DATA exp32c<>+596(SB)/4, $0x3e2aaaab
DATA exp32c<>+600(SB)/4, $0x3e2aaaab
DATA exp32c<>+604(SB)/4, $0x3e2aaaab
DATA exp32c<>+608(SB)/4, $0x3e2aaaab
DATA exp32c<>+612(SB)/4, $0x3e2aaaab
DATA exp32c<>+616(SB)/4, $0x3e2aaaab
DATA exp32c<>+620(SB)/4, $0x3e2aaaab
DATA exp32c<>+624(SB)/4, $0x3e2aaaab
DATA exp32c<>+628(SB)/4, $0x3e2aaaab
DATA exp32c<>+632(SB)/4, $0x3e2aaaab
DATA exp32c<>+636(SB)/4, $0x3e2aaaab
// c2 at 640
DATA exp32c<>+640(SB)/4, $0x3f000000
DATA exp32c<>+644(SB)/4, $0x3f000000
DATA exp32c<>+648(SB)/4, $0x3f000000
DATA exp32c<>+652(SB)/4, $0x3f000000
DATA exp32c<>+656(SB)/4, $0x3f000000
DATA exp32c<>+660(SB)/4, $0x3f000000
DATA exp32c<>+664(SB)/4, $0x3f000000
DATA exp32c<>+668(SB)/4, $0x3f000000
DATA exp32c<>+672(SB)/4, $0x3f000000
DATA exp32c<>+676(SB)/4, $0x3f000000
DATA exp32c<>+680(SB)/4, $0x3f000000
DATA exp32c<>+684(SB)/4, $0x3f000000
DATA exp32c<>+688(SB)/4, $0x3f000000
DATA exp32c<>+692(SB)/4, $0x3f000000
DATA exp32c<>+696(SB)/4, $0x3f000000
DATA exp32c<>+700(SB)/4, $0x3f000000
// one at 704
DATA exp32c<>+704(SB)/4, $0x3f800000
DATA exp32c<>+708(SB)/4, $0x3f800000
DATA exp32c<>+712(SB)/4, $0x3f800000
DATA exp32c<>+716(SB)/4, $0x3f800000
DATA exp32c<>+720(SB)/4, $0x3f800000
DATA exp32c<>+724(SB)/4, $0x3f800000
DATA exp32c<>+728(SB)/4, $0x3f800000
DATA exp32c<>+732(SB)/4, $0x3f800000
DATA exp32c<>+736(SB)/4, $0x3f800000
DATA exp32c<>+740(SB)/4, $0x3f800000
DATA exp32c<>+744(SB)/4, $0x3f800000
DATA exp32c<>+748(SB)/4, $0x3f800000
DATA exp32c<>+752(SB)/4, $0x3f800000
DATA exp32c<>+756(SB)/4, $0x3f800000
DATA exp32c<>+760(SB)/4, $0x3f800000
DATA exp32c<>+764(SB)/4, $0x3f800000
// bias at 768
DATA exp32c<>+768(SB)/4, $0x0000007f
DATA exp32c<>+772(SB)/4, $0x0000007f
DATA exp32c<>+776(SB)/4, $0x0000007f
DATA exp32c<>+780(SB)/4, $0x0000007f
DATA exp32c<>+784(SB)/4, $0x0000007f
DATA exp32c<>+788(SB)/4, $0x0000007f
DATA exp32c<>+792(SB)/4, $0x0000007f
DATA exp32c<>+796(SB)/4, $0x0000007f
DATA exp32c<>+800(SB)/4, $0x0000007f
DATA exp32c<>+804(SB)/4, $0x0000007f
DATA exp32c<>+808(SB)/4, $0x0000007f
DATA exp32c<>+812(SB)/4, $0x0000007f
DATA exp32c<>+816(SB)/4, $0x0000007f
DATA exp32c<>+820(SB)/4, $0x0000007f
DATA exp32c<>+824(SB)/4, $0x0000007f
DATA exp32c<>+828(SB)/4, $0x0000007f
GLOBL exp32c<>(SB), RODATA|NOPTR, $832

// func exp32AVX2(dst, x *float32, n int)
// dst[i] = e^x[i] for n (a multiple of 8) values, 8 per YMM register:
// x clamped to [−104, 89] (NaN passes), k = round(x·log₂e), r = x − k·ln2
// (two FMAs, ln2 split in two), e^r by its degree-7 Taylor polynomial
// (Horner, FMAs; truncation ≤ 5·10⁻⁹ relative), times 2^⌊k/2⌋·2^⌈k/2⌉
// so that overflow and subnormal results round once.
TEXT ·exp32AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS exp32c<>+0(SB), Y8
	VMOVUPS exp32c<>+64(SB), Y9
	VMOVUPS exp32c<>+128(SB), Y10
	VMOVUPS exp32c<>+704(SB), Y11
	VMOVUPS exp32c<>+768(SB), Y12

loopexp32AVX2:
	VMOVUPS      (SI), Y0
	VMINPS       Y0, Y8, Y1 // NaN in x passes
	VMAXPS       Y1, Y9, Y1
	VMULPS       Y10, Y1, Y2
	VROUNDPS     $0, Y2, Y2 // k, to nearest even
	VFNMADD231PS exp32c<>+192(SB), Y2, Y1 // r = x − k·ln2hi
	VFNMADD231PS exp32c<>+256(SB), Y2, Y1 // r −= k·ln2lo
	VMOVUPS      exp32c<>+320(SB), Y3
	VFMADD213PS  exp32c<>+384(SB), Y1, Y3
	VFMADD213PS  exp32c<>+448(SB), Y1, Y3
	VFMADD213PS  exp32c<>+512(SB), Y1, Y3
	VFMADD213PS  exp32c<>+576(SB), Y1, Y3
	VFMADD213PS  exp32c<>+640(SB), Y1, Y3
	VFMADD213PS  Y11, Y1, Y3
	VFMADD213PS  Y11, Y1, Y3 // e^r
	VCVTPS2DQ    Y2, Y4
	VPSRAD       $1, Y4, Y5 // ⌊k/2⌋
	VPSUBD       Y5, Y4, Y4 // ⌈k/2⌉
	VPADDD       Y12, Y5, Y5
	VPADDD       Y12, Y4, Y4
	VPSLLD       $23, Y5, Y5
	VPSLLD       $23, Y4, Y4
	VMULPS       Y5, Y3, Y3
	VMULPS       Y4, Y3, Y3
	VMOVUPS      Y3, (DI)
	ADDQ         $32, SI
	ADDQ         $32, DI
	SUBQ         $8, CX
	JNZ          loopexp32AVX2
	VZEROUPPER
	RET

// func exp32AVX512(dst, x *float32, n int)
// dst[i] = e^x[i] for n (a multiple of 16) values, 16 per ZMM register:
// x clamped to [−104, 89] (NaN passes), k = round(x·log₂e), r = x − k·ln2
// (two FMAs, ln2 split in two), e^r by its degree-7 Taylor polynomial
// (Horner, FMAs; truncation ≤ 5·10⁻⁹ relative), times 2^⌊k/2⌋·2^⌈k/2⌉
// so that overflow and subnormal results round once.
TEXT ·exp32AVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS exp32c<>+0(SB), Z8
	VMOVUPS exp32c<>+64(SB), Z9
	VMOVUPS exp32c<>+128(SB), Z10
	VMOVUPS exp32c<>+704(SB), Z11
	VMOVUPS exp32c<>+768(SB), Z12

loopexp32AVX512:
	VMOVUPS      (SI), Z0
	VMINPS       Z0, Z8, Z1 // NaN in x passes
	VMAXPS       Z1, Z9, Z1
	VMULPS       Z10, Z1, Z2
	VRNDSCALEPS  $0, Z2, Z2 // k, to nearest even
	VFNMADD231PS exp32c<>+192(SB), Z2, Z1 // r = x − k·ln2hi
	VFNMADD231PS exp32c<>+256(SB), Z2, Z1 // r −= k·ln2lo
	VMOVUPS      exp32c<>+320(SB), Z3
	VFMADD213PS  exp32c<>+384(SB), Z1, Z3
	VFMADD213PS  exp32c<>+448(SB), Z1, Z3
	VFMADD213PS  exp32c<>+512(SB), Z1, Z3
	VFMADD213PS  exp32c<>+576(SB), Z1, Z3
	VFMADD213PS  exp32c<>+640(SB), Z1, Z3
	VFMADD213PS  Z11, Z1, Z3
	VFMADD213PS  Z11, Z1, Z3 // e^r
	VCVTPS2DQ    Z2, Z4
	VPSRAD       $1, Z4, Z5 // ⌊k/2⌋
	VPSUBD       Z5, Z4, Z4 // ⌈k/2⌉
	VPADDD       Z12, Z5, Z5
	VPADDD       Z12, Z4, Z4
	VPSLLD       $23, Z5, Z5
	VPSLLD       $23, Z4, Z4
	VMULPS       Z5, Z3, Z3
	VMULPS       Z4, Z3, Z3
	VMOVUPS      Z3, (DI)
	ADDQ         $64, SI
	ADDQ         $64, DI
	SUBQ         $16, CX
	JNZ          loopexp32AVX512
	VZEROUPPER
	RET

// func siluRows32AVX512(z, d, bias, scale *float32, rows, w, ld, mode int)
// SiLU32's three passes (bias and negation, e^−v, value and derivative)
// fused, 16 values per register: for each of rows rows (ld apart) and each
// of its first w columns (a multiple of 16), v = z + bias, t = e^−v with
// exp32's operations, s = 1/(1 + t), z = v·s and, for mode 1 and 2,
// d = s·(1 + v·(1 − s)) (mode 2: times scale). Every value gets the
// operations of the three-pass path, in the same order: the same bits.
TEXT ·siluRows32AVX512(SB), NOSPLIT, $0-64
	MOVQ rows+32(FP), R9
	TESTQ R9, R9
	JZ   siluRows32AVX512done
	MOVQ w+40(FP), R10
	SHRQ $4, R10
	JZ   siluRows32AVX512done
	MOVQ ld+48(FP), R11
	SHLQ $2, R11
	MOVQ mode+56(FP), AX
	MOVQ z+0(FP), R12
	MOVQ d+8(FP), R13
	VMOVUPS exp32c<>+0(SB), Z8
	VMOVUPS exp32c<>+64(SB), Z9
	VMOVUPS exp32c<>+128(SB), Z10
	VMOVUPS exp32c<>+704(SB), Z11
	VMOVUPS exp32c<>+768(SB), Z12
	MOVL $0x3f800000, BX
	MOVQ BX, X14
	VBROADCASTSS X14, Z14
	MOVL $0x80000000, BX
	MOVQ BX, X15
	VBROADCASTSS X15, Z15

siluRows32AVX512row:
	MOVQ R12, DI
	MOVQ R13, SI
	MOVQ bias+16(FP), DX
	MOVQ scale+24(FP), R8
	MOVQ R10, CX

siluRows32AVX512loop:
	VMOVUPS      (DI), Z0
	VADDPS       (DX), Z0, Z0 // v = z + bias
	VXORPS       Z15, Z0, Z6 // −v
	VMINPS       Z6, Z8, Z1 // e^−v as exp32 computes it
	VMAXPS       Z1, Z9, Z1
	VMULPS       Z10, Z1, Z2
	VRNDSCALEPS  $0, Z2, Z2
	VFNMADD231PS exp32c<>+192(SB), Z2, Z1
	VFNMADD231PS exp32c<>+256(SB), Z2, Z1
	VMOVUPS      exp32c<>+320(SB), Z3
	VFMADD213PS  exp32c<>+384(SB), Z1, Z3
	VFMADD213PS  exp32c<>+448(SB), Z1, Z3
	VFMADD213PS  exp32c<>+512(SB), Z1, Z3
	VFMADD213PS  exp32c<>+576(SB), Z1, Z3
	VFMADD213PS  exp32c<>+640(SB), Z1, Z3
	VFMADD213PS  Z11, Z1, Z3
	VFMADD213PS  Z11, Z1, Z3
	VCVTPS2DQ    Z2, Z4
	VPSRAD       $1, Z4, Z5
	VPSUBD       Z5, Z4, Z4
	VPADDD       Z12, Z5, Z5
	VPADDD       Z12, Z4, Z4
	VPSLLD       $23, Z5, Z5
	VPSLLD       $23, Z4, Z4
	VMULPS       Z5, Z3, Z3
	VMULPS       Z4, Z3, Z3 // t
	VADDPS       Z3, Z14, Z1 // 1 + t
	VDIVPS       Z1, Z14, Z1 // s = 1/(1 + t)
	VMULPS       Z1, Z0, Z2 // v·s
	VMOVUPS      Z2, (DI)
	CMPQ         AX, $0
	JEQ          siluRows32AVX512next
	VSUBPS       Z1, Z14, Z3 // 1 − s
	VMULPS       Z3, Z0, Z3 // v·(1 − s)
	VADDPS       Z14, Z3, Z3 // 1 + v·(1 − s)
	VMULPS       Z3, Z1, Z3 // s·(…)
	CMPQ         AX, $1
	JEQ          siluRows32AVX512store
	VMULPS       (R8), Z3, Z3 // ·scale
	ADDQ         $64, R8

siluRows32AVX512store:
	VMOVUPS Z3, (SI)

siluRows32AVX512next:
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	DECQ CX
	JNZ  siluRows32AVX512loop
	ADDQ R11, R12
	ADDQ R11, R13
	DECQ R9
	JNZ  siluRows32AVX512row

siluRows32AVX512done:
	VZEROUPPER
	RET

// func siluRows32AVX2(z, d, bias, scale *float32, rows, w, ld, mode int)
// SiLU32's three passes (bias and negation, e^−v, value and derivative)
// fused, 8 values per register: for each of rows rows (ld apart) and each
// of its first w columns (a multiple of 8), v = z + bias, t = e^−v with
// exp32's operations, s = 1/(1 + t), z = v·s and, for mode 1 and 2,
// d = s·(1 + v·(1 − s)) (mode 2: times scale). Every value gets the
// operations of the three-pass path, in the same order: the same bits.
TEXT ·siluRows32AVX2(SB), NOSPLIT, $0-64
	MOVQ rows+32(FP), R9
	TESTQ R9, R9
	JZ   siluRows32AVX2done
	MOVQ w+40(FP), R10
	SHRQ $3, R10
	JZ   siluRows32AVX2done
	MOVQ ld+48(FP), R11
	SHLQ $2, R11
	MOVQ mode+56(FP), AX
	MOVQ z+0(FP), R12
	MOVQ d+8(FP), R13
	VMOVUPS exp32c<>+0(SB), Y8
	VMOVUPS exp32c<>+64(SB), Y9
	VMOVUPS exp32c<>+128(SB), Y10
	VMOVUPS exp32c<>+704(SB), Y11
	VMOVUPS exp32c<>+768(SB), Y12
	MOVL $0x3f800000, BX
	MOVQ BX, X14
	VBROADCASTSS X14, Y14
	MOVL $0x80000000, BX
	MOVQ BX, X15
	VBROADCASTSS X15, Y15

siluRows32AVX2row:
	MOVQ R12, DI
	MOVQ R13, SI
	MOVQ bias+16(FP), DX
	MOVQ scale+24(FP), R8
	MOVQ R10, CX

siluRows32AVX2loop:
	VMOVUPS      (DI), Y0
	VADDPS       (DX), Y0, Y0 // v = z + bias
	VXORPS       Y15, Y0, Y6 // −v
	VMINPS       Y6, Y8, Y1 // e^−v as exp32 computes it
	VMAXPS       Y1, Y9, Y1
	VMULPS       Y10, Y1, Y2
	VROUNDPS     $0, Y2, Y2
	VFNMADD231PS exp32c<>+192(SB), Y2, Y1
	VFNMADD231PS exp32c<>+256(SB), Y2, Y1
	VMOVUPS      exp32c<>+320(SB), Y3
	VFMADD213PS  exp32c<>+384(SB), Y1, Y3
	VFMADD213PS  exp32c<>+448(SB), Y1, Y3
	VFMADD213PS  exp32c<>+512(SB), Y1, Y3
	VFMADD213PS  exp32c<>+576(SB), Y1, Y3
	VFMADD213PS  exp32c<>+640(SB), Y1, Y3
	VFMADD213PS  Y11, Y1, Y3
	VFMADD213PS  Y11, Y1, Y3
	VCVTPS2DQ    Y2, Y4
	VPSRAD       $1, Y4, Y5
	VPSUBD       Y5, Y4, Y4
	VPADDD       Y12, Y5, Y5
	VPADDD       Y12, Y4, Y4
	VPSLLD       $23, Y5, Y5
	VPSLLD       $23, Y4, Y4
	VMULPS       Y5, Y3, Y3
	VMULPS       Y4, Y3, Y3 // t
	VADDPS       Y3, Y14, Y1 // 1 + t
	VDIVPS       Y1, Y14, Y1 // s = 1/(1 + t)
	VMULPS       Y1, Y0, Y2 // v·s
	VMOVUPS      Y2, (DI)
	CMPQ         AX, $0
	JEQ          siluRows32AVX2next
	VSUBPS       Y1, Y14, Y3 // 1 − s
	VMULPS       Y3, Y0, Y3 // v·(1 − s)
	VADDPS       Y14, Y3, Y3 // 1 + v·(1 − s)
	VMULPS       Y3, Y1, Y3 // s·(…)
	CMPQ         AX, $1
	JEQ          siluRows32AVX2store
	VMULPS       (R8), Y3, Y3 // ·scale
	ADDQ         $32, R8

siluRows32AVX2store:
	VMOVUPS Y3, (SI)

siluRows32AVX2next:
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNZ  siluRows32AVX2loop
	ADDQ R11, R12
	ADDQ R11, R13
	DECQ R9
	JNZ  siluRows32AVX2row

siluRows32AVX2done:
	VZEROUPPER
	RET
