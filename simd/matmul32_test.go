package simd

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// fma32 is the correctly rounded float32 fused multiply-add a·b + s: the
// product is exact in float64 and math.FMA rounds the sum once to 53 bits;
// rounding that to 24 bits is wrong only when it lands exactly halfway
// between two float32 values, and then big.Float decides.
func fma32(a, b, s float32) float32 {
	r := math.FMA(float64(a), float64(b), float64(s))
	if bits := math.Float64bits(r); bits&(1<<29-1) != 1<<28 || math.IsInf(r, 0) || math.IsNaN(r) {
		return float32(r)
	}
	x := new(big.Float).SetPrec(2000).SetFloat64(float64(a) * float64(b))
	x.Add(x, new(big.Float).SetPrec(2000).SetFloat64(float64(s)))
	f, _ := x.Float32()
	return f
}

// fused32 reports whether the named implementation computes the float32
// products with one fused multiply-add per p (the assembly ones); generic
// multiplies and adds as Go compiles it.
func fused32(name string) bool { return name != "generic" }

func rand32(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// sameBits32 fails unless got and want are the same bits element by element.
func sameBits32(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) &&
			!(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
			t.Fatalf("%s: element %d: got %v (%#x), want %v (%#x)", what, i,
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// TestMatMul32Shapes: for random shapes (m, k, n in 1…70, and depths past
// the 128-deep p-blocks), every implementation's four float32 products
// agree with the float64 reference within a summation bound, nothing past
// C is written, and the fused implementations give exactly the chain
// s = fma(a[i][p], b[p][j], s) from +0 in p order for every element, for
// MatMulAT (strided A) too. A failure means a wrong block edge, padding or
// stride, or an element summed out of order.
func TestMatMul32Shapes(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(32, 1))
	type shape struct{ m, k, n int }
	shapes := []shape{{0, 0, 0}, {0, 3, 2}, {2, 0, 3}, {3, 2, 0}, {1, 1, 1}, {13, 1, 33}, {12, 129, 48}, {25, 300, 47}, {5, 257, 17}, {20, 300, 64}, {17, 129, 40}, {70, 1, 5}, {33, 140, 1}, {8, 8, 1}, {64, 16, 1}, {40, 15, 1}, {100, 784, 1}, {9, 7, 1}, {47, 129, 1}, {50, 131, 2}, {33, 9, 3}, {70, 64, 4}, {24, 8, 2}, {61, 23, 3}}
	for range 60 {
		shapes = append(shapes, shape{1 + r.IntN(70), 1 + r.IntN(70), 1 + r.IntN(70)})
	}
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		for _, s := range shapes {
			m, k, n := s.m, s.k, s.n
			a, b, bias := rand32(r, m*k), rand32(r, k*n), rand32(r, n)
			want, chain := make([]float64, m*n), make([]float32, m*n)
			abs := make([]float64, m*n)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var s, sa float64
					var c float32
					for p := 0; p < k; p++ {
						x, y := a[i*k+p], b[p*n+j]
						s += float64(x) * float64(y)
						sa += math.Abs(float64(x) * float64(y))
						c = fma32(x, y, c)
					}
					want[i*n+j], abs[i*n+j], chain[i*n+j] = s, sa, c
				}
			}
			at, bt := make([]float32, k*m), make([]float32, n*k)
			transpose32(at, a, m, k)
			transpose32(bt, b, k, n)
			what := fmt.Sprintf("%s %d×%d×%d", name, m, k, n)
			check := func(op string, run func(c []float32), bias []float32) {
				t.Helper()
				buf := rand32(r, m*n+5)
				guard := slices.Clone(buf[m*n:])
				c := buf[:m*n]
				run(c)
				for e := range c {
					w := want[e]
					tol := float64(k+2) * 0x1p-24 * (abs[e] + 1e-30)
					if bias != nil {
						w += float64(bias[e%n])
						tol += 0x1p-23 * (abs[e] + math.Abs(float64(bias[e%n])))
					}
					if d := math.Abs(float64(c[e]) - w); !(d <= tol) {
						t.Fatalf("%s %s: c[%d] = %v, want %v ± %v", op, what, e, c[e], w, tol)
					}
				}
				sameBits32(t, op+" guard "+what, buf[m*n:], guard)
				if fused32(name) && bias == nil {
					sameBits32(t, op+" fma chain "+what, c, chain)
				}
			}
			check("MatMul32", func(c []float32) { MatMul32(c, a, b, m, k, n) }, nil)
			check("MatMulBias32", func(c []float32) { MatMulBias32(c, a, b, bias, m, k, n) }, bias)
			check("MatMulBT32", func(c []float32) { MatMulBT32(c, a, bt, m, k, n) }, nil)
			check("MatMulAT32", func(c []float32) { MatMulAT32(c, at, b, m, k, n) }, nil)
		}
	}
}

// TestMatMul32RowSplit: for every implementation, a batch multiplied in one
// call or in calls split at random rows gives the same bits (MatMul32,
// MatMulBias32, MatMulBT32 on rows of A; MatMulAT32 on columns of A), and a
// NaN in a row of A reaches exactly that row of C. A failure means a row's
// values depend on its position or on the batch size.
func TestMatMul32RowSplit(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(32, 2))
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		for _, sz := range [][3]int{{13, 5, 19}, {23, 130, 17}, {9, 300, 8}, {17, 7, 3}, {12, 1, 24}, {70, 33, 70}, {37, 64, 33}, {29, 2, 128}, {40, 200, 100}, {45, 9, 1}, {70, 31, 1}, {64, 8, 1}, {59, 37, 2}, {41, 12, 3}, {35, 128, 4}} {
			m, k, n := sz[0], sz[1], sz[2]
			a, b, bias, bt := rand32(r, m*k), rand32(r, k*n), rand32(r, n), rand32(r, n*k)
			if m > 3 {
				a[3*k] = float32(math.NaN())
			}
			at := make([]float32, k*m)
			transpose32(at, a, m, k)
			ops := []struct {
				name string
				run  func(c []float32, lo, hi int)
			}{
				{"MatMul32", func(c []float32, lo, hi int) { MatMul32(c, a[lo*k:hi*k], b, hi-lo, k, n) }},
				{"MatMulBias32", func(c []float32, lo, hi int) { MatMulBias32(c, a[lo*k:hi*k], b, bias, hi-lo, k, n) }},
				{"MatMulBT32", func(c []float32, lo, hi int) { MatMulBT32(c, a[lo*k:hi*k], bt, hi-lo, k, n) }},
				{"MatMulAT32", func(c []float32, lo, hi int) {
					rows := hi - lo
					ats := make([]float32, k*rows)
					for p := 0; p < k; p++ {
						copy(ats[p*rows:(p+1)*rows], at[p*m+lo:p*m+hi])
					}
					MatMulAT32(c, ats, b, rows, k, n)
				}},
			}
			for _, op := range ops {
				whole := make([]float32, m*n)
				op.run(whole, 0, m)
				for e, v := range whole {
					if math.IsNaN(float64(v)) != (m > 3 && e/n == 3) {
						t.Fatalf("%s %s %v: NaN in row 3 of A gave c[%d] = %v", name, op.name, sz, e, v)
					}
				}
				for trial := 0; trial < 4; trial++ {
					for lo := 0; lo < m; {
						hi := min(m, lo+1+r.IntN(14))
						c := make([]float32, (hi-lo)*n)
						op.run(c, lo, hi)
						sameBits32(t, fmt.Sprintf("%s %s %v rows %d:%d", name, op.name, sz, lo, hi), c, whole[lo*n:hi*n])
						lo = hi
					}
				}
			}
		}
	}
}

// TestFloat32AVX512SameAsAVX2: where both tables exist, avx512's float32
// kernels give avx2's bits: the products (with NaN and infinities in a row
// of A), dot, axpy and exp. A failure means the two do different
// arithmetic for some element.
func TestFloat32AVX512SameAsAVX2(t *testing.T) {
	x2, x5 := tables32["avx2"], tables32["avx512"]
	if x2 == nil || x5 == nil {
		t.Skip("needs both the avx2 and avx512 float32 tables")
	}
	r := rand.New(rand.NewPCG(32, 3))
	both := func(what string, n int, run func(k *kernels32, dst []float32)) {
		t.Helper()
		init := rand32(r, n)
		got, want := slices.Clone(init), slices.Clone(init)
		run(x5, got)
		run(x2, want)
		sameBits32(t, what, got, want)
	}
	for _, k := range []int{1, 2, 7, 64, 127, 128, 129, 300} {
		for m := 0; m <= 40; m += 1 + m/8 {
			for n := 0; n <= 80; n += 1 + n/16 {
				a, b := rand32(r, m*k), rand32(r, k*n)
				if m > 2 && k > 7 && n > 0 {
					a[k], a[k+3], a[k+6] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))
				}
				what := fmt.Sprintf("matMul %d×%d×%d", m, k, n)
				both(what, m*n, func(kk *kernels32, c []float32) { kk.matMul(c, a, b, m, k, n) })
				both("matMulAT "+what, m*n, func(kk *kernels32, c []float32) { kk.matMulAT(c, a, b, m, k, n) })
			}
		}
	}
	for _, n := range lengths() {
		x, y := rand32(r, n), rand32(r, n)
		for i := range x {
			x[i] *= 30
		}
		what := fmt.Sprintf("n=%d", n)
		both("axpy "+what, n, func(k *kernels32, d []float32) { k.axpy(d, 0.7, x) })
		both("exp "+what, n, func(k *kernels32, d []float32) { k.exp(d, x) })
		both("dot "+what, 1, func(k *kernels32, d []float32) { d[0] = k.dot(x, y) })
	}
}

// TestAxpyDot32: every implementation's Axpy32 gives the reference's bits
// (y[i] + float32(a·x[i]), the product rounded) for every length and
// offset, and Dot32 agrees with a float64 sum within a summation bound.
func TestAxpyDot32(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	r := rand.New(rand.NewPCG(32, 4))
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		for _, n := range lengths() {
			for _, off := range []int{0, 1, 3} {
				x, y := rand32(r, n+off)[off:], rand32(r, n+off)[off:]
				a := float32(r.NormFloat64())
				want := make([]float32, n)
				for i := range want {
					want[i] = y[i] + float32(a*x[i])
				}
				Axpy32(y, a, x)
				sameBits32(t, fmt.Sprintf("%s Axpy32 n=%d off=%d", name, n, off), y, want)
				var s, sa float64
				for i := range x {
					s += float64(x[i]) * float64(y[i])
					sa += math.Abs(float64(x[i]) * float64(y[i]))
				}
				got := float64(Dot32(x, y))
				if tol := float64(n+1) * 0x1p-24 * sa; math.Abs(got-s) > tol {
					t.Fatalf("%s Dot32 n=%d: %v, want %v ± %v", name, n, got, s, tol)
				}
			}
		}
	}
}

// ulp32 is the distance in float32 steps between got and want (of the
// same sign, or zero).
func ulp32(got, want float32) int64 {
	g, w := int64(math.Float32bits(got)), int64(math.Float32bits(want))
	if g&(1<<31) != 0 || w&(1<<31) != 0 {
		return math.MaxInt64
	}
	if d := g - w; d >= 0 {
		return d
	}
	return w - g
}

// TestExp32: every implementation's Exp32 is within 2 ulp of
// float32(math.Exp(float64(x))) on a dense sweep of the float32 values in
// [−104, 89] (every 509th bit pattern of each sign) and at the edges
// (overflow to +Inf above 88.7228, subnormal results, 0 below −103.97,
// ±0, ±Inf, NaN), in place and at every length and offset. A failure
// means a wrong range reduction, polynomial or scaling.
func TestExp32(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	var xs []float32
	for _, lim := range []float32{89, -104} {
		top := math.Float32bits(lim)
		base := uint32(0)
		if lim < 0 {
			base = 1 << 31
		}
		for b := base; b <= top; b += 509 {
			xs = append(xs, math.Float32frombits(b))
		}
	}
	edges := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, 88, 88.72283, 88.722839, 88.72284, 88.7229, 88.73, 89, 89.5, 100, 1e30,
		-87.33654, -87.3366, -88, -100, -103.27893, -103.9720, -103.97208, -103.973, -104, -105, -1e30,
		math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 1e-10, -1e-10,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32}
	xs = append(xs, edges...)
	for _, name := range Available() {
		if err := Use(name); err != nil {
			t.Fatal(err)
		}
		got := make([]float32, len(xs))
		Exp32(got, xs)
		var worst int64
		for i, x := range xs {
			w := float32(math.Exp(float64(x)))
			if math.IsNaN(float64(x)) {
				if !math.IsNaN(float64(got[i])) {
					t.Errorf("%s Exp32(NaN) = %v", name, got[i])
				}
				continue
			}
			d := ulp32(got[i], w)
			if d > 2 {
				t.Fatalf("%s Exp32(%v) = %v (%#x), want %v (%#x): %d ulp", name, x, got[i], math.Float32bits(got[i]), w, math.Float32bits(w), d)
			}
			worst = max(worst, d)
		}
		if x := float32(88.7229); !math.IsInf(float64(exp32One(x)), 1) {
			t.Errorf("%s Exp32(%v) = %v, want +Inf", name, x, exp32One(x))
		}
		t.Logf("%s: %d values, worst %d ulp", name, len(xs), worst)
		in := slices.Clone(edges)
		for n := 0; n <= len(in); n++ {
			for _, off := range []int{0, 1} {
				if off > n {
					continue
				}
				d := slices.Clone(in[:n])
				Exp32(d[off:], d[off:]) // in place
				want := make([]float32, n-off)
				Exp32(want, in[off:n])
				sameBits32(t, fmt.Sprintf("%s Exp32 in place n=%d off=%d", name, n, off), d[off:], want)
			}
		}
	}
}

func exp32One(x float32) float32 {
	d := []float32{x}
	Exp32(d, d)
	return d[0]
}

// TestMatMul32NoAllocations: after a first call, the float32 products
// allocate nothing, edge columns and the transposed product of few
// columns included.
func TestMatMul32NoAllocations(t *testing.T) {
	defer func() { _ = Use(best().name) }()
	for _, sz := range [][3]int{{9, 13, 21}, {40, 13, 3}, {40, 13, 1}} {
		m, k, n := sz[0], sz[1], sz[2]
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for _, name := range Available() {
			if err := Use(name); err != nil {
				t.Fatal(err)
			}
			for op, f := range map[string]func(){
				"MatMul32":   func() { MatMul32(c, a, b, m, k, n) },
				"MatMulBT32": func() { MatMulBT32(c, a, b, m, k, n) },
				"MatMulAT32": func() { MatMulAT32(c, a, b, m, k, n) },
			} {
				if allocs := testing.AllocsPerRun(20, f); allocs != 0 {
					t.Errorf("%s %s %v allocates %v times per call", name, op, sz, allocs)
				}
			}
		}
	}
}

// TestTranspose32: every table's transpose (where it has its own) writes
// the transpose32 result, for shapes on both sides of its 8×8 blocks.
func TestTranspose32(t *testing.T) {
	r := rand.New(rand.NewPCG(32, 5))
	for name, tb := range tables32 {
		if tb.transpose == nil {
			continue
		}
		for _, rows := range []int{0, 1, 7, 8, 9, 16, 23, 64} {
			for _, cols := range []int{0, 1, 5, 8, 15, 16, 17, 40} {
				src := rand32(r, rows*cols)
				got, want := rand32(r, rows*cols), make([]float32, rows*cols)
				tb.transpose(got, src, rows, cols)
				transpose32(want, src, rows, cols)
				sameBits32(t, fmt.Sprintf("%s transpose %d×%d", name, rows, cols), got, want)
			}
		}
	}
}
