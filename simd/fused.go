//go:build (amd64 || arm64) && !purego

package simd

// The fused loops: one pass over memory, unrolled by four with the bounds
// checks hoisted. They compute exactly the generic expressions (every
// product rounded), so they agree with the reference bit for bit. The avx2
// implementation uses them where chaining vek calls would cost extra passes;
// neon uses them for the kernels it has no assembly for.

func langevinFused(x, g, xi []float64, a, b float64) {
	n := len(x)
	g, xi = g[:n], xi[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		xs, gs, ss := x[i:i+4:i+4], g[i:i+4:i+4], xi[i:i+4:i+4]
		xs[0] += float64(a*gs[0]) + float64(b*ss[0])
		xs[1] += float64(a*gs[1]) + float64(b*ss[1])
		xs[2] += float64(a*gs[2]) + float64(b*ss[2])
		xs[3] += float64(a*gs[3]) + float64(b*ss[3])
	}
	for ; i < n; i++ {
		x[i] += float64(a*g[i]) + float64(b*xi[i])
	}
}

func langevinRowsFused(x, g, xi, a, b []float64, d int) {
	if d >= 8 {
		for i := range a {
			lo, hi := i*d, (i+1)*d
			langevinFused(x[lo:hi], g[lo:hi], xi[lo:hi], a[i], b[i])
		}
		return
	}
	langevinRowsGeneric(x, g, xi, a, b, d)
}

func axpyFused(y []float64, a float64, x []float64) {
	n := len(y)
	x = x[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		ys, xs := y[i:i+4:i+4], x[i:i+4:i+4]
		ys[0] += float64(a * xs[0])
		ys[1] += float64(a * xs[1])
		ys[2] += float64(a * xs[2])
		ys[3] += float64(a * xs[3])
	}
	for ; i < n; i++ {
		y[i] += float64(a * x[i])
	}
}

func axpyRowsFused(y, x, a []float64, d int, neg bool) {
	if d >= 8 {
		for i, ai := range a {
			if neg {
				ai = -ai
			}
			axpyFused(y[i*d:(i+1)*d], ai, x[i*d:(i+1)*d])
		}
		return
	}
	axpyRowsGeneric(y, x, a, d, neg)
}

func positionFused(x, p, minv []float64, h float64) {
	n := len(x)
	p, minv = p[:n], minv[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		xs, ps, ms := x[i:i+4:i+4], p[i:i+4:i+4], minv[i:i+4:i+4]
		xs[0] += float64(h * float64(ms[0]*ps[0]))
		xs[1] += float64(h * float64(ms[1]*ps[1]))
		xs[2] += float64(h * float64(ms[2]*ps[2]))
		xs[3] += float64(h * float64(ms[3]*ps[3]))
	}
	for ; i < n; i++ {
		x[i] += float64(h * float64(minv[i]*p[i]))
	}
}

func positionRowsFused(x, p, minv, h []float64, d int) {
	if d >= 8 {
		for i, hi := range h {
			lo, up := i*d, (i+1)*d
			positionFused(x[lo:up], p[lo:up], minv[lo:up], hi)
		}
		return
	}
	positionRowsGeneric(x, p, minv, h, d)
}

func addScaledFused(dst, a []float64, s float64, b []float64) {
	n := len(dst)
	a, b = a[:n], b[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		ds, as, bs := dst[i:i+4:i+4], a[i:i+4:i+4], b[i:i+4:i+4]
		ds[0] = as[0] + float64(s*bs[0])
		ds[1] = as[1] + float64(s*bs[1])
		ds[2] = as[2] + float64(s*bs[2])
		ds[3] = as[3] + float64(s*bs[3])
	}
	for ; i < n; i++ {
		dst[i] = a[i] + float64(s*b[i])
	}
}

func scaleFused(x []float64, s float64) {
	n := len(x)
	i := 0
	for ; i+4 <= n; i += 4 {
		xs := x[i : i+4 : i+4]
		xs[0] *= s
		xs[1] *= s
		xs[2] *= s
		xs[3] *= s
	}
	for ; i < n; i++ {
		x[i] *= s
	}
}
