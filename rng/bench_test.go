package rng

import (
	"math/rand/v2"
	"testing"
)

var sink float64

// BenchmarkNorm: one Norm call per op.
func BenchmarkNorm(b *testing.B) {
	s := New(1, 2)
	var t float64
	for b.Loop() {
		t += s.Norm()
	}
	sink = t
}

// BenchmarkFillNorm: one op fills 1024 values; ns/sample is the per-draw cost.
func BenchmarkFillNorm(b *testing.B) {
	s := New(1, 2)
	buf := make([]float64, 1024)
	b.SetBytes(8 * 1024)
	for b.Loop() {
		s.FillNorm(buf)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(buf)), "ns/sample")
}

// BenchmarkRandNormFloat64 is math/rand/v2's NormFloat64 with a PCG source
// (the comparison the per-sample speed target is stated against), and
// Global the package-level function.
func BenchmarkRandNormFloat64(b *testing.B) {
	b.Run("pcg", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		var t float64
		for b.Loop() {
			t += r.NormFloat64()
		}
		sink = t
	})
	b.Run("global", func(b *testing.B) {
		var t float64
		for b.Loop() {
			t += rand.NormFloat64()
		}
		sink = t
	})
}

func BenchmarkUint64(b *testing.B) {
	s := New(1, 2)
	var t uint64
	for b.Loop() {
		t += s.Uint64()
	}
	sink = float64(t)
}

// BenchmarkFillNormRows fills 4096 rows of 2 values, one stream per row,
// with FillNormRows and, for comparison, a FillNorm call per row; ns/sample
// is the per-draw cost.
func BenchmarkFillNormRows(b *testing.B) {
	const n, d = 4096, 2
	streams := make([]Stream, n)
	for i := range streams {
		streams[i] = New(1, uint64(i))
	}
	buf := make([]float64, n*d)
	b.Run("rows", func(b *testing.B) {
		for b.Loop() {
			FillNormRows(streams, buf, d)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(buf)), "ns/sample")
	})
	b.Run("per-row", func(b *testing.B) {
		for b.Loop() {
			for i := range streams {
				streams[i].FillNorm(buf[i*d : (i+1)*d])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(buf)), "ns/sample")
	})
}
