package simd

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestImplementations: the table lists generic, avx2 and neon, generic is
// always available, exactly one is chosen and it is the one Chosen names;
// on a machine with a SIMD implementation, that one is preferred by default.
func TestImplementations(t *testing.T) {
	t.Logf("GOARCH=%s chosen=%s available=%v", runtime.GOARCH, Chosen(), Available())
	im := Implementations()
	if len(im) != 3 || im[0].Name != "generic" || im[1].Name != "avx2" || im[2].Name != "neon" {
		t.Fatalf("Implementations() = %+v, want generic, avx2, neon", im)
	}
	if !im[0].Available {
		t.Fatal("generic must always be available")
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
			if err == nil || !strings.Contains(err.Error(), "not available") {
				t.Fatalf("Use(%q) on a machine without it = %v, want a not-available error", i.Name, err)
			}
		}
	}
	if Chosen() != before {
		t.Fatalf("a failed Use changed the choice from %q to %q", before, Chosen())
	}
}

// TestEnvOverride re-runs this test binary with EBM_SIMD set: "generic"
// must be honoured silently, and a bad value must fall back to generic
// with InitError naming the variable. A failure means the start-up
// override is ignored or fails silently.
func TestEnvOverride(t *testing.T) {
	if v := os.Getenv("EBM_SIMD_CHILD"); v != "" {
		err := InitError()
		switch v {
		case "good":
			if Chosen() != "generic" || err != nil {
				t.Fatalf("EBM_SIMD=generic: chosen %q, InitError %v", Chosen(), err)
			}
		case "bad":
			if Chosen() != "generic" || err == nil || !strings.Contains(err.Error(), "EBM_SIMD=bogus") {
				t.Fatalf("EBM_SIMD=bogus: chosen %q, InitError %v", Chosen(), err)
			}
		}
		return
	}
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	for child, val := range map[string]string{"good": "generic", "bad": "bogus"} {
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
