// Package convnet is a learnable energy on images: a convolutional network
// E(x) = CNN(x) + quadratic·½‖x‖², registered as the energy "convnet".
//
// A point x is one image of in_shape = [c, h, w], flattened channel by
// channel, row by row (NCHW, c·h·w values, as autodiff's convolutions and
// PyTorch lay it out). The network is a stack of 2-D convolutions, one per
// entry of channels, each with a kernel×kernel kernel, padding kernel/2 and
// its stride (strides[ℓ], or stride for every layer when strides is empty)
// and followed by the activation; then the last feature
// maps, flattened (the identity on NCHW rows), go through a linear layer
// to one output, the energy. The default, channels [32, 64, 64], kernel 3,
// stride 2, SiLU, on 1×28×28 images is the peers' Conv:
// Conv(1,32,3,s2,p1) SiLU, Conv(32,64,3,s2,p1) SiLU, Conv(64,64,3,s2,p1)
// SiLU, Linear(1024, 1). Stride-1 layers keep the resolution and can be
// interleaved with the halving ones to deepen the network, e.g. channels
// [32, 32, 64, 64, 64] with strides [1, 2, 1, 2, 2]: 28 → 28 → 14 → 14 →
// 7 → 4.
//
// Energy and Gradient, the samplers' path, record the network on an
// autodiff graph taken from a pool (one per goroutine, in the model's
// dtype), chunkRows images at a time so that memory stays bounded, and
// take ∇ₓE with Grad; Build and Build32 record the same network for the
// training objectives, with the parameters as leaves aliasing Params.
//
// # Parameters
//
// Params is one flat vector in PyTorch's state_dict order and layout: for
// each convolution ℓ, its weight OutC×InC×K×K (row-major) then its bias
// (OutC); then the linear layer's weight 1×F (F = the last channels ×
// height × width of the last feature maps, in NCHW order) and its bias
// (1). Exporting to a PyTorch state_dict is a matter of slicing. A
// noise_conditional model appends, for each convolution, the weights of
// its σ map (OutC×1×K×K, zero at initialization).
//
// With head = "denoiser" no linear layer follows: a decoder D mirrors the
// convolutions with transposed ones (the last convolution's first, each
// with the geometry of the convolution it mirrors and a bias per output
// value), and E(x) = ½‖x − D(x)‖² + quadratic·½‖x‖² (Salimans & Ho 2021,
// "Should EBMs model the energy or the score?"): −∇E is (D(x) − x)
// corrected by D's Jacobian, so D learns to denoise. The output of every
// transposed convolution but the last is summed with the encoder's
// activation of the same shape (the input of the convolution it mirrors,
// U-Net skips) and goes through the activation. Its parameters take the
// linear layer's place in Params: for each transposed convolution, in
// build order, its weight OutC×InC×K×K (the mirrored convolution's shape)
// and its bias (InC×H×W, that convolution's input).
//
// # Noise conditioning
//
// With noise_conditional = true the energy is E(x, σ) = CNN(x; ln σ)/σ +
// quadratic·½‖x‖²: before its activation, convolution ℓ adds ln σ times
// the convolution of a constant image of ones with its σ weights (what an
// extra input channel holding ln σ would add, edges included), and the
// linear output is divided by σ (a denoiser's ½‖x − D(x)‖² by σ²), so
// that ∇ₓ of the network output has the scale of the noise at every level
// (Song & Ermon 2020). Energy and Gradient are at the level sigma; At(σ)
// and BuildAt give the other levels (energies.NoiseConditional).
//
// # Spectral normalization
//
// With spectral_norm = true every weight W enters the network as W/σ(W),
// σ(W) its largest singular value (a convolution's weight taken as the
// OutC×(InC·K·K) matrix, as PyTorch's torch.nn.utils.spectral_norm does),
// estimated at every Energy, Gradient and Build call by a fixed number of
// power iterations from a fixed start vector on the current Params. The
// estimate is treated as a constant in the gradients: the parameter
// gradient is (1/σ)·∂L/∂(W/σ), without PyTorch's term through σ. Params
// keeps the raw weights.
//
// # Normalizability
//
// As with mlp, quadratic > 0 adds a Gaussian envelope that keeps exp(−E)
// normalizable for samplers.
package convnet

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

func init() {
	energies.Register("convnet", func() energies.Energy { return defaults() })
}

// defaults returns a ConvNet with every key at its default.
func defaults() *ConvNet {
	return &ConvNet{Channels: []int{32, 64, 64}, Kernel: 3, Stride: 2, Act: "silu", InitScheme: "fan_in", DType: "float64", Head: "linear"}
}

// ConvNet is the energy E(x) = CNN(x) + quadratic·½‖x‖² of a convolutional
// network with one linear output unit (see the package comment for the
// architecture and the parameter layout). Build it with New, or from a
// config table through the energies registry. Energy, Gradient and Build
// are safe for concurrent calls on disjoint batches, as long as nothing
// writes Params meanwhile.
type ConvNet struct {
	InShape    []int   `toml:"in_shape" doc:"shape of one image, [channels, height, width] (NCHW rows of c·h·w values); required for sampling, a training config takes it from the data's shape and refuses a different one"`
	Channels   []int   `toml:"channels" doc:"output channels of the convolutions, at least one layer, each >= 1; a linear layer to one output (the energy) follows the last"`
	Kernel     int     `toml:"kernel" doc:"height and width of every convolution kernel, >= 1; the padding is kernel/2 on every side"`
	Stride     int     `toml:"stride" doc:"step of every convolution, in [1, 64], unless strides is set"`
	Strides    []int   `toml:"strides" doc:"step of each convolution, one per entry of channels, each in [1, 64], e.g. [1, 2, 1, 2, 2] with five channels; empty (the default) gives every layer stride"`
	Act        string  `toml:"activation" doc:"activation after every convolution: silu (or swish), softplus, tanh, sigmoid, elu, gaussian, relu, leaky_relu (slope 0.2 below 0, as Du & Mordatch) or identity; score matching needs a smooth one (not relu, leaky_relu or identity)"`
	InitScheme string  `toml:"init" doc:"initialization: fan_in (PyTorch's Conv2d and Linear default: weights and biases uniform on ±1/√fan_in, fan_in = in_channels·kernel² or the linear layer's inputs) or he (Kaiming normal weights, std √(2/fan_in), biases 0)"`
	Seed       uint64  `toml:"seed" doc:"seed of the weight initialization; the same seed gives the same network; 0 is a seed like any other"`
	DType      string  `toml:"dtype" doc:"arithmetic of the network: float64 (the default) or float32 (the parameters, points, energies and gradients the rest of ebm sees stay float64)"`
	Quadratic  float64 `toml:"quadratic" doc:"adds quadratic·½‖x‖² to E, >= 0; a positive value keeps exp(−E) normalizable"`
	Spectral   bool    `toml:"spectral_norm" doc:"divides every weight (a convolution's as an OutC×(InC·kernel²) matrix, as PyTorch's spectral_norm, and the linear layer's) by its largest singular value, estimated by power iterations from a fixed start on the current weights at every call; the estimate is a constant for the gradients (unlike PyTorch, which differentiates through it)"`
	Head       string  `toml:"head" doc:"what follows the convolutions: linear (the default: a linear layer to one output, the energy) or denoiser (Salimans & Ho 2021: E(x) = ½‖x − D(x)‖², D a decoder that mirrors the convolutions with transposed ones, each with a bias per output value and, but the last, the activation, its input summed with the encoder's feature map of the same shape (U-Net skips); divided by σ² with noise_conditional); denoiser takes neither spectral_norm nor weights"`
	Cond       bool    `toml:"noise_conditional" doc:"conditions the network on a noise level σ, E(x, σ) = CNN(x; ln σ)/σ + quadratic·½‖x‖²: every convolution adds ln σ times its own learned map (a convolution of a constant image, as a σ input channel would) before its activation, and the output is divided by σ (Song & Ermon 2020); the msdsm objective trains every level, annealed_langevin_sigma samples each level at its own σ; Energy and Gradient evaluate it at sigma"`
	CondSigma  float64 `toml:"sigma" doc:"with noise_conditional, the level σ at which Energy and Gradient evaluate E(x, σ) (AIS, other samplers, the Tweedie step): the data's own model, the msdsm objective's sigma_min; > 0 and required with noise_conditional, unset without"`
	Weights    string  `toml:"weights" doc:"initial weights from a file, .safetensors or .npz, holding the state_dict of the PyTorch nn.Sequential of the same architecture (0.weight of shape [channels[0], c, kernel, kernel], 0.bias, 2.weight …, then the Linear's weight [1, F] and bias; what ebmrun export writes); replaces the seeded initialization; with spectral_norm they are the raw weights, divided by their σ at every call; a relative path is resolved against the config file's directory; \"\" (the default) draws the weights from seed"`

	convs  []autodiff.ConvShape // the convolutions' geometry
	flat   int                  // inputs of the linear layer
	deconv []int                // head = "denoiser": deconv[ℓ] = start of the transposed convolution mirroring convolution ℓ in params
	dim    int                  // c·h·w
	offs   []int                // offs[ℓ] = start of layer ℓ's weight in params (len(convs)+1 layers: the last is the head), offs[last+1] = its end
	soffs  []int                // noise_conditional: soffs[ℓ] = start of convolution ℓ's σ map weight (OutC×K²), soffs[len(convs)] = len(params)
	ones64 []float64            // noise_conditional: a constant image of ones, the largest layer input's height × width
	ones32 []float32
	params []float64
	adAct  autodiff.Activation
	f32    bool
	p32    []float32 // Build32's float32 copy (Params32)

	pool64 sync.Pool // *evalState[float64]
	pool32 sync.Pool // *evalState[float32]
}

// New returns an initialized ConvNet for images of shape inShape ([c, h,
// w]) with the given convolution channels, activation and seed; the other
// keys keep their defaults (kernel 3, stride 2 everywhere, fan_in, float64, no
// quadratic term). Errors are those of Validate.
func New(inShape, channels []int, activation string, seed uint64) (*ConvNet, error) {
	m := defaults()
	m.InShape, m.Channels = append([]int(nil), inShape...), append([]int(nil), channels...)
	m.Act, m.Seed = activation, seed
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Description is the one-line summary shown by `ebmrun list`.
func (m *ConvNet) Description() string {
	return "learnable convolutional network on images E(x) = CNN(x) + quadratic·½‖x‖², convolutions then one linear output unit (or a U-Net denoiser head, E = ½‖x − D(x)‖²)"
}

// Example sets the required image shape so the sample config is valid.
func (m *ConvNet) Example() { m.InShape = []int{1, 8, 8} }

// Provision resolves a relative weights path against the config's
// directory, takes an absent in_shape from the data's shape (a training
// config on image data), and refuses an in_shape that differs from it.
func (m *ConvNet) Provision(ctx registry.Context) error {
	m.Weights = ctx.Resolve(m.Weights)
	if len(ctx.Shape) == 0 {
		return nil
	}
	if len(m.InShape) == 0 {
		if len(ctx.Shape) != 3 {
			return fmt.Errorf("key %q: the data's points have shape %v, not images [c, h, w]; set in_shape to reshape them", "in_shape", ctx.Shape)
		}
		m.InShape = append([]int(nil), ctx.Shape...)
		return nil
	}
	if prod(m.InShape) != ctx.Dim() || (len(ctx.Shape) == 3 && !slices.Equal(m.InShape, ctx.Shape)) {
		return fmt.Errorf("key %q: %v does not match the data's shape %v", "in_shape", m.InShape, ctx.Shape)
	}
	return nil
}

func prod(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

// Validate checks the keys, lays out the network and draws the initial
// parameters from Seed (replacing any earlier ones), or, with weights,
// reads them from that file (see LoadStateDict).
func (m *ConvNet) Validate() error {
	if len(m.InShape) != 3 {
		return fmt.Errorf("key %q: must be [channels, height, width], got %v (it is required without training data)", "in_shape", m.InShape)
	}
	for _, v := range m.InShape {
		if v < 1 || v > 1<<20 {
			return fmt.Errorf("key %q: every size must be in [1, 1048576], got %v", "in_shape", m.InShape)
		}
	}
	if len(m.Channels) == 0 {
		return errors.New(`key "channels": needs at least one convolution, e.g. channels = [32, 64, 64]`)
	}
	for i, c := range m.Channels {
		if c < 1 || c > 1<<16 {
			return fmt.Errorf("key %q: layer %d has %d channels; every count must be in [1, 65536]", "channels", i, c)
		}
	}
	if m.Kernel < 1 || m.Kernel > 64 {
		return fmt.Errorf("key %q: must be in [1, 64], got %d", "kernel", m.Kernel)
	}
	if m.Stride < 1 || m.Stride > 64 {
		return fmt.Errorf("key %q: must be in [1, 64], got %d", "stride", m.Stride)
	}
	if len(m.Strides) != 0 && len(m.Strides) != len(m.Channels) {
		return fmt.Errorf("key %q: needs one stride per convolution, %d (as channels), got %d; leave it empty to use stride everywhere", "strides", len(m.Channels), len(m.Strides))
	}
	for i, v := range m.Strides {
		if v < 1 || v > 64 {
			return fmt.Errorf("key %q: layer %d has stride %d; every stride must be in [1, 64]", "strides", i, v)
		}
	}
	adAct, err := autodiff.ParseActivation(m.Act)
	if err != nil {
		return fmt.Errorf("key %q: %w", "activation", err)
	}
	switch m.InitScheme {
	case "fan_in", "he":
	default:
		return fmt.Errorf("key %q: unknown scheme %q; known: fan_in, he", "init", m.InitScheme)
	}
	switch m.DType {
	case "float64", "float32":
	default:
		return fmt.Errorf("key %q: must be \"float64\" or \"float32\", got %q", "dtype", m.DType)
	}
	if !(m.Quadratic >= 0) || math.IsInf(m.Quadratic, 1) {
		return fmt.Errorf("key %q: must be finite and >= 0, got %v", "quadratic", m.Quadratic)
	}
	switch m.Head {
	case "linear":
	case "denoiser":
		if m.Spectral {
			return fmt.Errorf("key %q: normalizes the convolutions and the linear layer; head = \"denoiser\" has transposed convolutions instead, which it does not cover", "spectral_norm")
		}
		if m.Weights != "" {
			return fmt.Errorf("key %q: a head = \"denoiser\" convnet has no PyTorch nn.Sequential counterpart to load weights from", "weights")
		}
	default:
		return fmt.Errorf("key %q: unknown head %q; known: linear, denoiser", "head", m.Head)
	}
	if m.Cond {
		if !(m.CondSigma > 0) || math.IsInf(m.CondSigma, 1) {
			return fmt.Errorf("key %q: with noise_conditional = true it must be > 0 and finite (the msdsm objective's sigma_min), got %v", "sigma", m.CondSigma)
		}
		if m.Weights != "" {
			return fmt.Errorf("key %q: a noise_conditional convnet has no PyTorch nn.Sequential counterpart to load weights from", "weights")
		}
	} else if m.CondSigma != 0 {
		return fmt.Errorf("key %q: is the level of a noise_conditional model; set noise_conditional = true or leave sigma out", "sigma")
	}
	c, h, w := m.InShape[0], m.InShape[1], m.InShape[2]
	convs := make([]autodiff.ConvShape, len(m.Channels))
	offs := make([]int, len(m.Channels)+2)
	for i, oc := range m.Channels {
		s := autodiff.ConvShape{InC: c, H: h, W: w, OutC: oc, K: m.Kernel, Stride: m.strideOf(i), Pad: m.Kernel / 2}
		convs[i] = s
		offs[i+1] = offs[i] + oc*s.KernelSize() + oc
		c, h, w = oc, s.OutH(), s.OutW()
		if h < 1 || w < 1 {
			return fmt.Errorf("key %q: layer %d leaves no pixels", "channels", i)
		}
	}
	flat := c * h * w
	n := len(convs)
	offs[n+1] = offs[n] + flat + 1
	var deconv []int
	if m.Head == "denoiser" { // in build order: the mirror of the last convolution first
		deconv = make([]int, n)
		o := offs[n]
		for l := n - 1; l >= 0; l-- {
			s := convs[l]
			deconv[l] = o
			o += s.OutC*s.KernelSize() + s.InC*s.H*s.W
		}
		offs[n+1] = o
	}
	soffs := make([]int, n+1)
	soffs[0] = offs[n+1]
	hw := 0
	for l, s := range convs {
		soffs[l+1] = soffs[l]
		if m.Cond {
			soffs[l+1] += s.OutC * s.K * s.K
			hw = max(hw, s.H*s.W)
		}
	}
	if soffs[n] > 1<<31 {
		return fmt.Errorf("key %q: %d parameters is too many", "channels", soffs[n])
	}
	m.convs, m.flat, m.offs, m.soffs, m.adAct, m.deconv = convs, flat, offs, soffs, adAct, deconv
	m.dim = prod(m.InShape)
	m.params = make([]float64, soffs[n])
	m.ones64, m.ones32 = nil, nil
	if m.Cond {
		m.ones64, m.ones32 = make([]float64, hw), make([]float32, hw)
		for i := range m.ones64 {
			m.ones64[i], m.ones32[i] = 1, 1
		}
	}
	m.f32 = m.DType == "float32"
	m.p32 = nil
	m.pool64 = sync.Pool{}
	m.pool32 = sync.Pool{}
	m.initParams()
	if m.Weights != "" {
		if err := m.loadWeights(); err != nil {
			return fmt.Errorf("key %q: %w", "weights", err)
		}
	}
	return nil
}

// strideOf is the stride of convolution l: strides[l], or stride when
// strides is empty.
func (m *ConvNet) strideOf(l int) int {
	if len(m.Strides) == 0 {
		return m.Stride
	}
	return m.Strides[l]
}

// layerStrides is every convolution's stride, a fresh slice.
func (m *ConvNet) layerStrides() []int {
	out := make([]int, len(m.Channels))
	for l := range out {
		out[l] = m.strideOf(l)
	}
	return out
}

// initParams draws layer ℓ (0-based convolutions, then the linear layer)
// from its own stream rng.New(Seed, ℓ+1): the weights, then the biases.
// The σ maps' weights of a noise_conditional model start at 0, so the
// model starts as the unconditional network divided by σ.
func (m *ConvNet) initParams() {
	clear(m.params[m.soffs[0]:])
	if m.deconv != nil {
		m.initDecoder()
	}
	layers := len(m.offs) - 1 // the convolutions and the linear layer
	if m.deconv != nil {
		layers = len(m.convs) // the decoder's were drawn above
	}
	for l := range layers {
		fanIn := m.flat
		nw := m.flat
		if l < len(m.convs) {
			fanIn = m.convs[l].KernelSize()
			nw = fanIn * m.convs[l].OutC
		}
		s := rng.New(m.Seed, uint64(l+1))
		w := m.params[m.offs[l] : m.offs[l]+nw]
		b := m.params[m.offs[l]+nw : m.offs[l+1]]
		if m.InitScheme == "he" {
			std := math.Sqrt(2 / float64(fanIn))
			for i := range w {
				w[i] = std * s.Norm()
			}
			clear(b)
			continue
		}
		bound := 1 / math.Sqrt(float64(fanIn))
		for i := range m.params[m.offs[l]:m.offs[l+1]] {
			m.params[m.offs[l]+i] = bound * (2*s.Float64() - 1)
		}
	}
}

// initDecoder draws the denoiser's transposed convolutions, in build
// order j = 0, 1, … (the mirror of convolution L−1−j), each from its own
// stream rng.New(Seed, L+1+j): weights uniform on ±1/√(OutC·K·K) (the
// inputs, channels × kernel, of the transposed convolution), biases 0.
func (m *ConvNet) initDecoder() {
	n := len(m.convs)
	for j := range n {
		l := n - 1 - j
		c := m.convs[l]
		st := rng.New(m.Seed, uint64(n+1+j))
		o, nw := m.deconv[l], c.OutC*c.KernelSize()
		bound := 1 / math.Sqrt(float64(c.OutC*c.K*c.K))
		for i := range nw {
			m.params[o+i] = bound * (2*st.Float64() - 1)
		}
		clear(m.params[o+nw : o+nw+c.InC*c.H*c.W])
	}
}

func (m *ConvNet) ready() {
	if m.params == nil {
		panic("convnet: ConvNet used before Validate")
	}
}

// Dim is the number of values of one image, c·h·w.
func (m *ConvNet) Dim() int { return m.dim }

// Params is the flat parameter vector (layout in the package comment),
// aliased: writing it changes the model at once.
func (m *ConvNet) Params() []float64 { m.ready(); return m.params }

// Convs returns the geometry of the convolutions, a fresh slice.
func (m *ConvNet) Convs() []autodiff.ConvShape {
	m.ready()
	return append([]autodiff.ConvShape(nil), m.convs...)
}

// Smooth reports whether the activation's second derivatives are
// meaningful; score-matching objectives refuse a model for which it is
// false.
func (m *ConvNet) Smooth() bool { m.ready(); return m.adAct.Smooth() }

// Denoiser reports whether the model has head = "denoiser" (no PyTorch
// nn.Sequential counterpart: ebmrun export refuses it).
func (m *ConvNet) Denoiser() bool { return m.Head == "denoiser" }

// Float32 reports whether the model computes in float32 (dtype =
// "float32").
func (m *ConvNet) Float32() bool { m.ready(); return m.f32 }

// Params32 rounds Params into the model's float32 copy and returns it,
// aliased; Build32 records leaves aliasing that copy. It must not run
// concurrently with Build32 or with graphs recorded from the copy.
func (m *ConvNet) Params32() []float32 {
	m.ready()
	if len(m.p32) != len(m.params) {
		m.p32 = make([]float32, len(m.params))
	}
	energies.RoundParams32(m.p32, m.params)
	return m.p32
}

// Build records E(x) for the rows of x (an n×Dim node) on g and returns
// the n×1 energy node and the parameter leaves, in Params' order (for each
// convolution its OutC×(InC·K·K) weight then its 1×OutC bias, then the
// linear layer's F×1 weight and 1×1 bias), aliasing Params. It panics
// unless x has Dim columns. Safe for concurrent calls.
func (m *ConvNet) Build(g *autodiff.Graph, x autodiff.Node) (e autodiff.Node, params []autodiff.Node) {
	m.ready()
	return buildOn(m, g, x, m.params, m.invSigmas(nil), nil, m.CondSigma, nil, m.leaves(), "Build")
}

// BuildAt is Build with row i of x at the noise level sigma[i] (a
// noise_conditional model only; see energies.NoiseConditional). It panics
// unless len(sigma) is the number of rows of x and every σ is > 0.
func (m *ConvNet) BuildAt(g *autodiff.Graph, x autodiff.Node, sigma []float64) (e autodiff.Node, params []autodiff.Node) {
	m.ready()
	m.mustCond("BuildAt")
	return buildOn(m, g, x, m.params, m.invSigmas(nil), sigma, 0, nil, m.leaves(), "BuildAt")
}

// BuildAt32 is BuildAt on a float32 graph, with the parameter leaves of
// Build32.
func (m *ConvNet) BuildAt32(g *autodiff.Graph32, x autodiff.Node, sigma []float64) (e autodiff.Node, params []autodiff.Node) {
	m.ready()
	m.mustCond("BuildAt32")
	if len(m.p32) != len(m.params) {
		panic("convnet: BuildAt32 before Params32")
	}
	return buildOn(m, g, x, m.p32, m.invSigmas(nil), sigma, 0, nil, m.leaves(), "BuildAt32")
}

// leaves is room for the parameter leaves of one recording.
func (m *ConvNet) leaves() []autodiff.Node {
	n := 2*len(m.convs) + 2
	if m.Cond {
		n += len(m.convs)
	}
	return make([]autodiff.Node, 0, n)
}

func (m *ConvNet) mustCond(name string) {
	if !m.Cond {
		panic("convnet: " + name + " on a model without noise_conditional")
	}
}

// Build32 is Build on a float32 graph: the parameter leaves alias the
// float32 copy of the last Params32 call. It panics if Params32 was never
// called.
func (m *ConvNet) Build32(g *autodiff.Graph32, x autodiff.Node) (e autodiff.Node, params []autodiff.Node) {
	m.ready()
	if len(m.p32) != len(m.params) {
		panic("convnet: Build32 before Params32")
	}
	return buildOn(m, g, x, m.p32, m.invSigmas(nil), nil, m.CondSigma, nil, m.leaves(), "Build32")
}

// buildOn records the network on g with the parameters p (Params' layout),
// appending the parameter leaves to params. With spectral_norm, inv holds
// the weights' 1/σ (invSigmas), and each weight enters scaled by it. A
// noise_conditional model takes row i at the level sig[i], or every row at
// the level level when sig is nil; cb, grown as needed, holds the columns
// ln σ and 1/σ it records as constants (it must stay untouched while the
// graph is in use).
func buildOn[T autodiff.Float](m *ConvNet, g *autodiff.GraphOf[T], x autodiff.Node, p []T, inv, sig []float64, level float64, cb []T, params []autodiff.Node, name string) (autodiff.Node, []autodiff.Node) {
	n, cols := g.Shape(x)
	if cols != m.dim {
		panic(fmt.Sprintf("convnet: %s: x has %d columns, the model's dim is %d", name, cols, m.dim))
	}
	var lnSig, invSig autodiff.Node // n×1 constants of a noise_conditional model
	var smaps []autodiff.Node       // the σ maps' weight leaves, after the linear layer's in Params
	if m.Cond {
		if sig != nil && len(sig) != n {
			panic(fmt.Sprintf("convnet: %s: %d noise levels for %d rows", name, len(sig), n))
		}
		if cap(cb) < 2*n {
			cb = make([]T, 2*n)
		}
		for i := range n {
			s := level
			if sig != nil {
				s = sig[i]
			}
			if !(s > 0) || math.IsInf(s, 1) {
				panic(fmt.Sprintf("convnet: %s: noise level %v of row %d is not > 0 and finite", name, s, i))
			}
			cb[i], cb[n+i] = T(math.Log(s)), T(1/s)
		}
		lnSig, invSig = g.Const(cb[:n], n, 1), g.Const(cb[n:2*n], n, 1)
	}
	h := x
	var feats []autodiff.Node // the activations, for a denoiser's skips
	for l, s := range m.convs {
		o, nw := m.offs[l], s.OutC*s.KernelSize()
		w := g.Input(p[o:o+nw], s.OutC, s.KernelSize())
		b := g.Input(p[o+nw:m.offs[l+1]], 1, s.OutC)
		params = append(params, w, b)
		if inv != nil {
			w = g.Scale(w, inv[l])
		}
		c := g.Conv2D(h, w, b, s)
		if m.Cond {
			// ln σ times the convolution of a constant image of ones with
			// the layer's σ weights (OutC×1×K×K): what a constant input
			// channel holding ln σ would add, edges included.
			o, nw := m.soffs[l], s.OutC*s.K*s.K
			ws := g.Input(p[o:o+nw], s.OutC, s.K*s.K)
			smaps = append(smaps, ws)
			one := s
			one.InC = 1
			mp := g.Conv2D(g.Const(ones[T](m)[:s.H*s.W], 1, s.H*s.W), ws, 0, one)
			c = g.Add(c, g.MatMul(lnSig, mp))
		}
		h = g.Act(c, m.adAct)
		if m.deconv != nil {
			feats = append(feats, h)
		}
	}
	if m.deconv != nil {
		return buildDecoder(m, g, x, h, feats, p, invSig, smaps, params)
	}
	o := m.offs[len(m.convs)]
	w := g.Input(p[o:o+m.flat], m.flat, 1)
	b := g.Input(p[o+m.flat:o+m.flat+1], 1, 1)
	params = append(params, w, b)
	if inv != nil {
		w = g.Scale(w, inv[len(m.convs)])
	}
	h = g.Affine(h, w, b)
	if m.Cond {
		h = g.MulCol(h, invSig)
		params = append(params, smaps...)
	}
	if q := m.Quadratic; q != 0 {
		h = g.Add(h, g.Scale(g.SumRows(g.Square(x)), 0.5*q))
	}
	return h, params
}

// buildDecoder records a denoiser's head on the encoder's output h and its
// feature maps feats (see the head key): D(x) by the transposed
// convolutions, then E = ½‖x − D(x)‖², divided by σ² (invSig twice) for
// a noise_conditional model, plus the quadratic term.
func buildDecoder[T autodiff.Float](m *ConvNet, g *autodiff.GraphOf[T], x, h autodiff.Node, feats []autodiff.Node, p []T, invSig autodiff.Node, smaps, params []autodiff.Node) (autodiff.Node, []autodiff.Node) {
	for l := len(m.convs) - 1; l >= 0; l-- {
		s := m.convs[l]
		o, nw := m.deconv[l], s.OutC*s.KernelSize()
		w := g.Input(p[o:o+nw], s.OutC, s.KernelSize())
		b := g.Input(p[o+nw:o+nw+s.InC*s.H*s.W], 1, s.InC*s.H*s.W)
		params = append(params, w, b)
		h = g.AddBias(g.ConvTranspose2D(h, w, s), b)
		if l > 0 {
			h = g.Act(g.Add(h, feats[l-1]), m.adAct)
		}
	}
	e := g.Scale(g.SumRows(g.Square(g.Sub(x, h))), 0.5)
	if m.Cond {
		e = g.MulCol(g.MulCol(e, invSig), invSig)
		params = append(params, smaps...)
	}
	if q := m.Quadratic; q != 0 {
		e = g.Add(e, g.Scale(g.SumRows(g.Square(x)), 0.5*q))
	}
	return e, params
}

// ones is the model's constant image of ones in the arithmetic T.
func ones[T autodiff.Float](m *ConvNet) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(m.ones32).([]T)
	}
	return any(m.ones64).([]T)
}

// powerIters is how many power iterations estimate each weight's largest
// singular value (spectral_norm).
const powerIters = 10

// invSigmas returns, with spectral_norm, 1/σ for every weight (the
// convolutions', then the linear layer's), in dst (grown as needed); nil
// without. σ is estimated by powerIters power iterations of WᵀW from a
// fixed start vector on the current Params, so that Energy, Gradient and
// Build agree; it is a lower bound of the true σ that tightens with the
// iterations. The scratch is dst's tail: dst needs room for the layers
// plus the widest weight's rows and columns.
func (m *ConvNet) invSigmas(dst []float64) []float64 {
	if !m.Spectral {
		return nil
	}
	nl := len(m.convs) + 1
	need := nl
	for l := range nl {
		rows, cols := m.weightShape(l)
		need = max(need, nl+rows+cols)
	}
	if cap(dst) < need {
		dst = make([]float64, need)
	}
	dst = dst[:need]
	for l := range nl {
		rows, cols := m.weightShape(l)
		w := m.params[m.offs[l] : m.offs[l]+rows*cols]
		u, v := dst[nl:nl+rows], dst[nl+rows:nl+rows+cols]
		for j := range v {
			v[j] = 1 + float64(j%7)/7 // fixed, not orthogonal to a non-negative vector
		}
		sigma := 0.0
		for range powerIters {
			// u = W v / ‖W v‖, v = Wᵀ u / ‖Wᵀ u‖, σ = ‖Wᵀ u‖ = uᵀ W v
			nu := 0.0
			for i := range u {
				u[i] = simd.Dot(w[i*cols:(i+1)*cols], v)
				nu += u[i] * u[i]
			}
			if nu == 0 {
				break
			}
			nu = 1 / math.Sqrt(nu)
			for i := range u {
				u[i] *= nu
			}
			clear(v)
			for i := range u {
				simd.Axpy(v, u[i], w[i*cols:(i+1)*cols])
			}
			sigma = math.Sqrt(simd.Dot(v, v))
			if sigma == 0 {
				break
			}
			for j := range v {
				v[j] /= sigma
			}
		}
		dst[l] = 1
		if sigma > 0 {
			dst[l] = 1 / sigma
		}
	}
	return dst[:nl]
}

// weightShape is the matrix shape of weight l: OutC×(InC·K·K) for a
// convolution, 1×F for the linear layer.
func (m *ConvNet) weightShape(l int) (rows, cols int) {
	if l < len(m.convs) {
		return m.convs[l].OutC, m.convs[l].KernelSize()
	}
	return 1, m.flat
}

// String describes the architecture, e.g. "1×28×28 → conv 32 → conv 64 →
// conv 64 → linear 1024→1".
func (m *ConvNet) String() string {
	m.ready()
	var b strings.Builder
	fmt.Fprintf(&b, "%d×%d×%d", m.InShape[0], m.InShape[1], m.InShape[2])
	for _, s := range m.convs {
		fmt.Fprintf(&b, " → conv %d (%d×%d)", s.OutC, s.OutH(), s.OutW())
	}
	if m.deconv != nil {
		for l := len(m.convs) - 1; l >= 0; l-- {
			s := m.convs[l]
			fmt.Fprintf(&b, " → deconv %d (%d×%d)", s.InC, s.H, s.W)
		}
		b.WriteString(", E = ½‖x − D(x)‖²")
	} else {
		fmt.Fprintf(&b, " → linear %d→1", m.flat)
	}
	if m.Cond {
		fmt.Fprintf(&b, ", noise-conditional (σ = %g)", m.CondSigma)
	}
	return b.String()
}

// Footprint is the parameters Validate draws (with their float32 copy),
// counted from in_shape, channels and kernel without allocating them.
func (m *ConvNet) Footprint(ctx registry.Context) registry.Footprint {
	var p int64
	c := int64(1)
	if len(m.InShape) == 3 {
		c = int64(max(m.InShape[0], 0))
	}
	k := int64(max(m.Kernel, 0))
	for _, oc := range m.Channels {
		o := int64(max(oc, 0))
		p = registry.AddBytes(p, registry.Bytes(o, c, k, k), o)
		if m.Cond {
			p = registry.AddBytes(p, registry.Bytes(o, k, k))
		}
		if m.Head == "denoiser" { // its mirror's weights (biases, like the linear layer, left out)
			p = registry.AddBytes(p, registry.Bytes(o, c, k, k))
		}
		c = o
	}
	return registry.Footprint{
		Bytes: registry.Bytes(p, 12),
		Keys:  []string{"channels", "kernel"},
		What:  fmt.Sprintf("%d convolution parameters × 12 bytes (float64 and float32 copies)", p),
	}
}

var (
	_ energies.Trainable        = (*ConvNet)(nil)
	_ energies.Trainable32      = (*ConvNet)(nil)
	_ energies.Smooth           = (*ConvNet)(nil)
	_ energies.NoiseConditional = (*ConvNet)(nil)
	_ registry.Provisioner      = (*ConvNet)(nil)
	_ registry.Footprinter      = (*ConvNet)(nil)
)
