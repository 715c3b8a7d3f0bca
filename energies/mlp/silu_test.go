package mlp

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/goebm/ebm/simd"
)

// TestSiLULayerVector checks siluLayer, whose rows go through the AVX-512
// kernel where simd's avx512 is in use, against siluRow applied row by
// row, bit for bit: values and derivatives, with and without scale, at
// widths around the kernel's eight lanes, with pre-activations beyond
// ±708, ±Inf and NaN in some rows (which the kernel leaves to math.Exp).
// A failure means the float64 network's energies depend on the CPU.
func TestSiLULayerVector(t *testing.T) {
	defer func(name string) { _ = simd.Use(name) }(simd.Chosen())
	r := rand.New(rand.NewPCG(3, 4))
	for _, impl := range simd.Available() {
		if err := simd.Use(impl); err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{1, 3, 7, 8, 9, 16, 21, 128} {
			const rows = 7
			z0 := make([]float64, rows*w)
			bias, scale := make([]float64, w), make([]float64, w)
			for i := range z0 {
				z0[i] = r.NormFloat64() * 6
			}
			for j := range bias {
				bias[j], scale[j] = r.NormFloat64(), r.NormFloat64()
			}
			z0[2*w] = 800                        // row 2: e^−v underflows
			z0[4*w+w/2] = -709.5                 // row 4: e^−v overflows
			z0[5*w] = math.NaN()                 // row 5
			z0[6*w+w-1] = math.Inf(-1 + 2*(w%2)) // row 6
			for mode := range 3 {
				var sc []float64
				if mode == 2 {
					sc = scale
				}
				z, d := append([]float64(nil), z0...), make([]float64, len(z0))
				siluLayer(z, d, bias, sc, mode > 0)
				wz, wd := append([]float64(nil), z0...), make([]float64, len(z0))
				for i0 := 0; i0 < len(wz); i0 += w {
					siluRow(wz[i0:i0+w], wd[i0:i0+w], bias, sc, mode > 0)
				}
				for i := range z {
					same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b) }
					if !same(z[i], wz[i]) || (mode > 0 && !same(d[i], wd[i])) {
						t.Fatalf("%s w=%d mode %d: element %d (row %d): z %v d %v, want %v %v", impl, w, mode, i, i/w, z[i], d[i], wz[i], wd[i])
					}
				}
			}
		}
	}
}
