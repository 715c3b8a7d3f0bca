package bench

import (
	"context"
	"fmt"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/simd"
)

// recipeK is the number of Langevin steps of pcd_mnist_step_b128_k60, as
// configs/train_pcd_mnist.toml and Du & Mordatch (2019) take them.
const recipeK = 60

// pcdRecipe is the pcd objective of the recipe's step: K ULA steps (step
// 10, noise 0.005, ∇ₓE clipped elementwise to ±0.01, clamped to [0, 1])
// for the chains of a 10 000-image replay buffer, 5 % restarted from
// U[0, 1], the loss with α = 1.
var pcdRecipe = map[string]any{"type": "pcd", "buffer": int64(10000), "restart": 0.05,
	"k": int64(recipeK), "alpha": 1.0, "init": "uniform", "init_box": []any{0.0, 1.0},
	"sampler": map[string]any{"type": "ula", "step_size": 10.0, "noise_std": 0.005, "clip_grad_value": 0.01, "bounds": []any{0.0, 1.0}}}

// recipeRows times one training step of each shipped image recipe on the
// MNIST-sized float32 MLP (mnist: 784-512-512-1 SiLU, batches of 128):
//
//   - "pcd_mnist_step_b128_k60": configs/train_pcd_mnist.toml's step, as
//     ../shared/peers/mnist_ebm.py --objective pcd runs it: 60 ULA steps
//     (step 10, noise 0.005, ∇ₓE clipped elementwise to ±0.01, clamped to
//     [0, 1]) for 128 chains of a 10 000-image replay buffer, 5 % restarted
//     from U[0, 1], the loss with α = 1, then Adam;
//   - "msdsm_mnist_step_b128": a multi-scale DSM step on the same MLP, a
//     loss over 10 levels from σ = 1 to 0.01 (double backprop), then Adam.
//
// and "pcd_conv_mnist_step_b64_k60", configs/train_pcd_mnist.toml's step:
// the pcd step above on the default convnet with leaky ReLU (float32), 64
// chains, as ../shared/peers/mnist_ebm.py --model conv --objective pcd
// --batch 64 runs it (with SiLU: the same convolutions).
//
// The data are uniform random numbers in [0, 1) (seed 1): the work does not
// depend on them. gflops counts the dense layers' multiply-adds: two
// products per gradient call and three per row of the loss's forward and
// backward pass for pcd, six per row for msdsm (as mlp784_dsm_step_b128).
func recipeRows(ctx context.Context) ([]Row, error) {
	const dtype = "float32"
	n, d, h := mnist.batch, mnist.dim, mnist.hidden
	data := uniform(4 * n * d)
	mac := 2 * float64(d*h+h*h) // flops of one product pass per row
	var rows []Row
	for _, rc := range []struct {
		name  string
		obj   map[string]any
		flops float64
	}{
		{"pcd_mnist_step_b128_k" + fmt.Sprint(recipeK), pcdRecipe, (recipeK*2 + 2*3) * float64(n) * mac},
		{"msdsm_mnist_step_b128", map[string]any{"type": "msdsm", "sigma_min": 0.01, "sigma_max": 1.0, "levels": int64(10)},
			6 * float64(n) * mac},
	} {
		e, err := energies.FromTable(mnistTable(dtype))
		if err != nil {
			return rows, fmt.Errorf("bench: %s: %w", rc.name, err)
		}
		m, ok := e.(energies.Trainable)
		if !ok {
			return rows, fmt.Errorf("bench: %s: mlp is not Trainable", rc.name)
		}
		ns, err := timeStep(ctx, m, rc.obj, data, d, n)
		if err != nil {
			return rows, fmt.Errorf("bench: %s: %w", rc.name, err)
		}
		rows = append(rows, Row{Kernel: rc.name, Impl: simd.Chosen(), N: n, NsPerOp: ns, GFlops: rc.flops / ns, Dtype: dtype})
		if err := ctx.Err(); err != nil {
			return rows, err
		}
	}
	cr, err := convPCDRow(ctx, pcdRecipe)
	return append(rows, cr...), err
}

// convPCDRow times "pcd_conv_mnist_step_b64_k60": the objective table obj
// (pcd_mnist_step_b128_k60's) on the default convnet with leaky ReLU in
// float32, conv.pcdBatch chains of conv.side×conv.side images. gflops
// counts the convolutions' multiply-adds: two passes per gradient call,
// three per row of the loss.
func convPCDRow(ctx context.Context, obj map[string]any) ([]Row, error) {
	name := "pcd_conv_mnist_step_b64_k" + fmt.Sprint(recipeK)
	e, err := energies.FromTable(convPCDTable(conv.side))
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	m, ok := e.(interface {
		energies.Trainable
		Convs() []autodiff.ConvShape
	})
	if !ok {
		return nil, fmt.Errorf("bench: %s: convnet is not Trainable", name)
	}
	n, d := conv.pcdBatch, m.Dim()
	data := uniform(4 * n * d)
	ns, err := timeStep(ctx, m, obj, data, d, n)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	flops := (recipeK*2 + 2*3) * float64(n) * 2 * convMACs(m.Convs())
	return []Row{{Kernel: name, Impl: simd.Chosen(), N: n, NsPerOp: ns, GFlops: flops / ns, Dtype: "float32"}}, ctx.Err()
}

// convPCDTable is the PCD recipes' convnet on side×side images: the
// default channels and strides, leaky ReLU, float32, seed 1.
func convPCDTable(side int) map[string]any {
	return map[string]any{"type": "convnet", "in_shape": []any{int64(1), int64(side), int64(side)},
		"activation": "leaky_relu", "seed": int64(1), "dtype": "float32"}
}
