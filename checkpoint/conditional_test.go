package checkpoint

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/convnet"
	"github.com/goebm/ebm/rng"
)

// TestNoiseConditional: a checkpoint of a noise-conditional convnet loads as
// one (energies.Conditional sees through the "checkpoint" energy), with the
// saved level and, at every level, the saved model's energies and
// gradients; a checkpoint of a plain model is not conditional.
func TestNoiseConditional(t *testing.T) {
	table := map[string]any{"type": "convnet", "in_shape": []any{int64(1), int64(6), int64(6)}, "channels": []any{int64(3)},
		"noise_conditional": true, "sigma": 0.2}
	ref, err := energies.FromTable(table)
	if err != nil {
		t.Fatal(err)
	}
	p := ref.(energies.Trainable).Params()
	s := rng.New(4, 0)
	for i := range p {
		p[i] = s.Float64() - 0.5 // σ maps included
	}
	path := filepath.Join(t.TempDir(), "cond.ckpt")
	if err := Write(path, &File{Energy: table, Params: p, Step: 3}); err != nil {
		t.Fatal(err)
	}
	e, err := energies.FromTable(map[string]any{"type": "checkpoint", "path": path})
	if err != nil {
		t.Fatal(err)
	}
	c := energies.Conditional(e)
	if c == nil || c.Sigma() != 0.2 {
		t.Fatalf("the loaded model: Conditional %v, want it with Sigma 0.2", c)
	}
	x := make([]float64, 2*36)
	for i := range x {
		x[i] = s.Float64()
	}
	for _, sigma := range []float64{0.2, 0.05, 1} {
		en, g := evalBoth(c.At(sigma), x)
		wen, wg := evalBoth(ref.(energies.NoiseConditional).At(sigma), x)
		if !slices.Equal(en, wen) || !slices.Equal(g, wg) {
			t.Errorf("σ = %v: the loaded model gives E %v, the saved one %v", sigma, en, wen)
		}
	}
	plain := filepath.Join(t.TempDir(), "plain.ckpt")
	writeQuad(t, plain)
	q, err := energies.FromTable(map[string]any{"type": "checkpoint", "path": plain})
	if err != nil {
		t.Fatal(err)
	}
	if energies.Conditional(q) != nil || energies.AtSigma(q, 0.3) != q {
		t.Error("a checkpoint of a plain model reports itself noise-conditional")
	}
}
