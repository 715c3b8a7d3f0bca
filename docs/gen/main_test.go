package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// blank returns text with every marked region emptied: what must stay
// byte-identical.
func blank(t *testing.T, text []byte) []byte {
	t.Helper()
	rs, err := parseRegions(text)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	last := 0
	for _, r := range rs {
		out = append(out, text[last:r.start]...)
		last = r.end
	}
	return append(out, text[last:]...)
}

// regions maps each region's name to its text (the last, for a name used twice).
func regions(t *testing.T, text []byte) map[string]string {
	t.Helper()
	rs, err := parseRegions(text)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range rs {
		m[r.name] = string(text[r.start:r.end])
	}
	return m
}

// TestGenerateShrunk runs the generator on three shipped configs (two
// sampling, one with two samplers, and a training one) with tiny -set
// overrides into copies of the README and the figure directory, and checks
// that their markers were filled from the runs, the others kept, every
// byte outside the markers kept, and one figure per config written. A
// failure means `go run ./docs/gen` would write wrong numbers, damage the
// README, or miss figures.
func TestGenerateShrunk(t *testing.T) {
	orig, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	readme, figs := filepath.Join(dir, "README.md"), filepath.Join(dir, "figures")
	if err := os.WriteFile(readme, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o := options{readme: readme, figures: figs, configs: "../../configs", stdout: &out, stderr: &out,
		only: []string{"fig3_rosenbrock_mh_vs_hmc,pt_gmm", "train_dsm_moons"},
		sets: []string{"run.chains=8", "run.warmup=40", "run.draws=50", "seed=7",
			"data.n=400", "train.steps=20", "eval.res=32", "sample.chains=16", "sample.warmup=10"}}
	if err := generate(o); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(blank(t, got), blank(t, orig)) {
		t.Error("text outside the gen markers changed")
	}

	before, after := regions(t, orig), regions(t, got)
	if len(after) != len(before) {
		t.Fatalf("%d regions after, %d before", len(after), len(before))
	}
	want := map[string]string{
		"pt_gmm.draws":                      `^400$`,
		"pt_gmm.time":                       `^≈[0-9.]+ s$`,
		"pt_gmm.swap":                       `^[0-9]+(–[0-9]+)? %$`,
		"pt_gmm.rhat.x0":                    `^[0-9]\.[0-9]{2,3}$`,
		"fig3_rosenbrock_mh_vs_hmc.mh.rhat": `^[0-9.]+ and [0-9.]+$`,
		"fig3_rosenbrock_mh_vs_hmc.hmc.divergences": `^[0-9]+$`,
		"train_dsm_moons.nll":                       `^[0-9]+\.[0-9]{3} ± [0-9]+\.[0-9]{3}$`,
		"train_dsm_moons.time":                      `^≈[0-9.]+ s$`,
	}
	for name, re := range want {
		if v, ok := after[name]; !ok || !regexp.MustCompile(re).MatchString(v) {
			t.Errorf("gen:%s = %q, want %s", name, v, re)
		}
	}
	// 20 steps on 400 points cannot reach the shipped run's NLL.
	if after["train_dsm_moons.nll"] == before["train_dsm_moons.nll"] {
		t.Errorf("gen:train_dsm_moons.nll kept %q: not filled from the shrunk run", before["train_dsm_moons.nll"])
	}
	for name, v := range before {
		if !strings.HasPrefix(name, "pt_gmm.") && !strings.HasPrefix(name, "fig3_") && !strings.HasPrefix(name, "train_dsm_moons.") &&
			!strings.HasPrefix(name, "table.") && after[name] != v {
			t.Errorf("gen:%s of a config that did not run changed: %q → %q", name, v, after[name])
		}
	}
	table := after["table.sampling"]
	for _, row := range []string{"| `fig3_rosenbrock_mh_vs_hmc.toml` | `mh` | 8 × 50 |", "| `fig3_rosenbrock_mh_vs_hmc.toml` | `hmc` | 8 × 50 |", "| `pt_gmm.toml` | `pt` | 8 × 50 |"} {
		if !strings.Contains(table, row) {
			t.Errorf("table.sampling lacks a row starting %q:\n%s", row, table)
		}
	}

	ents, err := os.ReadDir(figs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
		b, _ := os.ReadFile(filepath.Join(figs, e.Name()))
		if !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", e.Name())
		}
	}
	if w := []string{"fig3_rosenbrock_mh_vs_hmc.png", "pt_gmm.png", "train_dsm_moons.png"}; !slices.Equal(names, w) {
		t.Errorf("figures %v, want %v", names, w)
	}

	// A second run with the same settings changes no number but the times;
	// its table keeps the rows of configs it did not run.
	o.only = []string{"pt_gmm"}
	if err := generate(o); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(readme)
	a2 := regions(t, again)
	for name, v := range after {
		if !strings.HasSuffix(name, ".time") && name != "table.sampling" && a2[name] != v {
			t.Errorf("gen:%s changed on a rerun: %q → %q", name, v, a2[name])
		}
	}
	if !strings.Contains(a2["table.sampling"], "| `fig3_rosenbrock_mh_vs_hmc.toml` | `hmc` | 8 × 50 |") {
		t.Errorf("table.sampling lost the rows of a config not rerun:\n%s", a2["table.sampling"])
	}
}

// TestMarkers checks that malformed or unknown markers are errors that
// leave the README as it was. A failure means a typo in a marker would
// silently keep stale text or damage the file.
func TestMarkers(t *testing.T) {
	known := map[string]bool{"pt_gmm": true, "train_x": true}
	results := map[string]*result{"train_x": {name: "train_x", file: "train_x.toml", train: true, wall: 12.4, eval: &evalFile{NLL: ptr(2.50849), NLLStderr: ptr(0.0168)}}}
	good := "a <!-- gen:train_x.nll -->old<!-- /gen:train_x.nll --> b <!-- gen:pt_gmm.rhat -->1.5<!-- /gen:pt_gmm.rhat --> (<!-- gen:train_x.time -->≈1 s<!-- /gen:train_x.time -->)\n"
	out, changes, err := rewrite([]byte(good), known, results)
	if err != nil {
		t.Fatal(err)
	}
	if w := "a <!-- gen:train_x.nll -->2.508 ± 0.017<!-- /gen:train_x.nll --> b <!-- gen:pt_gmm.rhat -->1.5<!-- /gen:pt_gmm.rhat --> (<!-- gen:train_x.time -->≈12 s<!-- /gen:train_x.time -->)\n"; string(out) != w {
		t.Errorf("rewrite:\n got %q\nwant %q", out, w)
	}
	if len(changes) != 2 {
		t.Errorf("changes %q, want 2", changes)
	}
	for _, bad := range []string{
		"<!-- gen:train_x.nll -->x",                                // never closed
		"<!-- gen:train_x.nll -->x<!-- /gen:train_x.time -->",      // closes another
		"<!-- gen:train_x.nll --><!-- gen:train_x.time -->",        // nested
		"<!-- /gen:train_x.nll -->",                                // closes nothing
		"<!-- gen:nodots -->x<!-- /gen:nodots -->",                 // bad name
		"<!-- gen:missing.nll -->x<!-- /gen:missing.nll -->",       // no such config
		"<!-- gen:train_x.rhat -->x<!-- /gen:train_x.rhat -->",     // not a training quantity
		"<!-- gen:table.training -->x<!-- /gen:table.training -->", // no such table
	} {
		if _, _, err := rewrite([]byte(bad), known, results); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}

	// generate refuses before running anything, and writes nothing.
	dir := t.TempDir()
	readme := filepath.Join(dir, "R.md")
	src := "x <!-- gen:pt_gmm.rhat -->1<!-- /gen:pt_gmm.time -->\n"
	os.WriteFile(readme, []byte(src), 0o644)
	err = generate(options{readme: readme, figures: filepath.Join(dir, "f"), configs: "../../configs", ebmrun: "/nonexistent", stdout: io.Discard, stderr: io.Discard})
	if b, _ := os.ReadFile(readme); err == nil || string(b) != src {
		t.Errorf("malformed README: error %v, file %q", err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "f")); err == nil {
		t.Error("figure directory created although nothing ran")
	}
	if err := generate(options{readme: readme, configs: "../../configs", sets: []string{"bogus.key=1"}}); err == nil {
		t.Error("-set bogus.key=1 accepted")
	}
}

func ptr(v float64) *float64 { return &v }

// TestFormats checks the number formats the README quotes.
func TestFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{grouped(800000), "800 000"}, {grouped(1509), "1509"}, {grouped(12345), "12 345"},
		{essText(ptr(75461.2)), "75 000"}, {essText(ptr(53.4)), "53"}, {essText(ptr(9739)), "9700"},
		{seconds(0.31), "≈0.3 s"}, {seconds(11.6), "≈12 s"}, {seconds(0.04), "≈0.04 s"},
		{rhat(ptr(1.0049)), "1.005"}, {rhat(ptr(2.6)), "2.60"}, {rhat(ptr(1.36)), "1.36"}, {rhat(nil), "—"},
		{percent(ptr(0.7819)), "78 %"}, {share(1509, 200000), "0.75 %"},
		{joinAnd([]string{"a", "b", "c"}), "a, b and c"}, {joinAnd([]string{"a"}), "a"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for s, want := range map[string]string{"run.draws=3": "s", "train.steps=3": "t", "seed=2": "ts", "run.workers=1": "ts", "x.y=1": ""} {
		if got := kinds(s); got != want {
			t.Errorf("kinds(%q) = %q, want %q", s, got, want)
		}
	}
}
