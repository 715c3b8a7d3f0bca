package initdist

import (
	"math"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/registry"
	"github.com/goebm/ebm/rng"
)

func build(t *testing.T, src string) Dist {
	t.Helper()
	var m map[string]any
	if _, err := toml.Decode(src, &m); err != nil {
		t.Fatal(err)
	}
	d, err := FromTable(m)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return d
}

// moments draws n points and returns per-dimension means and variances.
func moments(d Dist, dim, n int) (mean, variance []float64) {
	mean, variance = make([]float64, dim), make([]float64, dim)
	x := make([]float64, dim)
	for i := 0; i < n; i++ {
		r := rng.New(7, uint64(i))
		d.Fill(x, &r)
		for j, v := range x {
			mean[j] += v
			variance[j] += v * v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
		variance[j] = variance[j]/float64(n) - mean[j]*mean[j]
	}
	return
}

// TestGaussianMoments checks mean and std per dimension against their
// Monte-Carlo standard errors (z < 4): a failure means chains start from a
// different distribution than the config says.
func TestGaussianMoments(t *testing.T) {
	d := build(t, "type = \"gaussian\"\nmean = [0.0, 10]\nstd = [1.0, 0.5]")
	if err := d.Bind(2); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	mean, variance := moments(d, 2, n)
	wantM, wantS := []float64{0, 10}, []float64{1, 0.5}
	for j := range mean {
		se := wantS[j] / math.Sqrt(n)
		if z := (mean[j] - wantM[j]) / se; math.Abs(z) > 4 {
			t.Errorf("dim %d: mean %v, want %v (z=%.1f)", j, mean[j], wantM[j], z)
		}
		// Var of the sample variance of a normal is 2σ⁴/n.
		seV := math.Sqrt(2/float64(n)) * wantS[j] * wantS[j]
		if z := (variance[j] - wantS[j]*wantS[j]) / seV; math.Abs(z) > 4 {
			t.Errorf("dim %d: variance %v, want %v (z=%.1f)", j, variance[j], wantS[j]*wantS[j], z)
		}
	}
}

// TestUniformRangeAndMean checks that draws stay in [low, high) and have
// the right mean (z < 4); a failure means the box is wrong.
func TestUniformRangeAndMean(t *testing.T) {
	d := build(t, "type = \"uniform\"\nlow = [-1, 2]\nhigh = 3")
	if err := d.Bind(2); err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 2)
	lo, hi := []float64{-1, 2}, []float64{3, 3}
	for i := 0; i < 1000; i++ {
		r := rng.New(1, uint64(i))
		d.Fill(x, &r)
		for j := range x {
			if x[j] < lo[j] || x[j] >= hi[j] {
				t.Fatalf("draw %v outside [%v, %v)", x, lo, hi)
			}
		}
	}
	const n = 20000
	mean, _ := moments(d, 2, n)
	for j := range mean {
		w := hi[j] - lo[j]
		se := w / math.Sqrt(12*n)
		if z := (mean[j] - (lo[j]+hi[j])/2) / se; math.Abs(z) > 4 {
			t.Errorf("dim %d: mean %v, want %v (z=%.1f)", j, mean[j], (lo[j]+hi[j])/2, z)
		}
	}
}

// TestDefaultIsStandardNormal checks that the default [init] is N(0, I) in
// any dimension, as the config reference promises.
func TestDefaultIsStandardNormal(t *testing.T) {
	d := build(t, `type = "gaussian"`)
	if err := d.Bind(3); err != nil {
		t.Fatal(err)
	}
	mean, variance := moments(d, 3, 10000)
	for j := range mean {
		if math.Abs(mean[j]) > 4/math.Sqrt(10000) || math.Abs(variance[j]-1) > 4*math.Sqrt(2.0/10000) {
			t.Errorf("dim %d: mean %v var %v, want 0 and 1", j, mean[j], variance[j])
		}
	}
}

// TestErrors checks that bad parameters are reported with the key and what
// to change, at decode, Init or Bind time; a failure means bad configs run
// or give unhelpful messages.
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		src  string
		dim  int
		want string
	}{
		{"type = \"gaussian\"\nmean = [0.0, 10.0]", 3, `key "mean" has 2 values but the energy has dimension 3`},
		{"type = \"gaussian\"\nstd = [1.0, 1.0, 1.0]", 2, `key "std" has 3 values`},
		{"type = \"gaussian\"\nstd = -1.0", 2, `key "std": must be > 0`},
		{"type = \"gaussian\"\nstd = [1.0, 0]", 2, `key "std": must be > 0`},
		{"type = \"gaussian\"\nmean = \"zero\"", 2, `key "mean": want a number or an array of numbers, got a string`},
		{"type = \"gaussian\"\nmean = [1, \"a\"]", 2, `element 1: want a number`},
		{"type = \"gaussian\"\nsigma = 1.0", 2, `unknown key "sigma"`},
		{"type = \"uniform\"\nlow = 1\nhigh = 0", 2, `key "high": must be > low`},
		{"type = \"uniform\"\nlow = [0, 5]\nhigh = 1", 2, `dimension 1 has low 5, high 1`},
		{"type = \"gausian\"", 2, `did you mean "gaussian"?`},
	} {
		var m map[string]any
		if _, err := toml.Decode(c.src, &m); err != nil {
			t.Fatal(err)
		}
		d, err := FromTable(m)
		if err == nil {
			err = d.Bind(c.dim)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.src, err, c.want)
		}
	}
}

// TestSamples decodes the documented sample TOML of every registered start
// distribution and binds it: the docs of `ebmrun config` cannot rot.
func TestSamples(t *testing.T) {
	for _, name := range Names() {
		v, err := Registry.New(name)
		if err != nil {
			t.Fatal(err)
		}
		src := registry.Sample("init", name, v)
		var m map[string]map[string]any
		if _, err := toml.Decode(src, &m); err != nil {
			t.Fatalf("%s: sample does not parse: %v\n%s", name, err, src)
		}
		d, err := FromTable(m["init"])
		if err == nil {
			err = d.Bind(2)
		}
		if err != nil {
			t.Errorf("%s: sample is invalid: %v\n%s", name, err, src)
		}
	}
}
