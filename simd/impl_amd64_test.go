//go:build !purego

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// TestAVX512Pays: the rule that makes avx512 the default picks AMD Zen 5
// and later and Intel's server cores with two 512-bit FMA units, and
// leaves Zen 4, Skylake-SP/Cascade Lake, client cores and other vendors on
// avx2. A failure means the default changed for a CPU family.
func TestAVX512Pays(t *testing.T) {
	for _, c := range []struct {
		vendor        cpuid.Vendor
		family, model int
		want          bool
	}{
		{cpuid.AMD, 0x1A, 0x02, true},  // Zen 5 (Turin)
		{cpuid.AMD, 0x1A, 0x44, true},  // Zen 5 (Granite Ridge)
		{cpuid.AMD, 0x19, 0x11, false}, // Zen 4 (Genoa)
		{cpuid.AMD, 0x17, 0x31, false}, // Zen 2
		{cpuid.Intel, 6, 0x8F, true},   // Sapphire Rapids
		{cpuid.Intel, 6, 0xCF, true},   // Emerald Rapids
		{cpuid.Intel, 6, 0xAD, true},   // Granite Rapids
		{cpuid.Intel, 6, 0x6A, true},   // Ice Lake-SP
		{cpuid.Intel, 6, 0x55, false},  // Skylake-SP / Cascade Lake
		{cpuid.Intel, 6, 0x7E, false},  // Ice Lake client
		{cpuid.Intel, 6, 0x8C, false},  // Tiger Lake
		{cpuid.Hygon, 0x18, 0, false},
	} {
		if got := avx512Pays(c.vendor, c.family, c.model); got != c.want {
			t.Errorf("avx512Pays(%v, %#x, %#x) = %v, want %v", c.vendor, c.family, c.model, got, c.want)
		}
	}
	t.Logf("this CPU: %v family %#x model %#x, AVX-512F/DQ/BW/VL %v: avx512 pays %v",
		cpuid.CPU.VendorID, cpuid.CPU.Family, cpuid.CPU.Model,
		cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL),
		avx512Pays(cpuid.CPU.VendorID, cpuid.CPU.Family, cpuid.CPU.Model))
}

// TestAVX512SameAsAVX2: every kernel of the avx512 table gives the same
// bits as avx2's on random inputs with NaNs and infinities, for matrix
// products of every shape around the blocks of both (rows 0…40, columns
// 0…50, depths on both sides of the p-blocks) and the element-wise,
// reduction, exp/log and mixture kernels over lengths 0…67 and a few
// large ones. This is what lets avx512 be the default where it pays
// without changing any result a user sees. It is skipped where avx512
// cannot run, unless EBM_SIMD_REQUIRE lists it.
func TestAVX512SameAsAVX2(t *testing.T) {
	x2, x5 := lookup("avx2"), lookup("avx512")
	for _, im := range Implementations() {
		if im.Name == "avx512" && !im.Available {
			skipMissing(t, im)
		}
	}
	r := rand.New(rand.NewPCG(51, 2))
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = r.NormFloat64() * 3
		}
		return s
	}
	both := func(what string, n int, run func(k *kernels, dst []float64)) {
		t.Helper()
		init := fill(n)
		got, want := slices.Clone(init), slices.Clone(init)
		run(x5, got)
		run(x2, want)
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%s: element %d of %d: avx512 %v (%#x), avx2 %v (%#x)", what, i, n,
					got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]))
			}
		}
	}
	for _, k := range []int{1, 2, 7, 64, 127, 128, 129, 300} {
		for m := 0; m <= 40; m += 1 + m/8 {
			for n := 0; n <= 50; n += 1 + n/16 {
				a, b := fill(m*k), fill(k*n)
				if m > 2 && k > 3 && n > 0 {
					poison(a[k:], 1) // row 1 of A: NaN and infinities
				}
				what := fmt.Sprintf("matMul %d×%d×%d", m, k, n)
				both(what, m*n, func(kk *kernels, c []float64) { kk.matMul(c, a, b, m, k, n) })
				both("matMulAT "+what, m*n, func(kk *kernels, c []float64) { kk.matMulAT(c, a, b, m, k, n) })
			}
		}
	}
	for _, n := range lengths() {
		x, y, z, w := fill(n), fill(n), fill(n), fill(n)
		poison(x, 0)
		poison(y, 2)
		what := fmt.Sprintf("n=%d", n)
		both("axpy "+what, n, func(k *kernels, d []float64) { k.axpy(d, 0.7, x) })
		both("scale "+what, n, func(k *kernels, d []float64) { k.scale(d, -1.3) })
		both("addScaled "+what, n, func(k *kernels, d []float64) { k.addScaled(d, x, 0.3, y) })
		both("langevin "+what, n, func(k *kernels, d []float64) { k.langevin(d, d, x, y, 0.01, 0.2) })
		both("langevinTo "+what, n, func(k *kernels, d []float64) { k.langevin(d, w, x, y, 0.01, 0.2) })
		both("position "+what, n, func(k *kernels, d []float64) { k.position(d, x, y, 0.05) })
		both("exp "+what, n, func(k *kernels, d []float64) { k.exp(d, x) })
		both("log "+what, n, func(k *kernels, d []float64) { k.log(d, z) })
		both("dot "+what, 1, func(k *kernels, d []float64) { d[0] = k.dot(x, y) })
		both("sumSq "+what, 1, func(k *kernels, d []float64) { d[0] = k.sumSq(x) })
		both("expSubAcc "+what, n, func(k *kernels, d []float64) {
			s := slices.Clone(w)
			k.expSubAcc(d, s, x, y)
			copy(d, s) // compare the accumulated sums too
			k.expSubAcc(d, s, x, y)
		})
		for _, d := range []int{1, 2, 3, 8, 9, 17} {
			rows := n / d
			if rows == 0 {
				continue
			}
			a, h := fill(rows), fill(rows)
			what := fmt.Sprintf("%s d=%d", what, d)
			both("langevinRows "+what, rows*d, func(k *kernels, dst []float64) {
				k.langevinRows(dst, x[:rows*d], y[:rows*d], a, h, d)
			})
			both("axpyRows "+what, rows*d, func(k *kernels, dst []float64) { k.axpyRows(dst, x[:rows*d], a, d, true) })
			both("positionRows "+what, rows*d, func(k *kernels, dst []float64) {
				k.positionRows(dst, x[:rows*d], y[:rows*d], h, d)
			})
		}
		for _, dims := range []int{1, 2, 5} {
			ld := n + 3
			xs, c := fill((dims-1)*ld+n), fill(dims)
			what := fmt.Sprintf("%s dims=%d", what, dims)
			both("gaussLogits "+what, n, func(k *kernels, a []float64) {
				m := slices.Clone(y)
				k.gaussLogits(a, m, xs, ld, c, 0.4, -0.7)
				copy(a, m) // compare the running maxima too
				k.gaussLogits(a, m, xs, ld, c, 0.1, 0.7)
			})
			both("addWeightedDiffs "+what, len(xs), func(k *kernels, g []float64) {
				k.addWeightedDiffs(g, xs, ld, c, x, 0.3)
			})
		}
	}
}
