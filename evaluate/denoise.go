package evaluate

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/rng"
)

// DenoiseResult is the denoising loss at one noise level.
type DenoiseResult struct {
	Sigma  float64
	Loss   float64 // mean over the rows of ½‖∇ₓE(x̃) − z/σ‖²
	Stderr float64 // its standard error sd/√n
}

// denoiseBlock is how many rows one energy call takes.
const denoiseBlock = 256

// DenoisingLoss is the denoising score-matching loss of an energy on rows
// x (row-major, e.Dim() values per row) at each noise level σ: every row
// is noised to x̃ = x + σz, z ~ N(0, I), and
//
//	J(σ) = mean over the rows of ½‖∇ₓE(x̃) − z/σ‖²,
//
// the normalisation of the dsm objective (objectives.DSM), so a model
// trained by dsm at σ reports its own held-out loss, and any energy (one
// trained by pcd, say) can be scored on the same scale: its score −∇ₓE is
// compared with that of the data smoothed by N(0, σ²I). The loss does not
// depend on log Z. Multiply by σ² for msdsm's σ²-weighted form. Lower is
// better; even the exact smoothed score leaves a floor that depends on the
// data and σ, so compare models at equal σ on equal rows. A
// noise-conditional energy (energies.NoiseConditional) is scored at each σ
// by its own level E(·, σ).
//
// Row i draws its noise z from rng.New(seed, i), the same z at every σ
// (common random numbers make the levels, and two models scored with one
// seed, directly comparable). Blocks of rows run on workers goroutines
// (≤ 0: GOMAXPROCS) and the result does not depend on their number. A
// non-finite gradient is an error naming the row and σ; so are an empty or
// ragged x and a σ that is not finite and > 0.
func DenoisingLoss(ctx context.Context, e energies.Energy, x, sigmas []float64, seed uint64, workers int) ([]DenoiseResult, error) {
	d := e.Dim()
	if d <= 0 || len(x) == 0 || len(x)%d != 0 {
		return nil, fmt.Errorf("evaluate: denoising loss: len(x) = %d is not a positive multiple of the energy's dimension %d", len(x), d)
	}
	for _, s := range sigmas {
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("evaluate: denoising loss: σ = %v; each σ must be finite and > 0", s)
		}
	}
	n := len(x) / d
	loss := make([]float64, len(sigmas)*n) // loss[k·n + i]: row i at σ_k
	nb := (n + denoiseBlock - 1) / denoiseBlock
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	at := make([]energies.Energy, len(sigmas)) // the energy at each level (itself unless noise-conditional)
	for k, s := range sigmas {
		at[k] = energies.AtSigma(e, s)
	}
	var next atomic.Int64
	errs := make([]error, nb)
	var wg sync.WaitGroup
	for range min(workers, nb) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			xt := make([]float64, denoiseBlock*d)
			z := make([]float64, denoiseBlock*d)
			g := make([]float64, denoiseBlock*d)
			en := make([]float64, denoiseBlock)
			for ctx.Err() == nil {
				b := int(next.Add(1) - 1)
				if b >= nb {
					return
				}
				lo, hi := b*denoiseBlock, min((b+1)*denoiseBlock, n)
				m := hi - lo
				for i := range m {
					st := rng.New(seed, uint64(lo+i))
					st.FillNorm(z[i*d : (i+1)*d])
				}
				for k, sigma := range sigmas {
					for j, v := range x[lo*d : hi*d] {
						xt[j] = v + sigma*z[j]
					}
					at[k].Gradient(en[:m], g[:m*d], xt[:m*d])
					for i := range m {
						s := 0.0
						for j := i * d; j < (i+1)*d; j++ {
							r := g[j] - z[j]/sigma
							s += r * r
						}
						if math.IsNaN(s) || math.IsInf(s, 0) {
							errs[b] = fmt.Errorf("evaluate: denoising loss: the energy's gradient is not finite at row %d noised with σ = %v", lo+i, sigma)
							break
						}
						loss[k*n+lo+i] = 0.5 * s
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: denoising loss: %w", err)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := make([]DenoiseResult, len(sigmas))
	for k, sigma := range sigmas {
		m, se := meanStderr(loss[k*n : (k+1)*n])
		out[k] = DenoiseResult{Sigma: sigma, Loss: m, Stderr: se}
	}
	return out, nil
}

// meanStderr returns the mean of v and its standard error sd/√n (sd with
// n − 1; +Inf for one value), in two passes.
func meanStderr(v []float64) (mean, stderr float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	if len(v) < 2 {
		return mean, math.Inf(1)
	}
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}
