package convnet_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/convnet"
	"github.com/goebm/ebm/energies/energytest"
	"github.com/goebm/ebm/rng"
)

// denoiser is the small test network with head = "denoiser" (plus extra
// keys), its decoder biases (zero at initialization) set to draws of ±0.5
// so that they matter.
func denoiser(t testing.TB, dtype string, extra map[string]any) *convnet.ConvNet {
	t.Helper()
	table := map[string]any{"head": "denoiser"}
	for k, v := range extra {
		table[k] = v
	}
	m := small(t, dtype, table)
	s := rng.New(11, 0)
	for l, span := range decoderSpans(t, m) {
		for j := span[0]; j < span[1]; j++ {
			if l%2 == 1 { // a bias
				if m.Params()[j] != 0 {
					t.Fatalf("decoder bias %d starts at %v, want 0", j, m.Params()[j])
				}
				m.Params()[j] = s.Float64() - 0.5
			}
		}
	}
	return m
}

// decoderSpans returns the [start, end) ranges in Params of the decoder's
// weights and biases, alternately, in build order, from the package
// comment's layout: after the convolutions' weights and biases.
func decoderSpans(t testing.TB, m *convnet.ConvNet) [][2]int {
	t.Helper()
	cs := m.Convs()
	o := 0
	for _, s := range cs {
		o += s.OutC*s.KernelSize() + s.OutC
	}
	var spans [][2]int
	for l := len(cs) - 1; l >= 0; l-- {
		s := cs[l]
		nw, nb := s.OutC*s.KernelSize(), s.InC*s.H*s.W
		spans = append(spans, [2]int{o, o + nw}, [2]int{o + nw, o + nw + nb})
		o += nw + nb
	}
	return spans
}

// TestDenoiserConformance runs the conformance kit (gradients against
// finite differences, batch independence, …) on denoiser heads: both
// dtypes, per-layer strides, two channels in, and a noise-conditional one
// at its own level and another.
func TestDenoiserConformance(t *testing.T) {
	cases := map[string]energies.Energy{
		"float64":     denoiser(t, "float64", nil),
		"float32":     denoiser(t, "float32", nil),
		"strides/f64": denoiser(t, "float64", mixedStrides),
		"tanh/k5s1/c2": denoiser(t, "float64", map[string]any{"activation": "tanh", "kernel": 5, "stride": 1,
			"in_shape": []any{2, 5, 6}}),
		"cond/f64":      denoiser(t, "float64", map[string]any{"noise_conditional": true, "sigma": 0.3}),
		"cond/f32/0.05": denoiser(t, "float32", map[string]any{"noise_conditional": true, "sigma": 0.3}).At(0.05),
	}
	for name, e := range cases {
		t.Run(name, func(t *testing.T) { energytest.Check(t, e, energytest.Options{Seed: 7, Points: 4}) })
	}
}

// TestDenoiserBuild: Build's energies equal Energy's, its leaves cover
// Params in order, and the parameter gradient through it matches central
// differences, for the plain and the noise-conditional denoiser.
func TestDenoiserBuild(t *testing.T) {
	for _, extra := range []map[string]any{nil, {"noise_conditional": true, "sigma": 0.3}} {
		t.Run(fmt.Sprint(extra), func(t *testing.T) { checkBuild(t, denoiser(t, "float64", extra), 3, 5) })
	}
}

// TestDenoiserFormula: with every decoder weight at zero, D(x) is the last
// transposed convolution's bias b whatever x, so E(x) = ½‖x − b‖² +
// quadratic·½‖x‖², divided (but the quadratic term) by σ² at every level
// of a noise-conditional model; and String names the head.
func TestDenoiserFormula(t *testing.T) {
	for _, cond := range []bool{false, true} {
		var extra map[string]any
		if cond {
			extra = map[string]any{"noise_conditional": true, "sigma": 0.3}
		}
		m := denoiser(t, "float64", extra)
		spans := decoderSpans(t, m)
		for l := 0; l < len(spans); l += 2 {
			clear(m.Params()[spans[l][0]:spans[l][1]])
		}
		b := m.Params()[spans[len(spans)-1][0]:spans[len(spans)-1][1]]
		const n = 3
		d := m.Dim()
		if len(b) != d {
			t.Fatalf("the last bias has %d values, want %d", len(b), d)
		}
		x := points(n, d, 8)
		levels := []float64{0.3}
		if cond {
			levels = append(levels, 0.05, 2)
		}
		for _, sigma := range levels {
			e := energies.Energy(m)
			scale := 1.0
			if cond {
				e, scale = m.At(sigma), 1/(sigma*sigma)
			}
			got := make([]float64, n)
			e.Energy(got, x)
			for i := range n {
				r, q := 0.0, 0.0
				for j, v := range x[i*d : (i+1)*d] {
					r += (v - b[j]) * (v - b[j])
					q += v * v
				}
				want := 0.5*r*scale + 0.1*0.5*q
				if relErr(got[i], want) > 1e-12 {
					t.Errorf("cond %v, σ %v, row %d: E = %v, want ½‖x − b‖²·%v + quadratic term = %v", cond, sigma, i, got[i], scale, want)
				}
			}
		}
		if s := m.String(); !strings.Contains(s, "deconv 1 (8×8), E = ½‖x − D(x)‖²") {
			t.Errorf("String() = %q, want the decoder named", s)
		}
	}
}

// TestDenoiserErrors: an unknown head, and spectral_norm or weights with a
// denoiser, are one-line errors naming the key.
func TestDenoiserErrors(t *testing.T) {
	checkKeyErrors(t, []keyCase{
		{map[string]any{"head": "unet"}, "head"},
		{map[string]any{"head": "denoiser", "spectral_norm": true}, "spectral_norm"},
		{map[string]any{"head": "denoiser", "weights": "w.safetensors"}, "weights"},
	})
}

// TestDenoiserSkips: with the first transposed convolution's weights at
// zero, D(x) would be a constant c without the skips, and then
// f(x) = E(x) − (1 + quadratic)·½‖x‖² = ½‖c‖² − x·c would be affine in x;
// the skip from the first convolution's activation keeps D, and so f,
// depending on x: f at the midpoint of two images differs from their
// average.
func TestDenoiserSkips(t *testing.T) {
	m := denoiser(t, "float64", nil)
	w := decoderSpans(t, m)[0]
	clear(m.Params()[w[0]:w[1]])
	d := m.Dim()
	x := points(3, d, 12)
	for j := range d {
		x[2*d+j] = 0.5 * (x[j] + x[d+j])
	}
	e := make([]float64, 3)
	m.Energy(e, x)
	f := make([]float64, 3)
	for i := range f {
		q := 0.0
		for _, v := range x[i*d : (i+1)*d] {
			q += v * v
		}
		f[i] = e[i] - 1.1*0.5*q
	}
	if gap := f[2] - 0.5*(f[0]+f[1]); relErr(gap, 0) < 1e-6 {
		t.Errorf("f(midpoint) − mean f = %v: E is ½‖x − c‖² plus the quadratic term, as without skips", gap)
	}
}
