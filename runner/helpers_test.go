package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyConfig is a valid pipeline that runs in milliseconds.
const tinyConfig = `name = "tiny"
seed = 7

[energy]
type = "gaussian"
mean = [1.0, -1.0]

[init]
type = "gaussian"
mean = [0.0, 0.0]
std = 1.0

[sampler]
type = "mh"
scale = 0.8

[run]
chains = 4
warmup = 20
draws = 30
`

// writeFile writes content to name in a fresh temp dir and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// cli runs ebmrun in-process and returns its exit status and outputs.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runContext(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// assertUsageError checks the contract for bad input: exit 2, exactly one
// line on stderr that contains every want, no stack trace.
func assertUsageError(t *testing.T, code int, stderr string, want ...string) {
	t.Helper()
	if code != exitUsage {
		t.Errorf("exit %d, want %d; stderr: %s", code, exitUsage, stderr)
	}
	msg := strings.TrimSuffix(stderr, "\n")
	if msg == "" || strings.Contains(msg, "\n") {
		t.Errorf("want exactly one line on stderr, got %q", stderr)
	}
	for _, bad := range []string{"goroutine", "panic"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr mentions %q (a crash, not an error): %s", bad, stderr)
		}
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
}
