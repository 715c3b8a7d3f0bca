package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFloat32Kernels checks every float32 kernel of every available
// implementation against float64 loops on the same inputs.
func TestFloat32Kernels(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {13, 17, 33}, {64, 128, 128}, {7, 784, 40}} {
			m, k, n := sz[0], sz[1], sz[2]
			a, b, bias := fill(m*k), fill(k*n), fill(n)
			want := make([]float64, m*n)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					s := 0.0
					for p := 0; p < k; p++ {
						s += float64(a[i*k+p]) * float64(b[p*n+j])
					}
					want[i*n+j] = s
				}
			}
			tol := func(i int) float64 { return 4e-6 * math.Sqrt(float64(k)) * (1 + math.Abs(want[i])) * 4 }
			c := make([]float32, m*n)
			MatMul32(c, a, b, m, k, n)
			for i := range c {
				if d := math.Abs(float64(c[i]) - want[i]); d > tol(i) {
					t.Fatalf("%s MatMul32 %v: c[%d] = %v, want %v", name, sz, i, c[i], want[i])
				}
			}
			MatMulBias32(c, a, b, bias, m, k, n)
			for i := range c {
				if d := math.Abs(float64(c[i]) - want[i] - float64(bias[i%n])); d > tol(i)+1e-6 {
					t.Fatalf("%s MatMulBias32 %v: c[%d] = %v", name, sz, i, c[i])
				}
			}
			bt := make([]float32, n*k)
			transpose32(bt, b, k, n)
			MatMulBT32(c, a, bt, m, k, n)
			for i := range c {
				if d := math.Abs(float64(c[i]) - want[i]); d > tol(i) {
					t.Fatalf("%s MatMulBT32 %v: c[%d] = %v, want %v", name, sz, i, c[i], want[i])
				}
			}
			at := make([]float32, k*m)
			transpose32(at, a, m, k)
			MatMulAT32(c, at, b, m, k, n)
			for i := range c {
				if d := math.Abs(float64(c[i]) - want[i]); d > tol(i) {
					t.Fatalf("%s MatMulAT32 %v: c[%d] = %v, want %v", name, sz, i, c[i], want[i])
				}
			}
		}
		x, y := fill(1000), fill(1000)
		want := 0.0
		for i := range x {
			want += float64(x[i]) * float64(y[i])
		}
		if got := Dot32(x, y); math.Abs(float64(got)-want) > 1e-3 {
			t.Errorf("%s Dot32 = %v, want %v", name, got, want)
		}
		y2 := append([]float32(nil), y...)
		Axpy32(y2, 0.5, x)
		for i := range y2 {
			if y2[i] != y[i]+float32(0.5*x[i]) {
				t.Fatalf("%s Axpy32[%d] = %v", name, i, y2[i])
			}
		}
		e := make([]float32, len(x))
		xs := append(x, -100, 100, 88, -87, float32(math.NaN()))
		e = append(e, 0, 0, 0, 0, 0)
		Exp32(e, xs)
		for i, v := range xs {
			w := float32(math.Exp(float64(v)))
			if math.IsNaN(float64(v)) {
				if !math.IsNaN(float64(e[i])) {
					t.Errorf("%s Exp32(NaN) = %v", name, e[i])
				}
				continue
			}
			if math.Abs(float64(e[i]-w)) > 2.5e-7*float64(w) {
				t.Errorf("%s Exp32(%v) = %v, want %v", name, v, e[i], w)
			}
		}
	}
}

// TestTranspose32Exported checks Transpose32 against the definition on shapes
// with and without edges, in every implementation.
func TestTranspose32Exported(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	for _, impl := range Available() {
		if err := Use(impl); err != nil {
			t.Fatal(err)
		}
		for _, rc := range [][2]int{{1, 1}, {1, 9}, {9, 1}, {8, 8}, {16, 24}, {13, 21}, {49, 64}, {64, 196}} {
			r, c := rc[0], rc[1]
			src := make([]float32, r*c)
			for i := range src {
				src[i] = float32(i) + 0.5
			}
			dst := make([]float32, r*c)
			Transpose32(dst, src, r, c)
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					if dst[j*r+i] != src[i*c+j] {
						t.Fatalf("%s %dx%d: dst[%d][%d] = %v, want %v", impl, r, c, j, i, dst[j*r+i], src[i*c+j])
					}
				}
			}
		}
	}
}
