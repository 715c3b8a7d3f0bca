package bench

import (
	"context"
	"fmt"
	"math"
	"runtime"

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

// samplerTables are the configurations timed end to end: step η = 0.01,
// no adaptation, so every run does the same work per step.
var samplerTables = map[string]map[string]any{
	"ula":  {"type": "ula", "step_size": 0.01},
	"mala": {"type": "mala", "step_size": 0.01, "adapt": false},
	"hmc":  {"type": "hmc", "step_size": 0.01, "leapfrog_steps": 10, "adapt": false},
}

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
		samplerNames = []string{"ula", "mala", "hmc"}
	}
	if chains <= 0 {
		chains = DefaultChains
	}
	if steps <= 0 {
		steps = DefaultSteps
	}
	e, err := energies.FromTable(GMM8())
	if err != nil {
		return nil, fmt.Errorf("bench: gmm8 target: %w", err)
	}
	var rows []Row
	for _, name := range samplerNames {
		table, ok := samplerTables[name]
		if !ok {
			return nil, fmt.Errorf("bench: no end-to-end configuration for sampler %q (have ula, mala, hmc)", name)
		}
		s, err := samplers.FromTable(table)
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
			rows = append(rows, Row{Kernel: name + "_gmm8", Impl: simd.Chosen(), N: chains,
				NsPerOp: sec * 1e9 / cs, ChainStepsPerS: cs / sec, Workers: w})
		}
	}
	return rows, nil
}

// Scaling returns, for each end-to-end kernel among rows timed at both 1
// and 2 workers, one line "ula_gmm8: 2 workers / 1 worker = 1.85×" (the
// last row of each count counts), in the order the kernels first appear.
func Scaling(rows []Row) []string {
	rate := map[string]map[int]float64{}
	var order []string
	for _, r := range rows {
		if r.ChainStepsPerS <= 0 || r.Workers <= 0 {
			continue
		}
		if rate[r.Kernel] == nil {
			rate[r.Kernel] = map[int]float64{}
			order = append(order, r.Kernel)
		}
		rate[r.Kernel][r.Workers] = r.ChainStepsPerS
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
