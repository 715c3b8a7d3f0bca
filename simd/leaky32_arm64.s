//go:build !purego

#include "textflag.h"

// func leaky32NEON(dst, x *float32, n int, slope float32, k int)
// Leaky32 on four lanes at a time, choosing on the bits as leaky32Go does:
// a lane passes x through (k = 0) where its bits, as a signed integer, are
// positive (0 < x ≤ +Inf, or a positive NaN) or it is a NaN (|x|'s bits
// above +Inf's); k = 1 gives 1 where the bits are positive and slope
// elsewhere, a NaN passing through. n is a positive multiple of 4.
TEXT ·leaky32NEON(SB), NOSPLIT, $0-40
	MOVD	dst+0(FP), R0
	MOVD	x+8(FP), R1
	MOVD	n+16(FP), R2
	FMOVS	slope+24(FP), F30
	MOVD	k+32(FP), R3
	VDUP	V30.S[0], V30.S4
	MOVW	$0x7f800000, R4
	VDUP	R4, V29.S4 // +Inf's bits
	MOVW	$0x7fffffff, R5
	VDUP	R5, V28.S4 // all but the sign
	MOVW	$0x3f800000, R6
	VDUP	R6, V27.S4 // 1
	CBNZ	R3, deriv

value:
	VLD1.P	16(R1), [V0.S4]
	WORD	$0x6e3edc01 // FMUL V1.4S, V0.4S, V30.4S: slope·x
	WORD	$0x4e3c1c02 // AND V2.16B, V0.16B, V28.16B: |x|'s bits
	WORD	$0x4ebd3442 // CMGT V2.4S, V2.4S, V29.4S: NaN
	WORD	$0x4ea08803 // CMGT V3.4S, V0.4S, #0: bits > 0, i.e. 0 < x ≤ +Inf or a positive NaN
	WORD	$0x4ea31c42 // ORR V2.16B, V2.16B, V3.16B: x passes
	WORD	$0x6e611c02 // BSL V2.16B, V0.16B, V1.16B: x where it passes, slope·x elsewhere
	VST1.P	[V2.S4], 16(R0)
	SUBS	$4, R2, R2
	BNE	value
	RET

deriv:
	VLD1.P	16(R1), [V0.S4]
	WORD	$0x4e3c1c02 // AND V2.16B, V0.16B, V28.16B
	WORD	$0x4ebd3442 // CMGT V2.4S, V2.4S, V29.4S: NaN
	WORD	$0x4ea08803 // CMGT V3.4S, V0.4S, #0
	WORD	$0x6e7e1f63 // BSL V3.16B, V27.16B, V30.16B: 1 where the bits are > 0, slope elsewhere
	WORD	$0x6e631c02 // BSL V2.16B, V0.16B, V3.16B: a NaN x passes
	VST1.P	[V2.S4], 16(R0)
	SUBS	$4, R2, R2
	BNE	deriv
	RET
