package energies

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/goebm/ebm/simd"
)

func init() {
	Register("gmm", func() Energy { return &GMM{} })
}

// GMM is a Gaussian mixture, E(x) = −log Σ_k w_k N(x; μ_k, Σ_k), exactly
// normalized. Components are isotropic (Stds), full (Covs) or standard
// (neither). The log-sum-exp runs online with a running maximum, so E and
// ∇E = Σ_k r_k Σ_k⁻¹(x − μ_k) (r_k the responsibilities) stay finite and
// accurate far from every mode.
//
// So far away that every component's Mahalanobis distance overflows (every
// log-density is −∞, around |x| ≳ 1e154·σ), E is +Inf, as for a single
// Gaussian, never NaN, and ∇E is the gradient Σ_k⁻¹(x − μ_k) of the
// component nearest in Mahalanobis distance: the one whose responsibility
// tends to 1 there. A sampler counts the +Inf energy as a divergence.
type GMM struct {
	Weights []float64     `toml:"weights" doc:"component weights, each > 0, normalized internally (default: equal weights)"`
	Means   [][]float64   `toml:"means" doc:"component means, one row each (required); the row length sets the dimension"`
	Stds    []float64     `toml:"stds" doc:"per-component isotropic standard deviations, Σ_k = stds[k]²·I (optional; not with covs); neither gives Σ_k = I"`
	Covs    [][][]float64 `toml:"covs" doc:"per-component full covariances, each symmetric positive definite (optional; not with stds)"`

	dim, nk int
	mu      []float64                 // nk×dim component means
	logc    []float64                 // log w_k − ½ log det(2πΣ_k)
	ivar    []float64                 // 1/σ_k² (isotropic case)
	prec    []float64                 // nk×dim×dim Σ_k⁻¹ (full case); nil when isotropic
	mean    []float64                 // mixture mean
	cov     []float64                 // mixture covariance, row-major
	ivh     []float64                 // ½/σ_k² (isotropic case)
	scratch *scratchCache[gmmScratch] // for the batched isotropic path
	fused   []float64                 // 2-D isotropic: simd.GaussMix2's parameter table; else nil
}

// Description is the one-line summary shown by `ebmrun list`.
func (g *GMM) Description() string {
	return "Gaussian mixture −log Σ_k w_k N(x; μ_k, Σ_k), exact and stable far from the modes"
}

// Example fills the required means so the sample config is valid.
func (g *GMM) Example() { g.Means = [][]float64{{-2, 0}, {2, 0}} }

// Init validates the parameters and precomputes the component precisions,
// log weights, normalizers and the mixture moments.
func (g *GMM) Validate() error {
	nk := len(g.Means)
	if nk == 0 {
		return errors.New(`key "means": required; give one mean per component, e.g. means = [[-2.0, 0.0], [2.0, 0.0]]`)
	}
	d := len(g.Means[0])
	if d == 0 {
		return errors.New(`key "means": component 0 has no coordinates; each mean needs the dimension's worth of values`)
	}
	mu := make([]float64, 0, nk*d)
	for k, m := range g.Means {
		if len(m) != d {
			return fmt.Errorf("key %q: component %d has length %d but component 0 has length %d; all means need the same length", "means", k, len(m), d)
		}
		for j, v := range m {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("key %q: component %d, coordinate %d is %v; every coordinate must be finite", "means", k, j, v)
			}
		}
		mu = append(mu, m...)
	}
	w := g.Weights
	if w == nil {
		w = make([]float64, nk)
		for k := range w {
			w[k] = 1
		}
	} else if len(w) != nk {
		return fmt.Errorf("key %q: has length %d but means has %d components; give one weight per component", "weights", len(w), nk)
	}
	total := 0.0
	if err := checkPositiveEach("weights", "component", w); err != nil {
		return err
	}
	for _, wk := range w {
		total += wk
	}
	if g.Stds != nil && g.Covs != nil {
		return errors.New(`keys "stds" and "covs" are exclusive: give isotropic standard deviations (stds) or full covariances (covs), not both`)
	}
	covs := make([]float64, nk*d*d) // Σ_k, for the mixture covariance
	logc := make([]float64, nk)
	var ivar, prec []float64
	if g.Covs != nil {
		if len(g.Covs) != nk {
			return fmt.Errorf("key %q: has length %d but means has %d components; give one covariance per component", "covs", len(g.Covs), nk)
		}
		prec = make([]float64, 0, nk*d*d)
		for k, c := range g.Covs {
			p, half, err := invertCov(c, d)
			if err != nil {
				return fmt.Errorf("key %q: component %d: %w", "covs", k, err)
			}
			prec = append(prec, p...)
			logc[k] = -half
			for i := range d {
				for j := range d {
					covs[(k*d+i)*d+j] = (c[i][j] + c[j][i]) / 2
				}
			}
		}
	} else {
		std := g.Stds
		if std == nil {
			std = make([]float64, nk)
			for k := range std {
				std[k] = 1
			}
		} else if len(std) != nk {
			return fmt.Errorf("key %q: has length %d but means has %d components; give one standard deviation per component", "stds", len(std), nk)
		}
		ivar = make([]float64, nk)
		if err := checkPositiveEach("stds", "component", std); err != nil {
			return err
		}
		for k, s := range std {
			ivar[k] = 1 / (s * s)
			logc[k] = -float64(d) * (halfLog2Pi + math.Log(s))
			for i := range d {
				covs[(k*d+i)*d+i] = s * s
			}
		}
	}
	for k := range logc {
		logc[k] += math.Log(w[k] / total)
	}
	g.dim, g.nk, g.mu, g.logc, g.ivar, g.prec = d, nk, mu, logc, ivar, prec
	g.ivh, g.fused = nil, nil
	if ivar != nil {
		g.ivh = make([]float64, nk)
		for k, iv := range ivar {
			g.ivh[k] = 0.5 * iv
		}
	}
	if ivar != nil && d == 2 && fusable(logc, g.ivh, ivar) {
		const st = simd.GaussMix2Stride
		g.fused = make([]float64, nk*st)
		for k := range nk {
			copy(g.fused[k*st:], []float64{mu[2*k], mu[2*k+1], logc[k], g.ivh[k], ivar[k]})
		}
	}
	g.scratch = &scratchCache[gmmScratch]{alloc: func() *gmmScratch { return newGMMScratch(nk, d) }}
	g.moments(w, total, covs)
	return nil
}

// fusable reports whether simd.GaussMix2 may take the mixture: every
// log c_k finite and every ½/σ_k² and 1/σ_k² finite and nonzero (as it
// requires; σ_k beyond about 1e±154 breaks it).
func fusable(logc, ivh, ivar []float64) bool {
	for k, lc := range logc {
		if math.IsNaN(lc) || math.IsInf(lc, 0) {
			return false
		}
		for _, v := range []float64{ivh[k], ivar[k]} {
			if !(v > 0) || math.IsInf(v, 1) {
				return false
			}
		}
	}
	return true
}

// moments sets the mixture mean Σ w_k μ_k and covariance
// Σ w_k (Σ_k + (μ_k − m)(μ_k − m)ᵀ).
func (g *GMM) moments(w []float64, total float64, covs []float64) {
	d := g.dim
	g.mean, g.cov = make([]float64, d), make([]float64, d*d)
	for k := range g.nk {
		for i := range d {
			g.mean[i] += w[k] / total * g.mu[k*d+i]
		}
	}
	for k := range g.nk {
		pk := w[k] / total
		for i := range d {
			di := g.mu[k*d+i] - g.mean[i]
			for j := range d {
				dj := g.mu[k*d+j] - g.mean[j]
				g.cov[i*d+j] += pk * (covs[(k*d+i)*d+j] + di*dj)
			}
		}
	}
}

// Dim is the dimension, the length of each mean.
func (g *GMM) Dim() int { return g.dim }

func (g *GMM) ready() {
	if g.mu == nil {
		panic("energies: gmm used before Init")
	}
}

// Energy sets e[i] = E(x_i) for each row of x.
func (g *GMM) Energy(e, x []float64) {
	g.ready()
	d := g.dim
	n := CheckBatch(d, e, nil, x)
	if g.prec == nil {
		g.batch(e[:n], nil, x)
		return
	}
	for r := range n {
		e[r] = g.row(nil, x[r*d:r*d+d])
	}
}

// Gradient sets e[i] = E(x_i) and row i of grad to ∇E(x_i).
func (g *GMM) Gradient(e, grad, x []float64) {
	g.ready()
	d := g.dim
	n := CheckBatch(d, e, grad, x)
	if g.prec == nil {
		g.batch(e[:n], grad[:n*d], x)
		return
	}
	for r := range n {
		e[r] = g.row(grad[r*d:r*d+d], x[r*d:r*d+d])
	}
}

// scratchCache keeps up to len(slots) scratch values for reuse by
// concurrent calls, lock-free. Unlike a sync.Pool it never drops what it
// holds (under the race detector a Pool drops at random), so a batched
// energy allocates only while more calls run at once than ever before.
type scratchCache[T any] struct {
	slots [8]atomic.Pointer[T]
	alloc func() *T
}

// get takes a cached value, or makes one when none is free.
func (c *scratchCache[T]) get() *T {
	for i := range c.slots {
		if p := c.slots[i].Swap(nil); p != nil {
			return p
		}
	}
	return c.alloc()
}

// put returns p to the cache, or lets it go when every slot is taken.
func (c *scratchCache[T]) put(p *T) {
	for i := range c.slots {
		if c.slots[i].CompareAndSwap(nil, p) {
			return
		}
	}
}

// gmmBlock is the number of points the batched isotropic path takes at a
// time (a multiple of 4): its scratch, (nk + 2d + 2)·gmmBlock values, stays
// in the first-level caches for the 8-mode 2-D target.
const gmmBlock = 128

// gmmScratch is one call's working memory for a block of points.
type gmmScratch struct {
	a    []float64 // nk×gmmBlock: a_k(x_r), then w_k = exp(a_k − m_r)
	m, s []float64 // gmmBlock: max_k a_k and Σ_k w_k
	ls   []float64 // gmmBlock: log s
	xt   []float64 // d×gmmBlock: the block's coordinates, one column per coordinate
	gt   []float64 // d×gmmBlock: the gradient, likewise
}

func newGMMScratch(nk, d int) *gmmScratch {
	return &gmmScratch{a: make([]float64, nk*gmmBlock), m: make([]float64, gmmBlock), s: make([]float64, gmmBlock),
		ls: make([]float64, gmmBlock), xt: make([]float64, d*gmmBlock), gt: make([]float64, d*gmmBlock)}
}

// batch is Energy (gr nil) or Gradient for isotropic components, a block
// of points at a time, component by component on the simd column kernels:
// with a_k = log c_k − ½‖x − μ_k‖²/σ_k² and m = max_k a_k (GaussLogits),
// the weights w_k = exp(a_k − m) ∈ [0, 1] and s = Σ_k w_k ≥ 1 (ExpSubAcc),
// E = −(m + log s) (simd.Log) and ∇E = Σ_k w_k (x − μ_k)/σ_k² / s
// (AddWeightedDiffs).
// The maximum is subtracted before exponentiating, so E and ∇E stay finite
// and accurate however far x is from every mode. Every point goes through
// the same operations in the same order wherever it sits in the batch (the
// simd kernels are position-independent), so a batch split anywhere gives
// the same bits.
//
// In 2-D, where the chosen simd implementation has it (avx512),
// simd.GaussMix2 does all of this in one pass over the points, a multiple
// of 8 at a time, with the same operations in the same order, so the same
// bits; the last len(e) mod 8 points take the column kernels, as they did
// before.
func (g *GMM) batch(e, gr, x []float64) {
	d, nk := g.dim, g.nk
	sc := g.scratch.get()
	defer g.scratch.put(sc)
	if n8 := len(e) &^ 7; g.fused != nil && n8 > 0 {
		ran := true
		for r0 := 0; r0 < n8 && ran; r0 += gmmBlock {
			b := min(gmmBlock, n8-r0)
			eb, xb, m, s := e[r0:r0+b], x[2*r0:2*(r0+b)], sc.m[:b], sc.s[:b]
			var gb []float64
			if gr != nil {
				gb = gr[2*r0 : 2*(r0+b)]
			}
			var far bool
			if ran, far = simd.GaussMix2(eb, gb, m, s, xb, sc.a, g.fused); far {
				g.patchFar(eb, gb, xb, m)
			}
		}
		if ran {
			e, x = e[n8:], x[2*n8:]
			if gr != nil {
				gr = gr[2*n8:]
			}
		}
	}
	const ld = gmmBlock
	for r0 := 0; r0 < len(e); r0 += gmmBlock {
		b := min(gmmBlock, len(e)-r0)
		xb := x[r0*d : (r0+b)*d]
		m, s := sc.m[:b], sc.s[:b]
		if d == 2 { // the common 2-D case in one pass
			x0, x1, xb := sc.xt[:b], sc.xt[ld:ld+b], xb[:2*b]
			m, s := m[:len(x0)], s[:len(x0)]
			for r := range x0 {
				x0[r], x1[r] = xb[2*r], xb[2*r+1]
				m[r], s[r] = math.Inf(-1), 0
			}
		} else {
			for j := range d {
				col := sc.xt[j*ld : j*ld+b]
				for r := range col {
					col[r] = xb[r*d+j]
				}
			}
			for r := range m {
				m[r], s[r] = math.Inf(-1), 0
			}
		}
		xt := sc.xt[:(d-1)*ld+b]
		for k := range nk {
			ak := sc.a[k*ld : k*ld+b]
			simd.GaussLogits(ak, m, xt, ld, g.mu[k*d:k*d+d], g.logc[k], g.ivh[k])
		}
		for k := range nk {
			ak := sc.a[k*ld : k*ld+b]
			simd.ExpSubAcc(ak, s, ak, m)
		}
		ls := sc.ls[:b]
		simd.Log(ls, s)
		eb := e[r0 : r0+b]
		for r := range eb {
			eb[r] = -(m[r] + ls[r])
		}
		if gr == nil {
			g.patchFar(eb, nil, xb, m)
			continue
		}
		gt := sc.gt[:(d-1)*ld+b]
		clear(gt)
		for k := range nk {
			simd.AddWeightedDiffs(gt, xt, ld, g.mu[k*d:k*d+d], sc.a[k*ld:k*ld+b], g.ivar[k])
		}
		gb := gr[r0*d : (r0+b)*d]
		if d == 2 {
			g0, g1, gb, s := gt[:b], gt[ld:ld+b], gb[:2*b], s[:b]
			for r, v := range g0 {
				gb[2*r], gb[2*r+1] = v/s[r], g1[r]/s[r]
			}
		} else {
			for j := range d {
				gc := gt[j*ld : j*ld+b]
				for r, v := range gc {
					gb[r*d+j] = v / s[r]
				}
			}
		}
		g.patchFar(eb, gb, xb, m)
	}
}

// patchFar redoes, with far, the points of a block whose every log-term is
// −∞ (m[r] = −∞), where the stabilized sum computed e^(−∞+∞) = NaN.
func (g *GMM) patchFar(e, gr, x, m []float64) {
	d := g.dim
	for r, v := range m {
		if !math.IsInf(v, -1) {
			continue
		}
		var gx []float64
		if gr != nil {
			gx = gr[r*d : r*d+d]
		}
		e[r] = g.far(gx, x[r*d:r*d+d])
	}
}

// far returns E(x) = +Inf for a point where every component's log-density
// is −∞ (its Mahalanobis distance overflows) and, when gr is non-nil,
// writes the gradient Σ_k⁻¹(x − μ_k) of the nearest component in
// Mahalanobis distance, the limit of the responsibilities there. The
// distances are compared after dividing x − μ_k by s = max_j |x_j|, so
// they stay finite; a tie goes to the larger log w_k − ½ log det(2πΣ_k).
func (g *GMM) far(gr, x []float64) float64 {
	if gr == nil {
		return math.Inf(1)
	}
	d := g.dim
	s := 0.0
	for _, v := range x {
		s = math.Max(s, math.Abs(v))
	}
	best, bq := 0, math.Inf(1)
	for k := range g.nk {
		mk := g.mu[k*d : k*d+d]
		q := 0.0
		if g.prec == nil {
			for j, v := range x {
				r := (v - mk[j]) / s
				q += r * r
			}
			q *= g.ivar[k]
		} else {
			pk := g.prec[k*d*d : (k+1)*d*d]
			for i := range d {
				t := 0.0
				for j, p := range pk[i*d : i*d+d] {
					t += p * ((x[j] - mk[j]) / s)
				}
				q += (x[i] - mk[i]) / s * t
			}
		}
		if q < bq || (q == bq && g.logc[k] > g.logc[best]) {
			best, bq = k, q
		}
	}
	mk := g.mu[best*d : best*d+d]
	if g.prec == nil {
		for j, v := range x {
			gr[j] = g.ivar[best] * (v - mk[j])
		}
	} else {
		pk := g.prec[best*d*d : (best+1)*d*d]
		for i := range d {
			t := 0.0
			for j, p := range pk[i*d : i*d+d] {
				t += p * (x[j] - mk[j])
			}
			gr[i] = t
		}
	}
	return math.Inf(1)
}

// negligible is the log of the smallest relative weight a component keeps:
// below it (2⁻⁶⁰ of the largest term so far) a term cannot change the sum s
// (which is ≥ 1) and changes ∇E by under 2⁻⁶⁰·|Σ_k⁻¹(x − μ_k)|, so its exp
// and gradient work are skipped. The running maximum only grows, so a
// skipped term stays negligible against the final one.
const negligible = -60 * math.Ln2

// row returns E(x) for one point and, when gr is non-nil, writes ∇E(x).
// With a_k = log w_k + log N(x; μ_k, Σ_k) it keeps m = max a_k so far,
// s = Σ exp(a_k − m) and gr = Σ exp(a_k − m) Σ_k⁻¹(x − μ_k), rescaling
// both when the maximum moves and skipping negligible terms; then
// E = −(m + log s) and ∇E = gr/s.
func (g *GMM) row(gr, x []float64) float64 {
	d := g.dim
	m, s := math.Inf(-1), 0.0
	if gr != nil {
		clear(gr) // the first component scales it by 0: it must be finite
	}
	for k := range g.nk {
		mk := g.mu[k*d : k*d+d]
		q := 0.0
		var pk []float64
		if g.prec == nil {
			for j, v := range x {
				r := v - mk[j]
				q += r * r
			}
			q *= g.ivar[k]
		} else {
			pk = g.prec[k*d*d : (k+1)*d*d]
			for i := range d {
				prow := pk[i*d : i*d+d]
				t := 0.0
				for j, p := range prow {
					t += p * (x[j] - mk[j])
				}
				q += (x[i] - mk[i]) * t
			}
		}
		a := g.logc[k] - 0.5*q
		// c rescales what has been accumulated; w weighs component k.
		c, w := 1.0, 1.0
		switch {
		case k == 0:
			c, m = 0, a
		case a > m:
			c, m = math.Exp(m-a), a
		case a-m < negligible:
			continue
		default:
			w = math.Exp(a - m)
		}
		s = s*c + w
		if gr == nil {
			continue
		}
		if pk == nil {
			iv := w * g.ivar[k]
			for j, v := range x {
				gr[j] = gr[j]*c + iv*(v-mk[j])
			}
		} else {
			for i := range d {
				prow := pk[i*d : i*d+d]
				t := 0.0
				for j, p := range prow {
					t += p * (x[j] - mk[j])
				}
				gr[i] = gr[i]*c + w*t
			}
		}
	}
	if math.IsInf(m, -1) { // every log-term −∞: s is NaN
		return g.far(gr, x)
	}
	if gr != nil {
		inv := 1 / s
		for j := range gr {
			gr[j] *= inv
		}
	}
	return -(m + math.Log(s))
}

// Mean returns the mixture mean Σ_k w_k μ_k.
func (g *GMM) Mean() []float64 { g.ready(); return append([]float64(nil), g.mean...) }

// Covariance returns the mixture covariance Σ_k w_k (Σ_k + μ_kμ_kᵀ) − mmᵀ, row-major.
func (g *GMM) Covariance() []float64 { g.ready(); return append([]float64(nil), g.cov...) }

var (
	_ Energy  = (*GMM)(nil)
	_ Moments = (*GMM)(nil)
)
