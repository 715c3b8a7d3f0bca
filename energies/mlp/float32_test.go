package mlp_test

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/energies/mlp"
)

// with32 returns the float32 twin of shape s: the same keys plus
// dtype = "float32", so the same seed draws the same parameters.
func with32(s shape) shape {
	extra := map[string]any{"dtype": "float32"}
	for k, v := range s.extra {
		extra[k] = v
	}
	return shape{s.name + "/f32", s.dim, s.hidden, extra}
}

// TestFloat32MatchesFloat64 checks that a float32 network computes the
// energies and gradients of its float64 twin (same parameters) to float32
// accuracy, for every activation and shape, with every simd
// implementation. A failure means the float32 kernels or the float32
// activations compute something else, not just rounder.
func TestFloat32MatchesFloat64(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, s := range append(shapes, shape{"2-128-128-1", 2, []int{128, 128}, nil}, shape{"40-64-1", 40, []int{64}, map[string]any{"quadratic": 1.0}}) {
			for _, act := range allActs {
				m64, m32 := build(t, act, s, 5), build(t, act, with32(s), 5)
				if !slices.Equal(m64.Params(), m32.Params()) {
					t.Fatalf("%s %s: the float32 model drew other parameters", act, s.name)
				}
				const n = 130
				x := points(n, s.dim, 9)
				e64, g64 := nans(n), nans(n*s.dim)
				e32, g32 := nans(n), nans(n*s.dim)
				m64.Gradient(e64, g64, x)
				m32.Gradient(e32, g32, x)
				// float32 rounding of the inputs, the weights and every
				// intermediate: relative to the size of the terms summed.
				scale := 0.0
				for _, v := range g64 {
					scale = max(scale, math.Abs(v))
				}
				for i := range e64 {
					if d := math.Abs(e32[i] - e64[i]); d > 2e-5*(1+math.Abs(e64[i])) {
						t.Fatalf("%s %s: e[%d] = %v in float32, %v in float64", act, s.name, i, e32[i], e64[i])
					}
				}
				for i := range g64 {
					if d := math.Abs(g32[i] - g64[i]); d > 2e-5*(1+scale) {
						t.Fatalf("%s %s: grad[%d] = %v in float32, %v in float64", act, s.name, i, g32[i], g64[i])
					}
				}
				e := nans(n)
				m32.Energy(e, x)
				if !slices.Equal(bitsOf(e), bitsOf(e32)) {
					t.Errorf("%s %s: float32 Energy and Gradient disagree on the energies", act, s.name)
				}
			}
		}
	})
}

// TestFloat32SplitInvariance is TestSplitInvariance for float32 models:
// a row's float32 results do not depend on its batch or on the number of
// goroutines.
func TestFloat32SplitInvariance(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		const n = 1100
		s := with32(shape{"2-128-128-1", 2, []int{128, 128}, nil})
		m := build(t, "silu", s, 11)
		x := points(n, 2, 4)
		want, wantG := nans(n), nans(n*2)
		m.Gradient(want, wantG, x)
		e, g := nans(n), nans(n*2)
		cuts := []int{0, 1, 64, 65, 193, 511, n}
		for k := 1; k < len(cuts); k++ {
			lo, hi := cuts[k-1], cuts[k]
			m.Gradient(e[lo:hi], g[lo*2:hi*2], x[lo*2:hi*2])
		}
		if !slices.Equal(bitsOf(e), bitsOf(want)) || !slices.Equal(bitsOf(g), bitsOf(wantG)) {
			t.Errorf("uneven pieces: results differ from the whole batch's")
		}
		for _, procs := range []int{1, 3} {
			old := runtime.GOMAXPROCS(procs)
			e, g = nans(n), nans(n*2)
			m.Gradient(e, g, x)
			runtime.GOMAXPROCS(old)
			if !slices.Equal(bitsOf(e), bitsOf(want)) || !slices.Equal(bitsOf(g), bitsOf(wantG)) {
				t.Errorf("GOMAXPROCS=%d: results differ", procs)
			}
		}
	})
}

// TestFloat32NoAllocations: a warm float32 model allocates nothing per
// call either.
func TestFloat32NoAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	m := build(t, "silu", with32(shape{"2-32-32-1", 2, []int{32, 32}, nil}), 1)
	for _, n := range []int{64, 1024} {
		x := points(n, 2, 1)
		e, g := make([]float64, n), make([]float64, 2*n)
		if a := testing.AllocsPerRun(10, func() { m.Energy(e, x) }); a != 0 {
			t.Errorf("n=%d: Energy allocates %v times per call", n, a)
		}
		if a := testing.AllocsPerRun(10, func() { m.Gradient(e, g, x) }); a != 0 {
			t.Errorf("n=%d: Gradient allocates %v times per call", n, a)
		}
	}
}

// TestFloat32BadDType: an unknown dtype is refused, naming the key.
func TestFloat32BadDType(t *testing.T) {
	m, err := mlp.New(2, []int{4}, "silu", 0)
	if err != nil {
		t.Fatal(err)
	}
	m.DType = "float16"
	if err := m.Validate(); err == nil || !strings.Contains(err.Error(), `"dtype"`) || !strings.Contains(err.Error(), "float16") {
		t.Errorf("Validate with dtype float16: %v", err)
	}
}
