package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLeaky32 checks Leaky32 (value and derivative) in every available
// implementation against the defining branches bit for bit, at lengths
// around the vector width, on signed zeros, infinities, NaNs with
// payloads and signs, the smallest subnormals and random values. A
// failure means a leaky-ReLU network's training depends on the CPU, or
// that a mask picks the wrong side for some bit pattern.
func TestLeaky32(t *testing.T) {
	defer func(name string) { _ = Use(name) }(Chosen())
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00123), math.Float32frombits(0x7f800001), math.Float32frombits(0xff800001),
		math.Float32frombits(1), math.Float32frombits(0x80000001), 1, -1, math.MaxFloat32, -math.MaxFloat32}
	r := rand.New(rand.NewPCG(7, 8))
	const a = float32(0.2)
	for _, n := range []int{0, 1, 7, 8, 9, 13, 16, 31, 64, 1000} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * math.Exp(4*r.NormFloat64()))
		}
		for i, v := range special {
			if n > 0 {
				x[(i*5)%n] = v
			}
		}
		for _, name := range Available() {
			if err := Use(name); err != nil {
				t.Fatal(err)
			}
			got := make([]float32, n)
			for k := 0; k < 2; k++ {
				Leaky32(got, x, a, k)
				for i, v := range x {
					var want float32
					switch {
					case v != v:
						want = v
					case k == 0 && v > 0:
						want = v
					case k == 0:
						want = a * v
					case v > 0:
						want = 1
					default:
						want = a
					}
					if math.Float32bits(got[i]) != math.Float32bits(want) {
						t.Fatalf("%s, n = %d, k = %d, x = %v (%#x): got %#x, want %#x", name, n, k, v, math.Float32bits(v), math.Float32bits(got[i]), math.Float32bits(want))
					}
				}
			}
		}
	}
}
