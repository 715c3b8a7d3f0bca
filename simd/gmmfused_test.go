package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gaussMix2Ref is GaussMix2 by the multi-pass column kernels of the chosen
// implementation, as energies.GMM's batched path runs them.
func gaussMix2Ref(e, g, m, s, x, p []float64) {
	n, nk := len(e), len(p)/GaussMix2Stride
	xt := make([]float64, 2*n)
	for r := range n {
		xt[r], xt[n+r] = x[2*r], x[2*r+1]
	}
	a, ls, gt := make([]float64, nk*n), make([]float64, n), make([]float64, 2*n)
	for r := range m {
		m[r], s[r] = math.Inf(-1), 0
	}
	for k := range nk {
		pk := p[k*GaussMix2Stride:]
		GaussLogits(a[k*n:(k+1)*n], m, xt, n, pk[:2], pk[2], pk[3])
	}
	for k := range nk {
		ak := a[k*n : (k+1)*n]
		ExpSubAcc(ak, s, ak, m)
	}
	Log(ls, s)
	for r := range e {
		e[r] = -(m[r] + ls[r])
	}
	if g == nil {
		return
	}
	for k := range nk {
		pk := p[k*GaussMix2Stride:]
		AddWeightedDiffs(gt, xt, n, pk[:2], a[k*n:(k+1)*n], pk[4])
	}
	for r := range n {
		g[2*r], g[2*r+1] = gt[r]/s[r], gt[n+r]/s[r]
	}
}

// gaussMix2Case draws nk components and n points: typical ones, far ones
// (every log-term −Inf or nearly), exact means, zeros, NaN and ±Inf.
func gaussMix2Case(r *rand.Rand, n, nk int) (x, p []float64) {
	p = make([]float64, nk*GaussMix2Stride)
	for k := range nk {
		sd := math.Exp(r.NormFloat64())
		if r.IntN(8) == 0 {
			sd = math.Ldexp(1, r.IntN(40)-20)
		}
		iv := 1 / (sd * sd)
		pk := p[k*GaussMix2Stride:]
		pk[0], pk[1] = 4*r.NormFloat64(), 4*r.NormFloat64()
		pk[2] = -2*(0.9189385332046727+math.Log(sd)) + math.Log(r.Float64()+0.01)
		pk[3], pk[4] = 0.5*iv, iv
	}
	special := []float64{math.NaN(), math.Float64frombits(0x7ff0000000000123), math.Float64frombits(0xfff8000000000456), math.Float64frombits(0x7ffc0000000abcde), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1e160, -1e200, 1e300, math.MaxFloat64, 5e-324, 40, -60}
	x = make([]float64, 2*n)
	for i := range x {
		switch r.IntN(10) {
		case 0:
			x[i] = special[r.IntN(len(special))]
		case 1:
			k := r.IntN(nk)
			x[i] = p[k*GaussMix2Stride+i%2]
		case 2:
			x[i] = r.NormFloat64() * math.Ldexp(1, r.IntN(1100)-50)
		default:
			x[i] = 6 * r.NormFloat64()
		}
	}
	return x, p
}

func sameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// TestGaussMix2SameAsMultiPass checks that the fused kernel gives the bits
// of the multi-pass path of avx512 and of avx2, NaN payloads included, on
// every point: typical, far, special, with and without the gradient.
func TestGaussMix2SameAsMultiPass(t *testing.T) {
	saved := Chosen()
	defer Use(saved)
	if err := Use("avx512"); err != nil || !HasGaussMix2() {
		t.Skip("no fused kernel here:", err)
	}
	r := rand.New(rand.NewPCG(13, 8))
	far := 0
	for it := range 400 {
		n, nk := 8*(1+r.IntN(40)), 1+r.IntN(17)
		if it%5 == 0 {
			nk = 8
		}
		x, p := gaussMix2Case(r, n, nk)
		e, g, m, s := make([]float64, n), make([]float64, 2*n), make([]float64, n), make([]float64, n)
		w := make([]float64, nk*n)
		for _, grad := range []bool{true, false} {
			gg := g
			if !grad {
				gg = nil
			}
			if err := Use("avx512"); err != nil {
				t.Fatal(err)
			}
			ok, f := GaussMix2(e, gg, m, s, x, w, p)
			if !ok {
				t.Fatal("GaussMix2 did not run under avx512")
			}
			wantFar := false
			for _, v := range m {
				wantFar = wantFar || math.IsInf(v, -1)
			}
			if f != wantFar {
				t.Fatalf("far = %v, want %v", f, wantFar)
			}
			if f {
				far++
			}
			for _, impl := range []string{"avx512", "avx2"} {
				if err := Use(impl); err != nil {
					t.Fatal(err)
				}
				re, rg, rm, rs := make([]float64, n), make([]float64, 2*n), make([]float64, n), make([]float64, n)
				if !grad {
					rg = nil
				}
				gaussMix2Ref(re, rg, rm, rs, x, p)
				for i := range n {
					if !sameBits(e[i], re[i]) || !sameBits(m[i], rm[i]) || !sameBits(s[i], rs[i]) {
						t.Fatalf("%s it %d point %d x=(%v,%v): e, m = %v, %v (%#x), want %v, %v (%#x)", impl, it, i, x[2*i], x[2*i+1],
							e[i], m[i], math.Float64bits(e[i]), re[i], rm[i], math.Float64bits(re[i]))
					}
					if grad && (!sameBits(g[2*i], rg[2*i]) || !sameBits(g[2*i+1], rg[2*i+1])) {
						t.Fatalf("%s it %d point %d x=(%v,%v): g = %v, %v, want %v, %v", impl, it, i, x[2*i], x[2*i+1], g[2*i], g[2*i+1], rg[2*i], rg[2*i+1])
					}
				}
			}
		}
	}
	if far == 0 {
		t.Error("no far point drawn")
	}
}

// TestGaussMix2Unavailable checks that GaussMix2 does nothing, and says
// so, under the implementations without a fused kernel.
func TestGaussMix2Unavailable(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		e := []float64{7, 7, 7, 7, 7, 7, 7, 7}
		ok, _ := GaussMix2(e, nil, make([]float64, 8), make([]float64, 8), make([]float64, 16), make([]float64, 8), make([]float64, GaussMix2Stride))
		if ok != (Chosen() == "avx512") || ok != HasGaussMix2() {
			t.Fatalf("%s: ok = %v", Chosen(), ok)
		}
		if !ok && e[0] != 7 {
			t.Fatal("wrote e without running")
		}
	})
}

func BenchmarkGaussMix2(b *testing.B) {
	// the 8-mode ring of the samplers' benchmark (std 0.5, radius 4), on
	// points spread over it
	r := rand.New(rand.NewPCG(1, 2))
	const n, nk = 128, 8
	p := make([]float64, nk*GaussMix2Stride)
	for k := range nk {
		a := 2 * math.Pi * float64(k) / nk
		copy(p[k*GaussMix2Stride:], []float64{4 * math.Cos(a), 4 * math.Sin(a), math.Log(1.0/nk) - 2*(0.9189385332046727+math.Log(0.5)), 2, 4})
	}
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = 3 * r.NormFloat64()
	}
	e, g, m, s, w := make([]float64, n), make([]float64, 2*n), make([]float64, n), make([]float64, n), make([]float64, nk*n)
	b.Run("fused", func(b *testing.B) {
		if !HasGaussMix2() {
			b.Skip("no fused kernel")
		}
		for b.Loop() {
			GaussMix2(e, g, m, s, x, w, p)
		}
	})
	b.Run("multipass", func(b *testing.B) {
		for b.Loop() {
			gaussMix2Ref(e, g, m, s, x, p)
		}
	})
}
