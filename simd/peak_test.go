package simd

import "testing"

// TestPeakKernels runs each peak loop this machine can run for 0, 1, 7 and
// 1000 rounds and compares every accumulator with the reference loop done
// here with math.FMA: a failure means a loop skips rounds or accumulators,
// loads or stores the wrong lanes, or is not the FMA it claims, so its
// GFLOP/s would be wrong. The values (d = 3·2⁻¹² per round, sums below 100) are
// exact in float32 too, so one reference serves both widths. The generic
// loop (acc = acc·x + y) runs with x = 1, where fused and unfused agree, so
// the same reference checks it on every architecture. Every
// available implementation of the kernel table must have a peak loop.
func TestPeakKernels(t *testing.T) {
	const d = 0.75 / 1024 // what one round adds to each accumulator
	peaks := PeakKernels()
	have := map[string]bool{}
	for _, p := range peaks {
		have[p.Impl] = true
	}
	for _, name := range Available() {
		if !have[name] {
			t.Errorf("implementation %s has no peak loop in PeakKernels", name)
		}
	}
	for _, p := range peaks {
		t.Run(p.Impl, func(t *testing.T) {
			x, y := 0.75, 1.0/1024 // acc += x·y = d
			if p.Impl == "generic" {
				x, y = 1, d // acc = acc·1 + d
			}
			if p.Accs < 8 || p.Lanes < 1 || p.What == "" {
				t.Fatalf("implausible loop %+v", p)
			}
			for _, iters := range []int{0, 1, 7, 1000} {
				acc := make([]float64, p.Len()+2)
				want := make([]float64, p.Len())
				for i := range want {
					want[i] = float64(i) + 0.5
					acc[i+1] = want[i]
				}
				acc[0], acc[len(acc)-1] = -7, -7 // guards
				for range iters {
					for i := range want {
						want[i] += d // exact
					}
				}
				p.Run(acc[1:len(acc)-1], x, y, iters)
				if acc[0] != -7 || acc[len(acc)-1] != -7 {
					t.Fatalf("iters=%d: a guard was overwritten", iters)
				}
				for i, w := range want {
					if acc[i+1] != w {
						t.Fatalf("iters=%d: acc[%d] = %v, want %v", iters, i, acc[i+1], w)
					}
				}
				if p.Lanes32 == 0 {
					continue
				}
				acc32 := make([]float32, p.Len32()+2)
				for i := range p.Len32() {
					acc32[i+1] = float32(i) + 0.5
				}
				acc32[0], acc32[len(acc32)-1] = -7, -7
				p.Run32(acc32[1:len(acc32)-1], float32(x), float32(y), iters)
				if acc32[0] != -7 || acc32[len(acc32)-1] != -7 {
					t.Fatalf("float32 iters=%d: a guard was overwritten", iters)
				}
				for i := range p.Len32() {
					w := float32(float64(i) + 0.5 + float64(iters)*d)
					if acc32[i+1] != w {
						t.Fatalf("float32 iters=%d: acc[%d] = %v, want %v", iters, i, acc32[i+1], w)
					}
				}
			}
		})
	}
}

// BenchmarkPeak reports each peak loop's GFLOP/s on one core.
func BenchmarkPeak(b *testing.B) {
	for _, p := range PeakKernels() {
		b.Run("impl="+p.Impl+"/f64", func(b *testing.B) {
			acc := make([]float64, p.Len())
			const iters = 1 << 16
			for b.Loop() {
				p.Run(acc, 1, 1e-9, iters)
			}
			b.ReportMetric(2*float64(p.Len())*iters*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
