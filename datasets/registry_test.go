package datasets_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/registry"
)

// TestRegisteredNames checks that every data set the brief names is
// registered. A failure means a config naming one of them is rejected.
func TestRegisteredNames(t *testing.T) {
	for _, name := range []string{"8gaussians", "2spirals", "checkerboard", "circles", "moons",
		"pinwheel", "rings", "swissroll", "csv", "npy", "idx", "mnist", "fashion_mnist", "images"} {
		if !slices.Contains(datasets.Names(), name) {
			t.Errorf("%q is not registered; have %v", name, datasets.Names())
		}
	}
}

// TestSamplesValidate decodes every registered data set's generated sample
// config and builds it. A failure means the documented sample a user copies
// is broken (a default that Init rejects, a required key without an
// Example) or leaves a key undocumented.
func TestSamplesValidate(t *testing.T) {
	for _, name := range datasets.Names() {
		d, text := fromSample(t, name)
		for _, f := range registry.Fields(d) {
			if !strings.Contains(text, f.Key+" = ") {
				t.Errorf("%s: sample lacks key %q:\n%s", name, f.Key, text)
			}
			if f.Doc == "" {
				t.Errorf("%s: key %q has no doc tag, so the sample does not explain it", name, f.Key)
			}
		}
		if registry.Describe(d) == "" {
			t.Errorf("%s: no Description, so `ebmrun list` shows nothing for it", name)
		}
	}
}

// TestUnknownNameSuggests checks that a misspelt type is an error that
// names the nearest registered set and lists the known ones. A failure
// means a typo in a config leaves the user guessing.
func TestUnknownNameSuggests(t *testing.T) {
	for typo, want := range map[string]string{"moon": "moons", "8gaussian": "8gaussians",
		"chekerboard": "checkerboard", "swiss_roll": "swissroll"} {
		_, err := datasets.FromTable(map[string]any{"type": typo})
		wantErr(t, typo, err, `unknown data "`+typo+`"`, `did you mean "`+want+`"`, "known: ")
	}
	_, err := datasets.New("nothing-like-it")
	wantErr(t, "New", err, "known: 2spirals, 8gaussians")
}

// TestBadKeys checks that every invalid key value is a clear error naming
// the component and the key, never a panic or a silent default. A failure
// means a bad config starts a run (or crashes) instead of being rejected.
func TestBadKeys(t *testing.T) {
	cases := []struct {
		table map[string]any
		frags []string
	}{
		{map[string]any{"type": "moons", "n": 0}, []string{"(moons)", `key "n"`, "got 0"}},
		{map[string]any{"type": "moons", "n": 1_000_000_000}, []string{"(moons)", `key "n"`}},
		{map[string]any{"type": "moons", "n": 1.5}, []string{"(moons)", `key "n"`, "integer"}},
		{map[string]any{"type": "moons", "noise": -0.1}, []string{"(moons)", `key "noise"`, "-0.1"}},
		{map[string]any{"type": "swissroll", "noise": "big"}, []string{"(swissroll)", `key "noise"`, "number"}},
		{map[string]any{"type": "moons", "nois": 0.1}, []string{"(moons)", `unknown key "nois"`, `did you mean "noise"`}},
		{map[string]any{"type": "moons", "seed": -1}, []string{"(moons)", `key "seed"`, "non-negative"}},
		{map[string]any{"type": "circles", "factor": 1.0}, []string{"(circles)", `key "factor"`}},
		{map[string]any{"type": "rings", "rings": 0}, []string{"(rings)", `key "rings"`}},
		{map[string]any{"type": "2spirals", "noise": -1}, []string{"(2spirals)", `key "noise"`}},
		{map[string]any{"type": "pinwheel", "arms": 0}, []string{"(pinwheel)", `key "arms"`}},
		{map[string]any{"type": "pinwheel", "radial_std": -1}, []string{"(pinwheel)", `key "radial_std"`}},
		{map[string]any{"type": "pinwheel", "tangential_std": -1}, []string{"(pinwheel)", `key "tangential_std"`}},
		{map[string]any{"type": "8gaussians", "std": 0}, []string{"(8gaussians)", `key "std"`, "> 0"}},
		{map[string]any{"type": "8gaussians", "radius": -2}, []string{"(8gaussians)", `key "radius"`}},
		{map[string]any{"type": "checkerboard", "noise": 0.1}, []string{"(checkerboard)", `unknown key "noise"`}},
		{map[string]any{"type": "csv"}, []string{"(csv)", `key "path": required`}},
		{map[string]any{"type": "npy", "path": " "}, []string{"(npy)", `key "path": required`}},
		{map[string]any{"type": "csv", "path": "a.csv", "columns": []any{int64(-1)}}, []string{"(csv)", `key "columns"`, "start at 0"}},
		{map[string]any{"type": "csv", "path": "a.csv", "columns": []any{int64(1), int64(1)}}, []string{"(csv)", `key "columns"`, "twice"}},
		{map[string]any{"type": "npy", "path": "a.npy", "columns": []any{}}, []string{"(npy)", `key "columns"`, "empty"}},
		{map[string]any{"type": "csv", "path": "a.csv", "columns": []any{1.5}}, []string{"(csv)", `key "columns"`}},
	}
	for _, c := range cases {
		_, err := datasets.FromTable(c.table)
		wantErr(t, strings.TrimSpace(strings.ReplaceAll(registry.EncodeKey("t", c.table), "\n", " ")), err, c.frags...)
	}
}

// TestLoadValidates checks that Load rejects invalid fields set directly in
// Go, without FromTable. A failure means a programmatic caller gets a panic
// (a negative make size) or garbage instead of the error.
func TestLoadValidates(t *testing.T) {
	for _, d := range []datasets.Dataset{&datasets.Moons{N: -1}, &datasets.Checkerboard{},
		&datasets.EightGaussians{N: 5}, &datasets.Pinwheel{N: 5}, &datasets.CSV{}} {
		x, err := d.Load()
		if err == nil || x != nil {
			t.Errorf("%T: Load of invalid fields gave %d values and error %v", d, len(x), err)
		}
	}
}
