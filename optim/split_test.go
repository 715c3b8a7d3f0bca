package optim

import (
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/goebm/ebm/internal/team"
)

// TestLargeStepsWorkerIndependent runs three steps of each rule on a
// vector long enough to be split over the cores (with and without
// clipping, so with the norm beside the update and before it) at 1, 2 and
// 3 cores: the parameters, the moments and the norms must be the same
// bits, and a non-finite gradient must change nothing. A failure means a
// range skipped or done twice, a norm summed in another order, or an
// update applied before the gradient was found finite.
func TestLargeStepsWorkerIndependent(t *testing.T) {
	const n = 3*team.MinRange + 13
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	grads := make([][]float64, 3)
	for s := range grads {
		grads[s] = make([]float64, n)
		for i := range grads[s] {
			grads[s][i] = math.Sin(float64(i*(s+2))) * 1e-2
		}
	}
	tables := []map[string]any{
		{"type": "adam", "lr": 0.01},
		{"type": "adam", "lr": 0.01, "clip_norm": 0.5, "weight_decay": 0.1},
		{"type": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": true},
		{"type": "sgd", "lr": 0.1, "weight_decay": 0.01},
	}
	for _, table := range tables {
		type result struct {
			params []float64
			norms  []float64
			state  State
		}
		run := func(procs int) result {
			runtime.GOMAXPROCS(procs)
			o := mustTable(t, table)
			mustStart(t, o, n, 0)
			r := result{params: make([]float64, n)}
			for i := range r.params {
				r.params[i] = math.Cos(float64(i))
			}
			for _, g := range grads {
				_, norm := o.Step(r.params, slices.Clone(g))
				r.norms = append(r.norms, norm)
			}
			// A NaN late in the vector, in the last range: nothing may change.
			bad := slices.Clone(grads[0])
			bad[n-2] = math.NaN()
			before, pb := o.State(), slices.Clone(r.params)
			if _, norm := o.Step(r.params, bad); !math.IsNaN(norm) {
				t.Errorf("%v at %d cores: the norm of a gradient with a NaN is %v", table, procs, norm)
			}
			if !slices.Equal(r.params, pb) || o.State().Step != before.Step {
				t.Errorf("%v at %d cores: a gradient with a NaN changed the parameters or the step", table, procs)
			}
			r.state = o.State()
			for k, v := range before.Vectors {
				if !slices.Equal(v, r.state.Vectors[k]) {
					t.Errorf("%v at %d cores: a gradient with a NaN changed %q", table, procs, k)
				}
			}
			return r
		}
		want := run(1)
		for _, procs := range []int{2, 3} {
			got := run(procs)
			if !slices.Equal(got.params, want.params) {
				t.Errorf("%v: parameters at %d cores differ from 1 core's", table, procs)
			}
			if !slices.Equal(got.norms, want.norms) {
				t.Errorf("%v: norms at %d cores %v, at 1 core %v", table, procs, got.norms, want.norms)
			}
			for k, v := range want.state.Vectors {
				if !slices.Equal(v, got.state.Vectors[k]) {
					t.Errorf("%v: %q at %d cores differs from 1 core's", table, k, procs)
				}
			}
		}
	}
}
