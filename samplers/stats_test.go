package samplers_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/goebm/ebm/samplers"
)

// TestStatsRecorded: for every registered sampler, recording per-draw
// statistics leaves the draws bit for bit as they are without it, the
// statistics are bit-identical at 1 and 3 workers, have one value per
// (chain, draw), and the sampler-specific ones appear where they apply.
func TestStatsRecorded(t *testing.T) {
	want := map[string][]string{
		"hmc":  {"tree_depth:no", "n_steps", "energy"},
		"nuts": {"tree_depth", "n_steps", "energy"},
		"mh":   {"tree_depth:no", "n_steps:no", "energy:no"},
		"mala": {"tree_depth:no", "energy:no"},
		"ula":  {"tree_depth:no", "energy:no"},
	}
	for _, name := range samplers.Names() {
		t.Run(name, func(t *testing.T) {
			g := newDrvGauss([]float64{1, -1, 0}, []float64{1, 2, 0.5})
			o := samplers.Options{Chains: 5, Warmup: 30, Draws: 20, Seed: 3, Workers: 1}
			plain, err := samplers.Run(context.Background(), g, sampleOnly(t, name), o)
			if err != nil {
				t.Fatal(err)
			}
			if plain.Stats != nil {
				t.Errorf("Stats recorded without Options.Stats")
			}
			o.Stats = true
			one, err := samplers.Run(context.Background(), g, sampleOnly(t, name), o)
			if err != nil {
				t.Fatal(err)
			}
			o.Workers = 3
			three, err := samplers.Run(context.Background(), g, sampleOnly(t, name), o)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(plain.Samples, one.Samples) || !slices.Equal(plain.Energy, one.Energy) {
				t.Fatalf("recording statistics changed the draws")
			}
			for _, k := range []string{"lp", "diverging", "acceptance_rate", "step_size"} {
				if _, ok := one.Stats[k]; !ok {
					t.Errorf("no %q among %v", k, keys(one.Stats))
				}
			}
			for _, k := range want[name] {
				_, ok := one.Stats[k]
				if absent := len(k) > 3 && k[len(k)-3:] == ":no"; absent {
					if _, ok := one.Stats[k[:len(k)-3]]; ok {
						t.Errorf("%q recorded, but %s has none", k[:len(k)-3], name)
					}
				} else if !ok {
					t.Errorf("no %q among %v", k, keys(one.Stats))
				}
			}
			for k, v := range one.Stats {
				if len(v) != o.Chains*o.Draws {
					t.Errorf("%s: %d values, want %d", k, len(v), o.Chains*o.Draws)
				}
				w := three.Stats[k]
				if len(w) != len(v) || !slices.EqualFunc(v, w, func(a, b float64) bool {
					return math.Float64bits(a) == math.Float64bits(b)
				}) {
					t.Errorf("%s differs between 1 and 3 workers", k)
				}
			}
			a, b := one.Adaptation, three.Adaptation
			switch name {
			case "mh", "mala", "hmc", "nuts", "pt":
				if a == nil || len(a.StepSize) != o.Chains || !slices.Equal(a.StepSize, b.StepSize) ||
					!slices.Equal(a.InvMetric, b.InvMetric) {
					t.Fatalf("adaptation %+v at 1 worker, %+v at 3", a, b)
				}
				if hasM := name == "hmc" || name == "nuts"; hasM != (len(a.InvMetric) == o.Chains*3) {
					t.Errorf("inverse metric %v", a.InvMetric)
				}
			default:
				if a != nil {
					t.Errorf("adaptation %+v, want none", a)
				}
			}
			for i, e := range one.Energy {
				if one.Stats["lp"][i] != -e {
					t.Fatalf("lp[%d] = %v, want −E = %v", i, one.Stats["lp"][i], -e)
				}
			}
			for i, a := range one.Stats["acceptance_rate"] {
				if !(a >= 0 && a <= 1) {
					t.Fatalf("acceptance_rate[%d] = %v", i, a)
				}
			}
			if name == "hmc" || name == "nuts" {
				// On a Gaussian H is finite and within the energy-error bound
				// of E at the draw.
				for i, h := range one.Stats["energy"] {
					if !(h >= one.Energy[i]) {
						t.Fatalf("energy[%d] = %v below E = %v", i, h, one.Energy[i])
					}
				}
			}
		})
	}
}

func keys(m map[string][]float64) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}
