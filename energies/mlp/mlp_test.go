package mlp_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/mlp"
	"github.com/goebm/ebm/registry"
)

// TestSampleConfig builds the model from its generated sample config, as
// the energies registry test does for every energy it can see, and checks
// that every key is documented and that the defaults are the documented
// ones. A failure means the sample a user copies from `ebmrun` is broken
// or leaves a key unexplained.
func TestSampleConfig(t *testing.T) {
	fresh, err := energies.New("mlp")
	if err != nil {
		t.Fatal(err)
	}
	text := registry.Sample("energy", "mlp", fresh)
	var doc map[string]any
	if _, err := toml.Decode(text, &doc); err != nil {
		t.Fatalf("sample does not parse: %v\n%s", err, text)
	}
	e, err := energies.FromTable(doc["energy"].(map[string]any))
	if err != nil {
		t.Fatalf("sample does not validate: %v\n%s", err, text)
	}
	for _, f := range registry.Fields(e) {
		if !strings.Contains(text, f.Key+" = ") || f.Doc == "" {
			t.Errorf("key %q missing from the sample or undocumented:\n%s", f.Key, text)
		}
	}
	if registry.Describe(e) == "" {
		t.Error("no Description")
	}
	m := e.(*mlp.MLP)
	if m.Dim() != 2 || !slices.Equal(m.Layers(), []int{2, 128, 128, 1}) || m.Act != "silu" ||
		m.InitScheme != "fan_in" || m.InitScale != 1 || m.Seed != 0 || m.Quadratic != 0 {
		t.Errorf("sample model: layers %v, activation %q, init %q, init_scale %v, seed %d, quadratic %v; want the documented defaults",
			m.Layers(), m.Act, m.InitScheme, m.InitScale, m.Seed, m.Quadratic)
	}
	// 2·128 + 128 + 128·128 + 128 + 128 + 1
	if got, want := m.NumParams(), 2*128+128+128*128+128+128+1; got != want || len(m.Params()) != want {
		t.Errorf("NumParams = %d, len(Params) = %d; want %d", got, len(m.Params()), want)
	}
}

// TestBadConfig feeds each invalid value and checks for an error (not a
// panic) that names the component and the key. A failure means a user
// with a typo gets a crash, a silently wrong model, or a message that does
// not point at the line to fix.
func TestBadConfig(t *testing.T) {
	cases := []struct {
		name  string
		table map[string]any
		want  []string
	}{
		{"no dim", map[string]any{}, []string{`"dim"`, "required"}},
		{"dim 0", map[string]any{"dim": 0}, []string{`"dim"`, ">= 1"}},
		{"hidden empty", map[string]any{"dim": 2, "hidden": []any{}}, []string{`"hidden"`, "at least one"}},
		{"hidden 0", map[string]any{"dim": 2, "hidden": []any{8, 0}}, []string{`"hidden"`, "layer 1", ">= 1"}},
		{"hidden negative", map[string]any{"dim": 2, "hidden": []any{-3}}, []string{`"hidden"`, ">= 1"}},
		{"activation", map[string]any{"dim": 2, "activation": "foo"}, []string{`"activation"`, `"foo"`, "silu"}},
		{"init", map[string]any{"dim": 2, "init": "bar"}, []string{`"init"`, `"bar"`, "xavier"}},
		{"init_scale 0", map[string]any{"dim": 2, "init_scale": 0.0}, []string{`"init_scale"`, "> 0"}},
		{"init_scale negative", map[string]any{"dim": 2, "init_scale": -1.0}, []string{`"init_scale"`, "> 0"}},
		{"init_scale NaN", map[string]any{"dim": 2, "init_scale": math.NaN()}, []string{`"init_scale"`}},
		{"init_scale Inf", map[string]any{"dim": 2, "init_scale": math.Inf(1)}, []string{`"init_scale"`, "finite"}},
		{"quadratic negative", map[string]any{"dim": 2, "quadratic": -0.5}, []string{`"quadratic"`, ">= 0"}},
		{"quadratic NaN", map[string]any{"dim": 2, "quadratic": math.NaN()}, []string{`"quadratic"`}},
		{"quadratic Inf", map[string]any{"dim": 2, "quadratic": math.Inf(1)}, []string{`"quadratic"`, "finite"}},
		{"seed negative", map[string]any{"dim": 2, "seed": -1}, []string{`"seed"`}},
		{"unknown key", map[string]any{"dim": 2, "hiden": []any{3}}, []string{`"hiden"`, `"hidden"`}},
	}
	for _, c := range cases {
		c.table["type"] = "mlp"
		_, err := energies.FromTable(c.table)
		if err == nil {
			t.Errorf("%s: accepted; want an error naming %v", c.name, c.want)
			continue
		}
		for _, w := range append(c.want, "(mlp)") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.name, err, w)
			}
		}
	}
	if _, err := mlp.New(0, []int{3}, "silu", 1); err == nil || !strings.Contains(err.Error(), `"dim"`) {
		t.Errorf("New with dim 0: error %v; want one naming \"dim\"", err)
	}
}

// TestInitDeterministic checks that the same seed gives the same
// parameters and another seed different ones, and that New does not alias
// the caller's hidden slice. A failure means runs are not reproducible
// from their seed, or seeds do not matter.
func TestInitDeterministic(t *testing.T) {
	hidden := []int{4, 3}
	a, _ := mlp.New(2, hidden, "tanh", 42)
	b, _ := mlp.New(2, hidden, "tanh", 42)
	c, _ := mlp.New(2, hidden, "tanh", 43)
	if !slices.Equal(a.Params(), b.Params()) {
		t.Error("seed 42 twice gave different parameters")
	}
	if slices.Equal(a.Params(), c.Params()) {
		t.Error("seeds 42 and 43 gave the same parameters")
	}
	hidden[0] = 100
	if a.Layers()[1] != 4 {
		t.Error("New keeps the caller's hidden slice")
	}
	// Init again redraws the same parameters.
	p := slices.Clone(a.Params())
	a.Params()[0] = 99
	if err := a.Validate(); err != nil || !slices.Equal(a.Params(), p) {
		t.Errorf("Init again: %v; parameters differ from the first draw", err)
	}
}

// TestInitSchemes checks each scheme's weight scale on a 200×150 layer:
// the sample variance of its 30 000 weights against the scheme's
// (scale·std)², within 5 standard errors of the variance estimate, and
// biases exactly 0. A failure means a scheme draws from the wrong
// distribution (a missing √3 for the uniform, fan-in for fan-out), so
// training starts from badly scaled networks.
func TestInitSchemes(t *testing.T) {
	const in, out, scale = 200, 150, 0.7
	cases := []struct {
		scheme string
		std    float64
		kurt   float64 // E[w⁴]/σ⁴: 9/5 uniform, 3 normal
	}{
		{"xavier", math.Sqrt(2.0 / (in + out)), 1.8},
		{"he", math.Sqrt(2.0 / in), 3},
		{"normal", 1, 3},
		{"fan_in", 1 / math.Sqrt(3*in), 1.8},
	}
	for _, c := range cases {
		e, err := energies.FromTable(map[string]any{"type": "mlp", "dim": in, "hidden": []any{out},
			"init": c.scheme, "init_scale": scale, "seed": 9})
		if err != nil {
			t.Fatal(err)
		}
		p := e.(*mlp.MLP).Params()
		w, b := p[:in*out], p[in*out:in*out+out]
		n := float64(len(w))
		mean, ss := 0.0, 0.0
		for _, v := range w {
			mean += v
			ss += v * v
		}
		mean /= n
		v := ss / n // the mean is 0 by construction
		want := (scale * c.std) * (scale * c.std)
		se := want * math.Sqrt((c.kurt-1)/n)
		if z := (v - want) / se; math.Abs(z) > 5 {
			t.Errorf("%s: weight variance %.5g, want %.5g (z = %.1f)", c.scheme, v, want, z)
		}
		if z := mean / math.Sqrt(want/n); math.Abs(z) > 5 {
			t.Errorf("%s: weight mean %.3g, want 0 (z = %.1f)", c.scheme, mean, z)
		}
		if c.scheme == "fan_in" {
			// Biases drawn like the weights: same bound, none zero, spread.
			lim := scale / math.Sqrt(in)
			if slices.ContainsFunc(b, func(x float64) bool { return x == 0 || math.Abs(x) > lim }) {
				t.Errorf("fan_in: a bias is 0 or outside ±%v", lim)
			}
			bv := 0.0
			for _, x := range b {
				bv += x * x
			}
			if bv /= float64(len(b)); bv < want/2 || bv > 2*want {
				t.Errorf("fan_in: bias variance %.4g, want ≈ %.4g", bv, want)
			}
		} else if slices.ContainsFunc(b, func(x float64) bool { return x != 0 }) {
			t.Errorf("%s: biases are not 0", c.scheme)
		}
		if c.scheme == "xavier" || c.scheme == "fan_in" {
			lim := scale * c.std * math.Sqrt(3)
			if slices.ContainsFunc(w, func(x float64) bool { return math.Abs(x) > lim }) {
				t.Errorf("%s: a weight outside ±%v", c.scheme, lim)
			}
		}
	}
}

// TestParamsAliased checks that Params is the model: shifting the output
// bias (the last parameter) shifts every energy by exactly that amount,
// and leaves the gradient unchanged. A failure means Params is a copy
// (an optimizer's steps would be lost) or the layout's last entry is not
// the output bias.
func TestParamsAliased(t *testing.T) {
	m := build(t, "silu", shapes[1], 1)
	x := points(5, 3, 1)
	e0, g0 := nans(5), nans(15)
	m.Gradient(e0, g0, x)
	p := m.Params()
	p[len(p)-1] += 0.25
	e1, g1 := nans(5), nans(15)
	m.Gradient(e1, g1, x)
	for i := range e0 {
		if !(math.Abs(e1[i]-e0[i]-0.25) <= 1e-12) {
			t.Errorf("point %d: E went from %v to %v after adding 0.25 to the output bias", i, e0[i], e1[i])
		}
	}
	if !slices.Equal(g0, g1) {
		t.Error("the output bias changed ∇ₓE")
	}
	// Writing a first-layer weight changes the gradient at once.
	p[0] += 1
	m.Gradient(e1, g1, x)
	if slices.Equal(g0, g1) {
		t.Error("writing W₁ did not change ∇ₓE: the transposed weights are stale")
	}
}

// TestAccessors checks Layers, Dim, NumParams and Smooth on a small model.
// A failure means callers (optimizers, objectives) size or refuse models
// wrongly.
func TestAccessors(t *testing.T) {
	m, err := mlp.New(3, []int{5, 7}, "relu", 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim() != 3 || !slices.Equal(m.Layers(), []int{3, 5, 7, 1}) || m.NumParams() != 3*5+5+5*7+7+7+1 {
		t.Errorf("Dim %d, Layers %v, NumParams %d", m.Dim(), m.Layers(), m.NumParams())
	}
	m.Layers()[0] = 9
	if m.Dim() != 3 || m.Layers()[0] != 3 {
		t.Error("Layers returns the model's own slice")
	}
}
