package autodiff

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/goebm/ebm/simd"
)

// actAt returns f⁽ᵏ⁾ at the points xs, through the Graph.
func actAt(f Activation, k int, xs []float64) []float64 { return actAtOf(f, k, xs) }

// actAtOf is actAt on a graph of element type T.
func actAtOf[T Float](f Activation, k int, xs []T) []T {
	g := NewOf[T]()
	return append([]T(nil), g.Value(g.ActDeriv(g.Const(xs, 1, len(xs)), f, k))...)
}

// actPoints are where the derivative checks look: both signs, small and
// large arguments, none within 0.1 of the kinks of ReLU and ELU at 0.
var actPoints = []float64{-7.5, -4, -2.2, -1.3, -0.7, -0.3, -0.11, 0.13, 0.4, 0.9, 1.7, 2.6, 4.2, 8}

// TestActDerivatives checks f⁽ᵏ⁾ against central differences of f⁽ᵏ⁻¹⁾ for
// orders 1 to 6 of every activation (orders 5 and 6 reach the general
// polynomial recurrences beyond the hand-written low orders). A failure
// means a wrong derivative formula or polynomial of that order. The
// tolerance is 1e-6 relative to 1 + |f⁽ᵏ⁾| (the step's error is ~1e-10
// times the size of the next derivatives, which grow with the order).
func TestActDerivatives(t *testing.T) {
	for f := Activation(0); f < numActivations; f++ {
		for k := 1; k <= 6; k++ {
			d := actAt(f, k, actPoints)
			plus, minus := make([]float64, len(actPoints)), make([]float64, len(actPoints))
			for i, x := range actPoints {
				plus[i], minus[i] = x+fdStep, x-fdStep
			}
			fp, fm := actAt(f, k-1, plus), actAt(f, k-1, minus)
			for i, x := range actPoints {
				fd := (fp[i] - fm[i]) / (2 * fdStep)
				if !near(d[i], fd, 1e-6) {
					t.Errorf("%v order %d at %v: %.12g, central difference of order %d: %.12g", f, k, x, d[i], k-1, fd)
				}
			}
		}
	}
}

// TestActExactValues pins values known in closed form (a failure: a wrong
// formula that finite differences of an equally wrong lower order would
// not catch, e.g. the value itself).
func TestActExactValues(t *testing.T) {
	e := math.E
	sig1 := 1 / (1 + math.Exp(-1))
	for _, tc := range []struct {
		f    Activation
		k    int
		x    float64
		want float64
	}{
		{Sigmoid, 0, 0, 0.5}, {Sigmoid, 1, 0, 0.25}, {Sigmoid, 2, 0, 0}, {Sigmoid, 3, 0, -0.125},
		{Sigmoid, 0, 1, sig1}, {Sigmoid, 1, 1, sig1 * (1 - sig1)},
		{Softplus, 0, 0, math.Ln2}, {Softplus, 0, 3, math.Log1p(math.Exp(3))}, {Softplus, 1, 0, 0.5},
		{SiLU, 0, 1, sig1}, {SiLU, 1, 0, 0.5}, {SiLU, 2, 0, 0.5}, {SiLU, 3, 0, 0},
		{Tanh, 0, 0.5, math.Tanh(0.5)}, {Tanh, 1, 0, 1}, {Tanh, 2, 0, 0}, {Tanh, 3, 0, -2}, {Tanh, 5, 0, 16},
		{Tanh, 1, 1, 1 - math.Tanh(1)*math.Tanh(1)},
		{ELU, 0, -1, 1/e - 1}, {ELU, 0, 2, 2}, {ELU, 1, -1, 1 / e}, {ELU, 1, 2, 1}, {ELU, 2, 2, 0}, {ELU, 3, -1, 1 / e},
		{ReLU, 0, -1, 0}, {ReLU, 0, 2, 2}, {ReLU, 1, -1, 0}, {ReLU, 1, 2, 1}, {ReLU, 2, 2, 0},
		{LeakyReLU, 0, -1, -0.2}, {LeakyReLU, 0, 2, 2}, {LeakyReLU, 1, -1, 0.2}, {LeakyReLU, 1, 2, 1}, {LeakyReLU, 2, -2, 0},
		{Identity, 0, -3, -3}, {Identity, 1, -3, 1}, {Identity, 2, -3, 0},
		{Gaussian, 0, 0, 1}, {Gaussian, 0, 1, math.Exp(-0.5)}, {Gaussian, 2, 0, -1}, {Gaussian, 4, 0, 3},
		{Gaussian, 1, 1, -math.Exp(-0.5)}, {Gaussian, 3, 0, 0}, {Gaussian, 6, 0, -15},
	} {
		got := actAt(tc.f, tc.k, []float64{tc.x})[0]
		if math.Abs(got-tc.want) > 1e-15*(1+math.Abs(tc.want)) {
			t.Errorf("%v order %d at %v: %.17g, want %.17g", tc.f, tc.k, tc.x, got, tc.want)
		}
	}
}

// TestActExtremes evaluates orders 0 to 4 at ±50 and ±800: every result
// must be finite (the true values are), and where a result is tiny but
// not zero it must keep its relative accuracy (a failure: overflow to
// Inf/NaN in e^x, 0·Inf, or cancellation in 1 − σ).
func TestActExtremes(t *testing.T) {
	xs := []float64{-800, -50, 50, 800}
	for f := Activation(0); f < numActivations; f++ {
		for k := 0; k <= 4; k++ {
			for i, v := range actAt(f, k, xs) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%v order %d at %v: %v", f, k, xs[i], v)
				}
			}
		}
	}
	e50 := math.Exp(-50)
	for _, tc := range []struct {
		f    Activation
		k    int
		x    float64
		want float64
	}{
		{Sigmoid, 0, -50, e50 / (1 + e50)}, {Sigmoid, 1, 50, e50 / ((1 + e50) * (1 + e50))},
		{Sigmoid, 2, 50, -e50 * (1 - e50) / math.Pow(1+e50, 3)}, {Sigmoid, 0, 800, 1}, {Sigmoid, 0, -800, 0},
		{Softplus, 0, 800, 800}, {Softplus, 0, -50, math.Log1p(e50)}, {Softplus, 1, -50, e50 / (1 + e50)},
		{SiLU, 0, -800, 0}, {SiLU, 0, 800, 800}, {SiLU, 1, 800, 1}, {SiLU, 1, -800, 0}, {SiLU, 2, 800, 0},
		{Tanh, 0, 50, 1}, {Tanh, 1, 50, 4 * e50 * e50}, {Tanh, 0, -800, -1},
		{ELU, 0, -800, -1}, {ELU, 1, -50, e50}, {ELU, 0, 800, 800},
		{Gaussian, 0, 50, 0}, {Gaussian, 4, -800, 0},
	} {
		got := actAt(tc.f, tc.k, []float64{tc.x})[0]
		if math.Abs(got-tc.want) > 1e-14*math.Abs(tc.want) {
			t.Errorf("%v order %d at %v: %.17g, want %.17g", tc.f, tc.k, tc.x, got, tc.want)
		}
	}
}

// TestActNaN checks that a NaN input gives a NaN value and derivatives
// (a failure: a NaN silently turned into a number).
func TestActNaN(t *testing.T) {
	for f := Activation(0); f < numActivations; f++ {
		for k := 0; k <= 3; k++ {
			if constDeriv(f, k) && f == Identity {
				continue // identity's derivatives are the constants 1, 0, … everywhere
			}
			if v := actAt(f, k, []float64{math.NaN()})[0]; !math.IsNaN(v) {
				t.Errorf("%v order %d at NaN: %v, want NaN", f, k, v)
			}
		}
	}
}

// TestParseActivation checks names, the swish alias, String round trips,
// Smooth, and that an unknown name's error lists the known ones (a
// failure: configs naming activations would break or mislead).
func TestParseActivation(t *testing.T) {
	for f := Activation(0); f < numActivations; f++ {
		g, err := ParseActivation(f.String())
		if err != nil || g != f {
			t.Errorf("ParseActivation(%q) = %v, %v", f.String(), g, err)
		}
		if want := f != ReLU && f != LeakyReLU && f != Identity; f.Smooth() != want {
			t.Errorf("%v.Smooth() = %v", f, f.Smooth())
		}
	}
	if f, err := ParseActivation(" Swish"); err != nil || f != SiLU {
		t.Errorf("ParseActivation(swish) = %v, %v", f, err)
	}
	_, err := ParseActivation("selu")
	if err == nil || !strings.Contains(err.Error(), `"selu"`) || !strings.Contains(err.Error(), "softplus, swish, tanh") {
		t.Errorf("ParseActivation(selu) error = %v", err)
	}
	if s := Activation(-1).String(); s != "Activation(-1)" {
		t.Errorf("String of an unknown activation = %q", s)
	}
}

// TestRPoly pins the first tanh-derivative polynomials (R₂ = −2t,
// R₃ = 6t² − 2, R₄ = −24t³ + 16t): a wrong recurrence would break every
// order above 2.
func TestRPoly(t *testing.T) {
	want := map[int][]float64{1: {1}, 2: {0, -2}, 3: {-2, 0, 6}, 4: {0, 16, 0, -24}}
	for k, w := range want {
		got := rpoly(k)
		if len(got) != len(w) {
			t.Fatalf("R_%d = %v, want %v", k, got, w)
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("R_%d = %v, want %v", k, got, w)
				break
			}
		}
	}
}

// TestLeaky32 checks autodiff's float32 leaky ReLU (value and first
// derivative) against simd.Leaky32 with LeakySlope bit for bit (the kernel
// is checked against the defining branches in simd) and against the
// float64 loops, to float32 rounding (subnormals to the smallest one), on
// ±0, ±Inf, NaN, subnormals and random values. A failure means autodiff
// hands simd the wrong slope or derivative order.
func TestLeaky32(t *testing.T) {
	x := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		math.Float32frombits(1), math.Float32frombits(0x80000001), 1, -1}
	r := rand.New(rand.NewPCG(7, 8))
	for range 300 {
		x = append(x, float32(r.NormFloat64()*math.Exp(3*r.NormFloat64())))
	}
	x64 := make([]float64, len(x))
	for i, v := range x {
		x64[i] = float64(v)
	}
	got, want := make([]float32, len(x)), make([]float32, len(x))
	ref := make([]float64, len(x))
	for k := 0; k < 2; k++ {
		leakyDeriv(got, x, k)
		simd.Leaky32(want, x, float32(LeakySlope), k)
		leakyDeriv(ref, x64, k)
		for i, v := range x {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("k = %d, x = %v: autodiff %v, simd.Leaky32 %v", k, v, got[i], want[i])
			}
			if g, w := float64(got[i]), ref[i]; (g != g) != (w != w) || (w == w && math.Abs(g-w) > 1e-6*math.Abs(w)+1e-44) {
				t.Errorf("k = %d, x = %v: float32 %v, float64 %v", k, v, g, w)
			}
		}
	}
}
