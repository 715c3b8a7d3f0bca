//go:build unix

package runner

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// mapFloats maps n float64 values of the file at path, from byte off (a
// multiple of 8), read-only into memory: the pages are the file's, read
// on demand and given back by the kernel under pressure, not the Go heap.
// Little-endian hosts only; others read the values (readFloats).
func mapFloats(path string, off int64, n int) ([]float64, func(), error) {
	if !littleEndian() || n == 0 {
		return readFloats(path, off, n)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	size := off + 8*int64(n)
	if st, err := f.Stat(); err != nil || st.Size() < size {
		return nil, nil, fmt.Errorf("%s: shorter than the %d values written", path, n)
	}
	if off%8 != 0 || size != int64(int(size)) {
		return readFloats(path, off, n)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		// A file system without mmap: read the values instead.
		return readFloats(path, off, n)
	}
	data := unsafe.Slice((*float64)(unsafe.Pointer(&b[off])), n)
	return data, func() { syscall.Munmap(b) }, nil
}
