package runner

import (
	"encoding/json"
	"math"
	"strconv"

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

// summaryFile is summary.json.
type summaryFile struct {
	Name    string       `json:"name"`
	Partial bool         `json:"partial"`
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
}

// summarize computes a run's entry: counters over warmup and sampling
// (energy and gradient evaluations are the whole cost), acceptance and
// divergences of the kept phase, and per-dimension diagnostics.
func summarize(typ, samplesPath string, warmup, thin int, r *samplers.Result) runSummary {
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
	return s
}

// marshalIndent is json.MarshalIndent with a final newline.
func marshalIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}
