//go:build !purego

package simd

//go:noescape
func langevinAVX2(x, grad, xi *float64, n int, a, b float64)

// langevinAVX2Go runs the assembly over the multiple-of-4 prefix and the
// reference expression over the rest.
func langevinAVX2Go(x, g, xi []float64, a, b float64) {
	g, xi = g[:len(x)], xi[:len(x)]
	n := len(x) &^ 3
	if n > 0 {
		langevinAVX2(&x[0], &g[0], &xi[0], n, a, b)
	}
	for i := n; i < len(x); i++ {
		x[i] += float64(a*g[i]) + float64(b*xi[i])
	}
}

// langevinRowsAVX2 calls the assembly once per row from rows of 8 on;
// shorter rows run the reference loop.
func langevinRowsAVX2(x, g, xi, a, b []float64, d int) {
	if d < 8 {
		langevinRowsGeneric(x, g, xi, a, b, d)
		return
	}
	for i := range a {
		lo, hi := i*d, (i+1)*d
		langevinAVX2Go(x[lo:hi], g[lo:hi], xi[lo:hi], a[i], b[i])
	}
}

//go:noescape
func axpyAVX2(y, x *float64, n int, a float64)

//go:noescape
func positionAVX2(x, p, minv *float64, n int, h float64)

// axpyAVX2Go and positionAVX2Go run the assembly over the multiple-of-4
// prefix and the reference expression over the rest.
func axpyAVX2Go(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	n := len(y) &^ 3
	if n > 0 {
		axpyAVX2(&y[0], &x[0], n, a)
	}
	for i := n; i < len(y); i++ {
		y[i] += float64(a * x[i])
	}
}

func positionAVX2Go(x, p, minv []float64, h float64) {
	p, minv = p[:len(x)], minv[:len(x)]
	n := len(x) &^ 3
	if n > 0 {
		positionAVX2(&x[0], &p[0], &minv[0], n, h)
	}
	for i := n; i < len(x); i++ {
		x[i] += float64(h * float64(minv[i]*p[i]))
	}
}

// axpyRowsAVX2 and positionRowsAVX2 call the assembly once per row from
// rows of 8 on; shorter rows run the reference loop.
func axpyRowsAVX2(y, x, a []float64, d int, neg bool) {
	if d < 8 {
		axpyRowsGeneric(y, x, a, d, neg)
		return
	}
	for i, ai := range a {
		if neg {
			ai = -ai
		}
		axpyAVX2Go(y[i*d:(i+1)*d], ai, x[i*d:(i+1)*d])
	}
}

func positionRowsAVX2(x, p, minv, h []float64, d int) {
	if d < 8 {
		positionRowsGeneric(x, p, minv, h, d)
		return
	}
	for i, hi := range h {
		lo, up := i*d, (i+1)*d
		positionAVX2Go(x[lo:up], p[lo:up], minv[lo:up], hi)
	}
}
