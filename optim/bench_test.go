package optim

import "testing"

// BenchmarkAdamStep times one Adam update of the 784-512-512-1 MLP's
// 665 089 parameters (the MNIST-sized bench row's optimizer step).
func BenchmarkAdamStep(b *testing.B) {
	const n = 784*512 + 512 + 512*512 + 512 + 512 + 1
	o := NewAdam()
	if err := o.Start(n, 1<<30); err != nil {
		b.Fatal(err)
	}
	p, g := make([]float64, n), make([]float64, n)
	for i := range g {
		g[i] = float64(i%17-8) * 1e-3
	}
	b.SetBytes(7 * 8 * n)
	for b.Loop() {
		o.Step(p, g)
	}
}
