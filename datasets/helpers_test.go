package datasets_test

import (
	"math"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/registry"
)

// fromSample builds the named data set from its generated sample config,
// the way a user copying `ebmrun` output would, and returns the sample text.
func fromSample(t testing.TB, name string) (datasets.Dataset, string) {
	t.Helper()
	fresh, err := datasets.New(name)
	if err != nil {
		t.Fatal(err)
	}
	text := registry.Sample("data", name, fresh)
	var m map[string]any
	if _, err := toml.Decode(text, &m); err != nil {
		t.Fatalf("%s: sample config does not parse: %v\n%s", name, err, text)
	}
	table, ok := m["data"].(map[string]any)
	if !ok {
		t.Fatalf("%s: sample config has no [data] table:\n%s", name, text)
	}
	d, err := datasets.FromTable(table)
	if err != nil {
		t.Fatalf("%s: sample config does not validate: %v\n%s", name, err, text)
	}
	return d, text
}

// load builds a data set from a Go table and loads it, or fails the test.
func load(t testing.TB, table map[string]any) (datasets.Dataset, []float64) {
	t.Helper()
	d, err := datasets.FromTable(table)
	if err != nil {
		t.Fatalf("%v: %v", table, err)
	}
	x, err := d.Load()
	if err != nil {
		t.Fatalf("%v: Load: %v", table, err)
	}
	return d, x
}

// fileBased are the registered data sets that read files.
var fileBased = map[string]bool{"csv": true, "npy": true, "idx": true, "images": true, "mnist": true, "fashion_mnist": true}

// synthetic lists the registered data sets that need no file.
func synthetic() []string {
	var out []string
	for _, n := range datasets.Names() {
		if !fileBased[n] {
			out = append(out, n)
		}
	}
	return out
}

// meanSE returns the sample mean of v and its standard error s/√n.
func meanSE(v []float64) (mean, se float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// checkZ fails unless the sample mean of v is within 4 standard errors of
// want.
func checkZ(t *testing.T, what string, v []float64, want float64) {
	t.Helper()
	m, se := meanSE(v)
	z := (m - want) / se
	if !(math.Abs(z) <= 4) {
		t.Errorf("%s: mean %.5g ± %.2g, want %.5g (z = %.1f)", what, m, se, want, z)
	}
}

// column returns column j of the n×2 points x.
func column(x []float64, j int) []float64 {
	out := make([]float64, len(x)/2)
	for i := range out {
		out[i] = x[2*i+j]
	}
	return out
}

// sqNorms returns |x_i|² of each row of the n×2 points x.
func sqNorms(x []float64) []float64 {
	out := make([]float64, len(x)/2)
	for i := range out {
		out[i] = x[2*i]*x[2*i] + x[2*i+1]*x[2*i+1]
	}
	return out
}

// wantErr fails unless err is non-nil and contains every fragment.
func wantErr(t *testing.T, what string, err error, frags ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one containing %q", what, frags)
		return
	}
	for _, f := range frags {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%s: error %q lacks %q", what, err, f)
		}
	}
}
