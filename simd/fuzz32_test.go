package simd

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// floats32 turns fuzz bytes into float32s (4 bytes each), any bit pattern.
func floats32(data []byte) []float32 {
	out := make([]float32, len(data)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return out
}

// FuzzMatMul32: for shapes and values taken from the input (any bit
// pattern: NaN, infinities, subnormals), up to 40 rows and 40 columns, the
// dispatched MatMul32 and MatMulAT32 give exactly the chain
// s = fma(a[i][p], b[p][j], s) from +0 in p order (fma32) in the fused
// implementations, and agree with the float64 sum within the summation
// bound in generic.
func FuzzMatMul32(f *testing.F) {
	f.Add(uint8(5), uint8(3), bytes.Repeat([]byte("0123456789abcdef"), 20))
	f.Add(uint8(13), uint8(2), bytes.Repeat([]byte("\x00\x00\x80\x3f\x00\x00\x00\xc0"), 120)) // 13×2×~40 of ±1, ±2
	f.Add(uint8(20), uint8(1), bytes.Repeat([]byte("\x01\x00\x00\x00\xff\xff\x7f\x7f"), 60))  // subnormal and max
	f.Fuzz(func(t *testing.T, mb, kb uint8, data []byte) {
		v := floats32(data)
		m, k := int(mb%41), int(kb%9)
		if m*k > len(v) {
			return
		}
		n := 0
		if k > 0 {
			n = min((len(v)-m*k)/k, 40)
		}
		a, b := v[:m*k], v[m*k:m*k+k*n]
		got := make([]float32, m*n)
		MatMul32(got, a, b, m, k, n)
		at := make([]float32, k*m)
		transpose32(at, a, m, k)
		gotAT := make([]float32, m*n)
		MatMulAT32(gotAT, at, b, m, k, n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var c float32
				var s, abs float64
				for p := 0; p < k; p++ {
					x, y := a[i*k+p], b[p*n+j]
					c = fma32(x, y, c)
					s += float64(x) * float64(y)
					abs += math.Abs(float64(x) * float64(y))
				}
				e := i*n + j
				if fused32(Chosen()) {
					sameBits32(t, "MatMul32", got[e:e+1], []float32{c})
					sameBits32(t, "MatMulAT32", gotAT[e:e+1], []float32{c})
					continue
				}
				if math.IsInf(abs, 0) || math.IsNaN(abs) || abs > math.MaxFloat32/2 {
					continue
				}
				tol := float64(k+2)*0x1p-24*abs + 0x1p-149*float64(k)
				if d := math.Abs(float64(got[e]) - s); !(d <= tol) {
					t.Fatalf("MatMul32 %d×%d×%d: c[%d] = %v, want %v ± %v", m, k, n, e, got[e], s, tol)
				}
			}
		}
	})
}

// TestTables32: every implementation available here has its own float32
// table (generic32 only for generic), and the dispatch picks it after Use.
// A failure means an implementation silently runs the pure-Go float32
// kernels.
func TestTables32(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	for _, name := range Available() {
		tb := tables32[name]
		if tb == nil {
			t.Errorf("%s has no float32 table", name)
			continue
		}
		if (tb == generic32) != (name == "generic") {
			t.Errorf("%s's float32 table is generic32: %v", name, tb == generic32)
		}
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		if k32() != tb {
			t.Errorf("after Use(%q) the float32 kernels are another table", name)
		}
	}
}
