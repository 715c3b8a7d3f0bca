//go:build !unix

package fileio

import (
	"errors"
	"os"
)

// lockFile creates the lock file at p exclusively. A lock file whose
// process is gone (where os.FindProcess can tell, as on Windows) is stale:
// it is removed and taken.
func lockFile(p string) (*os.File, error) {
	for try := 0; ; try++ {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		pid := lockHolder(p)
		if pid <= 0 || pid == os.Getpid() || try > 0 {
			return nil, ErrLocked // being created, ours, or retaken under us
		}
		if proc, err := os.FindProcess(pid); err == nil {
			proc.Release()
			return nil, ErrLocked
		}
		os.Remove(p) // stale: its process is gone
	}
}
