package convnet_test

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/autodiff"
	"github.com/goebm/ebm/energies"
	"github.com/goebm/ebm/energies/convnet"
	"github.com/goebm/ebm/energies/energytest"
	"github.com/goebm/ebm/objectives"
	"github.com/goebm/ebm/optim"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
	"github.com/goebm/ebm/train"
)

// small is the test network: 1×8×8 images, channels [4, 6], with a
// quadratic term, in dtype.
func small(t testing.TB, dtype string, extra map[string]any) *convnet.ConvNet {
	t.Helper()
	table := map[string]any{"type": "convnet", "in_shape": []any{1, 8, 8}, "channels": []any{4, 6},
		"quadratic": 0.1, "seed": int64(3), "dtype": dtype}
	for k, v := range extra {
		table[k] = v
	}
	e, err := energies.FromTable(table)
	if err != nil {
		t.Fatal(err)
	}
	return e.(*convnet.ConvNet)
}

func points(n, d int, seed uint64) []float64 {
	s := rng.New(seed, 0)
	x := make([]float64, n*d)
	for i := range x {
		x[i] = s.Float64()
	}
	return x
}

func relErr(a, b float64) float64 { return math.Abs(a-b) / max(1, math.Abs(b)) }

// mixedStrides is a net with per-layer strides: 8×8 → 8×8 → 4×4 → 4×4 → 2×2.
var mixedStrides = map[string]any{"channels": []any{3, 4, 4, 5}, "strides": []any{1, 2, 1, 2}}

// TestConformance runs the conformance kit on small convnets in both
// dtypes, with another activation, kernel and stride, two channels in, and
// per-layer strides.
func TestConformance(t *testing.T) {
	cases := map[string]*convnet.ConvNet{
		"float64":      small(t, "float64", nil),
		"float32":      small(t, "float32", nil),
		"tanh/k5s1/c2": small(t, "float64", map[string]any{"activation": "tanh", "kernel": 5, "stride": 1, "in_shape": []any{2, 5, 6}}),
		"softplus/k2":  small(t, "float64", map[string]any{"activation": "softplus", "kernel": 2, "init": "he"}),
		"spectral":     small(t, "float64", map[string]any{"spectral_norm": true}),
		"spectral/f32": small(t, "float32", map[string]any{"spectral_norm": true}),
		"strides/f64":  small(t, "float64", mixedStrides),
		"strides/f32":  small(t, "float32", mixedStrides),
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) { energytest.Check(t, m, energytest.Options{Seed: 7, Points: 4}) })
	}
}

// TestLayout checks the parameter count of the peers' network (PyTorch's
// state_dict: 320 + 18496 + 36928 + 1025) and the geometry.
func TestLayout(t *testing.T) {
	deep, err := energies.FromTable(map[string]any{"type": "convnet", "in_shape": []any{1, 28, 28},
		"channels": []any{32, 32, 64, 64, 64}, "strides": []any{1, 2, 1, 2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if s := deep.(*convnet.ConvNet).String(); s != "1×28×28 → conv 32 (28×28) → conv 32 (14×14) → conv 64 (14×14) → conv 64 (7×7) → conv 64 (4×4) → linear 1024→1" {
		t.Errorf("strides [1, 2, 1, 2, 2]: %s", s)
	}
	m, err := convnet.New([]int{1, 28, 28}, []int{32, 64, 64}, "silu", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(m.Params()), 32*9+32+64*32*9+64+64*64*9+64+1024+1; got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}
	if m.Dim() != 784 || m.String() != "1×28×28 → conv 32 (14×14) → conv 64 (7×7) → conv 64 (4×4) → linear 1024→1" {
		t.Errorf("dim %d, %s", m.Dim(), m)
	}
	for _, v := range m.Params()[:320] {
		if math.Abs(v) > 1/3.0 {
			t.Fatalf("fan_in weight %v beyond ±1/3", v)
		}
	}
}

// TestChunking: a batch of 300 (three chunks, the graph split over
// workers) gives bit for bit the numbers of calls on 1, 7 and 150 rows.
func TestChunking(t *testing.T) {
	for _, dt := range []string{"float64", "float32"} {
		m := small(t, dt, nil)
		const n = 300
		d := m.Dim()
		x := points(n, d, 2)
		e, g := make([]float64, n), make([]float64, n*d)
		m.Gradient(e, g, x)
		ee := make([]float64, n)
		m.Energy(ee, x)
		if !slices.Equal(e, ee) {
			t.Errorf("%s: Energy differs from Gradient's e", dt)
		}
		for _, split := range []int{1, 7, 150} {
			e2, g2 := make([]float64, n), make([]float64, n*d)
			for i := 0; i < n; i += split {
				j := min(n, i+split)
				m.Gradient(e2[i:j], g2[i*d:j*d], x[i*d:j*d])
			}
			if !slices.Equal(e, e2) || !slices.Equal(g, g2) {
				t.Errorf("%s: calls of %d rows differ from one call", dt, split)
			}
		}
	}
}

// TestBuild: Build's energies equal Energy's, its leaves cover Params in
// order, and the parameter gradient of Σ E through Build matches central
// differences.
func TestBuild(t *testing.T) {
	checkBuild(t, small(t, "float64", nil), 5, 7)
}

// checkBuild records m on n points: Build's energies must equal Energy's,
// its leaves cover Params in order, and the parameter gradient through it
// match central differences at every every-th parameter.
func checkBuild(t *testing.T, m *convnet.ConvNet, n, every int) {
	t.Helper()
	d := m.Dim()
	x := points(n, d, 4)
	want := make([]float64, n)
	m.Energy(want, x)
	g := autodiff.New()
	en, params := m.Build(g, g.Input(x, n, d))
	for i, v := range g.Value(en) {
		if relErr(v, want[i]) > 1e-12 {
			t.Errorf("row %d: Build %v, Energy %v", i, v, want[i])
		}
	}
	p := m.Params()
	leavesCoverParams(t, g, params, p)
	grads := g.Grad([]autodiff.Node{g.Sum(en)}, params, nil, false)
	flat := make([]float64, len(p))
	g.Flatten(flat, grads)
	checkParamGrad(t, p, flat, func() float64 { return energySum(m, x, n) }, func(j int) bool { return j%every == 0 })
}

// leavesCoverParams fails t unless the parameter leaves alias consecutive
// segments of p, in order, covering it exactly.
func leavesCoverParams(t *testing.T, g *autodiff.Graph, params []autodiff.Node, p []float64) {
	t.Helper()
	total := 0
	for _, q := range params {
		r, c := g.Shape(q)
		if &g.Value(q)[0] != &p[total] {
			t.Fatalf("leaf at %d does not alias Params", total)
		}
		total += r * c
	}
	if total != len(p) {
		t.Fatalf("leaves cover %d of %d parameters", total, len(p))
	}
}

// checkParamGrad compares the gradient flat of f with respect to the
// parameters p with central differences (step 1e-6, tolerance 1e-6
// relative) at every index j that pick selects.
func checkParamGrad(t *testing.T, p, flat []float64, f func() float64, pick func(j int) bool) {
	t.Helper()
	for j := range p {
		if !pick(j) {
			continue
		}
		old, h := p[j], 1e-6
		p[j] = old + h
		up := f()
		p[j] = old - h
		down := f()
		p[j] = old
		fd := (up - down) / (2 * h)
		if math.Abs(fd-flat[j]) > 1e-6*max(1, math.Abs(fd)) {
			t.Errorf("∂/∂p[%d]: autodiff %v, central differences %v", j, flat[j], fd)
		}
	}
}

// TestSpectralNorm: with spectral_norm, scaling every weight (not the
// biases) by 3 changes no energy beyond rounding, Build's energies equal
// Energy's, and the parameter gradient through Build is that of the
// normalized weights with σ held constant: scaling the weights by 3
// divides it by 3.
func TestSpectralNorm(t *testing.T) {
	m := small(t, "float64", map[string]any{"spectral_norm": true})
	const n = 6
	d := m.Dim()
	x := points(n, d, 4)
	e1 := make([]float64, n)
	m.Energy(e1, x)
	gradOf := func() []float64 {
		g := autodiff.New()
		en, params := m.Build(g, g.Input(x, n, d))
		for i, v := range g.Value(en) {
			e := make([]float64, n)
			m.Energy(e, x)
			if relErr(v, e[i]) > 1e-12 {
				t.Errorf("row %d: Build %v, Energy %v", i, v, e[i])
			}
		}
		flat := make([]float64, len(m.Params()))
		g.Flatten(flat, g.Grad([]autodiff.Node{g.Sum(en)}, params, nil, false))
		return flat
	}
	g1 := gradOf()
	p := m.Params()
	convs := m.Convs()
	off := 0
	weight := make([]bool, len(p))
	for _, s := range convs {
		for j := off; j < off+s.OutC*s.KernelSize(); j++ {
			weight[j] = true
		}
		off += s.OutC*s.KernelSize() + s.OutC
	}
	for j := off; j < len(p)-1; j++ {
		weight[j] = true
	}
	for j := range p {
		if weight[j] {
			p[j] *= 3
		}
	}
	e2 := make([]float64, n)
	m.Energy(e2, x)
	for i := range e1 {
		if relErr(e2[i], e1[i]) > 1e-12 {
			t.Errorf("row %d: %v with weights ×3, %v before", i, e2[i], e1[i])
		}
	}
	g2 := gradOf()
	for j := range p {
		want := g1[j]
		if weight[j] {
			want /= 3
		}
		if math.Abs(g2[j]-want) > 1e-10*max(1, math.Abs(want)) {
			t.Fatalf("∂/∂p[%d] = %v with weights ×3, want %v", j, g2[j], want)
		}
	}
}

// TestFloat32 checks float32 against float64 energies and gradients, and
// Build32 against Build.
func TestFloat32(t *testing.T) {
	m64, m32 := small(t, "float64", nil), small(t, "float32", nil)
	const n = 20
	d := m64.Dim()
	x := points(n, d, 5)
	e64, g64 := make([]float64, n), make([]float64, n*d)
	e32, g32 := make([]float64, n), make([]float64, n*d)
	m64.Gradient(e64, g64, x)
	m32.Gradient(e32, g32, x)
	for i := range e64 {
		if relErr(e32[i], e64[i]) > 1e-5 {
			t.Errorf("row %d: float32 %v, float64 %v", i, e32[i], e64[i])
		}
	}
	for i := range g64 {
		if math.Abs(g32[i]-g64[i]) > 1e-5 {
			t.Errorf("∇ %d: float32 %v, float64 %v", i, g32[i], g64[i])
		}
	}
	if !m32.Float32() || m64.Float32() {
		t.Error("Float32 wrong")
	}
	m32.Params32()
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	g := autodiff.New32()
	en, _ := m32.Build32(g, g.Input(x32, n, d))
	for i, v := range g.Value(en) {
		if relErr(float64(v), e64[i]) > 1e-5 {
			t.Errorf("row %d: Build32 %v, float64 %v", i, v, e64[i])
		}
	}
}

// TestDSMTrains: a few hundred dsm steps with Adam on a convnet lower the
// loss, in both dtypes.
func TestDSMTrains(t *testing.T) {
	for _, dt := range []string{"float64", "float32"} {
		m := small(t, dt, map[string]any{"quadratic": 0.0})
		n, d := 64, m.Dim()
		// images: a bright blob at one of two places, plus noise
		data := make([]float64, n*d)
		s := rng.New(1, 0)
		for i := range n {
			c := 2 + 4*(i%2)
			for y := range 8 {
				for xx := range 8 {
					v := math.Exp(-float64((y-c)*(y-c)+(xx-c)*(xx-c)) / 4)
					data[i*d+y*8+xx] = v + 0.01*s.Norm()
				}
			}
		}
		o, err := objectives.FromTable(map[string]any{"type": "dsm", "sigma": 0.1})
		if err != nil {
			t.Fatal(err)
		}
		opt, err := optim.FromTable(map[string]any{"type": "adam", "lr": 1e-2})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := train.New(m, o, opt, data, d, train.Settings{Steps: 1 << 20, BatchSize: 32, LogEvery: 1 << 20, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		var first, last float64
		const steps, avg = 150, 20
		for k := range steps {
			l, err := tr.Step(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if k < avg {
				first += l.Loss / avg
			} else if k >= steps-avg {
				last += l.Loss / avg
			}
		}
		t.Logf("%s: dsm loss %v → %v", dt, first, last)
		if !(last < 0.9*first) {
			t.Errorf("%s: dsm loss %v → %v, want a decrease by a tenth", dt, first, last)
		}
	}
}

// TestErrors: bad keys are one-line errors naming the key.
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		table map[string]any
		key   string
	}{
		{map[string]any{}, "in_shape"},
		{map[string]any{"in_shape": []any{8, 8}}, "in_shape"},
		{map[string]any{"in_shape": []any{1, 0, 8}}, "in_shape"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "channels": []any{}}, "channels"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "channels": []any{4, 0}}, "channels"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "kernel": 0}, "kernel"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "stride": 0}, "stride"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "activation": "swishy"}, "activation"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "dtype": "float16"}, "dtype"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "init": "xavier"}, "init"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "quadratic": -1.0}, "quadratic"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "kernel": 65}, "kernel"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "channels": []any{4, 6}, "strides": []any{1}}, "strides"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "channels": []any{4, 6}, "strides": []any{1, 2, 2}}, "strides"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "channels": []any{4, 6}, "strides": []any{1, 0}}, "strides"},
		{map[string]any{"in_shape": []any{1, 8, 8}, "channels": []any{4, 6}, "strides": []any{65, 1}}, "strides"},
	} {
		c.table["type"] = "convnet"
		_, err := energies.FromTable(c.table)
		if err == nil || !strings.Contains(err.Error(), `"`+c.key+`"`) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line naming %q", c.table, err, c.key)
		}
	}
}

// TestProvision: a training config takes in_shape from the data and
// refuses a different one.
func TestProvision(t *testing.T) {
	table := func(extra map[string]any) map[string]any {
		m := map[string]any{"type": "convnet", "channels": []any{2}}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	ctx := registry.Context{Shape: []int{1, 6, 6}}
	e, err := energies.Registry.Build(ctx, table(nil))
	if err != nil || e.Dim() != 36 {
		t.Fatalf("from the data's shape: %v, %v", e, err)
	}
	if _, err := energies.Registry.Build(ctx, table(map[string]any{"in_shape": []any{1, 6, 6}})); err != nil {
		t.Errorf("matching in_shape: %v", err)
	}
	// the resolved table (what a checkpoint stores, as TOML) rebuilds the
	// model without the data's shape
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(registry.Resolved("convnet", e)); err != nil {
		t.Fatal(err)
	}
	var saved map[string]any
	if _, err := toml.Decode(buf.String(), &saved); err != nil {
		t.Fatal(err)
	}
	again, err := energies.FromTable(saved)
	if err != nil || again.Dim() != 36 || len(again.(*convnet.ConvNet).Params()) != len(e.(*convnet.ConvNet).Params()) {
		t.Errorf("rebuilding from the resolved table: %v", err)
	}
	_, err = energies.Registry.Build(ctx, table(map[string]any{"in_shape": []any{1, 4, 9}}))
	if err == nil || !strings.Contains(err.Error(), `"in_shape"`) || strings.Contains(err.Error(), "\n") {
		t.Errorf("mismatched in_shape: %v", err)
	}
}

// TestNoAllocations: Energy and Gradient allocate nothing once warm.
func TestNoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	for _, dt := range []string{"float64", "float32", "float64/spectral"} {
		m := small(t, strings.TrimSuffix(dt, "/spectral"), map[string]any{"spectral_norm": strings.HasSuffix(dt, "/spectral")})
		for _, n := range []int{5, 64, 200} {
			x := points(n, m.Dim(), 1)
			e, g := make([]float64, n), make([]float64, len(x))
			if a := testing.AllocsPerRun(10, func() { m.Gradient(e, g, x) }); a != 0 {
				t.Errorf("%s n=%d: Gradient allocates %v times", dt, n, a)
			}
			if a := testing.AllocsPerRun(10, func() { m.Energy(e, x) }); a != 0 {
				t.Errorf("%s n=%d: Energy allocates %v times", dt, n, a)
			}
		}
	}
}

// TestMixedStridesParamGrad: on a net with per-layer strides, the
// parameter gradient of Σ E through Build (float64) and Build32 (float32)
// matches central differences of Energy in the same dtype (∇ₓE is checked
// by TestConformance's strides cases).
func TestMixedStridesParamGrad(t *testing.T) {
	for _, dt := range []string{"float64", "float32"} {
		m := small(t, dt, mixedStrides)
		const n = 4
		d := m.Dim()
		x := points(n, d, 6)
		p := m.Params()
		flat := make([]float64, len(p))
		h, tol := 1e-6, 1e-6
		if dt == "float64" {
			g := autodiff.New()
			en, params := m.Build(g, g.Input(x, n, d))
			g.Flatten(flat, g.Grad([]autodiff.Node{g.Sum(en)}, params, nil, false))
		} else {
			h, tol = 1e-2, 2e-3
			p32 := m.Params32()
			x32 := make([]float32, len(x))
			simd.ToFloat32(x32, x)
			g := autodiff.New32()
			en, params := m.Build32(g, g.Input(x32, n, d))
			f32 := make([]float32, len(p32))
			g.Flatten(f32, g.Grad([]autodiff.Node{g.Sum(en)}, params, nil, false))
			simd.ToFloat64(flat, f32)
		}
		sum := func() float64 { return energySum(m, x, n) }
		for j := 0; j < len(p); j += 5 {
			old := p[j]
			p[j] = old + h
			up := sum()
			p[j] = old - h
			down := sum()
			p[j] = old
			fd := (up - down) / (2 * h)
			if math.Abs(fd-flat[j]) > tol*max(1, math.Abs(fd)) {
				t.Errorf("%s: ∂/∂p[%d]: autodiff %v, central differences %v", dt, j, flat[j], fd)
			}
		}
	}
}

// energySum is Σᵢ E(xᵢ) over the n points of x.
func energySum(m *convnet.ConvNet, x []float64, n int) float64 {
	e := make([]float64, n)
	m.Energy(e, x)
	s := 0.0
	for _, v := range e {
		s += v
	}
	return s
}
