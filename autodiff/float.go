package autodiff

import (
	"unsafe"

	"github.com/goebm/ebm/simd"
)

// Float is the element type of a Graph's values: float64 (Graph) or
// float32 (Graph32), or a type defined on one of them.
type Float interface{ ~float32 | ~float64 }

// The kernels below dispatch on the size of T to simd's float64 or float32
// kernels, reinterpreting the slices in place (a ~float32 type has
// float32's layout, a ~float64 type float64's): no copies, no interface
// conversions, no allocations. The size test is a constant of each
// instantiation, so every call compiles to one kernel call.

// is32 reports whether T is a ~float32 type.
func is32[T Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

// f32 returns x as []float32; T must be ~float32.
func f32[T Float](x []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// f64 returns x as []float64; T must be ~float64.
func f64[T Float](x []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// kMatMul sets c = a·b (simd.MatMul or MatMul32).
func kMatMul[T Float](c, a, b []T, m, k, n int) {
	if is32[T]() {
		simd.MatMul32(f32(c), f32(a), f32(b), m, k, n)
		return
	}
	simd.MatMul(f64(c), f64(a), f64(b), m, k, n)
}

// kMatMulAT sets c = aᵀ·b for a k×m (simd.MatMulAT or MatMulAT32).
func kMatMulAT[T Float](c, a, b []T, m, k, n int) {
	if is32[T]() {
		simd.MatMulAT32(f32(c), f32(a), f32(b), m, k, n)
		return
	}
	simd.MatMulAT(f64(c), f64(a), f64(b), m, k, n)
}

// kMatMulBias sets c = a·b + 1·biasᵀ (simd.MatMulBias or MatMulBias32).
func kMatMulBias[T Float](c, a, b, bias []T, m, k, n int) {
	if is32[T]() {
		simd.MatMulBias32(f32(c), f32(a), f32(b), f32(bias), m, k, n)
		return
	}
	simd.MatMulBias(f64(c), f64(a), f64(b), f64(bias), m, k, n)
}

// kDot returns Σ x[i]·y[i] (simd.Dot or Dot32).
func kDot[T Float](x, y []T) T {
	if is32[T]() {
		return T(simd.Dot32(f32(x), f32(y)))
	}
	return T(simd.Dot(f64(x), f64(y)))
}

// kAxpy adds a·x to y (simd.Axpy or Axpy32).
func kAxpy[T Float](y []T, a T, x []T) {
	if is32[T]() {
		simd.Axpy32(f32(y), float32(a), f32(x))
		return
	}
	simd.Axpy(f64(y), float64(a), f64(x))
}

// kAdd sets out = a + b (simd.Add32 in one pass; float64: a copy and
// simd.Axpy): the same bits either way.
func kAdd[T Float](out, a, b []T) {
	if is32[T]() {
		simd.Add32(f32(out), f32(a), f32(b))
		return
	}
	copy(out, a)
	simd.Axpy(f64(out), 1, f64(b))
}

// kExp sets dst[i] = e^x[i] (simd.Exp or Exp32); dst may be x.
func kExp[T Float](dst, x []T) {
	if is32[T]() {
		simd.Exp32(f32(dst), f32(x))
		return
	}
	simd.Exp(f64(dst), f64(x))
}
