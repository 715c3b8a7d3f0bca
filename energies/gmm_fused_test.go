package energies

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/goebm/ebm/simd"
)

// TestGMMFusedSameBits: in 2-D under avx512, GMM's batched path runs the
// fused kernel (simd.GaussMix2). Its energies and gradients must have the
// bits of the multi-pass path (the same GMM with the fused table removed)
// under avx512 and under avx2, for batches of every length mod 8 and
// across blocks, on typical, far (patchFar), overflowing, NaN and ±Inf
// points, with unequal weights and widths and up to 17 components.
func TestGMMFusedSameBits(t *testing.T) {
	saved := simd.Chosen()
	defer simd.Use(saved)
	if err := simd.Use("avx512"); err != nil || !simd.HasGaussMix2() {
		t.Skip("no fused kernel here:", err)
	}
	r := rand.New(rand.NewPCG(13, 2))
	special := []float64{math.NaN(), math.Float64frombits(0x7ff0000000000123), math.Float64frombits(0xfff8000000000456), math.Inf(1), math.Inf(-1), 0, 1e160, -1e200, math.MaxFloat64, 1e3, -1e5}
	for it := range 60 {
		nk := 1 + r.IntN(17)
		if it == 0 {
			nk = 8
		}
		g := &GMM{}
		for range nk {
			g.Means = append(g.Means, []float64{4 * r.NormFloat64(), 4 * r.NormFloat64()})
			g.Stds = append(g.Stds, math.Exp(r.NormFloat64()))
			g.Weights = append(g.Weights, 0.1+r.Float64())
		}
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		if g.fused == nil {
			t.Fatal("no fused table for a 2-D isotropic mixture")
		}
		multi := *g
		multi.fused = nil
		n := r.IntN(300)
		x := make([]float64, 2*n)
		for i := range x {
			switch r.IntN(12) {
			case 0:
				x[i] = special[r.IntN(len(special))]
			case 1:
				x[i] = g.Means[r.IntN(nk)][i%2]
			default:
				x[i] = 6 * r.NormFloat64()
			}
		}
		for _, grad := range []bool{true, false} {
			if err := simd.Use("avx512"); err != nil {
				t.Fatal(err)
			}
			e, gr := make([]float64, n), make([]float64, 2*n)
			if grad {
				g.Gradient(e, gr, x)
			} else {
				g.Energy(e, x)
			}
			for _, impl := range []string{"avx512", "avx2"} {
				if err := simd.Use(impl); err != nil {
					t.Fatal(err)
				}
				we, wg := make([]float64, n), make([]float64, 2*n)
				if grad {
					multi.Gradient(we, wg, x)
				} else {
					multi.Energy(we, x)
				}
				for i := range n {
					if math.Float64bits(e[i]) != math.Float64bits(we[i]) ||
						math.Float64bits(gr[2*i]) != math.Float64bits(wg[2*i]) ||
						math.Float64bits(gr[2*i+1]) != math.Float64bits(wg[2*i+1]) {
						t.Fatalf("%s, it %d, n %d, point %d at (%v, %v): E, ∇E = %v, (%v, %v); multi-pass %v, (%v, %v)",
							impl, it, n, i, x[2*i], x[2*i+1], e[i], gr[2*i], gr[2*i+1], we[i], wg[2*i], wg[2*i+1])
					}
				}
			}
		}
	}
}

// TestGMMFusedOnlyWhereExact: the fused kernel needs finite, nonzero
// precisions; a σ_k so large (or small) that 1/σ_k² underflows (or
// overflows) keeps the multi-pass path.
func TestGMMFusedOnlyWhereExact(t *testing.T) {
	for _, sd := range []float64{1e160, 1e-160} {
		g := &GMM{Means: [][]float64{{0, 0}, {1, 1}}, Stds: []float64{1, sd}}
		if err := g.Validate(); err != nil {
			t.Fatal(err)
		}
		if g.fused != nil {
			t.Errorf("std %v: fused table built", sd)
		}
	}
	g := &GMM{Means: [][]float64{{0, 0}, {1, 1}}, Stds: []float64{1, 1e150}}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	if g.fused == nil {
		t.Error("std 1e150: no fused table")
	}
}
