//go:build unix

package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERM builds ebmrun and stops a sampling run and a training run
// with SIGTERM, as schedulers and timeout(1) do: each must exit 143 with
// its partial outputs written and marked "partial": true (the training run
// with its checkpoint), and a resume must remove an orphaned temporary
// checkpoint. A failure means a job killed at its time limit loses its
// work.
func TestSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short: builds ebmrun with the go tool")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "ebmrun")
	if out, err := exec.Command(gobin, "build", "-o", bin, "../cmd/ebmrun").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	sampling := writeFile(t, "s.toml", strings.Replace(tinySampling, `type = "mh"`, `type = "nuts"`, 1))
	training := writeFile(t, "t.toml", tinyTrain)
	term := func(args ...string) int {
		t.Helper()
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		return cmd.ProcessState.ExitCode()
	}

	out := filepath.Join(dir, "sampling")
	if code := term("run", sampling, "--out", out, "--quiet", "--set", "run.draws=1000000"); code != exitTerminated {
		t.Errorf("sampling: exit %d after SIGTERM, want %d", code, exitTerminated)
	}
	if m := readJSON(t, filepath.Join(out, "manifest.json")); m["partial"] != true {
		t.Errorf("sampling: manifest.json partial = %v, want true", m["partial"])
	}
	if _, err := os.Stat(filepath.Join(out, "samples.npy")); err != nil {
		t.Errorf("sampling: no partial samples.npy: %v", err)
	}

	out = filepath.Join(dir, "training")
	if code := term("run", training, "--out", out, "--quiet", "--set", "train.steps=100000000", "--set", "train.eval_every=0"); code != exitTerminated {
		t.Errorf("training: exit %d after SIGTERM, want %d", code, exitTerminated)
	}
	m := readJSON(t, filepath.Join(out, "manifest.json"))
	if m["partial"] != true {
		t.Errorf("training: manifest.json partial = %v, want true", m["partial"])
	}
	ck := readCheckpoint(t, out)
	if ck.Step != int64(m["steps"].(float64)) || ck.Step == 0 {
		t.Fatalf("training: checkpoint at step %d, manifest at %v", ck.Step, m["steps"])
	}
	orphan := filepath.Join(out, ".checkpoint.ebm.tmp123456")
	if err := os.WriteFile(orphan, []byte("killed mid-write"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := exec.Command(bin, "run", "--resume", out, "--quiet", "--set", "train.steps="+strconv.FormatInt(ck.Step+5, 10))
	if b, err := res.CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, b)
	}
	if _, err := os.Stat(orphan); err == nil {
		t.Error("the orphaned temporary checkpoint survived the resume")
	}
}
