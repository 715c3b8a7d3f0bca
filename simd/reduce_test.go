package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

func nan() float64         { return math.NaN() }
func isNaN(v float64) bool { return math.IsNaN(v) }

// TestDot: Dot and SumSq agree with the generic reference loop within the
// summation bound sumTol at every length (a failure means lost or doubled
// elements in the vector loop or its tail), and a NaN or Inf input gives
// the reference's NaN or Inf.
func TestDot(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range lengths() {
			x, y := guarded(r, n), guarded(r, n)
			var abs, sq float64
			for i := range x {
				abs += math.Abs(x[i] * y[i])
				sq += x[i] * x[i]
			}
			closeTo(t, "Dot", Dot(x, y), generic.dot(x, y), sumTol(n, abs))
			closeTo(t, "SumSq", SumSq(x), generic.sumSq(x), sumTol(n, sq))
			checkGuards(t, "Dot", x)
			if n > 5 {
				x[n/2] = math.Inf(1)
				if v := Dot(x, y); !math.IsInf(v, 0) && !math.IsNaN(v) {
					t.Fatalf("Dot with an Inf input gave %v, want ±Inf (or NaN)", v)
				}
				x[n-1] = math.NaN()
				if v := Dot(x, y); !math.IsNaN(v) {
					t.Fatalf("Dot with a NaN input gave %v, want NaN", v)
				}
				if v := SumSq(x); !math.IsNaN(v) {
					t.Fatalf("SumSq with a NaN input gave %v, want NaN", v)
				}
			}
		}
	})
}

// TestPanics: mismatched lengths are programming errors and must panic
// with the package prefix rather than read or write out of bounds.
func TestPanics(t *testing.T) {
	s3, s4 := make([]float64, 3), make([]float64, 4)
	cases := map[string]func(){
		"Dot":               func() { Dot(s3, s4) },
		"Axpy":              func() { Axpy(s3, 1, s4) },
		"AddScaled":         func() { AddScaled(s3, s3, 1, s4) },
		"Langevin":          func() { Langevin(s3, s3, s4, 1, 1) },
		"LangevinRows":      func() { LangevinRows(s4, s4, s4, s3[:2], s3, 2) },
		"Momentum":          func() { Momentum(s3, s4, 1) },
		"MomentumRows":      func() { MomentumRows(s4, s4, s3, 2) },
		"Position":          func() { Position(s3, s3, s4, 1) },
		"PositionRows":      func() { PositionRows(s4, s4, s3, s3[:2], 2) },
		"MatMul":            func() { MatMul(s4, s4, s4, 2, 2, 3) },
		"MatMulBias":        func() { MatMulBias(s4, s4, s4, s3, 2, 2, 2) },
		"MatMulBT":          func() { MatMulBT(s3, s4, s4, 2, 2, 2) },
		"MatMulAT":          func() { MatMulAT(s4, s3, s4, 2, 2, 2) },
		"Exp":               func() { Exp(s3, s4) },
		"Log":               func() { Log(s4, s3) },
		"ExpSubAcc":         func() { ExpSubAcc(s3, s3, s4, s3) },
		"GaussLogits":       func() { GaussLogits(s3, s3, s4, 3, s3[:2], 0, 1) },   // x holds 4, needs 3+3
		"GaussLogitsLd":     func() { GaussLogits(s3, s3, s4, 2, s4[:2], 0, 1) },   // ld < n
		"GaussLogitsM":      func() { GaussLogits(s3, s4, s3, 3, s3[:1], 0, 1) },   // len(m) != n
		"AddWeightedDiffs":  func() { AddWeightedDiffs(s4, s3, 3, s3[:1], s3, 1) }, // len(g) != len(x)
		"AddWeightedDiffs0": func() { AddWeightedDiffs(s3, s3, 3, nil, s3, 1) },    // no coordinates
	}
	for name, f := range cases {
		func() {
			defer func() {
				if r := recover(); r != "simd: length mismatch" {
					t.Errorf("%s: recovered %v, want the panic \"simd: length mismatch\"", name, r)
				}
			}()
			f()
		}()
	}
}
