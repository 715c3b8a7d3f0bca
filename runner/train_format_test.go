package runner

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTrainFormat trains the tiny pipeline with --format svg and pdf and
// checks that both figures are written in that format and no PNG is; that
// rerunning into the same directory in PNG replaces them (the earlier
// run's figures are removed); and that a bad --format is refused, on
// --resume too. A failure means training ignores --format, or leaves
// another run's figures behind.
func TestTrainFormat(t *testing.T) {
	cfg := writeFile(t, "tiny.toml", tinyTrain)
	out := filepath.Join(t.TempDir(), "out")
	heads := map[string]string{"svg": "<?xml", "pdf": "%PDF", "png": "\x89PNG"}
	for _, f := range []string{"svg", "pdf", "png"} {
		args := []string{"run", cfg, "--out", out, "--quiet"}
		if f != "png" {
			args = append(args, "--format", f)
		}
		code, stdout, stderr := cli(t, args...)
		if code != 0 {
			t.Fatalf("--format %s: exit %d: %s", f, code, stderr)
		}
		var figs []string
		ents, _ := os.ReadDir(out)
		for _, e := range ents {
			switch filepath.Ext(e.Name()) {
			case ".png", ".svg", ".pdf":
				figs = append(figs, e.Name())
			}
		}
		want := []string{"density." + f, "samples." + f}
		if !slices.Equal(figs, want) {
			t.Errorf("--format %s: figures %v, want %v", f, figs, want)
		}
		for _, name := range want {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil || !strings.HasPrefix(string(b), heads[f]) {
				t.Errorf("%s: not a %s file (%v)", name, f, err)
			}
			if !strings.Contains(stdout, name) {
				t.Errorf("report does not name %s: %s", name, stdout)
			}
		}
	}
	if code, _, stderr := cli(t, "run", cfg, "--out", out, "--quiet", "--format", "gif"); code != 2 || !strings.Contains(stderr, "gif") {
		t.Errorf("--format gif: exit %d, %q; want exit 2 naming the format", code, stderr)
	}
	if code, _, stderr := cli(t, "run", "--resume", out, "--quiet", "--format", "jpeg"); code != 2 || !strings.Contains(stderr, "jpeg") {
		t.Errorf("--resume --format jpeg: exit %d, %q; want exit 2 naming the format", code, stderr)
	}
}
