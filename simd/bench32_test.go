package simd

import (
	"fmt"
	"testing"
	"time"
)

// peak32GFlops is the float32 FMA peak of the named implementation on one
// core (the best of five timings of its PeakKernel's Run32), or, for
// generic, which has no float32 loop, its scalar float64 multiply-add
// loop: Go compiles float32 multiply-adds to the same scalar
// instructions at the same rate. 0 when there is no peak loop.
func peak32GFlops(name string) float64 {
	for _, p := range PeakKernels() {
		if p.Impl != name {
			continue
		}
		const iters = 1 << 14
		best := time.Duration(1 << 62)
		var run func()
		flops := 0.0
		if p.Lanes32 > 0 {
			acc := make([]float32, p.Len32())
			run, flops = func() { p.Run32(acc, 1, 1e-9, iters) }, 2*float64(p.Len32())*iters
		} else {
			acc := make([]float64, p.Len())
			run, flops = func() { p.Run(acc, 1, 1e-9, iters) }, 2*float64(p.Len())*iters
		}
		for range 5 {
			start := time.Now()
			run()
			best = min(best, time.Since(start))
		}
		return flops / float64(best.Nanoseconds())
	}
	return 0
}

// BenchmarkMatMul32 times the float32 products at the shapes of the
// learnable energies (a 2-128-128-1 MLP on 1024 points, a 784-512 layer on
// 128) per implementation, reporting GFLOP/s and the share of the
// implementation's float32 FMA peak measured just before
// (%peak32; see peak32GFlops).
func BenchmarkMatMul32(b *testing.B) {
	saved := Chosen()
	defer Use(saved)
	shapes := []struct {
		op      string
		m, k, n int
	}{
		{"MatMul32", 1024, 128, 128}, {"MatMul32", 128, 784, 512}, {"MatMul32", 64, 128, 128},
		{"MatMul32", 1024, 128, 1}, {"MatMulBT32", 1024, 128, 128}, {"MatMulAT32", 128, 1024, 128},
		{"MatMulAT32", 784, 128, 512},
	}
	for _, name := range Available() {
		if err := Use(name); err != nil {
			b.Fatal(err)
		}
		for _, s := range shapes {
			b.Run(fmt.Sprintf("impl=%s/%s/%dx%dx%d", name, s.op, s.m, s.k, s.n), func(b *testing.B) {
				m, k, n := s.m, s.k, s.n
				a, w, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
				for i := range a {
					a[i] = float32(i%17)*0.25 - 2
				}
				for i := range w {
					w[i] = float32(i%13)*0.125 - 1
				}
				f := func() { MatMul32(c, a, w, m, k, n) }
				switch s.op {
				case "MatMulBT32":
					f = func() { MatMulBT32(c, a, w, m, k, n) }
				case "MatMulAT32":
					f = func() { MatMulAT32(c, a, w, m, k, n) }
				}
				peak := peak32GFlops(name)
				b.ResetTimer()
				for b.Loop() {
					f()
				}
				gf := 2 * float64(m*k*n) * float64(b.N) / b.Elapsed().Seconds() / 1e9
				b.ReportMetric(gf, "GFLOP/s")
				if peak > 0 {
					b.ReportMetric(100*gf/peak, "%peak32")
				}
			})
		}
	}
}

// BenchmarkExp32 times Exp32 on 1024 values per implementation.
func BenchmarkExp32(b *testing.B) {
	benchImpls(b, []int{1024}, func(b *testing.B, n int) {
		x, y := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(i%97)*0.5 - 24
		}
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			Exp32(y, x)
		}
	})
}

// BenchmarkTranspose32 transposes the matrices of the convolutions'
// layout changes: the NCHW images of the default convnet's layers into
// pixel rows (channels × pixels) and the products' pixel rows back
// (pixels × channels).
func BenchmarkTranspose32(b *testing.B) {
	for _, sz := range [][2]int{{32, 196}, {196, 32}, {64, 49}, {49, 64}, {16, 784}, {784, 16}} {
		r, c := sz[0], sz[1]
		src, dst := make([]float32, r*c), make([]float32, r*c)
		for i := range src {
			src[i] = float32(i)
		}
		b.Run(fmt.Sprintf("%dx%d", r, c), func(b *testing.B) {
			b.SetBytes(int64(8 * r * c))
			for b.Loop() {
				Transpose32(dst, src, r, c)
			}
		})
	}
}
