package runner

import (
	"fmt"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/samplers"
)

// denoiseRows is how many draws one gradient call of the denoising step
// takes at a time.
const denoiseRows = 256

// denoiseDraws applies one Tweedie denoising step to every draw of res,
//
//	x ← x − σ²·∇E(x),
//
// the posterior mean E[x₀ | x] when exp(−E) is the data smoothed by
// N(0, σ²I) (Efron 2011, "Tweedie's formula and selection bias"; Song &
// Ermon 2019 end their sampler with it); a noise-conditional model takes
// the step with its level E(·, σ). The coordinates of frozen (inpainting's
// observed pixels; nil: none) keep their values. res.Energy is recomputed
// at the denoised draws, with m itself. A draw whose gradient is not
// finite is left as drawn.
// It returns how many draws were left; the result does not depend on the
// number of workers (one sequential pass over the rows).
func denoiseDraws(m energies.Energy, res *samplers.Result, sigma float64, frozen []bool) int {
	d := res.Dim
	n := len(res.Samples) / d
	s2 := sigma * sigma
	ms := energies.AtSigma(m, sigma)
	e := make([]float64, denoiseRows)
	g := make([]float64, denoiseRows*d)
	left := 0
	for r0 := 0; r0 < n; r0 += denoiseRows {
		r1 := min(r0+denoiseRows, n)
		x := res.Samples[r0*d : r1*d]
		gr := g[:len(x)]
		ms.Gradient(e[:r1-r0], gr, x)
		for i := 0; i < r1-r0; i++ {
			if !samplers.RowFinite(gr, i, d) {
				left++
				continue
			}
			for j := i * d; j < (i+1)*d; j++ {
				if frozen == nil || !frozen[j-i*d] {
					x[j] -= s2 * gr[j]
				}
			}
		}
		if len(res.Energy) == n {
			m.Energy(res.Energy[r0:r1], x)
		}
	}
	return left
}

// denoiseNote applies [sample] denoise_sigma to the draws, when set, and
// says what it did in notes.
func (r *trainRun) denoiseNote(res *samplers.Result, notes *[]string) {
	sigma := r.c.Sample.Denoise
	if res == nil || sigma <= 0 {
		return
	}
	left := denoiseDraws(r.c.Model, res, sigma, r.c.Sample.frozen)
	note := fmt.Sprintf("samples.npy holds the draws after one Tweedie denoising step x − σ²∇E(x), σ = denoise_sigma = %g; the MMD is of the draws before it", sigma)
	if left > 0 {
		note += fmt.Sprintf("; %d draws with a non-finite gradient were left as drawn", left)
	}
	*notes = append(*notes, note)
}
