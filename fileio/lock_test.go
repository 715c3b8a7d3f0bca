package fileio

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestLock: a directory's lock is exclusive while held and free again
// after Unlock, which removes the lock file. A failure means two runs could
// write one output directory at once, or a finished run blocks the next.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	l, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Lock: %v, want ErrLocked", err)
	}
	l.Unlock()
	if _, err := os.Stat(filepath.Join(dir, LockName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file is left after Unlock: %v", err)
	}
	l2, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after Unlock: %v", err)
	}
	l2.Unlock()
}

// TestRemoveTemps: only WriteFile's temporary files of the accepted names
// are removed. A failure means orphans of a killed run stay forever, or a
// user's file that merely looks similar is deleted.
func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{".checkpoint.ebm.tmp123", ".loss.csv.tmp9", ".notes.txt.tmp1", "checkpoint.ebm", ".checkpoint.ebm.tmpx", "checkpoint.ebm.tmp5"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := RemoveTemps(dir, func(b string) bool { return b == "checkpoint.ebm" || b == "loss.csv" })
	slices.Sort(got)
	if want := []string{".checkpoint.ebm.tmp123", ".loss.csv.tmp9"}; !slices.Equal(got, want) {
		t.Errorf("removed %v, want %v", got, want)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 4 {
		t.Errorf("%d files left, want 4", len(ents))
	}
}
