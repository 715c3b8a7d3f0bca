package simd

import "math"

// NUTS's per-chain passes over one chain's row of d values. Each fuses
// what the sampler does to a row between two gradient evaluations and
// keeps the reference expressions' operations and order, sums included:
// a sum adds its terms one after the other, j = 0, 1, …, starting from +0,
// so every implementation gives the generic loop's bits. Each term is
// rounded before it is added (the float64 conversions keep the compiler
// from fusing the product and the sum into one multiply-add, as it may on
// arm64 and with GOAMD64=v3). The vector implementations compute the
// terms eight (or four) at a time and add them to the sum lane by lane,
// in that order (TestNUTSPasses).

// NUTSVector reports whether the chosen implementation runs the NUTS
// passes below on vector kernels at rows of d values, where they cost less
// than the sampler's own loops; below that the calls cost more than they
// save. The generic and neon implementations have none.
func NUTSVector(d int) bool { return current.nutsFrom > 0 && d >= current.nutsFrom }

// NUTSDrift is the first half of a leapfrog step of one chain, written to
// a new row: with nh = −(h/2),
//
//	for j := range p {
//		v := p[j] + float64(nh*g[j])
//		p[j] = v
//		xd[j] = x[j] + float64(h*float64(m[j]*v))
//	}
//
// (Momentum's and Position's expressions). It panics unless x, g, m and
// xd have p's length.
func NUTSDrift(xd, x, p, g, m []float64, h float64) {
	n := len(p)
	if len(x) != n || len(g) != n || len(m) != n || len(xd) != n {
		mismatch()
	}
	if f := current.nutsDrift; f != nil {
		f(xd, x, p, g, m, h)
		return
	}
	nutsDriftGeneric(xd, x, p, g, m, h)
}

func nutsDriftGeneric(xd, x, p, g, m []float64, h float64) {
	nh := -(0.5 * h)
	x, g, m, xd = x[:len(p)], g[:len(p)], m[:len(p)], xd[:len(p)]
	for j := range p {
		v := p[j] + float64(nh*g[j])
		p[j] = v
		xd[j] = x[j] + float64(h*float64(m[j]*v))
	}
}

// NUTSKick finishes a leapfrog step of one chain and copies the leaf it
// reached: with nh = −(h/2),
//
//	for j := range p {
//		v := p[j] + float64(nh*g[j])
//		p[j], pc[j], xc[j], gc[j] = v, v, x[j], g[j]
//		twoK += float64(m[j] * v * v)
//	}
//
// It returns twoK (pᵀM⁻¹p, twice the kinetic energy, summed in order j)
// and whether every x[j] and g[j] is finite. It panics unless every slice
// has p's length.
func NUTSKick(pc, xc, gc, p, x, g, m []float64, h float64) (twoK float64, finite bool) {
	n := len(p)
	if len(pc) != n || len(xc) != n || len(gc) != n || len(x) != n || len(g) != n || len(m) != n {
		mismatch()
	}
	if f := current.nutsKick; f != nil {
		return f(pc, xc, gc, p, x, g, m, h)
	}
	return nutsKickGeneric(pc, xc, gc, p, x, g, m, h)
}

func nutsKickGeneric(pc, xc, gc, p, x, g, m []float64, h float64) (float64, bool) {
	nh := -(0.5 * h)
	pc, xc, gc = pc[:len(p)], xc[:len(p)], gc[:len(p)]
	x, g, m = x[:len(p)], g[:len(p)], m[:len(p)]
	sum, zx, zg := 0.0, 0.0, 0.0
	for j := range p {
		v := p[j] + float64(nh*g[j])
		p[j], pc[j] = v, v
		xc[j], gc[j] = x[j], g[j]
		sum += float64(m[j] * v * v)
		zx += x[j] * 0 // NaN unless every x[j] is finite
		zg += g[j] * 0
	}
	return sum, zx+zg == 0
}

// NUTSMomentum turns one chain's standard normals z (in p) into its
// momentum p ~ N(0, M) for the diagonal inverse mass m and starts the
// tree's sums with it:
//
//	for j := range p {
//		v := p[j] / math.Sqrt(m[j])
//		p[j], op[j], rho[j] = v, v, v
//		twoK += float64(m[j] * v * v)
//	}
//
// It returns twoK (pᵀM⁻¹p, summed in order j) and panics unless op, rho
// and m have p's length.
func NUTSMomentum(p, op, rho, m []float64) (twoK float64) {
	n := len(p)
	if len(op) != n || len(rho) != n || len(m) != n {
		mismatch()
	}
	if f := current.nutsMomentum; f != nil {
		return f(p, op, rho, m)
	}
	return nutsMomentumGeneric(p, op, rho, m)
}

func nutsMomentumGeneric(p, op, rho, m []float64) float64 {
	op, rho, m = op[:len(p)], rho[:len(p)], m[:len(p)]
	sum := 0.0
	for j, mj := range m {
		v := p[j] / math.Sqrt(mj)
		p[j], op[j], rho[j] = v, v, v
		sum += float64(mj * v * v)
	}
	return sum
}

// UTurnFree3 makes the three generalized no-U-turn checks of joining a
// span of the trajectory (built first) to the next one: the first has end
// momenta a (its far end) and b (the end next to the second) and summed
// momentum ra, the second end momenta c (next to the first) and d (its far
// end) and summed momentum rc. It writes rho = ra + rc (rho may be ra)
// and reports whether all six sums
//
//	for j, mj := range m {
//		r1, r2, r3 := ra[j]+rc[j], ra[j]+c[j], rc[j]+b[j]
//		s1a += float64(mj * a[j] * r1);  s1d += float64(mj * d[j] * r1)
//		s2a += float64(mj * a[j] * r2);  s2c += float64(mj * c[j] * r2)
//		s3b += float64(mj * b[j] * r3);  s3d += float64(mj * d[j] * r3)
//		rho[j] = r1
//	}
//
// are positive: the whole span (a, d; ra + rc), the first with the
// second's first leaf (a, c; ra + c), the second with the first's last
// leaf (b, d; rc + b). It panics unless every slice has m's length.
func UTurnFree3(rho, a, b, ra, c, d, rc, m []float64) bool {
	n := len(m)
	if len(rho) != n || len(a) != n || len(b) != n || len(ra) != n || len(c) != n || len(d) != n || len(rc) != n {
		mismatch()
	}
	if f := current.uTurnFree3; f != nil {
		return f(rho, a, b, ra, c, d, rc, m)
	}
	return uTurnFree3Generic(rho, a, b, ra, c, d, rc, m)
}

func uTurnFree3Generic(rho, a, b, ra, c, d, rc, m []float64) bool {
	n := len(m)
	rho, a, b, ra, c, d, rc = rho[:n], a[:n], b[:n], ra[:n], c[:n], d[:n], rc[:n]
	var s1a, s1d, s2a, s2c, s3b, s3d float64
	for j, mj := range m {
		r1 := ra[j] + rc[j]
		r2 := ra[j] + c[j]
		r3 := rc[j] + b[j]
		s1a += float64(mj * a[j] * r1)
		s1d += float64(mj * d[j] * r1)
		s2a += float64(mj * a[j] * r2)
		s2c += float64(mj * c[j] * r2)
		s3b += float64(mj * b[j] * r3)
		s3d += float64(mj * d[j] * r3)
		rho[j] = r1
	}
	return uTurnFree(&[6]float64{s1a, s1d, s2a, s2c, s3b, s3d})
}

// uTurnFree reports whether all six sums are positive (false for NaN).
func uTurnFree(s *[6]float64) bool {
	return s[0] > 0 && s[1] > 0 && s[2] > 0 && s[3] > 0 && s[4] > 0 && s[5] > 0
}

// UTurnFree2 is UTurnFree3 for two single points of momenta a and c
// (a = b = ra, c = d = rc there): its three summed momenta are the same
// a + c (IEEE addition commutes), so its six sums are two,
//
//	for j, mj := range m {
//		r := a[j] + c[j]
//		sa += float64(mj * a[j] * r);  sc += float64(mj * c[j] * r)
//		rho[j] = r
//	}
//
// and the result and rho are UTurnFree3's bit for bit. rho may be a.
func UTurnFree2(rho, a, c, m []float64) bool {
	n := len(m)
	if len(rho) != n || len(a) != n || len(c) != n {
		mismatch()
	}
	if f := current.uTurnFree2; f != nil {
		return f(rho, a, c, m)
	}
	return uTurnFree2Generic(rho, a, c, m)
}

func uTurnFree2Generic(rho, a, c, m []float64) bool {
	n := len(m)
	rho, a, c = rho[:n], a[:n], c[:n]
	var sa, sc float64
	for j, mj := range m {
		r := a[j] + c[j]
		sa += float64(mj * a[j] * r)
		sc += float64(mj * c[j] * r)
		rho[j] = r
	}
	return sa > 0 && sc > 0
}
