package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/convnet" // registers "convnet"
	_ "github.com/goebm/ebm/energies/mlp"     // registers "mlp"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/simd"
	"github.com/goebm/ebm/train"
)

// mlpTable is the network of the training targets: a 2-128-128-1 SiLU MLP
// (with the shipped configs' small quadratic confinement term), computing
// in dtype.
func mlpTable(dtype string) map[string]any {
	t := map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(128), int64(128)},
		"activation": "silu", "seed": int64(1), "quadratic": 0.01}
	if dtype != "float64" {
		t["dtype"] = dtype
	}
	return t
}

// trainDtypes are the dtypes every learnable-energy row runs in, one row
// each (Row.Dtype says which).
var trainDtypes = []string{"float64", "float32"}

// Training times the learnable-energy workloads with the chosen simd
// implementation, each once per dtype: "mlp_grad_b1024" (E and ∇ₓE of the
// 2-128-128-1 SiLU MLP for 1024 points, as every sampler calls it),
// "dsm_step_b256" (one training step of configs/train_dsm_moons.toml, as
// train.Trainer.Step runs it: a dsm Loss with σ = 0.1, that is double
// backprop, plus one Adam update, for 256 moons points) and
// "pcd_step_b256_k20" (one step of persistent contrastive divergence as
// ../shared/peers/pcd_train.py runs it: 20 Langevin steps of size 0.01
// with noise 0.1 for 256 chains of a 10 000-point replay buffer, 5 %
// restarted, α = 0.1, Adam; on 8gaussians). Then "mlp784_dsm_step_b128"
// (see mnistStep), the image recipes' steps "pcd_mnist_step_b128_k60" and
// "msdsm_mnist_step_b128" (float32 only; see recipeRows), and last "conv_grad_b128" and "conv_dsm_step_b128"
// (see convRows). ns_per_op is per call, resp. per step; gflops counts
// the dense layers' (and convolutions') multiply-adds only.
func Training(ctx context.Context) ([]Row, error) { return TrainingWorkers(ctx, nil) }

// TrainingWorkers is Training once per worker count in workers (each > 0;
// none means GOMAXPROCS as it is): each pass runs under
// runtime.GOMAXPROCS set to the count, which bounds the goroutines mlp's
// Gradient and the objectives' shards use, and the rows' Workers field
// says it. Results do not depend on the count, only the time does.
func TrainingWorkers(ctx context.Context, workers []int) ([]Row, error) {
	if len(workers) == 0 {
		return training(ctx)
	}
	var rows []Row
	for _, w := range workers {
		if w <= 0 {
			return nil, fmt.Errorf("bench: workers must be > 0, got %d", w)
		}
		old := runtime.GOMAXPROCS(w)
		r, err := training(ctx)
		runtime.GOMAXPROCS(old)
		for i := range r {
			r[i].Workers = w
		}
		rows = append(rows, r...)
		if err != nil {
			return rows, err
		}
	}
	return rows, nil
}

func training(ctx context.Context) ([]Row, error) {
	var rows []Row
	for _, dtype := range trainDtypes {
		r, err := trainRows(ctx, dtype)
		rows = append(rows, r...)
		if err != nil {
			return rows, err
		}
	}
	for _, dtype := range trainDtypes {
		r, err := mnistStep(ctx, dtype)
		if err != nil {
			return rows, err
		}
		rows = append(rows, r)
	}
	r, err := recipeRows(ctx)
	rows = append(rows, r...)
	if err != nil {
		return rows, err
	}
	for _, dtype := range trainDtypes {
		r, err := convRows(ctx, dtype)
		rows = append(rows, r...)
		if err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// trainRows times mlp_grad_b1024, dsm_step_b256 and pcd_step_b256_k20 for
// a model computing in dtype.
func trainRows(ctx context.Context, dtype string) ([]Row, error) {
	newModel := func() (energies.Trainable, error) {
		e, err := energies.FromTable(mlpTable(dtype))
		if err != nil {
			return nil, fmt.Errorf("bench: mlp: %w", err)
		}
		m, ok := e.(energies.Trainable)
		if !ok {
			return nil, fmt.Errorf("bench: mlp is not Trainable")
		}
		return m, nil
	}
	m, err := newModel()
	if err != nil {
		return nil, err
	}
	impl := simd.Chosen()

	// ∇ₓE for a batch of 1024.
	const nGrad = 1024
	x := moons(nGrad)
	en, g := make([]float64, nGrad), make([]float64, 2*nGrad)
	ns := timeOp(func() { m.Gradient(en, g, x) })
	// forward 2·128 + 128·128 + 128 multiply-adds per point, backward about
	// as many again.
	flops := 2 * 2 * float64(nGrad) * (2*128 + 128*128 + 128)
	rows := []Row{{Kernel: "mlp_grad_b1024", Impl: impl, N: nGrad, NsPerOp: ns, GFlops: flops / ns, Dtype: dtype}}
	if err := ctx.Err(); err != nil {
		return rows, err
	}

	// One DSM step for a batch of 256: train.Trainer.Step on 256 rows with
	// batch size 256, so every step sees the same points (in a new order).
	const nStep = 256
	ns, err = timeStep(ctx, m, map[string]any{"type": "dsm", "sigma": 0.1}, moons(nStep), 2, nStep)
	if err != nil {
		return rows, fmt.Errorf("bench: dsm step: %w", err)
	}
	// Six 256×128×128 products (forward, ∇ₓE, and four in the second
	// backward pass) dominate.
	flops = 6 * 2 * float64(nStep) * 128 * 128
	rows = append(rows, Row{Kernel: "dsm_step_b256", Impl: impl, N: nStep, NsPerOp: ns, GFlops: flops / ns, Dtype: dtype})
	if err := ctx.Err(); err != nil {
		return rows, err
	}

	// One PCD step (a fresh model, so that the DSM steps above do not
	// change its energies).
	if m, err = newModel(); err != nil {
		return rows, err
	}
	pcd := map[string]any{"type": "pcd", "buffer": int64(10000), "restart": 0.05, "k": int64(20), "alpha": 0.1,
		"sampler": map[string]any{"type": "ula", "step_size": 0.01, "noise_std": 0.1}}
	ns, err = timeStep(ctx, m, pcd, toy("8gaussians", 10000), 2, nStep)
	if err != nil {
		return rows, fmt.Errorf("bench: pcd step: %w", err)
	}
	// 20 gradient calls on 256 chains (forward and backward: two products
	// each) and the loss's forward and backward on 2·256 rows (three
	// products each).
	flops = (20*2*2 + 2*3*2) * float64(nStep) * 128 * 128
	rows = append(rows, Row{Kernel: "pcd_step_b256_k20", Impl: impl, N: nStep, NsPerOp: ns, GFlops: flops / ns, Dtype: dtype})
	return rows, ctx.Err()
}

// timeStep times train.Trainer.Step of model m with the objective table
// obj and Adam (lr 1e-3) on data (rows of dim values), batch rows per step: no loss
// rows (log_every is never reached) and no end, so Step runs as many
// times as timeOp asks.
func timeStep(ctx context.Context, m energies.Trainable, obj map[string]any, data []float64, dim, batch int) (float64, error) {
	tr, err := newTrainer(m, obj, data, dim, batch)
	if err != nil {
		return 0, err
	}
	var stepErr error
	ns := timeOp(func() {
		if stepErr == nil && ctx.Err() == nil {
			_, stepErr = tr.Step(ctx)
		}
	})
	return ns, stepErr
}

// newTrainer is a train.Trainer of m with the objective table obj and Adam
// (lr 1e-3) on data (rows of dim values), batch rows per step, that never
// logs and never ends.
func newTrainer(m energies.Trainable, obj map[string]any, data []float64, dim, batch int) (*train.Trainer, error) {
	o, err := objectives.FromTable(obj)
	if err != nil {
		return nil, err
	}
	opt, err := optim.FromTable(map[string]any{"type": "adam", "lr": 1e-3})
	if err != nil {
		return nil, err
	}
	s := train.Settings{Steps: math.MaxInt32, BatchSize: batch, LogEvery: math.MaxInt32, Seed: 1}
	return train.New(m, o, opt, data, dim, s)
}

// uniform returns n values uniform on [0, 1) (seed 1): data for the rows
// whose work does not depend on the values.
func uniform(n int) []float64 {
	r := rand.New(rand.NewPCG(1, 0))
	x := make([]float64, n)
	for i := range x {
		x[i] = r.Float64()
	}
	return x
}

// mnist is the shape of mlp784_dsm_step_b128: a dim-hidden-hidden-1 SiLU
// MLP trained on batches of batch rows. (A variable so that tests can
// shrink it; the row keeps its name.)
var mnist = struct{ dim, hidden, batch int }{784, 512, 128}

// mnistTable is the MNIST-sized network: mnist.dim-hidden-hidden-1 SiLU,
// no confinement term.
func mnistTable(dtype string) map[string]any {
	t := map[string]any{"type": "mlp", "dim": int64(mnist.dim),
		"hidden": []any{int64(mnist.hidden), int64(mnist.hidden)}, "activation": "silu", "seed": int64(1)}
	if dtype != "float64" {
		t["dtype"] = dtype
	}
	return t
}

// mnistStep times "mlp784_dsm_step_b128": one train.Trainer.Step of dsm
// (σ = 0.1, double backprop) plus Adam on a batch of 128 rows of 784
// values, the shape of MNIST; the values are uniform random numbers in
// [0, 1) (seed 1), not MNIST itself: the step's work does not depend on
// them. A step takes tens of milliseconds, so timeOp runs few of them.
// gflops counts the two dense layers' multiply-adds six times over (as
// dsm_step_b256 does): forward, ∇ₓE, and four products in the second
// backward pass. The batch is one objective shard (128 rows), so the step
// runs on one core.
func mnistStep(ctx context.Context, dtype string) (Row, error) {
	name := "mlp784_dsm_step_b128"
	e, err := energies.FromTable(mnistTable(dtype))
	if err != nil {
		return Row{}, fmt.Errorf("bench: %s: %w", name, err)
	}
	m, ok := e.(energies.Trainable)
	if !ok {
		return Row{}, fmt.Errorf("bench: %s: mlp is not Trainable", name)
	}
	n, d, h := mnist.batch, mnist.dim, mnist.hidden
	data := uniform(n * d)
	ns, err := timeStep(ctx, m, map[string]any{"type": "dsm", "sigma": 0.1}, data, d, n)
	if err != nil {
		return Row{}, fmt.Errorf("bench: %s: %w", name, err)
	}
	flops := 6 * 2 * float64(n) * float64(d*h+h*h)
	return Row{Kernel: name, Impl: simd.Chosen(), N: n, NsPerOp: ns, GFlops: flops / ns, Dtype: dtype}, nil
}

// moons returns n points of the moons data set (seed 1).
func moons(n int) []float64 { return toy("moons", n) }

// toy returns n points of the named 2-D data set (seed 1).
func toy(name string, n int) []float64 {
	d, err := datasets.FromTable(map[string]any{"type": name, "n": int64(n), "seed": int64(1)})
	if err != nil {
		panic(err) // a fixed, valid table
	}
	x, err := d.Load()
	if err != nil {
		panic(err)
	}
	return x
}

// conv is the shape of the convnet rows: the default convnet (channels
// [32, 64, 64], kernel 3, stride 2, SiLU, then a linear layer to 1) on
// batches of batch images 1×side×side. (A variable so that tests can
// shrink it; the rows keep their names.)
var conv = struct{ side, batch, pcdBatch int }{28, 128, 64}

// convMACs is the multiply-adds of one forward pass of a conv network
// with the convolutions convs on one image: for each convolution
// OutC·InC·K²·OutH·OutW, then the linear layer's inputs, the last
// convolution's outputs (about 1.55 M for the default on 1×28×28).
func convMACs(convs []autodiff.ConvShape) float64 {
	var t float64
	for _, s := range convs {
		t += float64(s.OutC * s.KernelSize() * s.OutH() * s.OutW())
	}
	return t + float64(convs[len(convs)-1].Out().Size())
}

// convRows times "conv_grad_b128" (E and ∇ₓE of the default convnet on
// conv.batch images 1×28×28, uniform random values in [0, 1), seed 1, as
// a sampler calls it) and "conv_dsm_step_b128" (one train.Trainer.Step of
// dsm, σ = 0.1, double backprop, plus Adam, on the same batch) for a model
// computing in dtype. gflops counts the convolutions' and the linear
// layer's multiply-adds (2 flops each): twice the forward pass for the
// gradient (forward, then the transposed convolutions of ∇ₓE), six times
// for the DSM step (as dsm_step_b256 counts: forward, ∇ₓE, and four
// products per layer in the second backward pass: the transposed and
// weight-gradient convolutions of both passes' adjoints).
func convRows(ctx context.Context, dtype string) ([]Row, error) {
	table := map[string]any{"type": "convnet", "in_shape": []any{int64(1), int64(conv.side), int64(conv.side)},
		"seed": int64(1), "dtype": dtype}
	e, err := energies.FromTable(table)
	if err != nil {
		return nil, fmt.Errorf("bench: convnet: %w", err)
	}
	m, ok := e.(interface {
		energies.Trainable
		Convs() []autodiff.ConvShape
	})
	if !ok {
		return nil, fmt.Errorf("bench: convnet is not Trainable")
	}
	macs := convMACs(m.Convs())
	n, d := conv.batch, m.Dim()
	x := uniform(n * d)
	impl := simd.Chosen()
	en, g := make([]float64, n), make([]float64, n*d)
	ns := timeOp(func() { m.Gradient(en, g, x) })
	rows := []Row{{Kernel: "conv_grad_b128", Impl: impl, N: n, NsPerOp: ns, GFlops: 2 * 2 * float64(n) * macs / ns, Dtype: dtype}}
	if err := ctx.Err(); err != nil {
		return rows, err
	}
	ns, err = timeStep(ctx, m, map[string]any{"type": "dsm", "sigma": 0.1}, x, d, n)
	if err != nil {
		return rows, fmt.Errorf("bench: conv_dsm_step_b128: %w", err)
	}
	rows = append(rows, Row{Kernel: "conv_dsm_step_b128", Impl: impl, N: n, NsPerOp: ns, GFlops: 6 * 2 * float64(n) * macs / ns, Dtype: dtype})
	return rows, ctx.Err()
}
