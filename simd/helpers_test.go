package simd

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// generic is the reference twin every implementation is compared with.
var generic = genericKernels()

// requireVar names the environment variable listing the implementations a
// test run must exercise (see the package comment).
const requireVar = "EBM_SIMD_REQUIRE"

// required returns the implementation names listed in EBM_SIMD_REQUIRE
// (comma-separated, spaces ignored).
func required() []string {
	var names []string
	for _, f := range strings.Split(os.Getenv(requireVar), ",") {
		if f = strings.TrimSpace(f); f != "" {
			names = append(names, f)
		}
	}
	return names
}

// forEachImpl runs f once per implementation the package knows, on any
// architecture, as a subtest named after it, with that implementation
// chosen. One this machine or build cannot run is skipped with the reason
// ("avx2: CPU lacks AVX2/FMA", "neon: not an arm64 build", "avx2: purego
// build"), unless EBM_SIMD_REQUIRE lists it: then the subtest fails, so that
// a CI job meant to test it cannot pass by skipping it (Go's crypto
// builders do the same, crypto/internal/cryptotest.TestAllImplementations).
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	saved := Chosen()
	defer func() {
		if err := Use(saved); err != nil {
			t.Fatal(err)
		}
	}()
	for _, im := range Implementations() {
		t.Run(im.Name, func(t *testing.T) {
			if !im.Available {
				skipMissing(t, im)
			}
			if err := Use(im.Name); err != nil {
				t.Fatal(err)
			}
			f(t)
		})
	}
}

// skipMissing skips the subtest of an implementation that cannot run here,
// or fails it when EBM_SIMD_REQUIRE lists that implementation.
func skipMissing(t *testing.T, im Impl) {
	t.Helper()
	if slices.Contains(required(), im.Name) {
		t.Fatalf("%s: %s, but %s=%s requires it to run", im.Name, im.Missing, requireVar, os.Getenv(requireVar))
	}
	t.Skipf("%s: %s", im.Name, im.Missing)
}

// lengths straddle the unroll widths (4, 8) and include a few large sizes.
func lengths() []int {
	var ns []int
	for n := 0; n <= 67; n++ {
		ns = append(ns, n)
	}
	return append(ns, 255, 1000, 4099)
}

const guard = 8

// guardVal fills the slots past the ends; no kernel writes it legitimately.
var guardVal = math.Float64frombits(0x7ff4dead0000beef) // a signalling-NaN pattern

// guarded returns a slice of n values drawn from r, with guard slots on
// both sides of it in the backing array.
func guarded(r *rand.Rand, n int) []float64 {
	buf := make([]float64, n+2*guard)
	for i := range buf {
		buf[i] = guardVal
	}
	s := buf[guard : guard+n : guard+n]
	for i := range s {
		s[i] = r.NormFloat64() * 3
	}
	return s
}

// checkGuards fails if anything past the ends of s was written.
func checkGuards(t *testing.T, what string, s []float64) {
	t.Helper()
	if len(s) == 0 {
		return // an empty slice's pointer need not point into its array
	}
	buf := backing(s)
	for i := 0; i < guard; i++ {
		if math.Float64bits(buf[i]) != math.Float64bits(guardVal) ||
			math.Float64bits(buf[len(buf)-1-i]) != math.Float64bits(guardVal) {
			t.Fatalf("%s: a guard value past the slice ends was overwritten (out-of-bounds write)", what)
		}
	}
}

// backing returns the array guarded made for s, guards included. The
// guards are part of the same allocation, so the pointer arithmetic is valid.
func backing(s []float64) []float64 {
	p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), -guard*8)
	return unsafe.Slice((*float64)(p), len(s)+2*guard)
}

// same reports whether a and b are bit-identical, treating any two NaNs as equal.
func same(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// sameSlices fails unless got equals want element for element (NaN-aware).
func sameSlices(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !same(got[i], want[i]) {
			t.Fatalf("%s: element %d of %d is %v, the generic twin gives %v (element-wise kernels must agree bit for bit)",
				what, i, len(got), got[i], want[i])
		}
	}
}

// poison puts NaN, +Inf and −Inf into s at spread-out places (when it is long enough).
func poison(s []float64, shift int) {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	for k, v := range specials {
		if i := 3*k + shift; i < len(s) {
			s[i] = v
		}
	}
}

// closeTo fails unless |got − want| ≤ tol, or both are NaN, or both are the same infinity.
func closeTo(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if same(got, want) {
		return
	}
	if math.IsNaN(got) || math.IsNaN(want) || math.IsInf(got, 0) || math.IsInf(want, 0) || !(math.Abs(got-want) <= tol) {
		t.Fatalf("%s: got %v, generic reference %v, |diff| %g > tolerance %g", what, got, want, math.Abs(got-want), tol)
	}
}

// eps is the float64 machine epsilon 2⁻⁵².
const eps = 0x1p-52

// sumTol is the tolerance for comparing two ways of summing k products
// whose absolute values sum to absSum: each way errs by at most about
// k·2⁻⁵³·absSum (the standard bound for recursive or blocked summation with
// or without fused multiply-adds), so they differ by at most (k+1)·2⁻⁵²·absSum.
func sumTol(k int, absSum float64) float64 { return float64(k+1) * eps * absSum }
