//go:build (!amd64 && !arm64) || purego

package simd

// archPeaks: this build has no assembly peak loops.
func archPeaks() []PeakKernel { return nil }
