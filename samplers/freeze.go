package samplers

import (
	"fmt"
	"slices"

	"github.com/goebm/ebm/energies"
)

// A Freezer is a sampler that can hold some coordinates fixed: conditional
// sampling (inpainting), where the observed coordinates x_o keep their
// starting values and the chains target the conditional density
// p(x_f | x_o) ∝ exp(−E(x_f, x_o)) of the free ones. It is an option the
// caller sets, not a key of the sampler's table.
//
// ula, mala, annealed_langevin, annealed_langevin_sigma,
// predictor_corrector and hmc are Freezers. Their frozen
// coordinates never move, bit for bit: no drift and no noise is applied to
// them (the normals are still drawn, so the random streams advance as
// without a mask), the bounds do not clamp them, and MALA proposes only
// the free coordinates and computes its acceptance ratio over them, which
// makes it exactly MALA on the conditional density. HMC sees the energy's
// gradient with the frozen coordinates zeroed and gives them no momentum,
// so its trajectories and Hamiltonian are those of the conditional; only
// its step-size search (a tuning heuristic, on scratch positions) steps
// them with a momentum.
type Freezer interface {
	Sampler
	// Freeze returns a copy of the sampler whose kernels hold coordinate j
	// of every chain fixed where mask[j] is true; len(mask) must be the
	// energy's dimension (Start refuses another length). A nil or all-false
	// mask freezes nothing.
	Freeze(mask []bool) Sampler
}

// frozenSet is a Freeze mask in a kernel: the frozen coordinates of a row,
// as a mask and as a list of indices (both empty when none are frozen).
type frozenSet struct {
	mask []bool // per coordinate of a row; nil when none is frozen
	idx  []int  // the frozen coordinates, increasing
}

// newFrozenSet checks mask against the dimension d and returns its set.
func newFrozenSet(mask []bool, d int) (frozenSet, error) {
	if mask == nil {
		return frozenSet{}, nil
	}
	if len(mask) != d {
		return frozenSet{}, fmt.Errorf("the freeze mask has %d values, the energy's dimension is %d", len(mask), d)
	}
	var f frozenSet
	for j, m := range mask {
		if m {
			f.idx = append(f.idx, j)
		}
	}
	if len(f.idx) > 0 {
		f.mask = slices.Clone(mask)
	}
	return f, nil
}

// any reports whether some coordinate is frozen.
func (f frozenSet) any() bool { return len(f.idx) > 0 }

// restore copies the frozen coordinates of every row of x (rows of d
// values) into dst.
func (f frozenSet) restore(dst, x []float64, d int) {
	if len(f.idx) == 0 {
		return
	}
	for lo := 0; lo+d <= len(dst); lo += d {
		for _, j := range f.idx {
			dst[lo+j] = x[lo+j]
		}
	}
}

// zero sets the frozen coordinates of every row of a (rows of d values)
// to 0.
func (f frozenSet) zero(a []float64, d int) {
	if len(f.idx) == 0 {
		return
	}
	for lo := 0; lo+d <= len(a); lo += d {
		for _, j := range f.idx {
			a[lo+j] = 0
		}
	}
}

// maskedGradient is an energy whose gradient has the frozen coordinates
// zeroed: the gradient of E as a function of the free coordinates alone.
type maskedGradient struct {
	e  energies.Energy
	fz frozenSet
}

// Dim is the energy's.
func (m maskedGradient) Dim() int { return m.e.Dim() }

// Energy is the energy's.
func (m maskedGradient) Energy(e, x []float64) { m.e.Energy(e, x) }

// Gradient computes E and ∇E and zeroes the frozen coordinates of ∇E.
func (m maskedGradient) Gradient(e, grad, x []float64) {
	m.e.Gradient(e, grad, x)
	m.fz.zero(grad, m.e.Dim())
}

// clampStart clamps the start x into the box, but for the frozen
// coordinates, which keep their values.
func (f frozenSet) clampStart(b box, x []float64, d int) {
	if !f.any() || !b.on {
		b.clamp(x)
		return
	}
	keep := slices.Clone(x)
	b.clamp(x)
	f.restore(x, keep, d)
}

// contains reports whether the free coordinates of the row x lie in the
// box (every coordinate when none is frozen).
func (f frozenSet) contains(b box, x []float64) bool {
	if !f.any() || !b.on {
		return b.contains(x)
	}
	for j, v := range x {
		if !f.mask[j] && !(v >= b.lo && v <= b.hi) {
			return false
		}
	}
	return true
}

// langevinSqDist is langevinSqDist over the free coordinates: ‖a_f − b_f
// + η·gb_f‖², −4η log q(a_f|b) of the proposal of the free coordinates.
func (f frozenSet) langevinSqDist(a, b, gb []float64, eta float64) float64 {
	if !f.any() {
		return langevinSqDist(a, b, gb, eta)
	}
	b, gb, m := b[:len(a)], gb[:len(a)], f.mask[:len(a)]
	s := 0.0
	for j, v := range a {
		if !m[j] {
			r := v - b[j] + eta*gb[j]
			s += r * r
		}
	}
	return s
}

// Freeze returns a copy of u holding the coordinates of mask fixed.
func (u *ULA) Freeze(mask []bool) Sampler { v := *u; v.frozen = slices.Clone(mask); return &v }

// Freeze returns a copy of m holding the coordinates of mask fixed.
func (m *MALA) Freeze(mask []bool) Sampler { v := *m; v.frozen = slices.Clone(mask); return &v }

// Freeze returns a copy of h holding the coordinates of mask fixed.
func (h *HMC) Freeze(mask []bool) Sampler { v := *h; v.frozen = slices.Clone(mask); return &v }

// Freeze returns a copy of a holding the coordinates of mask fixed.
func (a *AnnealedLangevin) Freeze(mask []bool) Sampler {
	v := *a
	v.frozen = slices.Clone(mask)
	return &v
}

// Freeze returns a copy of a holding the coordinates of mask fixed, at
// every level: the observed pixels stay clean while the free ones carry
// the level's noise (Song & Ermon 2019 noise the observed ones instead).
func (a *AnnealedSigma) Freeze(mask []bool) Sampler {
	v := *a
	v.frozen = slices.Clone(mask)
	return &v
}

// Freeze returns a copy of p holding the coordinates of mask fixed, as
// AnnealedSigma's Freeze does; the diffused start leaves them clean, and
// the corrector's snr rule takes the norms over the free coordinates.
func (p *PredictorCorrector) Freeze(mask []bool) Sampler {
	v := *p
	v.frozen = slices.Clone(mask)
	return &v
}

var (
	_ Freezer = (*ULA)(nil)
	_ Freezer = (*MALA)(nil)
	_ Freezer = (*AnnealedLangevin)(nil)
	_ Freezer = (*AnnealedSigma)(nil)
	_ Freezer = (*PredictorCorrector)(nil)
	_ Freezer = (*HMC)(nil)
)
