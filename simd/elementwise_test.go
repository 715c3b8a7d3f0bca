package simd

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// ewCase is one element-wise kernel: run applies the dispatched kernel,
// ref the generic twin, both to the same fresh inputs.
type ewCase struct {
	name string
	nIn  int // number of input slices besides the destination
	run  func(dst []float64, in [][]float64, s1, s2 float64)
	ref  func(dst []float64, in [][]float64, s1, s2 float64)
}

var ewCases = []ewCase{
	{"Axpy", 1,
		func(d []float64, in [][]float64, a, _ float64) { Axpy(d, a, in[0]) },
		func(d []float64, in [][]float64, a, _ float64) { generic.axpy(d, a, in[0]) }},
	{"Scale", 0,
		func(d []float64, _ [][]float64, s, _ float64) { Scale(d, s) },
		func(d []float64, _ [][]float64, s, _ float64) { generic.scale(d, s) }},
	{"AddScaled", 2,
		func(d []float64, in [][]float64, s, _ float64) { AddScaled(d, in[0], s, in[1]) },
		func(d []float64, in [][]float64, s, _ float64) { generic.addScaled(d, in[0], s, in[1]) }},
	{"Langevin", 2,
		func(d []float64, in [][]float64, a, b float64) { Langevin(d, in[0], in[1], a, b) },
		func(d []float64, in [][]float64, a, b float64) { generic.langevin(d, d, in[0], in[1], a, b) }},
	{"LangevinTo", 3,
		func(d []float64, in [][]float64, a, b float64) { LangevinTo(d, in[0], in[1], in[2], a, b) },
		func(d []float64, in [][]float64, a, b float64) { // the doc comment's loop
			for i := range d {
				d[i] = in[0][i] + (float64(a*in[1][i]) + float64(b*in[2][i]))
			}
		}},
	{"Momentum", 1,
		func(d []float64, in [][]float64, h, _ float64) { Momentum(d, in[0], h) },
		func(d []float64, in [][]float64, h, _ float64) { // the doc comment's loop
			for i := range d {
				d[i] -= float64(h * in[0][i])
			}
		}},
	{"Position", 2,
		func(d []float64, in [][]float64, h, _ float64) { Position(d, in[0], in[1], h) },
		func(d []float64, in [][]float64, h, _ float64) { generic.position(d, in[0], in[1], h) }},
	{"PositionUnitMass", 1,
		func(d []float64, in [][]float64, h, _ float64) { Position(d, in[0], nil, h) },
		func(d []float64, in [][]float64, h, _ float64) {
			ones := make([]float64, len(d))
			for i := range ones {
				ones[i] = 1
			}
			generic.position(d, in[0], ones, h)
		}},
}

// runEW checks one element-wise kernel at length n against its twin, bit
// for bit, with guards; poisoned adds NaN and ±Inf to the inputs.
func runEW(t *testing.T, r *rand.Rand, c ewCase, n int, poisoned bool) {
	dst := guarded(r, n)
	in := make([][]float64, c.nIn)
	for k := range in {
		in[k] = guarded(r, n)
		if poisoned {
			poison(in[k], 2*k)
		}
	}
	if poisoned {
		poison(dst, 1)
	}
	s1, s2 := r.NormFloat64(), r.NormFloat64()
	want := slices.Clone(dst)
	c.ref(want, in, s1, s2)
	c.run(dst, in, s1, s2)
	sameSlices(t, c.name, dst, want)
	checkGuards(t, c.name+" dst", dst)
	for k := range in {
		checkGuards(t, c.name+" input", in[k])
	}
}

// TestElementwise: every element-wise kernel of every implementation gives
// the generic twin's bits at lengths 0…67 and a few large ones, writes
// nothing past the ends, and propagates NaN and ±Inf the same way. A failure
// means a wrong tail loop, a wrong vector lane, or an out-of-bounds store.
func TestElementwise(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, c := range ewCases {
			for _, n := range lengths() {
				runEW(t, r, c, n, false)
				runEW(t, r, c, n, true)
			}
		}
	})
}

// TestNaNPropagates: a NaN gradient entry must reach the position it
// belongs to (and only that one), else a divergence would go unnoticed.
func TestNaNPropagates(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, n := range []int{1, 4, 9, 33} {
			x, g, xi := make([]float64, n), make([]float64, n), make([]float64, n)
			j := n - 1
			g[j] = nan()
			Langevin(x, g, xi, 0.1, 0.2)
			for i, v := range x {
				if isNaN(v) != (i == j) {
					t.Fatalf("n=%d: x[%d] = %v after a NaN at g[%d]", n, i, v, j)
				}
			}
		}
	})
}

// rowsCase is a row-wise kernel with its per-row reference loop.
type rowsCase struct {
	name string
	nIn  int
	run  func(dst []float64, in [][]float64, a, b []float64, d int)
	ref  func(dst []float64, in [][]float64, a, b []float64, d int)
}

var rowsCases = []rowsCase{
	{"LangevinRows", 2,
		func(x []float64, in [][]float64, a, b []float64, d int) { LangevinRows(x, in[0], in[1], a, b, d) },
		func(x []float64, in [][]float64, a, b []float64, d int) {
			for i := range a {
				for j := i * d; j < (i+1)*d; j++ {
					x[j] += float64(a[i]*in[0][j]) + float64(b[i]*in[1][j])
				}
			}
		}},
	{"MomentumRows", 1,
		func(p []float64, in [][]float64, h, _ []float64, d int) { MomentumRows(p, in[0], h, d) },
		func(p []float64, in [][]float64, h, _ []float64, d int) {
			for i := range h {
				for j := i * d; j < (i+1)*d; j++ {
					p[j] -= float64(h[i] * in[0][j])
				}
			}
		}},
	{"PositionRows", 2,
		func(x []float64, in [][]float64, h, _ []float64, d int) { PositionRows(x, in[0], in[1], h, d) },
		func(x []float64, in [][]float64, h, _ []float64, d int) {
			for i := range h {
				for j := i * d; j < (i+1)*d; j++ {
					x[j] += float64(h[i] * float64(in[1][j]*in[0][j]))
				}
			}
		}},
	{"PositionRowsUnitMass", 1,
		func(x []float64, in [][]float64, h, _ []float64, d int) { PositionRows(x, in[0], nil, h, d) },
		func(x []float64, in [][]float64, h, _ []float64, d int) {
			for i := range h {
				for j := i * d; j < (i+1)*d; j++ {
					x[j] += float64(h[i] * in[0][j])
				}
			}
		}},
}

// TestRows: the row-wise kernels apply row i's own scalars to row i, bit
// for bit as the reference loop, for row lengths on both sides of the
// assembly threshold. A failure means rows are mixed up or a scalar is
// applied to the wrong row.
func TestRows(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, d := range []int{0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 33, 64} {
			for _, n := range []int{0, 1, 2, 5} {
				for _, poisoned := range []bool{false, true} {
					for _, c := range rowsCases {
						x := guarded(r, n*d)
						in := make([][]float64, c.nIn)
						for k := range in {
							in[k] = guarded(r, n*d)
							if poisoned {
								poison(in[k], k)
							}
						}
						a, b := guarded(r, n), guarded(r, n)
						want := slices.Clone(x)
						c.ref(want, in, a, b, d)
						c.run(x, in, a, b, d)
						sameSlices(t, c.name, x, want)
						checkGuards(t, c.name, x)
					}
				}
			}
		}
	})
}
