package fileio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// LockName is the lock file that Lock creates in a directory while a run
// writes it.
const LockName = ".ebmrun.lock"

// ErrLocked is returned (wrapped in a *LockedError) by Lock when another
// process holds the directory's lock.
var ErrLocked = errors.New("locked by another process")

// LockedError is Lock's error when another process holds the lock.
type LockedError struct {
	PID int // the holder's process id as its lock file says, 0 when unknown
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("locked by process %d", e.PID)
	}
	return ErrLocked.Error()
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// DirLock is an exclusive lock on a directory, held by this process until
// Unlock (or its death).
type DirLock struct {
	path string
	f    *os.File
}

// Lock takes the exclusive lock of dir without waiting: the file
// dir/.ebmrun.lock, holding this process's id, locked with flock on unix
// (the system releases it when the process dies, however it dies) and
// created exclusively elsewhere (a lock file left by a process that is no
// longer running is taken over where the platform can tell). When another
// process holds it, the error is a *LockedError (errors.Is ErrLocked).
func Lock(dir string) (*DirLock, error) {
	p := filepath.Join(dir, LockName)
	f, err := lockFile(p)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			return nil, &LockedError{PID: lockHolder(p)}
		}
		return nil, err
	}
	f.Truncate(0)
	f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
	return &DirLock{path: p, f: f}, nil
}

// Unlock removes the lock file and releases the lock.
func (l *DirLock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	os.Remove(l.path)
	l.f.Close()
	l.f = nil
}

// lockHolder is the process id written in the lock file at p, or 0.
func lockHolder(p string) int {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// tempName matches the temporary files of WriteFile: "." + base + ".tmp" +
// the digits os.CreateTemp adds.
var tempName = regexp.MustCompile(`^\.(.+)\.tmp[0-9]+$`)

// RemoveTemps removes, from dir, the temporary files WriteFile leaves
// behind when its process is killed mid-write, for the files whose base
// names ours accepts; it returns the names removed. Call it only while
// holding dir's lock: a running writer's temporary file looks the same.
func RemoveTemps(dir string, ours func(base string) bool) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		if m := tempName.FindStringSubmatch(e.Name()); m != nil && ours(m[1]) {
			if os.Remove(filepath.Join(dir, e.Name())) == nil {
				removed = append(removed, e.Name())
			}
		}
	}
	return removed
}
