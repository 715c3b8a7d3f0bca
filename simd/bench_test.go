package simd

import (
	"fmt"
	"testing"
)

// benchImpls runs f once per available implementation and size, as
// BenchmarkX/impl=…/n=….
func benchImpls(b *testing.B, sizes []int, f func(b *testing.B, n int)) {
	saved := Chosen()
	defer Use(saved)
	for _, name := range Available() {
		if err := Use(name); err != nil {
			b.Fatal(err)
		}
		for _, n := range sizes {
			b.Run(fmt.Sprintf("impl=%s/n=%d", name, n), func(b *testing.B) { f(b, n) })
		}
	}
}

func filled(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i%17)*0.25 - 2
	}
	return s
}

var vecSizes = []int{64, 1024, 1 << 14, 1 << 20}

var sink float64

func BenchmarkCopy(b *testing.B) {
	for _, n := range vecSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			x, y := filled(n), filled(n)
			b.SetBytes(int64(16 * n))
			for b.Loop() {
				copy(y, x)
			}
		})
	}
}

func BenchmarkDot(b *testing.B) {
	benchImpls(b, vecSizes, func(b *testing.B, n int) {
		x, y := filled(n), filled(n)
		b.SetBytes(int64(16 * n))
		for b.Loop() {
			sink += Dot(x, y)
		}
	})
}

func BenchmarkAxpy(b *testing.B) {
	benchImpls(b, vecSizes, func(b *testing.B, n int) {
		x, y := filled(n), filled(n)
		b.SetBytes(int64(24 * n))
		for b.Loop() {
			Axpy(y, 1e-9, x)
		}
	})
}

func BenchmarkLangevin(b *testing.B) {
	benchImpls(b, vecSizes, func(b *testing.B, n int) {
		x, g, xi := filled(n), filled(n), filled(n)
		b.SetBytes(int64(32 * n))
		for b.Loop() {
			Langevin(x, g, xi, -1e-9, 1e-9)
		}
	})
}

// BenchmarkLangevinRows: 4096 chains of dimension n.
func BenchmarkLangevinRows(b *testing.B) {
	benchImpls(b, []int{2, 16, 64}, func(b *testing.B, d int) {
		const chains = 4096
		x, g, xi, a, s := filled(chains*d), filled(chains*d), filled(chains*d), filled(chains), filled(chains)
		for i := range a {
			a[i], s[i] = -1e-9, 1e-9
		}
		b.SetBytes(int64(32 * chains * d))
		for b.Loop() {
			LangevinRows(x, g, xi, a, s, d)
		}
	})
}

func BenchmarkPosition(b *testing.B) {
	benchImpls(b, vecSizes, func(b *testing.B, n int) {
		x, p, m := filled(n), filled(n), filled(n)
		b.SetBytes(int64(32 * n))
		for b.Loop() {
			Position(x, p, m, 1e-9)
		}
	})
}

// BenchmarkMatMul: n is the row count m of A (m×128 times 128×128); the
// throughput in MB/s is GFLOP/s·1000 (SetBytes counts 2·m·k·n flops).
func BenchmarkMatMul(b *testing.B) {
	const k, n = 128, 128
	benchImpls(b, []int{16, 1024}, func(b *testing.B, m int) {
		a, w, c := filled(m*k), filled(k*n), make([]float64, m*n)
		b.SetBytes(int64(2 * m * k * n))
		for b.Loop() {
			MatMul(c, a, w, m, k, n)
		}
	})
}

func BenchmarkMatMulBT(b *testing.B) {
	const k, n = 128, 128
	benchImpls(b, []int{1024}, func(b *testing.B, m int) {
		a, w, c := filled(m*k), filled(k*n), make([]float64, m*n)
		b.SetBytes(int64(2 * m * k * n))
		for b.Loop() {
			MatMulBT(c, a, w, m, k, n)
		}
	})
}

func BenchmarkMatMulAT(b *testing.B) {
	const k, n = 128, 128
	benchImpls(b, []int{1024}, func(b *testing.B, kk int) {
		a, w, c := filled(kk*k), filled(kk*n), make([]float64, k*n)
		b.SetBytes(int64(2 * kk * k * n))
		for b.Loop() {
			MatMulAT(c, a, w, k, kk, n)
		}
	})
}
