// Package simd holds the float64 kernels under ebm's hot loops — dot
// products, the fused Langevin and leapfrog updates, the dense matrix
// products of a layer's forward and backward passes, a vectorized
// exponential and logarithm, and the column kernels of a batched isotropic
// Gaussian mixture — with one implementation per instruction set, chosen
// once at start-up:
//
//   - "avx2" (amd64 with AVX2 and FMA3): our own AVX2+FMA assembly for the
//     matrix products (6×8 and 4×8 register-blocked kernels), the Langevin update,
//     Exp, Log and the mixture kernels; vek's AVX2 code for dot products
//     and scaling; unrolled, bounds-check-free Go loops for the other fused
//     updates;
//   - "avx512" (amd64 with AVX2, FMA3 and AVX-512F/DQ/BW/VL): avx2's table
//     with the kernel families that have AVX-512 assembly replaced by it —
//     the matrix products (12×16, 8×16, 4×16 and 1×16 register-blocked
//     kernels on ZMM registers), the Langevin, leapfrog-position and Axpy
//     updates, Exp, Log and the mixture kernels (eight values per
//     register, the tail under a mask); a family without AVX-512 code (Dot,
//     Scale) runs its avx2 kernel: the avx512 table starts as a copy of
//     avx2's. The float32 kernels (float32.go), the convolutions' strided
//     and run gathers and scatter-adds (strided32.go; neon runs them as
//     loops and axpy calls) and the Adam update (adam.go) have AVX2 and
//     AVX-512 code of their own, so have NUTS's per-chain passes (nuts.go:
//     the leapfrog halves with the leaf's kinetic energy and copies, the
//     momentum draw and the U-turn checks, whose sums add their terms in
//     the loops' order; neon runs the sampler's loops) and their lane
//     versions over blocks of eight chains (nuts_lanes.go: one register
//     per coordinate of a block, so no horizontal sums; avx2 takes a
//     block in two halves; generic and neon run the loops, and
//     NUTSLanes tells the sampler whether the layout pays), ExpExact
//     (math.Exp's own bits, eight at a time; the others call math.Exp), and GaussMix2
//     (a 2-D isotropic mixture's energies and gradients in one fused
//     kernel, the same bits as the multi-pass path) is AVX-512 only. Every AVX-512 kernel does the same operations in the
//     same order as its avx2 twin, so avx512 and avx2 give the same bits
//     (TestAVX512SameAsAVX2): choosing one or the other changes speed,
//     never results;
//   - "neon" (arm64 with ASIMD): our own NEON assembly;
//   - "generic": plain Go, the reference every other implementation is
//     tested against.
//
// By default the package chooses neon on arm64; on amd64, avx512 where it
// pays, else avx2, else generic. avx512 pays where 512-bit fused
// multiply-adds run at twice the throughput of 256-bit ones: AMD from
// family 0x1A (Zen 5; measured 2× here), and Intel server cores with two
// 512-bit FMA units on every model (Ice Lake-SP, Sapphire, Emerald and
// Granite Rapids, by family 6 model number). Zen 4 (family 0x19, which
// runs 512-bit operations on its 256-bit units), Skylake-SP and Cascade
// Lake (one or two units by SKU, which cpuid does not tell) and client
// cores stay on avx2. Implementations marks the implementations that
// would be chosen by default (Auto).
//
// The environment variable EBM_SIMD=generic|avx2|avx512|neon (in any case)
// overrides the choice at start-up; an unknown or unavailable name falls
// back to the best implementation available and is reported by
// OverrideProblem (the CLI warns of it in every command). Building with -tags purego leaves out every assembly and
// vek path. Implementations lists all four on every architecture, and
// says why one cannot run here.
//
// The tests run every check once per implementation, as subtests named
// generic, avx2, avx512 and neon, and skip the ones this machine or build
// cannot run, with the reason ("avx2: CPU lacks AVX2/FMA", "avx512: CPU
// lacks AVX-512F/DQ/BW/VL", "neon: not an arm64 build", "avx2: purego
// build"). The environment variable
// EBM_SIMD_REQUIRE, a comma-separated list of implementation names (for
// example EBM_SIMD_REQUIRE=generic,neon), turns the skip of a listed
// implementation into a failure, as do a listed name that is unknown or
// unavailable (TestRequire): CI sets it for every run that must exercise an
// implementation, so that a run under an emulator or on a machine lacking
// the CPU features cannot pass by skipping it. It has no effect outside
// the tests.
//
// Every kernel writes into its first argument (destination first) and
// panics with "simd: length mismatch" when the slice lengths disagree: that
// is a programming error. The doc comment of each kernel gives the
// reference loop it computes. Element-wise kernels round every product
// separately (no fused multiply-add), so all implementations agree with the
// reference bit for bit; reductions (Dot, SumSq) and matrix products may use
// fused multiply-adds and a different summation order, and agree with the
// reference to a relative error of about k·2⁻⁵³ of Σ|aᵢ·bᵢ| for k terms;
// Exp and Log agree with math.Exp and math.Log to within a few ulp (see
// their comments). Within one implementation, no element-wise kernel's
// value for an element, and no matrix product's value for a row, depends on
// its position or on the length of the call, so a batch split over workers
// at any point gives the same bits.
//
// No kernel starts goroutines: the matrix products run on the calling
// goroutine, so they are safe inside the samplers' sharded loops.
package simd
