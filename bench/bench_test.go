package bench

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
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
			"matmul_k128_n128", "matmul_bt_k128_n128", "matmul_at_m128_n128",
			"matmul32_k128_n128", "matmul32_k784_n512", "matmul32_bt_k128_n128", "matmul32_at_m128_n128"} {
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
	names := []string{"ula_gmm8", "mala_gmm8", "hmc_gmm8", "nuts_gmm8", "hmc_rosenbrock"}
	if len(rows) != len(names) {
		t.Fatalf("got %d rows, want %d (%v)", len(rows), len(names), names)
	}
	for i, name := range names {
		r := rows[i]
		if r.Kernel != name || r.N != 64 || !(r.ChainStepsPerS > 0) || r.Impl != simd.Chosen() {
			t.Errorf("row %d = %+v, want kernel %s with a positive rate", i, r, name)
		}
		if name != "ula_gmm8" && !(r.GradsPerS > 0) {
			t.Errorf("row %s has no gradient rate", name)
		}
		if name == "hmc_rosenbrock" && math.Abs(r.GradsPerS/r.ChainStepsPerS-10) > 1e-9 {
			t.Errorf("hmc_rosenbrock: %v gradients per chain-step, want L = 10", r.GradsPerS/r.ChainStepsPerS)
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
	for _, name := range DefaultSamplers {
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
// positive times, and the DSM steps really train (they return no error on
// a valid setup). A failure means `ebmrun bench` lacks the issue's
// mlp_grad_b1024 / dsm_step_b256 / mlp784_dsm_step_b128 / conv_grad_b128 /
// conv_dsm_step_b128 rows. The MNIST network is shrunk to 784-32-32-1 on
// batches of 8, the convnet rows to 4 images 1×12×12, for the test.
func TestTraining(t *testing.T) {
	minTime = time.Millisecond
	saved := mnist
	mnist.hidden, mnist.batch = 32, 8
	savedConv := conv
	conv.side, conv.batch, conv.pcdBatch = 12, 4, 2
	defer func() { minTime, mnist, conv = 40*time.Millisecond, saved, savedConv }()
	rows, err := Training(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, dt := range []string{"float64", "float32"} {
		for _, k := range []string{"mlp_grad_b1024", "dsm_step_b256", "pcd_step_b256_k20"} {
			want = append(want, k+"/"+dt)
		}
	}
	want = append(want, "mlp784_dsm_step_b128/float64", "mlp784_dsm_step_b128/float32",
		"pcd_mnist_step_b128_k60/float32", "msdsm_mnist_step_b128/float32", "pcd_conv_mnist_step_b64_k60/float32")
	for _, dt := range []string{"float64", "float32"} {
		want = append(want, "conv_grad_b128/"+dt, "conv_dsm_step_b128/"+dt)
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, r := range rows {
		if r.Kernel+"/"+r.Dtype != want[i] || !(r.NsPerOp > 0) || !(r.GFlops > 0) || r.Impl != simd.Chosen() {
			t.Errorf("row %d = %+v, want %s with a positive time and GFLOP/s", i, r, want[i])
		}
	}
	if r := rows[len(rows)-8]; r.N != 8 {
		t.Errorf("MNIST row %+v: want n = the batch", r)
	}
	if r := rows[len(rows)-1]; r.N != 4 {
		t.Errorf("conv row %+v: want n = the batch", r)
	}
	if r := rows[len(rows)-5]; r.N != 2 {
		t.Errorf("conv pcd row %+v: want n = its batch", r)
	}
}

// shortLimits shortens the timings and the 64 MiB streams for a test and
// returns the undo.
// It also shrinks the MNIST network to 784-32-32-1 on batches of 8, and
// the convnet rows to batches of 4 images 1×12×12.
func shortLimits() func() {
	saved, savedConv := mnist, conv
	minTime, copyN = time.Millisecond, 1<<16
	mnist.hidden, mnist.batch = 32, 8
	conv.side, conv.batch, conv.pcdBatch = 12, 4, 2
	return func() { minTime, copyN, mnist, conv = 40*time.Millisecond, 8<<20, saved, savedConv }
}

// TestMeasureLimits: every peak loop gives a float64 row (and a float32 one
// where it has one) with positive GFLOP/s, each implementation that runs
// kernels has a peak, the copy and read rows have positive GB/s, and the
// wider loops are not slower than generic's scalar one by the lane count
// (a sanity bound, not a timing: a failure means a loop or its flop count
// is wrong).
func TestMeasureLimits(t *testing.T) {
	defer shortLimits()()
	rows, lim := MeasureLimits()
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Kernel+"/"+r.Impl] = true
		if !(r.NsPerOp > 0) || (r.GBps > 0) == (r.GFlops > 0) || r.What == "" {
			t.Errorf("bad row %+v", r)
		}
	}
	for _, impl := range simd.Available() {
		if !seen["fma_peak_f64/"+impl] || !(lim.PeakGFlops[impl] > 0) {
			t.Errorf("no float64 peak for %s", impl)
		}
		if !(lim.PeakGFlops32[impl] > 0) {
			t.Errorf("no float32 peak for %s", impl)
		}
	}
	if !seen["copy_64mib/go"] || !seen["read_64mib/"+simd.Chosen()] || !(lim.CopyGBps > 0) {
		t.Errorf("copy or read row missing: %v, copy %v GB/s", seen, lim.CopyGBps)
	}
	for _, p := range simd.PeakKernels() {
		if p.Lanes32 > 0 && !seen["fma_peak_f32/"+p.Impl] {
			t.Errorf("no float32 peak for %s", p.Impl)
		}
	}
}

// TestShares: with the limits measured, the kernel rows the issue names
// carry a share of the right limit: positive, finite, and exactly the
// row's rate over that limit (times its cores), and the text line shows
// it. A failure means `ebmrun bench` lacks the share column or computes
// it from the wrong limit. There is no upper bound on the share: on a
// shared machine the limit and the row are timed at different moments
// (this test has seen a matrix product at 2× a peak timed while
// neighbours ran), so a bound would be a timed assertion.
func TestShares(t *testing.T) {
	defer shortLimits()()
	_, lim := MeasureLimits()
	rows, err := Kernels(nil)
	if err != nil {
		t.Fatal(err)
	}
	train, err := Training(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows = lim.Annotate(append(rows, train...))
	copyAt := map[int]float64{}
	for _, r := range rows {
		if r.Kernel == "copy" && r.Impl == "go" {
			copyAt[r.N] = r.GBps
		}
	}
	want := map[string]string{}
	for _, impl := range simd.Available() {
		for _, k := range []string{"matmul_k128_n128", "matmul_bt_k128_n128", "matmul_at_m128_n128"} {
			want[k+"/"+impl+"/1024"] = LimitFMAPeak
		}
		for _, k := range []string{"dot", "axpy", "langevin", "position"} {
			want[k+"/"+impl+"/1048576"] = LimitCopyBW
		}
		for _, k := range []string{"matmul32_k128_n128/" + impl + "/1024", "matmul32_k784_n512/" + impl + "/128",
			"matmul32_bt_k128_n128/" + impl + "/1024", "matmul32_at_m128_n128/" + impl + "/1024"} {
			want[k] = LimitFMAPeak32
		}
	}
	for _, k := range []string{"mlp_grad_b1024", "dsm_step_b256", "pcd_step_b256_k20", "mlp784_dsm_step_b128",
		"conv_grad_b128", "conv_dsm_step_b128"} {
		want[k+"/"+simd.Chosen()+"/float64"] = LimitFMAPeak
		want[k+"/"+simd.Chosen()+"/float32"] = LimitFMAPeak32
	}
	for _, r := range rows {
		key := r.Kernel + "/" + r.Impl + "/"
		if r.Dtype != "" && bounds[r.Kernel].minN == 0 {
			key += r.Dtype
		}
		if bounds[r.Kernel].minN > 0 {
			key += strconv.Itoa(r.N)
		}
		limit, ok := want[key]
		if !ok {
			if r.Limit != "" {
				t.Errorf("row %+v has a share it should not", r)
			}
			continue
		}
		delete(want, key)
		ref := r.GBps / copyAt[r.N]
		switch limit {
		case LimitFMAPeak:
			ref = r.GFlops / (lim.PeakGFlops[r.Impl] * float64(r.Cores))
		case LimitFMAPeak32:
			ref = r.GFlops / (lim.PeakGFlops32[r.Impl] * float64(r.Cores))
		}
		if r.Limit != limit || !(r.Share > 0) || math.IsInf(r.Share, 0) || r.Cores < 1 || math.Abs(r.Share-ref) > 1e-12*ref {
			t.Errorf("row %+v: want limit %s and share %v", r, limit, ref)
		}
		if !strings.Contains(r.String(), "% of "+limit) {
			t.Errorf("text %q lacks the share", r.String())
		}
		b, _ := json.Marshal(r)
		if !strings.Contains(string(b), `"limit":"`+limit+`"`) || !strings.Contains(string(b), `"share":`) {
			t.Errorf("JSON %s lacks limit or share", b)
		}
	}
	for k := range want {
		t.Errorf("no row %s", k)
	}
}

// TestEndToEndWorkers: --workers 1,2 gives one row per sampler and count,
// with the count in the row, and Scaling one ratio line per sampler; a
// count ≤ 0 is an error.
func TestEndToEndWorkers(t *testing.T) {
	rows, err := EndToEndWorkers(context.Background(), []string{"ula", "hmc"}, 32, 5, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		k string
		w int
	}{{"ula_gmm8", 1}, {"ula_gmm8", 2}, {"hmc_gmm8", 1}, {"hmc_gmm8", 2}}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		if r := rows[i]; r.Kernel != w.k || r.Workers != w.w || !(r.ChainStepsPerS > 0) {
			t.Errorf("row %d = %+v, want %s at %d workers", i, r, w.k, w.w)
		}
	}
	lines := Scaling(rows)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ula_gmm8: 2 workers / 1 worker = ") {
		t.Errorf("Scaling = %q", lines)
	}
	if _, err := EndToEndWorkers(context.Background(), nil, 8, 2, []int{0}); err == nil {
		t.Error("0 workers must be an error")
	}
}

// TestTrainingWorkers: timed at 1 and 2 workers, every learnable-energy row
// appears once per count with Workers set, and Scaling gives one 2-over-1
// line per kernel and dtype. A failure means `ebmrun bench --workers 1,2`
// cannot show the training steps' scaling.
func TestTrainingWorkers(t *testing.T) {
	defer shortLimits()()
	rows, err := TrainingWorkers(context.Background(), []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for _, r := range rows {
		count[r.Workers]++
	}
	if count[1] != 15 || count[2] != 15 || len(rows) != 30 {
		t.Fatalf("rows per worker count: %v, want 15 each", count)
	}
	lines := Scaling(rows)
	if len(lines) != 15 || !strings.Contains(strings.Join(lines, "\n"), "dsm_step_b256 (float32): 2 workers / 1 worker") {
		t.Errorf("scaling lines %q", lines)
	}
	if _, err := TrainingWorkers(context.Background(), []int{0}); err == nil {
		t.Error("0 workers must be an error")
	}
}
