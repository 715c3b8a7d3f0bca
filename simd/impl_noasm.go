//go:build (!amd64 && !arm64) || purego

package simd

// archKernels: this build has no SIMD implementation.
func archKernels() []*kernels { return nil }
