package simd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestImplementations: the table lists generic, avx2, avx512 and neon,
// generic is always available, exactly one is chosen and it is the one
// Chosen names; on a machine with a SIMD implementation, that one is
// preferred by default, and by default the choice is the last available
// implementation marked Auto; avx512 runs only where avx2 does.
func TestImplementations(t *testing.T) {
	t.Logf("GOARCH=%s chosen=%s available=%v", runtime.GOARCH, Chosen(), Available())
	im := Implementations()
	if len(im) != 4 || im[0].Name != "generic" || im[1].Name != "avx2" || im[2].Name != "avx512" || im[3].Name != "neon" {
		t.Fatalf("Implementations() = %+v, want generic, avx2, avx512, neon", im)
	}
	if !im[0].Available || !im[0].Auto {
		t.Fatal("generic must always be available and a default")
	}
	if im[2].Available && !im[1].Available {
		t.Fatalf("avx512 available without avx2: %+v", im)
	}
	if os.Getenv("EBM_SIMD") == "" {
		want := "generic"
		for _, i := range im {
			if i.Available && i.Auto {
				want = i.Name
			}
		}
		if Chosen() != want {
			t.Fatalf("chosen %q by default, want %q, the last available implementation marked Auto: %+v", Chosen(), want, im)
		}
	}
	for _, i := range im {
		if i.Available != (i.Missing == "") {
			t.Fatalf("%+v: Missing must say why exactly when the implementation is unavailable", i)
		}
	}
	chosen := 0
	for _, i := range im {
		if i.Chosen {
			chosen++
			if i.Name != Chosen() || !i.Available {
				t.Fatalf("chosen entry %+v disagrees with Chosen() = %q", i, Chosen())
			}
		}
	}
	if chosen != 1 {
		t.Fatalf("%d implementations marked chosen, want 1", chosen)
	}
	if os.Getenv("EBM_SIMD") == "" && len(Available()) > 1 && Chosen() == "generic" {
		t.Fatalf("a SIMD implementation is available (%v) but generic was chosen", Available())
	}
}

// TestUseErrors: Use refuses unknown and unavailable names with an error
// that lists what is available, and leaves the choice unchanged.
func TestUseErrors(t *testing.T) {
	before := Chosen()
	err := Use("sse9")
	if err == nil || !strings.Contains(err.Error(), "unknown") || !strings.Contains(err.Error(), "generic") {
		t.Fatalf("Use(\"sse9\") = %v, want an unknown-implementation error listing generic", err)
	}
	for _, i := range Implementations() {
		if !i.Available {
			err := Use(i.Name)
			if err == nil || !strings.Contains(err.Error(), "not available") || !strings.Contains(err.Error(), i.Missing) {
				t.Fatalf("Use(%q) on a machine without it = %v, want a not-available error saying %q", i.Name, err, i.Missing)
			}
		}
	}
	if Chosen() != before {
		t.Fatalf("a failed Use changed the choice from %q to %q", before, Chosen())
	}
}

// TestEnvOverride re-runs this test binary with EBM_SIMD set: "GENERIC"
// must be honoured silently (names match in any case), and a bad value
// must fall back to the best implementation with OverrideProblem naming
// the variable. A failure means the start-up override is ignored, fails
// silently or downgrades to generic.
func TestEnvOverride(t *testing.T) {
	if v := os.Getenv("EBM_SIMD_CHILD"); v != "" {
		p := OverrideProblem()
		switch v {
		case "good":
			if Chosen() != "generic" || p != "" || InitError() != nil {
				t.Fatalf("EBM_SIMD=GENERIC: chosen %q, problem %q", Chosen(), p)
			}
		case "bad":
			if Chosen() != best().name || !strings.Contains(p, "EBM_SIMD=bogus") || InitError() == nil {
				t.Fatalf("EBM_SIMD=bogus: chosen %q (best %q), problem %q", Chosen(), best().name, p)
			}
		}
		return
	}
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	for child, val := range map[string]string{"good": "GENERIC", "bad": "bogus"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestEnvOverride$")
		cmd.Env = append(os.Environ(), "EBM_SIMD_CHILD="+child, "EBM_SIMD="+val)
		out, err := cmd.CombinedOutput()
		if errors.Is(err, syscall.ENOEXEC) {
			t.Skipf("cannot re-run the test binary here (running under an emulator without binfmt?): %v", err)
		}
		if err != nil {
			t.Fatalf("EBM_SIMD=%s: %v\n%s", val, err, out)
		}
	}
}

// TestUseEnv: every implementation this machine runs is chosen by its
// name in any case; an unknown name, and the name of an implementation
// this machine or build cannot run (neon on amd64, avx2 on arm64), choose
// the best available one, and the problem says, in one line, what was
// wrong, what runs instead and what is available. A failure means a bad
// EBM_SIMD silently downgrades the kernels.
func TestUseEnv(t *testing.T) {
	bestName := best().name
	// Registered before t.Setenv, this runs after it restores EBM_SIMD.
	t.Cleanup(func() { UseEnv() })
	avail := strings.Join(Available(), ", ")
	for _, name := range Available() {
		for _, v := range []string{name, strings.ToUpper(name), " " + name + " "} {
			t.Setenv("EBM_SIMD", v)
			if p := UseEnv(); p != "" || Chosen() != name || OverrideProblem() != "" {
				t.Errorf("EBM_SIMD=%q: chosen %q, problem %q; want %q and none", v, Chosen(), p, name)
			}
		}
	}
	t.Setenv("EBM_SIMD", "")
	if p := UseEnv(); p != "" || Chosen() != bestName {
		t.Errorf("EBM_SIMD empty: chosen %q, problem %q; want %q and none", Chosen(), p, bestName)
	}
	cases := map[string]string{"bogus": "EBM_SIMD=bogus: unknown implementation; using " + bestName + " (available: " + avail + ")"}
	for _, im := range Implementations() {
		if !im.Available {
			cases[strings.ToUpper(im.Name)] = "EBM_SIMD=" + strings.ToUpper(im.Name) + ": not available on this machine or build: " + im.Missing + "; using " + bestName + " (available: " + avail + ")"
		}
	}
	for v, want := range cases {
		t.Setenv("EBM_SIMD", v)
		if p := UseEnv(); p != want || OverrideProblem() != want || Chosen() != bestName {
			t.Errorf("EBM_SIMD=%s: chosen %q, problem %q; want %q and %q", v, Chosen(), p, bestName, want)
		}
	}
}

// TestRequire checks EBM_SIMD_REQUIRE itself: every name it lists must be
// an implementation this package knows (a misspelt name would otherwise
// require nothing) and must be able to run here. A failure means the CI
// job that sets it runs on a machine or build without that implementation.
func TestRequire(t *testing.T) {
	for _, name := range required() {
		found := false
		for _, im := range Implementations() {
			if im.Name == name {
				found = true
				if !im.Available {
					t.Errorf("%s=%s: %s: %s", requireVar, os.Getenv(requireVar), name, im.Missing)
				}
			}
		}
		if !found {
			t.Errorf("%s=%s: unknown implementation %q (known: generic, avx2, avx512, neon)", requireVar, os.Getenv(requireVar), name)
		}
	}
}

// TestRequireFails re-runs TestDot with EBM_SIMD_REQUIRE naming an
// implementation this machine cannot run (there is always one: avx2 and
// neon never both run): the run must fail, and say why, instead of
// skipping. A pass means a CI job requiring, say, neon could skip it
// silently.
func TestRequireFails(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	var missing Impl
	for _, im := range Implementations() {
		if !im.Available {
			missing = im
			break
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDot$", "-test.v")
	cmd.Env = append(os.Environ(), requireVar+"="+missing.Name)
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.ENOEXEC) {
		t.Skipf("cannot re-run the test binary here (running under an emulator without binfmt?): %v", err)
	}
	want := fmt.Sprintf("%s: %s, but %s=%s requires it", missing.Name, missing.Missing, requireVar, missing.Name)
	if err == nil || !strings.Contains(string(out), want) || !strings.Contains(string(out), "--- FAIL: TestDot/"+missing.Name) {
		t.Fatalf("%s=%s TestDot: err %v, want a failure of TestDot/%s saying %q; output:\n%s",
			requireVar, missing.Name, err, missing.Name, want, out)
	}
}
