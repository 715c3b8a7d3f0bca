package bench

import (
	"context"
	"testing"

	"github.com/goebm/ebm/energies"
)

// BenchmarkConvPCDStep times the PCD recipes' training step on MNIST-sized
// images (pcd_conv_mnist_step_b64_k60's work: 64 chains of 60 ULA steps,
// the loss, Adam) for the MNIST recipe's convnet (net=recipe: 32, 64, 64
// channels of stride 2), the Fashion-MNIST recipe's (net=fashion: 32, 64,
// 64, 64 channels of stride 2, down to 2×2) and the stride-1 variant their
// configs' headers discuss (net=stride1: 16, 32, 64, 64 channels, strides
// 1, 2, 2, 2), one step per iteration: run it with -benchtime 3x -count 3 beside
// bench/compare/conv_pcd_peer.py (bench/compare/conv_pcd_rounds.sh
// interleaves the two).
func BenchmarkConvPCDStep(b *testing.B) {
	for _, net := range []struct {
		name              string
		channels, strides []any
	}{
		{"recipe", nil, nil},
		{"fashion", []any{int64(32), int64(64), int64(64), int64(64)}, []any{int64(2), int64(2), int64(2), int64(2)}},
		{"stride1", []any{int64(16), int64(32), int64(64), int64(64)}, []any{int64(1), int64(2), int64(2), int64(2)}},
	} {
		b.Run("net="+net.name, func(b *testing.B) {
			tab := convPCDTable(28)
			if net.channels != nil {
				tab["channels"], tab["strides"] = net.channels, net.strides
			}
			e, err := energies.FromTable(tab)
			if err != nil {
				b.Fatal(err)
			}
			const n, d = 64, 28 * 28
			tr, err := newTrainer(e.(energies.Trainable), pcdRecipe, uniform(4*n*d), d, n)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tr.Step(context.Background()); err != nil { // the replay buffer, pools, caches
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := tr.Step(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMSDSMStep times the msdsm recipes' training step
// (configs/train_msdsm_mnist.toml and _fashion.toml): the noise-conditional
// convnet with the denoiser head, the 28×28 level and the 2×2 one (16, 32,
// 64, 64, 64 channels, strides 1, 2, 2, 2, 2, SiLU, float32), 64 images each at its own
// level of 40 from σ = 3 to 0.1 (double backprop), then Adam.
func BenchmarkMSDSMStep(b *testing.B) {
	e, err := energies.FromTable(map[string]any{"type": "convnet", "in_shape": []any{int64(1), int64(28), int64(28)},
		"channels": []any{int64(16), int64(32), int64(64), int64(64), int64(64)}, "strides": []any{int64(1), int64(2), int64(2), int64(2), int64(2)},
		"activation": "silu", "head": "denoiser", "noise_conditional": true, "sigma": 0.1, "seed": int64(1), "dtype": "float32"})
	if err != nil {
		b.Fatal(err)
	}
	const n, d = 64, 28 * 28
	obj := map[string]any{"type": "msdsm", "sigma_min": 0.1, "sigma_max": 3.0, "levels": int64(40)}
	tr, err := newTrainer(e.(energies.Trainable), obj, uniform(4*n*d), d, n)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tr.Step(context.Background()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := tr.Step(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
