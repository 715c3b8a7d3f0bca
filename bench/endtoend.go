package bench

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/samplers"
	"github.com/goebm/ebm/simd"
)

// Defaults of EndToEnd.
const (
	DefaultChains = 4096
	DefaultSteps  = 1000
)

// GMM8 is the end-to-end target: eight unit-weight components with std 0.5
// on a circle of radius 4 in 2-D, as an energies table.
func GMM8() map[string]any {
	means := make([]any, 8)
	stds := make([]any, 8)
	for k := range means {
		a := 2 * math.Pi * float64(k) / 8
		means[k] = []any{4 * math.Cos(a), 4 * math.Sin(a)}
		stds[k] = 0.5
	}
	return map[string]any{"type": "gmm", "means": means, "stds": stds}
}

// e2eCase is one end-to-end configuration: a sampler on a target, and
// the row's kernel name.
type e2eCase struct {
	kernel  string
	sampler map[string]any
	target  func() map[string]any
}

// Rosenbrock2D is the HMC target of ../shared/peers/hmc_rosenbrock.py:
// U(x, y) = ((1 − x)² + 100 (y − x²)²)/20, as an energies table.
func Rosenbrock2D() map[string]any {
	return map[string]any{"type": "rosenbrock", "dim": int64(2), "a": 1.0, "b": 100.0, "temperature": 20.0}
}

// samplerTables are the configurations timed end to end, by sampler name:
// step η = 0.01 on GMM8 (nuts: ε = 0.1, at most 2⁶ − 1 leapfrog steps),
// and "hmc_rosenbrock", the peers' HMC (L = 10, ε = 0.025) on
// Rosenbrock2D; no adaptation, so every run does the same work per step.
var samplerTables = map[string]e2eCase{
	"ula":            {"ula_gmm8", map[string]any{"type": "ula", "step_size": 0.01}, GMM8},
	"mala":           {"mala_gmm8", map[string]any{"type": "mala", "step_size": 0.01, "adapt": false}, GMM8},
	"hmc":            {"hmc_gmm8", map[string]any{"type": "hmc", "step_size": 0.01, "leapfrog_steps": 10, "adapt": false}, GMM8},
	"nuts":           {"nuts_gmm8", map[string]any{"type": "nuts", "step_size": 0.1, "max_depth": int64(6), "adapt": false}, GMM8},
	"hmc_rosenbrock": {"hmc_rosenbrock", map[string]any{"type": "hmc", "step_size": 0.025, "leapfrog_steps": 10, "adapt": false}, Rosenbrock2D},
}

// DefaultSamplers are the end-to-end rows run when none are named.
var DefaultSamplers = []string{"ula", "mala", "hmc", "nuts", "hmc_rosenbrock"}

// EndToEnd runs each named sampler (ula, mala and hmc when samplers is
// empty) through samplers.Run on GMM8 with the given chains and steps (0
// means DefaultChains, DefaultSteps), no warmup, keeping only the last draw
// of each chain, on GOMAXPROCS workers and the chosen simd implementation,
// and reports chain-steps per second
// (kernel "ula_gmm8" etc.; ns_per_op is per chain-step; workers is
// GOMAXPROCS).
func EndToEnd(ctx context.Context, samplerNames []string, chains, steps int) ([]Row, error) {
	return EndToEndWorkers(ctx, samplerNames, chains, steps, nil)
}

// EndToEndWorkers is EndToEnd once per worker count in workers (each > 0;
// none means GOMAXPROCS), for each sampler in turn: samplers.Options.Workers
// is the count, the row's Workers field says it. Results do not depend on
// the count, only the time does (more workers than cores only adds
// switching).
func EndToEndWorkers(ctx context.Context, samplerNames []string, chains, steps int, workers []int) ([]Row, error) {
	if len(workers) == 0 {
		workers = []int{runtime.GOMAXPROCS(0)}
	}
	for _, w := range workers {
		if w <= 0 {
			return nil, fmt.Errorf("bench: workers must be > 0, got %d", w)
		}
	}
	if len(samplerNames) == 0 {
		samplerNames = DefaultSamplers
	}
	if chains <= 0 {
		chains = DefaultChains
	}
	if steps <= 0 {
		steps = DefaultSteps
	}
	var rows []Row
	for _, name := range samplerNames {
		c, ok := samplerTables[name]
		if !ok {
			return nil, fmt.Errorf("bench: no end-to-end configuration for sampler %q (have %s)", name, strings.Join(DefaultSamplers, ", "))
		}
		e, err := energies.FromTable(c.target())
		if err != nil {
			return nil, fmt.Errorf("bench: %s target: %w", name, err)
		}
		s, err := samplers.FromTable(c.sampler)
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %w", name, err)
		}
		for _, w := range workers {
			// Keep only the last draw (Thin = steps): the timed loop is the
			// sampler's, not the copying of chains×steps draws into the result.
			res, err := samplers.Run(ctx, e, s, samplers.Options{Chains: chains, Draws: 1, Thin: steps, Seed: 1, Workers: w})
			if err != nil {
				return rows, fmt.Errorf("bench: %s: %w", name, err)
			}
			cs := float64(chains) * float64(steps)
			sec := res.Wall.Seconds()
			r := Row{Kernel: c.kernel, Impl: simd.Chosen(), N: chains,
				NsPerOp: sec * 1e9 / cs, ChainStepsPerS: cs / sec, Workers: w}
			if g := res.Sampling.GradEvals; g > 0 {
				r.GradsPerS = float64(g) / sec
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// Scaling returns, for each end-to-end or learnable-energy kernel (per
// dtype) among rows timed at both 1 and 2 workers, one line "ula_gmm8: 2
// workers / 1 worker = 1.85×" (throughput; the last row of each count
// counts), in the order the kernels first appear.
func Scaling(rows []Row) []string {
	rate := map[string]map[int]float64{}
	var order []string
	for _, r := range rows {
		if r.Workers <= 0 || !(r.NsPerOp > 0) {
			continue
		}
		k := r.Kernel
		if r.Dtype == "float32" {
			k += " (float32)"
		}
		if rate[k] == nil {
			rate[k] = map[int]float64{}
			order = append(order, k)
		}
		rate[k][r.Workers] = 1 / r.NsPerOp
	}
	var out []string
	for _, k := range order {
		one, two := rate[k][1], rate[k][2]
		if one > 0 && two > 0 {
			out = append(out, fmt.Sprintf("%s: 2 workers / 1 worker = %.2f×", k, two/one))
		}
	}
	return out
}
