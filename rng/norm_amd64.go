//go:build !purego

package rng

import (
	"github.com/goebm/ebm/simd"
	"github.com/klauspost/cpuid/v2"
)

// canVector reports whether fillNormRows8 can run: AVX-512F for the 64-bit
// lanes, gathers, scatters and masks, DQ for the 64-bit multiply and
// conversion.
var canVector = cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512DQ)

// useVector reports whether FillNormRows draws in vector registers: where
// the CPU can and the simd implementation in use is avx512 (chosen where
// 512-bit operations pay, or by EBM_SIMD). The values are the same either
// way.
func useVector() bool { return canVector && simd.Chosen() == "avx512" }

// fillNormRows8 draws d (1…255) standard normals from each of the
// 8·groups streams from st on, eight streams at a time
// and one draw from each per round, as Norm would while the draws take the
// ziggurat's fast path: draw j of stream k goes to dst[k*d+j]. Stream k
// keeps the draws before its first one off the fast path: its state
// advances by that many, cnt[k] says how many (d when none was off), bit
// k%8 of slow[k/8] is set where cnt[k] < d (a byte per group of eight),
// and dst[k*d+j] for j ≥ cnt[k] is meaningless. A stream whose γ is 0 (the
// zero Stream) takes the default γ, as Uint64 does, and keeps it.
//
//go:noescape
func fillNormRows8(st *Stream, dst *float64, cnt, slow *uint8, d, groups int)
