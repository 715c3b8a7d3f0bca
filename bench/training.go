package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/mlp" // registers "mlp"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/simd"
	"github.com/goebm/ebm/train"
)

// mlpTable is the network of the training targets: a 2-128-128-1 SiLU MLP
// (with the shipped configs' small quadratic confinement term).
func mlpTable() map[string]any {
	return map[string]any{"type": "mlp", "dim": int64(2), "hidden": []any{int64(128), int64(128)},
		"activation": "silu", "seed": int64(1), "quadratic": 0.01}
}

// Training times the learnable-energy workloads with the chosen simd
// implementation: "mlp_grad_b1024" (E and ∇ₓE of the 2-128-128-1 SiLU MLP
// for 1024 points, as every sampler calls it) and "dsm_step_b256" (one
// training step of configs/train_dsm_moons.toml, as train.Trainer.Step
// runs it: a dsm Loss with σ = 0.1, that is double backprop, plus one Adam
// update, for 256 moons points).
// Then "mlp784_dsm_step_b128" (see mnistStep), one row per dtype.
// ns_per_op is per call, resp. per step; gflops counts the dense layers'
// multiply-adds only.
func Training(ctx context.Context) ([]Row, error) {
	e, err := energies.FromTable(mlpTable())
	if err != nil {
		return nil, fmt.Errorf("bench: mlp: %w", err)
	}
	m, ok := e.(energies.Trainable)
	if !ok {
		return nil, fmt.Errorf("bench: mlp is not Trainable")
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
	rows := []Row{{Kernel: "mlp_grad_b1024", Impl: impl, N: nGrad, NsPerOp: ns, GFlops: flops / ns}}
	if err := ctx.Err(); err != nil {
		return rows, err
	}

	// One DSM step for a batch of 256: train.Trainer.Step on 256 rows with
	// batch size 256, so every step sees the same points (in a new order).
	const nStep = 256
	o, err := objectives.FromTable(map[string]any{"type": "dsm", "sigma": 0.1})
	if err != nil {
		return nil, fmt.Errorf("bench: dsm: %w", err)
	}
	opt, err := optim.FromTable(map[string]any{"type": "adam", "lr": 1e-3})
	if err != nil {
		return nil, fmt.Errorf("bench: adam: %w", err)
	}
	// No loss rows (log_every is never reached) and no end: Step runs as
	// many times as timeOp asks.
	s := train.Settings{Steps: math.MaxInt32, BatchSize: nStep, LogEvery: math.MaxInt32, Seed: 1}
	tr, err := train.New(m, o, opt, moons(nStep), 2, s)
	if err != nil {
		return nil, fmt.Errorf("bench: dsm step: %w", err)
	}
	var stepErr error
	ns = timeOp(func() {
		if stepErr != nil {
			return
		}
		_, stepErr = tr.Step(ctx)
	})
	if stepErr != nil {
		return rows, fmt.Errorf("bench: dsm step: %w", stepErr)
	}
	// Six 256×128×128 products (forward, ∇ₓE, and four in the second
	// backward pass) dominate.
	flops = 6 * 2 * float64(nStep) * 128 * 128
	rows = append(rows, Row{Kernel: "dsm_step_b256", Impl: impl, N: nStep, NsPerOp: ns, GFlops: flops / ns})
	if err := ctx.Err(); err != nil {
		return rows, err
	}
	for _, dtype := range mnistDtypes {
		r, err := mnistStep(ctx, dtype)
		if err != nil {
			return rows, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// mnist is the shape of mlp784_dsm_step_b128: a dim-hidden-hidden-1 SiLU
// MLP trained on batches of batch rows. (A variable so that tests can
// shrink it; the row keeps its name.)
var mnist = struct{ dim, hidden, batch int }{784, 512, 128}

// mnistDtypes are the dtypes mlp784_dsm_step_b128 runs in, one row each
// (Row.Dtype says which). mlp computes in float64 only today; when it
// takes a dtype, add "float32" here: mnistTable passes it on.
var mnistDtypes = []string{"float64"}

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
	o, err := objectives.FromTable(map[string]any{"type": "dsm", "sigma": 0.1})
	if err != nil {
		return Row{}, fmt.Errorf("bench: %s: %w", name, err)
	}
	opt, err := optim.FromTable(map[string]any{"type": "adam", "lr": 1e-3})
	if err != nil {
		return Row{}, fmt.Errorf("bench: %s: %w", name, err)
	}
	n, d, h := mnist.batch, mnist.dim, mnist.hidden
	data := make([]float64, n*d)
	r := rand.New(rand.NewPCG(1, 0))
	for i := range data {
		data[i] = r.Float64()
	}
	s := train.Settings{Steps: math.MaxInt32, BatchSize: n, LogEvery: math.MaxInt32, Seed: 1}
	tr, err := train.New(m, o, opt, data, d, s)
	if err != nil {
		return Row{}, fmt.Errorf("bench: %s: %w", name, err)
	}
	var stepErr error
	ns := timeOp(func() {
		if stepErr == nil && ctx.Err() == nil {
			_, stepErr = tr.Step(ctx)
		}
	})
	if stepErr != nil {
		return Row{}, fmt.Errorf("bench: %s: %w", name, stepErr)
	}
	if err := ctx.Err(); err != nil {
		return Row{}, err
	}
	flops := 6 * 2 * float64(n) * float64(d*h+h*h)
	return Row{Kernel: name, Impl: simd.Chosen(), N: n, NsPerOp: ns, GFlops: flops / ns, Dtype: dtype}, nil
}

// moons returns n points of the moons data set (seed 1).
func moons(n int) []float64 {
	d, err := datasets.FromTable(map[string]any{"type": "moons", "n": int64(n), "seed": int64(1)})
	if err != nil {
		panic(err) // a fixed, valid table
	}
	x, err := d.Load()
	if err != nil {
		panic(err)
	}
	return x
}
