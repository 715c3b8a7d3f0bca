package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The hostile-input catalogue: bad configs, flags, data files, checkpoints
// and signals a realistic user throws at ebmrun, each with what they must
// see. Every case runs in CI, so a fixed failure cannot come back. The
// cases live in the hostile_*_test.go files, one table per area.

// hostileCase is one entry of the catalogue: files written into a fresh
// directory, an ebmrun command line run in-process, and the outcome.
type hostileCase struct {
	name  string
	files map[string]string // file name → content, written into the case's directory
	// args are ebmrun's arguments; "$DIR" in any of them is the case's
	// directory.
	args []string
	code int      // the exit status wanted
	want []string // substrings the combined stdout and stderr must contain
	// check, when set, makes further checks (files left, files untouched).
	check func(t *testing.T, dir, stdout, stderr string)
}

// runHostile runs every case as a subtest. Besides its own wants, a case
// must never print a Go stack trace, and an exit status of 2 must come
// with a message that names what is wrong on standard error.
func runHostile(t *testing.T, cases []hostileCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range c.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := make([]string, len(c.args))
			for i, a := range c.args {
				args[i] = strings.ReplaceAll(a, "$DIR", dir)
			}
			code, stdout, stderr := cli(t, args...)
			if code != c.code {
				t.Errorf("ebmrun %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), code, c.code, stdout, stderr)
			}
			for _, bad := range []string{"goroutine ", "panic:", "fatal error"} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr shows a crash (%q): %s", bad, stderr)
				}
			}
			if code == exitUsage && strings.TrimSpace(stderr) == "" {
				t.Error("exit 2 with nothing on stderr")
			}
			all := stdout + stderr
			for _, w := range c.want {
				if !strings.Contains(all, strings.ReplaceAll(w, "$DIR", dir)) {
					t.Errorf("output lacks %q\nstdout: %s\nstderr: %s", w, stdout, stderr)
				}
			}
			if c.check != nil {
				c.check(t, dir, stdout, stderr)
			}
		})
	}
}

// TestHostileCatalogue keeps the catalogue at its promised size: at least
// 60 cases over configs, flags, files, checkpoints and run directories.
func TestHostileCatalogue(t *testing.T) {
	n := len(hostileSizes) + len(hostileRuns) + len(hostileCLI) + len(hostileCheck) + len(hostileShard) + len(hostileSweep)
	if n < 60 {
		t.Errorf("the hostile-input catalogue has %d cases, want at least 60", n)
	}
}
