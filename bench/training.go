package bench

import (
	"context"
	"fmt"
	"math"

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
	return append(rows, Row{Kernel: "dsm_step_b256", Impl: impl, N: nStep, NsPerOp: ns, GFlops: flops / ns}), nil
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
