package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSiLU32 checks SiLU32 of every implementation against the generic
// loops (around the same implementation's Exp32) bit for bit (value only, with the derivative, and times a scale),
// at widths around the vector lengths, with large, tiny and non-finite
// pre-activations; and the value against float64 arithmetic. A failure
// means a kernel reorders or fuses an operation, so a float32 network's
// energies would depend on the CPU.
func TestSiLU32(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(7, 8))
	for _, w := range []int{1, 7, 8, 15, 16, 17, 33, 128} {
		rows := 3
		z0 := make([]float32, rows*w)
		bias, scale := make([]float32, w), make([]float32, w)
		for i := range z0 {
			z0[i] = float32(r.NormFloat64() * 4)
		}
		z0[0] = 100
		if len(z0) > 3 {
			z0[1], z0[2], z0[3] = -100, float32(math.Inf(1)), float32(math.NaN())
		}
		for j := range bias {
			bias[j], scale[j] = float32(r.NormFloat64()), float32(r.NormFloat64())
		}
		for mode := 0; mode < 3; mode++ {
			var sc []float32
			if mode == 2 {
				sc = scale
			}
			run := func() ([]float32, []float32) {
				z, d := append([]float32(nil), z0...), make([]float32, len(z0))
				SiLU32(z, d, bias, sc, mode > 0)
				return z, d
			}
			if err := Use("generic"); err != nil {
				t.Fatal(err)
			}
			gz, _ := run()
			for i, v := range gz {
				x := float64(z0[i]) + float64(bias[i%w])
				want := x / (1 + math.Exp(-x))
				if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 80 {
					continue
				}
				if math.Abs(float64(v)-want) > 1e-6*(1+math.Abs(want)) {
					t.Fatalf("w=%d: silu(%v) = %v, want %v", w, x, v, want)
				}
			}
			for _, name := range Available() {
				if err := Use(name); err != nil {
					t.Fatal(err)
				}
				// The reference: the generic passes around this
				// implementation's Exp32 (whose last bits may differ).
				wz, wd := append([]float32(nil), z0...), make([]float32, len(z0))
				for i0 := 0; i0 < len(wz); i0 += w {
					siluPre32Generic(wz[i0:i0+w], wd[i0:i0+w], bias)
					Exp32(wd[i0:i0+w], wd[i0:i0+w])
					siluPost32Generic(wz[i0:i0+w], wd[i0:i0+w], sc, mode > 0)
				}
				z, d := run()
				same := func(a, b float32) bool { // NaN payloads may differ
					return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
				}
				for i := range z {
					if !same(z[i], wz[i]) || (mode > 0 && !same(d[i], wd[i])) {
						t.Fatalf("%s w=%d mode %d: element %d: z %v d %v, generic %v %v", name, w, mode, i, z[i], d[i], wz[i], wd[i])
					}
				}
			}
		}
	}
}

// TestMul32 checks Mul32 of every implementation against the product of
// each pair, at lengths around the vector widths: the product is
// rounded once, so every implementation must give its bits.
func TestMul32(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 71, 128} {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = float32(r.NormFloat64()), float32(r.NormFloat64()*1e3)
		}
		for _, name := range Available() {
			if err := Use(name); err != nil {
				t.Fatal(err)
			}
			got := append([]float32(nil), a...)
			Mul32(got, b)
			for i := range got {
				if want := a[i] * b[i]; math.Float32bits(got[i]) != math.Float32bits(want) {
					t.Fatalf("%s n=%d: element %d = %v, want %v", name, n, i, got[i], want)
				}
			}
		}
	}
}
