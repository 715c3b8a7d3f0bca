package energytest

import (
	"math"

	"github.com/goebm/ebm/energies"
)

// moments checks the shapes of Mean and Covariance, that the covariance is
// symmetric positive definite, and for Dim ≤ 2 compares both with the
// moments of exp(−E) by quadrature.
func (r *Report) moments(e energies.Energy, mo energies.Moments, o Options) {
	d := e.Dim()
	m, c := mo.Mean(), mo.Covariance()
	if len(m) != d || len(c) != d*d {
		r.fail("moments", "len(Mean()) = %d and len(Covariance()) = %d; want Dim = %d and Dim×Dim = %d", len(m), len(c), d, d*d)
		return
	}
	bad := false
	for j, v := range m {
		if !finite(v) {
			r.fail("moments", "Mean()[%d] = %v, want finite", j, v)
			bad = true
		}
	}
	for i := range d {
		for j := range d {
			a, b := c[i*d+j], c[j*d+i]
			if !finite(a) {
				r.fail("moments", "Covariance()[%d,%d] = %v, want finite", i, j, a)
				bad = true
			} else if j > i && !(math.Abs(a-b) <= 1e-12*math.Sqrt(math.Abs(c[i*d+i]*c[j*d+j]))) {
				r.fail("moments", "Covariance() is not symmetric: [%d,%d] = %.17g but [%d,%d] = %.17g", i, j, a, j, i, b)
				bad = true
			}
		}
	}
	if bad {
		return
	}
	if k, pivot := cholesky(c, d); k >= 0 {
		r.fail("moments", "Covariance() is not positive definite: Cholesky pivot %d is %.6g (variances %v)", k, pivot, diag(c, d))
		return
	}
	if d > 2 || o.SkipQuadrature {
		return
	}
	sd := make([]float64, d)
	for j := range d {
		sd[j] = math.Sqrt(c[j*d+j])
	}
	res := o.QuadratureRes
	if res <= 0 {
		res = [...]int{20000, 1000}[d-1]
	}
	gm, gc, ok := quadrature(e, m, sd, o.QuadratureWidth, res)
	if !ok {
		r.fail("moments", "quadrature of exp(−E) over Mean ± %g sd (%d cells per dimension) gives a zero or non-finite mass: E is non-finite or the box misses the density (set SkipQuadrature if a box grid cannot resolve it)", o.QuadratureWidth, res)
		return
	}
	for i := range d {
		if diff := math.Abs(gm[i] - m[i]); !(diff <= o.MomentTol*sd[i]) {
			r.fail("moments", "mean dim %d: Mean() %.10g, quadrature of exp(−E) %.10g (difference %.2g sd > MomentTol %g)",
				i, m[i], gm[i], diff/sd[i], o.MomentTol)
		}
		for j := range d {
			if diff := math.Abs(gc[i*d+j] - c[i*d+j]); !(diff <= o.MomentTol*sd[i]*sd[j]) {
				r.fail("moments", "covariance [%d,%d]: Covariance() %.10g, quadrature of exp(−E) %.10g (difference %.2g sd_i·sd_j > MomentTol %g)",
					i, j, c[i*d+j], gc[i*d+j], diff/(sd[i]*sd[j]), o.MomentTol)
			}
		}
	}
	if r.count(CheckMoments) > 0 {
		r.fail("moments", "(quadrature: midpoint rule on Mean ± %g sd, %d cells per dimension; for heavy tails or curved densities a box grid may be too coarse: set SkipQuadrature and check on a shaped grid)", o.QuadratureWidth, res)
	}
}

// cholesky returns (−1, 0) when the d×d matrix a is positive definite,
// otherwise the failing pivot's index and value.
func cholesky(a []float64, d int) (int, float64) {
	l := make([]float64, d*d)
	for j := range d {
		s := a[j*d+j]
		for k := range j {
			s -= l[j*d+k] * l[j*d+k]
		}
		if !(s > 0) {
			return j, s
		}
		l[j*d+j] = math.Sqrt(s)
		for i := j + 1; i < d; i++ {
			t := a[i*d+j]
			for k := range j {
				t -= l[i*d+k] * l[j*d+k]
			}
			l[i*d+j] = t / l[j*d+j]
		}
	}
	return -1, 0
}

func diag(c []float64, d int) []float64 {
	v := make([]float64, d)
	for j := range v {
		v[j] = c[j*d+j]
	}
	return v
}

// quadrature returns the mean and covariance of exp(−E) normalized on the
// box mean ± width·sd by the midpoint rule with res cells per dimension
// (d = 1 or 2). Weights are taken relative to the smallest energy seen, so
// large energies do not underflow. ok is false for a zero or non-finite mass.
func quadrature(e energies.Energy, mean, sd []float64, width float64, res int) (gm, gc []float64, ok bool) {
	d := len(mean)
	lo, h := make([]float64, d), make([]float64, d)
	for j := range d {
		lo[j] = mean[j] - width*sd[j]
		h[j] = 2 * width * sd[j] / float64(res)
	}
	rows := 1
	if d == 2 {
		rows = res
	}
	// One batch per row of the grid (res points), energies kept to
	// shift by their minimum.
	en := make([]float64, rows*res)
	x := make([]float64, res*d)
	for r := range rows {
		for k := range res {
			x[k*d] = lo[0] + (float64(k)+0.5)*h[0]
			if d == 2 {
				x[k*d+1] = lo[1] + (float64(r)+0.5)*h[1]
			}
		}
		e.Energy(en[r*res:(r+1)*res], x)
	}
	emin := math.Inf(1)
	for _, v := range en {
		if math.IsNaN(v) {
			return nil, nil, false
		}
		emin = min(emin, v)
	}
	if math.IsInf(emin, 0) {
		return nil, nil, false
	}
	// Moments about the stated mean (centred sums lose less precision).
	var z float64
	s := make([]float64, d)
	ss := make([]float64, d*d)
	p := make([]float64, d)
	for r := range rows {
		for k := range res {
			w := math.Exp(emin - en[r*res+k])
			p[0] = (float64(k)+0.5)*h[0] - width*sd[0]
			if d == 2 {
				p[1] = (float64(r)+0.5)*h[1] - width*sd[1]
			}
			z += w
			for i := range d {
				s[i] += w * p[i]
				for j := range d {
					ss[i*d+j] += w * p[i] * p[j]
				}
			}
		}
	}
	if !(z > 0) || math.IsInf(z, 0) {
		return nil, nil, false
	}
	gm, gc = make([]float64, d), make([]float64, d*d)
	for i := range d {
		gm[i] = mean[i] + s[i]/z
	}
	for i := range d {
		for j := range d {
			gc[i*d+j] = ss[i*d+j]/z - (s[i]/z)*(s[j]/z)
		}
	}
	return gm, gc, true
}
