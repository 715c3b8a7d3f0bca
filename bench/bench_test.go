package bench

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/goebm/ebm/simd"
)

// TestKernels: every kernel yields one row per implementation with a
// positive time and exactly one of GB/s and GFLOP/s, the baselines are
// present, the JSON keys are the documented ones, and the chosen
// implementation is restored. A failure means `ebmrun bench` would print
// missing or meaningless rows.
func TestKernels(t *testing.T) {
	minTime = time.Millisecond
	defer func() { minTime = 40 * time.Millisecond }()
	before := simd.Chosen()
	rows, err := Kernels(nil)
	if err != nil {
		t.Fatal(err)
	}
	if simd.Chosen() != before {
		t.Fatalf("Kernels left %q chosen, want %q", simd.Chosen(), before)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Kernel+"/"+r.Impl] = true
		if !(r.NsPerOp > 0) || math.IsInf(r.NsPerOp, 0) || (r.GBps > 0) == (r.GFlops > 0) {
			t.Errorf("bad row %+v", r)
		}
		if strings.HasPrefix(r.Kernel, "matmul") && !(r.GFlops > 0) {
			t.Errorf("matrix-product row %+v lacks gflops", r)
		}
	}
	for _, impl := range simd.Available() {
		for _, k := range []string{"dot", "axpy", "langevin", "position", "exp", "log", "gmm8_logits_d2", "langevin_rows_d2",
			"matmul_k128_n128", "matmul_bt_k128_n128", "matmul_at_m128_n128"} {
			if !seen[k+"/"+impl] {
				t.Errorf("no row for %s/%s", k, impl)
			}
		}
	}
	for _, k := range []string{"copy/go", "normal/rng", "normal/math/rand"} {
		if !seen[k] {
			t.Errorf("no %s row", k)
		}
	}
	b, _ := json.Marshal(rows[0])
	for _, key := range []string{`"kernel"`, `"impl"`, `"n"`, `"ns_per_op"`, `"gbps"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks key %s", b, key)
		}
	}
	if _, err := Kernels([]string{"sse9"}); err == nil {
		t.Error("an unknown implementation must be an error")
	}
}

// TestEndToEnd: a short run of each sampler on the 8-mode GMM gives a row
// named <sampler>_gmm8 with a positive rate, and an unknown sampler is an
// error. A failure means the bench cannot build the target or run a sampler.
func TestEndToEnd(t *testing.T) {
	rows, err := EndToEnd(context.Background(), nil, 64, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want 3 (ula, mala, hmc)", len(rows))
	}
	for i, name := range []string{"ula_gmm8", "mala_gmm8", "hmc_gmm8"} {
		r := rows[i]
		if r.Kernel != name || r.N != 64 || !(r.ChainStepsPerS > 0) || r.Impl != simd.Chosen() {
			t.Errorf("row %d = %+v, want kernel %s with a positive rate", i, r, name)
		}
		b, _ := json.Marshal(r)
		if !strings.Contains(string(b), `"chain_steps_per_s"`) {
			t.Errorf("end-to-end JSON %s lacks chain_steps_per_s", b)
		}
	}
	if _, err := EndToEnd(context.Background(), []string{"nuts-x"}, 8, 2); err == nil {
		t.Error("an unknown sampler must be an error")
	}
}

// BenchmarkEndToEnd runs each sampler on GMM8 with 4096 chains for 100
// steps per iteration; the chain-steps/s metric is the figure to read.
func BenchmarkEndToEnd(b *testing.B) {
	for _, name := range []string{"ula", "mala", "hmc"} {
		b.Run(name, func(b *testing.B) {
			const chains, steps = DefaultChains, 100
			var rate float64
			for b.Loop() {
				rows, err := EndToEnd(context.Background(), []string{name}, chains, steps)
				if err != nil {
					b.Fatal(err)
				}
				rate = rows[0].ChainStepsPerS
			}
			b.ReportMetric(rate/1e6, "Mchain-steps/s")
		})
	}
}

// TestTraining: the training rows exist under their documented names with
// positive times, and the DSM step really trains (it returns no error on a
// valid setup). A failure means `ebmrun bench` lacks the issue's
// mlp_grad_b1024 / dsm_step_b256 rows.
func TestTraining(t *testing.T) {
	minTime = time.Millisecond
	defer func() { minTime = 40 * time.Millisecond }()
	rows, err := Training(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"mlp_grad_b1024", "dsm_step_b256"}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, r := range rows {
		if r.Kernel != want[i] || !(r.NsPerOp > 0) || !(r.GFlops > 0) || r.Impl != simd.Chosen() {
			t.Errorf("row %d = %+v, want kernel %s with a positive time and GFLOP/s", i, r, want[i])
		}
	}
}
