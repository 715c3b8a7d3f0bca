//go:build !unix

package runner

// mapFloats reads n float64 values of the file at path from byte off
// (no mmap here).
func mapFloats(path string, off int64, n int) ([]float64, func(), error) {
	return readFloats(path, off, n)
}
