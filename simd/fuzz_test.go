package simd

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// floats turns fuzz bytes into float64s (8 bytes each), any bit pattern.
func floats(data []byte) []float64 {
	out := make([]float64, len(data)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return out
}

// FuzzDot: the dispatched Dot agrees with the generic loop within the
// summation bound (or both give the same non-finite class).
func FuzzDot(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v := floats(data)
		x, y := v[:len(v)/2], v[len(v)/2:2*(len(v)/2)]
		var abs float64
		for i := range x {
			abs += math.Abs(x[i] * y[i])
		}
		got, want := Dot(x, y), generic.dot(x, y)
		if math.IsInf(abs, 0) || math.IsNaN(abs) {
			return // overflowing or non-finite inputs: no tolerance to state
		}
		closeTo(t, "Dot", got, want, sumTol(len(x), abs))
	})
}

// FuzzLangevin: the dispatched fused update gives the generic bits for any
// inputs, including NaN, Inf and subnormals.
func FuzzLangevin(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"), 0.1, 0.2)
	f.Fuzz(func(t *testing.T, data []byte, a, b float64) {
		v := floats(data)
		n := len(v) / 3
		x, g, xi := v[:n], v[n:2*n], v[2*n:3*n]
		want, to := slices.Clone(x), make([]float64, n)
		generic.langevin(want, want, g, xi, a, b)
		LangevinTo(to, x, g, xi, a, b)
		sameSlices(t, "LangevinTo", to, want)
		Langevin(x, g, xi, a, b)
		sameSlices(t, "Langevin", x, want)
	})
}

// FuzzAxpy: the dispatched Axpy, Momentum and Position give the generic bits.
func FuzzAxpy(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"), 0.5)
	f.Fuzz(func(t *testing.T, data []byte, a float64) {
		v := floats(data)
		n := len(v) / 3
		y, x, m := v[:n], v[n:2*n], v[2*n:3*n]
		want, got := slices.Clone(y), slices.Clone(y)
		generic.axpy(want, a, x)
		Axpy(got, a, x)
		sameSlices(t, "Axpy", got, want)
		copy(want, y)
		copy(got, y)
		generic.position(want, x, m, a)
		Position(got, x, m, a)
		sameSlices(t, "Position", got, want)
	})
}

// FuzzMatMul: the dispatched MatMul agrees with the generic one within the
// per-element summation bound, for shapes taken from the input: up to 26
// rows and 20 columns, so that the avx512 kernels' 12-row blocks and
// 16-column panels are reached.
func FuzzMatMul(f *testing.F) {
	f.Add(uint8(5), uint8(3), []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"))
	f.Add(uint8(13), uint8(2), bytes.Repeat([]byte("0123456789abcdef"), 40)) // 13×2×20
	f.Fuzz(func(t *testing.T, mb, kb uint8, data []byte) {
		v := floats(data)
		m, k := int(mb%27), int(kb%9)
		if m*k > len(v) {
			return
		}
		n := 0
		if k > 0 {
			n = min((len(v)-m*k)/k, 20)
		}
		a, b := v[:m*k], v[m*k:m*k+k*n]
		got, want := make([]float64, m*n), make([]float64, m*n)
		MatMul(got, a, b, m, k, n)
		generic.matMul(want, a, b, m, k, n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var abs float64
				for p := 0; p < k; p++ {
					abs += math.Abs(a[i*k+p] * b[p*n+j])
				}
				if math.IsInf(abs, 0) || math.IsNaN(abs) {
					continue
				}
				closeTo(t, "MatMul", got[i*n+j], want[i*n+j], sumTol(k, abs))
			}
		}
	})
}
