//go:build !purego

package simd

//go:noescape
func dot32AVX2(x, y *float32, n int) float32

//go:noescape
func axpy32AVX2(y, x *float32, n int, a float32)

//go:noescape
func add32AVX2(dst, a, b *float32, n int)

//go:noescape
func exp32AVX2(dst, x *float32, n int)

//go:noescape
func exp32AVX512(dst, x *float32, n int)

// dot32AVX2Go runs the assembly over the multiple-of-32 prefix and adds
// the rest in Go.
func dot32AVX2Go(x, y []float32) float32 {
	y = y[:len(x)]
	n := len(x) &^ 31
	var s float32
	if n > 0 {
		s = dot32AVX2(&x[0], &y[0], n)
	}
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

// axpy32AVX2Go runs the assembly over the multiple-of-8 prefix and the
// reference expression over the rest: every element y[i] + float32(a·x[i]).
func axpy32AVX2Go(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	n := len(y) &^ 7
	if n > 0 {
		axpy32AVX2(&y[0], &x[0], n, a)
	}
	for i := n; i < len(y); i++ {
		y[i] += float32(a * x[i])
	}
}

// add32AVX2Go runs the assembly over the multiple-of-8 prefix and the
// reference expression over the rest: every element a[i] + b[i].
func add32AVX2Go(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	n := len(dst) &^ 7
	if n > 0 {
		add32AVX2(&dst[0], &a[0], &b[0], n)
	}
	for i := n; i < len(dst); i++ {
		dst[i] = a[i] + b[i]
	}
}

// exp32AVX2Go runs the assembly on the multiple-of-8 prefix and on a copy
// of the last 1–7 values padded to eight, so that every element takes the
// same path whatever its position.
func exp32AVX2Go(dst, x []float32) {
	x = x[:len(dst)]
	n := len(dst) &^ 7
	if n > 0 {
		exp32AVX2(&dst[0], &x[0], n)
	}
	exp32Tail(dst[n:], x[n:])
}

// exp32AVX512Go runs the AVX-512 loop on the multiple-of-16 prefix and the
// AVX2 one on the rest: the same operations per element.
func exp32AVX512Go(dst, x []float32) {
	x = x[:len(dst)]
	n := len(dst) &^ 15
	if n > 0 {
		exp32AVX512(&dst[0], &x[0], n)
	}
	exp32AVX2Go(dst[n:], x[n:])
}

// exp32Tail sets dst = e^x for fewer than 8 values through a padded copy.
func exp32Tail(dst, x []float32) {
	if len(dst) == 0 {
		return
	}
	var buf [8]float32
	copy(buf[:], x)
	exp32AVX2(&buf[0], &buf[0], 8)
	copy(dst, buf[:])
}

//go:noescape
func mul32AVX2(dst, a, b *float32, n int)

// mul32 sets dst[i] *= x[i]: the assembly on the multiple-of-8 prefix
// where the implementation has vector kernels, Go on the rest.
func mul32(dst, x []float32) {
	x = x[:len(dst)]
	n := 0
	if k32().lanes > 0 {
		n = len(dst) &^ 7
	}
	if n > 0 {
		mul32AVX2(&dst[0], &dst[0], &x[0], n)
	}
	for i := n; i < len(dst); i++ {
		dst[i] *= x[i]
	}
}
