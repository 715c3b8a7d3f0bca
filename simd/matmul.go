package simd

import "sync/atomic"

// MatMul sets C = A·B for row-major A (m×k), B (k×n) and C (m×n):
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float64
//			for p := 0; p < k; p++ {
//				s += a[i*k+p] * b[p*n+j]
//			}
//			c[i*n+j] = s
//		}
//	}
//
// Implementations may use fused multiply-adds and another summation order
// (see the package comment for the tolerance), but in each implementation
// c[i][j] depends only on row i of A and on B: not on m, nor on where row i
// falls, so a batch multiplied in one call or split into several calls at
// any rows gives the same bits (and so do MatMulBias and MatMulBT; for
// MatMulAT, a split of C's rows, i.e. of A's columns). MatMul runs on the
// calling goroutine whatever the size, so it is safe inside a sharded loop. It panics
// unless len(a) == m·k, len(b) == k·n and len(c) == m·n. c must not overlap a or b.
func MatMul(c, a, b []float64, m, k, n int) {
	checkMat(c, a, b, m, k, n)
	current.matMul(c, a, b, m, k, n)
}

// MatMulBias sets C = A·B + 1·biasᵀ, the forward pass of a dense layer
// with inputs A (m×k, one row per point), weights B (k×n) and bias (n):
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float64
//			for p := 0; p < k; p++ {
//				s += a[i*k+p] * b[p*n+j]
//			}
//			c[i*n+j] = s + bias[j]
//		}
//	}
//
// It panics as MatMul does, or if len(bias) != n.
func MatMulBias(c, a, b, bias []float64, m, k, n int) {
	checkMat(c, a, b, m, k, n)
	if len(bias) != n {
		mismatch()
	}
	current.matMul(c, a, b, m, k, n)
	addRows(c, bias)
}

// addRows adds bias to every row of the row-major c (rows of len(bias)).
func addRows[T float32 | float64](c, bias []T) {
	n := len(bias)
	if n == 0 {
		return
	}
	// Each row takes the implementation's axpy with a = 1: 1·bias[j] is
	// exact, so every element is row[j] + bias[j], rounded once, as the
	// plain loop gives it, in vector registers.
	switch c := any(c).(type) {
	case []float32:
		axpy, b := k32().axpy, any(bias).([]float32)
		for i := 0; i+n <= len(c); i += n {
			axpy(c[i:i+n], 1, b)
		}
	case []float64:
		axpy, b := current.axpy, any(bias).([]float64)
		for i := 0; i+n <= len(c); i += n {
			axpy(c[i:i+n], 1, b)
		}
	}
}

// MatMulBT sets C = A·Bᵀ for row-major A (m×k), B (n×k) and C (m×n), the
// backward pass to a dense layer's inputs (dX = dY·Wᵀ):
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float64
//			for p := 0; p < k; p++ {
//				s += a[i*k+p] * b[j*k+p]
//			}
//			c[i*n+j] = s
//		}
//	}
//
// It transposes B into a pooled scratch buffer (k·n values, reused across
// calls) and multiplies. It panics unless len(a) == m·k, len(b) == n·k and
// len(c) == m·n.
func MatMulBT(c, a, b []float64, m, k, n int) {
	checkMat(c, a, b, m, k, n)
	bt := getScratch(k * n)
	transpose(*bt, b, n, k)
	current.matMul(c, a, *bt, m, k, n)
	putScratch(bt)
}

// MatMulAT sets C = Aᵀ·B for row-major A (k×m), B (k×n) and C (m×n), the
// backward pass to a dense layer's weights (dW = Xᵀ·dY, k = batch size):
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float64
//			for p := 0; p < k; p++ {
//				s += a[p*m+i] * b[p*n+j]
//			}
//			c[i*n+j] = s
//		}
//	}
//
// The avx2 kernels read A in place through its strides; the others
// transpose A into a pooled scratch buffer (k·m values) and multiply. It
// panics unless len(a) == k·m, len(b) == k·n and len(c) == m·n.
func MatMulAT(c, a, b []float64, m, k, n int) {
	checkMat(c, a, b, m, k, n)
	current.matMulAT(c, a, b, m, k, n)
}

// matMulATVia returns a kernel for C = Aᵀ·B that transposes A into a
// pooled buffer and calls mm.
func matMulATVia(mm func(c, a, b []float64, m, k, n int)) func(c, a, b []float64, m, k, n int) {
	return func(c, a, b []float64, m, k, n int) {
		at := getScratch(k * m)
		transpose(*at, a, k, m)
		mm(c, *at, b, m, k, n)
		putScratch(at)
	}
}

// checkMat panics unless the lengths fit an m×k by k×n product.
func checkMat(c, a, b []float64, m, k, n int) {
	if m < 0 || k < 0 || n < 0 || len(a) != m*k || len(b) != k*n || len(c) != m*n {
		mismatch()
	}
}

// scratchPool holds up to 16 transposition buffers for reuse by
// concurrent calls, lock-free, so that the products that transpose
// allocate only while the sizes they see grow (or more calls run at once
// than ever before). Unlike a sync.Pool it never drops a buffer, which
// keeps the products allocation-free under the race detector too.
type scratchPool[T any] [16]atomic.Pointer[[]T]

// get takes a buffer of length size, reusing a free one when it can.
func (sp *scratchPool[T]) get(size int) *[]T {
	var p *[]T
	for i := range sp {
		if p = sp[i].Swap(nil); p != nil {
			break
		}
	}
	if p == nil {
		p = new([]T)
	}
	if cap(*p) < size {
		*p = make([]T, size)
	}
	*p = (*p)[:size]
	return p
}

// put returns a buffer taken by get.
func (sp *scratchPool[T]) put(p *[]T) {
	for i := range sp {
		if sp[i].CompareAndSwap(nil, p) {
			return
		}
	}
}

// scratch holds the float64 transposition buffers.
var scratch scratchPool[float64]

func getScratch(size int) *[]float64 { return scratch.get(size) }
func putScratch(p *[]float64)        { scratch.put(p) }
