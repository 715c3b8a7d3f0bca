package evaluate

import (
	"math"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// aisShard is a contiguous block of AIS runs advanced together: one energy
// call per proposal for the whole block. The state is in whitened
// coordinates y = (x − mean)/std, where the base is N(0, I): the energy of
// the path at β is U(y) = (1−β)·½‖y‖² + β·E(mean + std∘y).
type aisShard struct {
	e         energies.Energy
	index     int // position among the run's shards
	first, n  int
	d         int
	kernel    string
	leapfrog  int
	mean, std []float64 // nil: the standard normal base (x = y)

	y, ey, gy, e0 []float64 // positions, E(x), ∇_y E = std∘∇E(x), ½‖y‖²
	logw          []float64
	rng           []rng.Stream

	yp, eyp, gyp, e0p []float64 // proposal
	x                 []float64 // x = mean + std∘y scratch (nil for the standard base)
	gu, xi, mom       []float64 // ∇U at y, noise, HMC momentum
	h0                []float64 // HMC: H at the start of the transition
	a, b              []float64 // per-row −η and √(2η) for simd.LangevinRows

	acc   []float64 // each run's acceptance probability at the last step
	div   int64
	grads int64
}

func newAISShard(e energies.Energy, o AISOptions, first, n int, seed uint64) *aisShard {
	d := e.Dim()
	s := &aisShard{e: e, first: first, n: n, d: d, kernel: o.Kernel, leapfrog: o.Leapfrog,
		mean: o.Mean, std: o.Std,
		y: make([]float64, n*d), ey: make([]float64, n), gy: make([]float64, n*d), e0: make([]float64, n),
		logw: make([]float64, n), rng: make([]rng.Stream, n),
		yp: make([]float64, n*d), eyp: make([]float64, n), gyp: make([]float64, n*d), e0p: make([]float64, n),
		acc: make([]float64, n), gu: make([]float64, n*d), xi: make([]float64, n*d), a: make([]float64, n), b: make([]float64, n)}
	if o.Mean != nil {
		s.x = make([]float64, n*d)
	}
	if o.Kernel == KernelHMC {
		s.mom, s.h0 = make([]float64, n*d), make([]float64, n)
	}
	for i := range s.rng {
		s.rng[i] = rng.New(seed, uint64(first+i))
	}
	return s
}

// eval sets e = E(x), g = ∇_y E and e0 = ½‖y‖² at the whitened positions y.
func (s *aisShard) eval(e, g, e0, y []float64) {
	x := y
	if s.x != nil {
		x = s.x
		for i := range s.n {
			row := x[i*s.d : (i+1)*s.d]
			for j, v := range y[i*s.d : (i+1)*s.d] {
				row[j] = s.mean[j] + s.std[j]*v
			}
		}
	}
	s.e.Gradient(e, g, x)
	s.grads += int64(s.n)
	for i := range s.n {
		row := g[i*s.d : (i+1)*s.d]
		if s.std != nil {
			for j := range row {
				row[j] *= s.std[j]
			}
		}
		e0[i] = 0.5 * simd.SumSq(y[i*s.d:(i+1)*s.d])
	}
}

// start draws each run's base point and evaluates it; the log weights
// start at 0.
func (s *aisShard) start() {
	for i := range s.n {
		s.rng[i].FillNorm(s.y[i*s.d : (i+1)*s.d])
	}
	s.eval(s.ey, s.gy, s.e0, s.y)
}

// weigh adds (β_j − β_{j−1})(E₀ − E) at the current states to the log
// weights.
func (s *aisShard) weigh(betas []float64, j int) {
	db := betas[j] - betas[j-1]
	for i := range s.n {
		s.logw[i] += db * (s.e0[i] - s.ey[i])
	}
}

// step moves from β_{j−1} to β_j: the weight update at the current states,
// then one transition leaving p_{β_j} invariant with step eta; acc holds
// the runs' acceptance probabilities.
func (s *aisShard) step(betas []float64, j int, eta float64) {
	s.weigh(betas, j)
	if s.kernel == KernelHMC {
		s.hmc(betas[j], eta)
	} else {
		s.mala(betas[j], eta)
	}
}

// finish adds the last weight update, at β_K = 1.
func (s *aisShard) finish(betas []float64) { s.weigh(betas, len(betas)-1) }

// gradU writes ∇U(y) = (1−β)y + β∇_yE into gu.
func gradU(gu, y, gy []float64, beta float64) {
	for j := range gu {
		gu[j] = (1-beta)*y[j] + beta*gy[j]
	}
}

// pathU is U = (1−β)E₀ + βE (β > 0).
func pathU(e0, e, beta float64) float64 { return (1-beta)*e0 + beta*e }

// mala is one MALA transition on U at β with step η for every run: the
// proposal y′ = y − η∇U(y) + √(2η)ξ (ξ from the run's stream, then one
// uniform for the accept test), accepted with probability min(1, α),
// log α = U(y) − U(y′) + (‖y′ − y + η∇U(y)‖² − ‖y − y′ + η∇U(y′)‖²)/(4η).
func (s *aisShard) mala(beta, eta float64) {
	d := s.d
	gradU(s.gu, s.y, s.gy, beta)
	rng.FillNormRows(s.rng, s.xi, d)
	for i := range s.a {
		s.a[i], s.b[i] = -eta, math.Sqrt(2*eta)
	}
	copy(s.yp, s.y)
	simd.LangevinRows(s.yp, s.gu, s.xi, s.a, s.b, d)
	s.eval(s.eyp, s.gyp, s.e0p, s.yp)
	for i := range s.n {
		lo, hi := i*d, (i+1)*d
		y, yp, gu, gyp := s.y[lo:hi], s.yp[lo:hi], s.gu[lo:hi], s.gyp[lo:hi]
		fwd, bwd := 0.0, 0.0
		for j := range y {
			r := yp[j] - y[j] + eta*gu[j]
			fwd += r * r
			gp := (1-beta)*yp[j] + beta*gyp[j]
			q := y[j] - yp[j] + eta*gp
			bwd += q * q
		}
		logA := pathU(s.e0[i], s.ey[i], beta) - pathU(s.e0p[i], s.eyp[i], beta) + (fwd-bwd)/(4*eta)
		s.accept(i, logA)
	}
}

// accept takes row i's proposal with probability min(1, exp(logA)); a NaN
// logA (a non-finite proposal) is a divergence, rejected.
func (s *aisShard) accept(i int, logA float64) {
	u := s.rng[i].Float64()
	s.acc[i] = 0
	if math.IsNaN(logA) {
		s.div++
		return
	}
	acc := math.Exp(min(logA, 0))
	s.acc[i] = acc
	if logA >= 0 || 1-u < acc {
		lo, hi := i*s.d, (i+1)*s.d
		copy(s.y[lo:hi], s.yp[lo:hi])
		copy(s.gy[lo:hi], s.gyp[lo:hi])
		s.ey[i], s.e0[i] = s.eyp[i], s.e0p[i]
	}
}

// hmc is one HMC transition on U at β: momentum p ~ N(0, I) from the run's
// stream, Leapfrog steps of size ε, then one uniform for the accept test
// with log α = H(y, p) − H(y′, p′), H = U + ½‖p‖².
func (s *aisShard) hmc(beta, eps float64) {
	d := s.d
	rng.FillNormRows(s.rng, s.mom, d)
	h0 := s.h0
	for i := range s.n {
		h0[i] = pathU(s.e0[i], s.ey[i], beta) + 0.5*simd.SumSq(s.mom[i*d:(i+1)*d])
	}
	copy(s.yp, s.y)
	gradU(s.gu, s.y, s.gy, beta)
	for range s.leapfrog {
		for j := range s.mom {
			s.mom[j] -= 0.5 * eps * s.gu[j]
			s.yp[j] += eps * s.mom[j]
		}
		s.eval(s.eyp, s.gyp, s.e0p, s.yp)
		gradU(s.gu, s.yp, s.gyp, beta)
		for j := range s.mom {
			s.mom[j] -= 0.5 * eps * s.gu[j]
		}
	}
	for i := range s.n {
		h1 := pathU(s.e0p[i], s.eyp[i], beta) + 0.5*simd.SumSq(s.mom[i*d:(i+1)*d])
		logA := h0[i] - h1
		if math.IsInf(h1, 0) || math.IsNaN(h1) || !finiteRows(s.gyp[i*d:(i+1)*d]) {
			logA = math.NaN()
		}
		s.accept(i, logA)
	}
}

// finiteRows reports whether every value of x is finite.
func finiteRows(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
