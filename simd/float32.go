package simd

import (
	"math"
	"sync/atomic"
)

// The float32 kernels serve learnable energies that compute in single
// precision (dtype = "float32"): the same contracts as their float64 twins
// (MatMul, MatMulBias, MatMulBT, MatMulAT, Dot, Axpy, Exp), on []float32.
// Products accumulate in float32. They are chosen with the float64 kernels:
// EBM_SIMD and Use switch both.
//
// Each implementation registers its table in tables32 from its own files
// (float32_amd64.go: avx2 and avx512; float32_arm64.go: neon). In those,
// the matrix products compute every c[i][j] as the chain
// s = fma(a[i][p], b[p][j], s) from +0 for p = 0, 1, …, k−1 (one rounding
// per step), whatever kernel, block or layout computes it, so avx2 and
// avx512 give the same bits; generic multiplies and adds as Go compiles
// it. Axpy32 gives the same bits everywhere; Dot32 and Exp32 (avx2 and
// avx512 the same bits, within 2 ulp) may differ between implementations.

// kernels32 is one implementation's table of unchecked float32 kernels.
type kernels32 struct {
	// matMul sets C = A·B (row-major, m×k times k×n), lengths checked.
	matMul func(c, a, b []float32, m, k, n int)
	// matMulAT sets C = Aᵀ·B (A stored k×m), lengths checked.
	matMulAT func(c, a, b []float32, m, k, n int)
	dot      func(x, y []float32) float32
	axpy     func(y []float32, a float32, x []float32)
	// add sets dst = a + b in one pass (Add32, lengths checked, dst may
	// be a or b); nil means a copy and axpy.
	add func(dst, a, b []float32)
	// exp sets dst[i] = e^x[i], float32.
	exp func(dst, x []float32)
	// transpose writes the c×r transpose of the r×c row-major src into dst
	// (for MatMulBT32); nil means transpose32.
	transpose func(dst, src []float32, r, c int)
	// matMulBT sets C = A·Bᵀ (B stored n×k), lengths checked; nil means
	// matMul on a transposed copy of B.
	matMulBT func(c, a, b []float32, m, k, n int)
	// gather and scatterAdd are GatherStrided32 and ScatterAddStrided32
	// for strides 1 and 2 (arguments checked); nil means the generic
	// loops.
	gather, scatterAdd func(dst, src []float32, ld, ho, wo, s int)
	// gatherRuns and scatterAddRuns are GatherRuns32 and
	// ScatterAddRuns32 (at least one run, n ≥ 1, checked); nil means the
	// generic loops.
	gatherRuns, scatterAddRuns func(dst, src []float32, off []int32, n int)
	// lanes is the float32 width of the table's element-wise activation
	// kernels (SiLU32, SigPairs32, SiLUGrad32): 16 (AVX-512), 8 (AVX2), or
	// 0 for the generic loops.
	lanes int
}

// generic32 is the pure-Go float32 table, the reference of the others.
var generic32 = &kernels32{
	matMul:   matMul32Generic,
	matMulAT: matMulATVia32(matMul32Generic),
	dot:      dot32Generic,
	axpy:     axpy32Generic,
	exp:      exp32Generic,
}

// tables32 maps an implementation's name to its float32 table; a name
// without one uses generic32.
var tables32 = map[string]*kernels32{"generic": generic32}

// register32 adds t to tables32 as name's float32 table when ok (the CPU
// has what the implementation needs), from a package-level variable's
// initializer in the implementation's file: var _ = register32(…).
func register32(name string, ok bool, t *kernels32) bool {
	if ok {
		tables32[name] = t
	}
	return ok
}

// current32 is the float32 table of the chosen implementation.
var current32 atomic.Pointer[kernels32]

// k32 returns the chosen float32 table.
func k32() *kernels32 {
	if t := current32.Load(); t != nil {
		return t
	}
	return choose32()
}

// choose32 sets current32 from the chosen implementation's name.
func choose32() *kernels32 {
	t := tables32[Chosen()]
	if t == nil {
		t = generic32
	}
	current32.Store(t)
	return t
}

// MatMul32 is MatMul on float32: C = A·B for row-major A (m×k), B (k×n)
// and C (m×n), with the same guarantees (c[i][j] depends only on row i of A
// and on B). It panics unless the lengths fit.
func MatMul32(c, a, b []float32, m, k, n int) {
	checkMat32(c, a, b, m, k, n)
	k32().matMul(c, a, b, m, k, n)
}

// MatMulBias32 is MatMulBias on float32: C = A·B + 1·biasᵀ.
func MatMulBias32(c, a, b, bias []float32, m, k, n int) {
	checkMat32(c, a, b, m, k, n)
	if len(bias) != n {
		mismatch()
	}
	k32().matMul(c, a, b, m, k, n)
	addRows(c, bias)
}

// MatMulBT32 is MatMulBT on float32: C = A·Bᵀ for A (m×k), B (n×k).
func MatMulBT32(c, a, b []float32, m, k, n int) {
	checkMat32(c, a, b, m, k, n)
	t := k32()
	if t.matMulBT != nil {
		t.matMulBT(c, a, b, m, k, n)
		return
	}
	bt := getScratch32(k * n)
	if t.transpose != nil {
		t.transpose(*bt, b, n, k)
	} else {
		transpose32(*bt, b, n, k)
	}
	t.matMul(c, a, *bt, m, k, n)
	putScratch32(bt)
}

// MatMulAT32 is MatMulAT on float32: C = Aᵀ·B for A (k×m), B (k×n).
func MatMulAT32(c, a, b []float32, m, k, n int) {
	checkMat32(c, a, b, m, k, n)
	k32().matMulAT(c, a, b, m, k, n)
}

// Dot32 returns Σ x[i]·y[i], accumulated in float32. It panics if the
// lengths differ.
func Dot32(x, y []float32) float32 {
	if len(x) != len(y) {
		mismatch()
	}
	return k32().dot(x, y)
}

// Axpy32 adds a·x to y: y[i] += float32(a*x[i]) (the product rounded, no
// fused multiply-add, so every implementation gives the same bits). It
// panics if the lengths differ.
func Axpy32(y []float32, a float32, x []float32) {
	if len(x) != len(y) {
		mismatch()
	}
	k32().axpy(y, a, x)
}

// Exp32 sets dst[i] = e^x[i] in float32, within 2 ulp of the correctly
// rounded value; +Inf above about 88.72, gradual underflow below about
// −87.3, NaN for NaN. dst may be x. It panics if the lengths differ.
func Exp32(dst, x []float32) {
	if len(x) != len(dst) {
		mismatch()
	}
	k32().exp(dst, x)
}

// ToFloat32 sets dst[i] = float32(src[i]) (rounded to nearest). It panics
// if the lengths differ.
func ToFloat32(dst []float32, src []float64) {
	if len(dst) != len(src) {
		mismatch()
	}
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// ToFloat64 sets dst[i] = float64(src[i]) (exact). It panics if the
// lengths differ.
func ToFloat64(dst []float64, src []float32) {
	if len(dst) != len(src) {
		mismatch()
	}
	for i, v := range src {
		dst[i] = float64(v)
	}
}

func checkMat32(c, a, b []float32, m, k, n int) {
	if m < 0 || k < 0 || n < 0 || len(a) != m*k || len(b) != k*n || len(c) != m*n {
		mismatch()
	}
}

// matMul32Generic sets C = A·B with an i-p-j loop (row i of C accumulates
// a[i][p]·(row p of B) for p = 0, 1, …), or for fewer than 8 columns one
// sum per element over p: the same operations in the same order.
func matMul32Generic(c, a, b []float32, m, k, n int) {
	if n < 8 {
		for i := 0; i < m; i++ {
			ai := a[i*k : (i+1)*k]
			for j := 0; j < n; j++ {
				var s float32
				for p, av := range ai {
					s += av * b[p*n+j]
				}
				c[i*n+j] = s
			}
		}
		return
	}
	for i := 0; i < m; i++ {
		ci := c[i*n : (i+1)*n]
		clear(ci)
		for p, av := range a[i*k : (i+1)*k] {
			bp := b[p*n : (p+1)*n]
			for j, bv := range bp {
				ci[j] += av * bv
			}
		}
	}
}

// matMulATVia32 returns a kernel for C = Aᵀ·B that transposes A into a
// pooled buffer and calls mm.
func matMulATVia32(mm func(c, a, b []float32, m, k, n int)) func(c, a, b []float32, m, k, n int) {
	return func(c, a, b []float32, m, k, n int) {
		at := getScratch32(k * m)
		transpose32(*at, a, k, m)
		mm(c, *at, b, m, k, n)
		putScratch32(at)
	}
}

func dot32Generic(x, y []float32) float32 {
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func axpy32Generic(y []float32, a float32, x []float32) {
	for i, v := range x {
		y[i] += float32(a * v)
	}
}

func exp32Generic(dst, x []float32) {
	for i, v := range x {
		dst[i] = float32(math.Exp(float64(v)))
	}
}

// scratch32 holds float32 transposition buffers, like scratch.
var scratch32 scratchPool[float32]

func getScratch32(size int) *[]float32 { return scratch32.get(size) }
func putScratch32(p *[]float32)        { scratch32.put(p) }

// transpose32 is transpose for float32.
func transpose32(dst, src []float32, r, c int) { transposeRows8(dst, src, r, c) }

// Mul32 sets dst[i] *= x[i], one rounding per element: every
// implementation gives the same bits. It panics if the lengths differ.
func Mul32(dst, x []float32) {
	if len(x) != len(dst) {
		mismatch()
	}
	mul32(dst, x)
}
