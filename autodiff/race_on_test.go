//go:build race

package autodiff

// raceEnabled: the race detector makes sync.Pool drop items at random (so
// simd's pooled scratch allocates again) and instruments allocations, so
// allocation counts mean nothing under it.
const raceEnabled = true
