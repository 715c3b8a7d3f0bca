// Package mlp is a learnable energy: a fully connected network
// E(x) = MLP(x) + quadratic·½‖x‖², registered as the energy "mlp".
//
// The network maps each point x ∈ R^dim through the hidden layers
// hₗ = f(hₗ₋₁·Wₗ + bₗ) (h₀ = x, f the activation) to a linear output layer
// of width 1, the energy. Energy and Gradient, the samplers' hot path, run
// a fused forward and backward pass over the whole batch on the simd
// matrix kernels; Build records the same network on an autodiff graph for
// the training objectives, with the parameters as leaves aliasing Params.
//
// # Parameters
//
// Params is one flat vector: for each layer ℓ = 1, …, L+1 in order (the
// hidden layers, then the output layer), first the weight matrix Wₗ, of
// shape inₗ×outₗ, row-major (so a point, a row, times Wₗ gives the layer's
// pre-activation), then the bias bₗ of length outₗ. Layers lists the widths
// (dim, hidden…, 1), so inₗ = Layers()[ℓ−1] and outₗ = Layers()[ℓ].
//
// # Normalizability
//
// An MLP energy alone need not grow at infinity, so exp(−E) may not be
// normalizable and samplers may drift off to infinity. quadratic > 0 adds
// quadratic·½‖x‖², a Gaussian envelope of variance 1/quadratic, which
// makes exp(−E) normalizable whenever the network grows less than
// quadratically (as it does with the bounded-slope activations).
package mlp

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
)

func init() {
	energies.Register("mlp", func() energies.Energy { return defaults() })
}

// defaults returns an MLP with every key at its default.
func defaults() *MLP {
	return &MLP{Hidden: []int{128, 128}, Act: "silu", InitScheme: "fan_in", InitScale: 1, DType: "float64"}
}

// MLP is the energy E(x) = MLP(x) + quadratic·½‖x‖² of a fully connected
// network with one linear output unit (see the package comment for the
// parameter layout). Build it with New, or from a config table through the
// energies registry; set the exported fields and call Init to build one by
// hand. Energy, Gradient and Build are safe for concurrent calls on
// disjoint batches, as long as nothing writes Params meanwhile.
type MLP struct {
	D          int     `toml:"dim" doc:"dimension of the points, >= 1; in a training config it defaults to the data's dimension"`
	Hidden     []int   `toml:"hidden" doc:"widths of the hidden layers, at least one layer, each >= 1; the output layer (width 1, linear) comes after them"`
	Act        string  `toml:"activation" doc:"activation of the hidden layers: silu (or swish), softplus, tanh, sigmoid, elu, gaussian (exp(−z²/2)), relu, leaky_relu (slope 0.2 below 0) or identity; score matching needs a smooth one (not relu, leaky_relu or identity)"`
	InitScheme string  `toml:"init" doc:"initialization: fan_in (PyTorch's nn.Linear default: weights and biases uniform on ±1/√in), xavier (uniform Glorot, std √(2/(in+out))), he (Kaiming normal, std √(2/in)) or normal (std 1); biases start at 0 except with fan_in"`
	InitScale  float64 `toml:"init_scale" doc:"multiplies the initialization's standard deviation, > 0"`
	Seed       uint64  `toml:"seed" doc:"seed of the weight initialization; the same seed gives the same network; 0 is a seed like any other, and the config's top-level seed does not change it"`
	DType      string  `toml:"dtype" doc:"arithmetic of the network: float64 (the default) or float32 (about twice as fast on the SIMD kernels; the parameters, points, energies and gradients the rest of ebm sees stay float64, and the network computes on float32 copies of them)"`
	Quadratic  float64 `toml:"quadratic" doc:"adds quadratic·½‖x‖² to E, >= 0; a positive value keeps exp(−E) normalizable (a Gaussian envelope of variance 1/quadratic)"`
	Weights    string  `toml:"weights" doc:"initial weights from a file, .safetensors or .npz, holding the state_dict of the PyTorch nn.Sequential of the same architecture (0.weight of shape [hidden[0], dim], 0.bias, 2.weight …; what ebmrun export writes); replaces the seeded initialization; a relative path is resolved against the config file's directory; \"\" (the default) draws the weights from seed"`

	layers []int               // dim, hidden…, 1
	offs   []int               // offs[ℓ] = start of Wₗ₊₁ in params; offs[L+1] = len(params)
	params []float64           // the flat parameter vector
	act    act                 // the activation, for the fused path
	adAct  autodiff.Activation // the same, for Build
	maxW   int                 // widest hidden layer
	sumW   int                 // total hidden width
	toffs  []int               // toffs[ℓ−1] = start of Wₗᵀ among the transposed weights (ℓ = 1…L); toffs[L] = their total length

	f32       bool      // DType is float32
	p32       []float32 // the float32 copy of params that Build32 records (Params32)
	scratch   sync.Pool // *work[float64], per-goroutine buffers
	scratch32 sync.Pool // *work[float32], the same in float32
	trans     sync.Pool // *weights, the weights of one Energy or Gradient call
	calls     sync.Pool // *call, the goroutines of one parallel call

	pins  atomic.Int64  // Pin calls not yet undone by Unpin
	epoch atomic.Uint64 // counts the pins that started from none: see weightsFor
}

// New returns an initialized MLP for points of dimension dim with the given
// hidden widths, activation and initialization seed; the other keys keep
// their defaults (fan_in initialization, scale 1, no quadratic term).
// Errors are those of Init.
func New(dim int, hidden []int, activation string, seed uint64) (*MLP, error) {
	m := defaults()
	m.D, m.Hidden, m.Act, m.Seed = dim, append([]int(nil), hidden...), activation, seed
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Description is the one-line summary shown by `ebmrun list`.
func (m *MLP) Description() string {
	return "learnable fully connected network E(x) = MLP(x) + quadratic·½‖x‖², one linear output unit"
}

// Example sets the required dimension so the sample config is valid.
func (m *MLP) Example() { m.D = 2 }

// Provision takes an absent dim (0) from the data's shape, when the
// pipeline has data (a training config).
func (m *MLP) Provision(ctx registry.Context) error {
	if m.D == 0 {
		m.D = ctx.Dim()
	}
	m.Weights = ctx.Resolve(m.Weights)
	return nil
}

// Validate checks the keys and draws the initial parameters from Seed
// (replacing any earlier ones), or, with weights, reads them from that
// file (see LoadStateDict).
func (m *MLP) Validate() error {
	if m.D < 1 {
		return fmt.Errorf("key %q: must be >= 1, got %d (it is required: the dimension of the points)", "dim", m.D)
	}
	if len(m.Hidden) == 0 {
		return errors.New(`key "hidden": needs at least one hidden layer, e.g. hidden = [128, 128]`)
	}
	for i, w := range m.Hidden {
		if w < 1 {
			return fmt.Errorf("key %q: layer %d has width %d; every width must be >= 1", "hidden", i, w)
		}
	}
	adAct, err := autodiff.ParseActivation(m.Act)
	if err != nil {
		return fmt.Errorf("key %q: %w", "activation", err)
	}
	a, err := actOf(adAct)
	if err != nil {
		return fmt.Errorf("key %q: %w", "activation", err)
	}
	switch m.DType {
	case "float64", "float32":
	default:
		return fmt.Errorf("key %q: must be \"float64\" or \"float32\", got %q", "dtype", m.DType)
	}
	if _, ok := initSchemes[m.InitScheme]; !ok {
		return fmt.Errorf("key %q: unknown scheme %q; known: %s", "init", m.InitScheme, strings.Join(schemeNames, ", "))
	}
	if !(m.InitScale > 0) || math.IsInf(m.InitScale, 1) {
		return fmt.Errorf("key %q: must be finite and > 0, got %v", "init_scale", m.InitScale)
	}
	if !(m.Quadratic >= 0) || math.IsInf(m.Quadratic, 1) {
		return fmt.Errorf("key %q: must be finite and >= 0, got %v", "quadratic", m.Quadratic)
	}
	layers := append(append([]int{m.D}, m.Hidden...), 1)
	offs := make([]int, len(layers))
	toffs := make([]int, len(layers)-1)
	maxW, sumW := 0, 0
	for l := 1; l < len(layers); l++ {
		in, out := layers[l-1], layers[l]
		offs[l] = offs[l-1] + in*out + out
		if l < len(layers)-1 {
			maxW, sumW = max(maxW, out), sumW+out
			toffs[l] = toffs[l-1] + in*out
		}
	}
	m.layers, m.offs, m.toffs, m.act, m.adAct = layers, offs, toffs, a, adAct
	m.maxW, m.sumW = maxW, sumW
	m.params = make([]float64, offs[len(offs)-1])
	m.initParams()
	if m.Weights != "" {
		if err := m.loadWeights(); err != nil {
			return fmt.Errorf("key %q: %w", "weights", err)
		}
	}
	m.f32 = m.DType == "float32"
	m.scratch = sync.Pool{}
	m.scratch32 = sync.Pool{}
	m.trans = sync.Pool{}
	m.calls = sync.Pool{}
	return nil
}

// initSchemes maps each init scheme to its weight standard deviation for a
// layer with in inputs and out outputs, whether it draws uniformly (on
// ±√3·std) rather than normally, and whether the biases are drawn like the
// weights (else they start at 0).
var initSchemes = map[string]struct {
	std          func(in, out int) float64
	uniform      bool
	randomBiases bool
}{
	// fan_in is PyTorch's nn.Linear default: weights and biases uniform on
	// ±1/√in. Random biases matter in low dimension: with zero biases every
	// first-layer unit's kink passes through the origin, and a 2-D model
	// starts out (and trains slowly away from) radially symmetric.
	"fan_in": {func(in, _ int) float64 { return 1 / math.Sqrt(3*float64(in)) }, true, true},
	"xavier": {func(in, out int) float64 { return math.Sqrt(2 / float64(in+out)) }, true, false},
	"he":     {func(in, _ int) float64 { return math.Sqrt(2 / float64(in)) }, false, false},
	"normal": {func(int, int) float64 { return 1 }, false, false},
}

var schemeNames = []string{"fan_in", "he", "normal", "xavier"}

// initParams draws every weight from the scheme (times InitScale), layer ℓ
// from its own stream rng.New(Seed, ℓ), and then the biases, from the same
// stream, or sets them to 0.
func (m *MLP) initParams() {
	sc := initSchemes[m.InitScheme]
	for l := 1; l < len(m.layers); l++ {
		in, out := m.layers[l-1], m.layers[l]
		s := rng.New(m.Seed, uint64(l))
		std := m.InitScale * sc.std(in, out)
		w := m.params[m.offs[l-1] : m.offs[l-1]+in*out]
		b := m.params[m.offs[l-1]+in*out : m.offs[l]]
		clear(b)
		if sc.randomBiases {
			w = m.params[m.offs[l-1]:m.offs[l]]
		}
		for i := range w {
			if sc.uniform {
				w[i] = std * math.Sqrt(3) * (2*s.Float64() - 1)
			} else {
				w[i] = std * s.Norm()
			}
		}
	}
}

func (m *MLP) ready() {
	if m.params == nil {
		panic("mlp: MLP used before Init")
	}
}

// Dim is the dimension of the points.
func (m *MLP) Dim() int { return m.D }

// Params is the flat parameter vector (layout in the package comment),
// aliased: writing it changes the model at once.
func (m *MLP) Params() []float64 { m.ready(); return m.params }

// NumParams is len(Params()): Σₗ (inₗ·outₗ + outₗ).
func (m *MLP) NumParams() int { m.ready(); return len(m.params) }

// Activation is the hidden layers' activation.
func (m *MLP) Activation() autodiff.Activation { m.ready(); return m.adAct }

// Smooth reports whether the activation's second derivatives are
// meaningful (autodiff's Activation.Smooth: false for relu and identity);
// score-matching objectives refuse a model for which it is false.
func (m *MLP) Smooth() bool { m.ready(); return m.adAct.Smooth() }

// Layers returns the layer widths (dim, hidden…, 1), a fresh slice.
func (m *MLP) Layers() []int { m.ready(); return append([]int(nil), m.layers...) }

// layer returns Wₗ (inₗ×outₗ, row-major) and bₗ for ℓ = 1, …, L+1.
func (m *MLP) layer(l int) (w, b []float64) {
	o, n := m.offs[l-1], m.layers[l-1]*m.layers[l]
	return m.params[o : o+n], m.params[o+n : m.offs[l]]
}
