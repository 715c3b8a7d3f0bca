package registry

import (
	"fmt"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

type widget struct {
	Size  float64     `toml:"size" doc:"size of the widget, > 0"`
	Count int         `toml:"count" doc:"how many"`
	On    bool        `toml:"on" doc:"switch"`
	Name  string      `toml:"name" doc:"a label"`
	Vec   []float64   `toml:"vec" doc:"a vector"`
	Mat   [][]float64 `toml:"mat" doc:"a matrix"`
	inner int
}

func (w *widget) Validate() error {
	if w.Size <= 0 {
		return fmt.Errorf("key \"size\": must be > 0, got %v", w.Size)
	}
	return nil
}
func (w *widget) Description() string { return "a test widget" }
func (w *widget) Example()            { w.Vec = []float64{1, 2} }

func newReg() *Registry[*widget] {
	r := New[*widget]("widget")
	for _, n := range []string{"hmc", "mala", "mh", "nuts", "ula"} {
		r.Register(n, func() *widget { return &widget{Size: 1, Count: 3, Name: "x"} })
	}
	return r
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic: a programming error would go unnoticed", what)
		}
	}()
	f()
}

func TestRegisterPanics(t *testing.T) {
	r := newReg()
	mustPanic(t, "duplicate name", func() { r.Register("hmc", func() *widget { return nil }) })
	mustPanic(t, "empty name", func() { r.Register("", func() *widget { return nil }) })
	mustPanic(t, "nil factory", func() { r.Register("new", nil) })
}

func TestNamesSorted(t *testing.T) {
	r := New[*widget]("widget")
	for _, n := range []string{"zeta", "alpha", "mid"} {
		r.Register(n, func() *widget { return &widget{} })
	}
	if got := strings.Join(r.Names(), ","); got != "alpha,mid,zeta" {
		t.Errorf("Names() = %s, want sorted alpha,mid,zeta", got)
	}
}

func TestUnknownSuggests(t *testing.T) {
	r := newReg()
	_, err := r.New("hcm")
	if err == nil {
		t.Fatal("unknown name accepted")
	}
	want := `unknown widget "hcm" (did you mean "hmc"?); known: hmc, mala, mh, nuts, ula`
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
	_, err = r.New("completely-different")
	if err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("far-off name should list names without a suggestion, got %v", err)
	}
	if !r.Has("mh") || r.Has("hcm") {
		t.Error("Has disagrees with the registered names")
	}
}

func TestNearest(t *testing.T) {
	names := []string{"step_size", "leapfrog_steps", "target_accept", "adapt"}
	for in, want := range map[string]string{"stepsize": "step_size", "step_sise": "step_size", "adpat": "adapt", "zzz": ""} {
		if got := Nearest(in, names); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
}

func decodeTOML(t *testing.T, text string) map[string]any {
	t.Helper()
	var m map[string]any
	if _, err := toml.Decode(text, &m); err != nil {
		t.Fatalf("test TOML does not parse: %v", err)
	}
	return m
}

func TestDecodeStrict(t *testing.T) {
	w := &widget{Size: 1}
	err := Decode(decodeTOML(t, `size = 2
count = 4
on = true
name = "n"
vec = [1, 2.5]
mat = [[1, 0], [0, 1]]
type = "ignored"`), w, "type")
	if err != nil {
		t.Fatal(err)
	}
	if w.Size != 2 || w.Count != 4 || !w.On || w.Name != "n" || len(w.Vec) != 2 || w.Vec[1] != 2.5 || w.Mat[1][1] != 1 {
		t.Errorf("decoded %+v", w)
	}

	cases := map[string]string{
		`sise = 2`:       `unknown key "sise" (did you mean "size"?)`,
		`size = "big"`:   `key "size": want a number, got a string`,
		`count = 2.5`:    `key "count": want an integer`,
		`on = 1`:         `key "on": want true or false, got an integer`,
		`vec = [1, "a"]`: `key "vec": element 1: want a number, got a string`,
		`mat = [1, 2]`:   `key "mat": element 0: want an array, got an integer`,
		`type = "x"`:     `unknown key "type"`,
	}
	for text, want := range cases {
		err := Decode(decodeTOML(t, text), &widget{}) // no skip: "type" is unknown too
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", text, err, want)
		}
	}
}

func TestFromTable(t *testing.T) {
	r := newReg()
	w, err := r.FromTable(decodeTOML(t, `type = "mh"
size = 3`))
	if err != nil || w.Size != 3 || w.Count != 3 {
		t.Fatalf("FromTable = %+v, %v; want size 3 with default count 3", w, err)
	}
	for text, want := range map[string]string{
		`size = 1`:                 `missing key "type"`,
		`type = 3`:                 `key "type": want a non-empty string, got an integer`,
		`type = "mhh"`:             `did you mean "mh"?`,
		"type = \"mh\"\nsize = -1": `(mh): key "size": must be > 0, got -1`,
		"type = \"mh\"\nbogus = 1": `(mh): unknown key "bogus"`,
	} {
		_, err := r.FromTable(decodeTOML(t, text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", text, err, want)
		}
	}
}

// The sample TOML is generated from the component, so it must decode back to
// the same values and carry every key with its doc.
func TestSampleRoundTrip(t *testing.T) {
	r := newReg()
	w, _ := r.New("nuts")
	text := Sample("sampler", "nuts", w)
	for _, f := range Fields(w) {
		if !strings.Contains(text, f.Key+" = ") || !strings.Contains(text, "# "+f.Doc) {
			t.Errorf("sample lacks key %q or its doc:\n%s", f.Key, text)
		}
	}
	m := decodeTOML(t, text)
	got, err := r.FromTable(m["sampler"].(map[string]any))
	if err != nil {
		t.Fatalf("sample does not validate: %v\n%s", err, text)
	}
	if got.Size != 1 || got.Count != 3 || got.Name != "x" || len(got.Vec) != 2 {
		t.Errorf("sample decoded to %+v", got)
	}
	if !strings.HasPrefix(text, "# a test widget\n[sampler]\ntype = \"nuts\"\n") {
		t.Errorf("sample header wrong:\n%s", text)
	}
}

func TestToMapSkipsNil(t *testing.T) {
	m := ToMap(&widget{Size: 2})
	if _, ok := m["vec"]; ok {
		t.Error("nil slice should be left out of the resolved config")
	}
	if m["size"] != 2.0 {
		t.Errorf("size = %v", m["size"])
	}
}
