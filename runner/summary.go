package runner

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goebm/ebm/diagnostics"
	"github.com/goebm/ebm/samplers"
)

// number is a float64 that encodes NaN and ±Inf as JSON null (JSON has no
// such numbers): a diagnostic that cannot be computed reads as null.
type number float64

// MarshalJSON writes the shortest exact form, or null when not finite.
func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON reads what MarshalJSON writes: a number, or null as NaN.
func (n *number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = number(math.NaN())
		return nil
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = number(f)
	return err
}

// summaryFile is summary.json.
type summaryFile struct {
	Name    string       `json:"name"`
	Partial bool         `json:"partial"`
	Shard   *shardPos    `json:"shard,omitempty"` // set for a shard (run --shard i/n): its chains only
	Runs    []runSummary `json:"runs"`
}

// runSummary is one sampler's entry in summary.json.
type runSummary struct {
	Sampler           string   `json:"sampler"`
	Samples           string   `json:"samples"` // path of its samples.npy, relative to the output directory
	Partial           bool     `json:"partial"`
	Chains            int      `json:"chains"`
	Draws             int      `json:"draws"`
	Dim               int      `json:"dim"`
	Warmup            int      `json:"warmup"`
	Thin              int      `json:"thin"`
	AcceptanceRate    number   `json:"acceptance_rate"`
	Divergences       int64    `json:"divergences"`
	WarmupDivergences int64    `json:"warmup_divergences"`
	EnergyEvals       int64    `json:"energy_evals"`
	GradEvals         int64    `json:"grad_evals"`
	WallSeconds       number   `json:"wall_seconds"`
	Mean              []number `json:"mean"`
	Std               []number `json:"std"`
	ESSBulk           []number `json:"ess_bulk"`
	ESSTail           []number `json:"ess_tail"`
	RHat              []number `json:"rhat"`
	MCSEMean          []number `json:"mcse_mean"`
	MCSESD            []number `json:"mcse_sd"`
	Q5                []number `json:"q5"`  // 5 % quantile (type 7, as NumPy)
	Q50               []number `json:"q50"` // median
	Q95               []number `json:"q95"` // 95 % quantile
	// pt only: the temperature ladder and the post-warmup swap acceptance
	// rate of each neighbouring pair.
	Temperatures []number `json:"temperatures,omitempty"`
	SwapRates    []number `json:"swap_rates,omitempty"`
	// hmc and nuts: each chain's E-BFMI; nuts: post-warmup transitions
	// that stopped at max_depth.
	EBFMI       []number `json:"ebfmi,omitempty"`
	MaxDepthHit *int64   `json:"max_depth_hits,omitempty"`
	// Warnings names what CmdStan warns of after sampling (see runWarnings).
	Warnings []string `json:"warnings"`
}

// summarize computes a run's entry: counters over warmup and sampling
// (energy and gradient evaluations are the whole cost), acceptance and
// divergences of the kept phase, and per-dimension diagnostics.
func summarize(typ, samplesPath string, warmup, thin int, r *samplers.Result, smp samplers.Sampler) runSummary {
	s := runSummary{
		Sampler: typ, Samples: samplesPath, Partial: r.Partial,
		Chains: r.Chains, Draws: r.Draws, Dim: r.Dim, Warmup: warmup, Thin: thin,
		AcceptanceRate:    number(r.Sampling.AcceptanceRate()),
		Divergences:       r.Sampling.Divergences,
		WarmupDivergences: r.Warmup.Divergences,
		EnergyEvals:       r.Warmup.EnergyEvals + r.Sampling.EnergyEvals,
		GradEvals:         r.Warmup.GradEvals + r.Sampling.GradEvals,
		WallSeconds:       number(r.Wall.Seconds()),
	}
	if r.Swaps != nil {
		s.Temperatures = numbers(r.Swaps.Sampling.Temperatures)
		s.SwapRates = numbers(r.Swaps.Sampling.Rates())
	}
	// One Summarizer reuses its scratch space across dimensions and reads
	// each in place in the samples.
	var sz diagnostics.Summarizer
	for j := 0; j < r.Dim; j++ {
		d := sz.SummarizeStrided(r.Samples, r.Chains, r.Draws, r.Dim, j)
		s.Mean = append(s.Mean, number(d.Mean))
		s.Std = append(s.Std, number(d.SD))
		s.ESSBulk = append(s.ESSBulk, number(d.ESSBulk))
		s.ESSTail = append(s.ESSTail, number(d.ESSTail))
		s.RHat = append(s.RHat, number(d.RHat))
		s.MCSEMean = append(s.MCSEMean, number(d.MCSEMean))
		s.MCSESD = append(s.MCSESD, number(d.MCSESD))
		s.Q5 = append(s.Q5, number(d.Q5))
		s.Q50 = append(s.Q50, number(d.Q50))
		s.Q95 = append(s.Q95, number(d.Q95))
	}
	if en, ok := r.Stats["energy"]; ok && r.Draws > 0 {
		for c := 0; c < r.Chains; c++ {
			s.EBFMI = append(s.EBFMI, number(diagnostics.EBFMI(en[c*r.Draws:(c+1)*r.Draws])))
		}
	}
	if nu, ok := smp.(*samplers.NUTS); ok && r.Stats["tree_depth"] != nil {
		hits := int64(0)
		for _, d := range r.Stats["tree_depth"] {
			if d >= float64(nu.MaxDepth) {
				hits++
			}
		}
		s.MaxDepthHit = &hits
		s.Warnings = runWarnings(s, nu.MaxDepth)
	} else {
		s.Warnings = runWarnings(s, 0)
	}
	return s
}

// Thresholds of the warnings, CmdStan's.
const (
	warnRHat        = 1.01 // split R-hat above it
	warnESSPerChain = 100  // bulk or tail ESS below this many per chain
	warnEBFMI       = 0.3  // E-BFMI below it
)

// runWarnings returns what CmdStan would warn of after this run, in its
// words adapted to ebm's keys: post-warmup divergences, transitions that
// hit max_depth (nuts), chains with a low E-BFMI (hmc, nuts), dimensions
// with R-hat above 1.01 and with bulk or tail ESS below 100 per chain.
// None of these changes the exit status.
func runWarnings(s runSummary, maxDepth int) []string {
	w := []string{}
	n := int64(s.Chains) * int64(s.Draws)
	if n == 0 {
		return w
	}
	share := func(k int64) string { return fmt.Sprintf("%d of %d (%.2g%%)", k, n, 100*float64(k)/float64(n)) }
	if s.Divergences > 0 {
		w = append(w, fmt.Sprintf("%s post-warmup transitions ended with a divergence: the sampler cannot follow the energy's "+
			"curvature there, and the draws may be biased. Raise target_accept closer to 1 (a smaller step size); "+
			"if divergences remain, reparametrise the energy (e.g. non-centred scales).", share(s.Divergences)))
	}
	if s.MaxDepthHit != nil && *s.MaxDepthHit > 0 {
		w = append(w, fmt.Sprintf("%s post-warmup transitions hit the maximum tree depth of %d: trajectories were cut short, "+
			"an efficiency concern rather than a bias. Raise max_depth, or reparametrise.", share(*s.MaxDepthHit), maxDepth))
	}
	var lowB []string
	for c, b := range s.EBFMI {
		if float64(b) < warnEBFMI {
			lowB = append(lowB, fmt.Sprintf("%d (%.3g)", c, float64(b)))
		}
	}
	if len(lowB) > 0 {
		nLow := len(lowB)
		if nLow > 8 {
			lowB = append(lowB[:8], "…")
		}
		w = append(w, fmt.Sprintf("%d of %d chains have an E-BFMI below %.1f: %s. The momentum resampling explores the "+
			"energy distribution poorly, which suggests heavy tails: reparametrise the energy if you can.",
			nLow, len(s.EBFMI), warnEBFMI, strings.Join(lowB, ", ")))
	}
	// dims lists the dimensions whose value is bad, each with its value in
	// the format f, as "dim 0 (1.0213)" or "3 of 10 dims: 0 (1.0213), …".
	dims := func(v []number, f string, bad func(float64) bool) string {
		var ds []string
		for j, x := range v {
			if bad(float64(x)) {
				ds = append(ds, fmt.Sprintf("%d ("+f+")", j, float64(x)))
			}
		}
		switch {
		case len(ds) == 0:
			return ""
		case len(v) == 1:
			return "dim " + ds[0]
		}
		n := len(ds)
		if n > 8 {
			ds = append(ds[:8], "…")
		}
		return fmt.Sprintf("%d of %d dims: %s", n, len(v), strings.Join(ds, ", "))
	}
	if d := dims(s.RHat, "%.4f", func(x float64) bool { return x > warnRHat }); d != "" {
		w = append(w, fmt.Sprintf("split R-hat above %.2f in %s. The chains have not mixed: the estimates are "+
			"unreliable. Run longer (more warmup and draws), or use a sampler that crosses between modes (pt).", warnRHat, d))
	}
	low := float64(warnESSPerChain * s.Chains)
	for _, e := range []struct {
		name string
		v    []number
	}{{"bulk", s.ESSBulk}, {"tail", s.ESSTail}} {
		if d := dims(e.v, "%.0f", func(x float64) bool { return x < low }); d != "" {
			w = append(w, fmt.Sprintf("%s ESS below %d per chain (%g for %d chains) in %s. The %s estimates "+
				"(%s) are unreliable: run more draws.", e.name, warnESSPerChain, low, s.Chains, d,
				map[string]string{"bulk": "mean and median", "tail": "5 % and 95 % quantile"}[e.name],
				map[string]string{"bulk": "mean, std, q50", "tail": "q5, q95"}[e.name]))
		}
	}
	return w
}

// marshalIndent is json.MarshalIndent with a final newline.
func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}
