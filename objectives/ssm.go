package objectives

import (
	"context"
	"fmt"

	"github.com/goebm/ebm/energies"
)

func init() {
	Register("ssm", func() Objective { return NewSSM() })
	Register("ssm_vr", func() Objective { return NewSSMVR() })
}

// SSM is sliced score matching (Song, Garg, Shi & Ermon 2019, "Sliced score
// matching: a scalable approach to density and score estimation"): exact
// score matching's Hessian trace is replaced by its random projections
// vᵀ(∇ₓ²E)v, with E[vvᵀ] = I, so each projection costs one Hessian-vector
// product (a backward pass) whatever the dimension. Each batch row draws M
// = projections independent v, and
//
//	ssm:    J(θ) = mean over rows and projections of ½(vᵀ∇ₓE)² − vᵀ(∇ₓ²E)v,
//	ssm_vr: J(θ) = mean over rows and projections of ½‖∇ₓE‖² − vᵀ(∇ₓ²E)v.
//
// ssm_vr (the paper's "SSM-VR") keeps the first term exact, which lowers the
// variance. Both equal exact score matching's J in expectation over v, and
// so the Fisher divergence up to a constant.
//
// The projections come from the objective's stream rng.New(seed, 0): per
// Loss call, M·n·d signs (one Uint64 per 64 of them) or normals.
type SSM struct {
	Projection  string `toml:"projection" doc:"distribution of the projections v: \"rademacher\" (entries ±1, lower variance) or \"gaussian\" (N(0, I)); both have E[vvᵀ] = I"`
	Projections int    `toml:"projections" doc:"number M of projections per data row, >= 1; each costs one Hessian-vector product"`

	vr       bool // ssm_vr: the first term is ½‖∇ₓE‖²
	gaussian bool
	v        []float64 // M×n×d projections
	vs       []float64 // M×n×d seeds: −v/(nM)
	s        scorer
}

// NewSSM returns a sliced score-matching objective with one Rademacher
// projection per row.
func NewSSM() *SSM { return &SSM{Projection: "rademacher", Projections: 1} }

// NewSSMVR returns the variance-reduced sliced score-matching objective
// (ssm_vr) with one Rademacher projection per row.
func NewSSMVR() *SSM { return &SSM{Projection: "rademacher", Projections: 1, vr: true} }

// name is "ssm" or "ssm_vr".
func (o *SSM) name() string {
	if o.vr {
		return "ssm_vr"
	}
	return "ssm"
}

// Description is the one-line summary shown by `ebmrun list`.
func (o *SSM) Description() string {
	if o.vr {
		return "sliced score matching, variance-reduced (Song et al. 2019): mean ½‖∇ₓE‖² − vᵀ(∇ₓ²E)v"
	}
	return "sliced score matching (Song et al. 2019): mean ½(vᵀ∇ₓE)² − vᵀ(∇ₓ²E)v, one Hessian-vector product per projection"
}

// Validate checks the keys.
func (o *SSM) Validate() error {
	switch o.Projection {
	case "rademacher":
		o.gaussian = false
	case "gaussian":
		o.gaussian = true
	default:
		return fmt.Errorf("key %q: unknown value %q; want \"rademacher\" or \"gaussian\"", "projection", o.Projection)
	}
	if o.Projections < 1 {
		return fmt.Errorf("key %q: must be >= 1, got %d", "projections", o.Projections)
	}
	return nil
}

// Start prepares a run of m; it refuses a model that is not smooth (see
// energies.Smooth). The projection stream is rng.New(seed, 0).
func (o *SSM) Start(m energies.Trainable, data []float64, seed uint64) error {
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%s: %w", o.name(), err)
	}
	return o.s.start(o.name(), m, data, seed)
}

// Params is nil: SSM has no parameters of its own.
func (o *SSM) Params() []float64 { return nil }

// Loss draws the projections, returns J on batch and writes its gradient
// with respect to the model's parameters into grad.
func (o *SSM) Loss(ctx context.Context, batch []float64, grad []float64) (float64, error) {
	s := &o.s
	n, err := s.check(ctx, batch, grad)
	if err != nil {
		return 0, err
	}
	nd := n * s.d
	o.v = grow(o.v, o.Projections*nd)
	o.vs = grow(o.vs, o.Projections*nd)
	o.draw()
	copy(s.x, batch)
	return s.run(o, grad), nil
}

// shardLoss is J's part from the shard's rows (see shardBody).
func (o *SSM) shardLoss(sh *shard) float64 {
	s := sh.s
	d, n, mp := s.d, s.n, o.Projections
	nd := n * d
	lo, hi := sh.r0*d, sh.r1*d // the shard's values within each n×d block
	x, gx := sh.record()
	gv := sh.value(gx)
	gs := s.gs[lo:hi]
	inv := 1 / float64(n*mp)
	first, second := 0.0, 0.0
	if o.vr {
		for i, w := range gv {
			first += w * w
			gs[i] = w / float64(n) // ∂J/∂(∇ₓE) = ∇ₓE/n
		}
		first *= float64(mp) // the mean over projections of a term that does not depend on them
	} else {
		clear(gs)
	}
	for k := 0; k < mp; k++ {
		v := o.v[k*nd+lo : k*nd+hi]
		if !o.vr {
			// ½(vᵀ∇ₓE)²; ∂/∂(∇ₓE) = (vᵀ∇ₓE)·v, over nM.
			for i := 0; i < sh.rows(); i++ {
				vi, gi := v[i*d:(i+1)*d], gv[i*d:(i+1)*d]
				p := 0.0
				for j, w := range gi {
					p += vi[j] * w
				}
				first += p * p
				for j, a := range vi {
					gs[i*d+j] += p * a * inv
				}
			}
		}
		h := sh.hvp(x, gx, v) // row i: ∇ₓ²E(x_i)·v_i
		vs := o.vs[k*nd+lo : k*nd+hi]
		for i, w := range sh.value(h) {
			second += v[i] * w
			vs[i] = -v[i] * inv // ∂J/∂(∇ₓ²E v) = −v/(nM)
		}
		sh.output(h, vs, d)
	}
	sh.output(gx, gs, d)
	sh.finish()
	return (0.5*first - second) * inv
}

// draw fills o.v with the projections: Rademacher signs from the bits of
// one Uint64 per 64 entries, or standard normals.
func (o *SSM) draw() {
	r := &o.s.rng
	if o.gaussian {
		r.FillNorm(o.v)
		return
	}
	var bits uint64
	for i := range o.v {
		if i%64 == 0 {
			bits = r.Uint64()
		}
		o.v[i] = float64(int64(bits&1)*2 - 1)
		bits >>= 1
	}
}

// State returns the projection stream's state.
func (o *SSM) State() State { return o.s.state() }

// Restore sets the projection stream from a State; call it after Start.
func (o *SSM) Restore(st State) error { return o.s.restore(st) }

var (
	_ Objective = (*SSM)(nil)
	_ Stateful  = (*SSM)(nil)
	_ shardBody = (*SSM)(nil)
)
